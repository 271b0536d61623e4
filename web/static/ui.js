// Notices shown to the user: errors from the API and confirmations.
import { h } from './dom.js';
import { t } from './i18n.js';
import { ApiError } from './api.js';

/** toast shows an error or a notice to the user. */
export function toast(msg, kind = 'error') {
  let box = document.getElementById('toast');
  if (!box) {
    box = h('div', { id: 'toast', role: 'alert' });
    document.body.append(box);
  }
  const item = h('div', { class: 'toast ' + kind }, h('span', { text: msg }),
    h('button', { type: 'button', class: 'link', 'aria-label': t('dismiss'), text: '×', onclick: () => item.remove() }));
  box.append(item);
  setTimeout(() => item.remove(), 8000);
}

/** report shows an API error. */
export function report(e) {
  if (e instanceof ApiError) toast(e.status === 0 ? t('network_error') : e.text());
  else toast(String(e && e.message ? e.message : e));
}

