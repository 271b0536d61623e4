// Settings: notification preferences for everyone; the team and the bots'
// connection health for admins.
import { api } from './api.js';
import { h, clear, when } from './dom.js';
import { t, lang } from './i18n.js';
import { state, isAdmin } from './state.js';
import { report, toast } from './ui.js';

const EVENTS = ['new_chat', 'message', 'assigned', 'followed_message', 'bot_broken'];
const CHANNELS = ['push', 'web_push', 'telegram', 'email'];

/** renderSettings fills the main column with the settings. */
export async function renderSettings(el) {
  const prefs = h('section', { id: 'notification-settings', class: 'card' }, h('h2', { text: t('notifications') }));
  clear(el).append(h('div', { class: 'settings' }, prefs));
  try {
    const p = await api('GET', '/v1/push/preferences');
    const events = p.events || {};
    const table = h('table', { class: 'prefs' },
      h('thead', {}, h('tr', {}, h('th', { text: t('event') }), CHANNELS.map((c) => h('th', { text: t('ch_' + c) })))),
      h('tbody', {}, EVENTS.filter((e) => e !== 'bot_broken' || isAdmin()).map((ev) => h('tr', {},
        h('th', { scope: 'row', text: t('ev_pref_' + ev) }),
        CHANNELS.map((ch) => h('td', {}, h('input', {
          type: 'checkbox', 'aria-label': t('ev_pref_' + ev) + ' — ' + t('ch_' + ch),
          checked: !!(events[ev] && events[ev][ch]),
          onchange: async (e) => {
            try {
              await api('PATCH', '/v1/push/preferences', { body: { events: { [ev]: { [ch]: e.target.checked } } } });
              toast(t('saved'), 'info');
            } catch (x) { e.target.checked = !e.target.checked; report(x); }
          },
        })))))));
    prefs.append(table);
  } catch (e) { report(e); }
  if (!isAdmin()) return;
  const members = h('section', { id: 'members', class: 'card' }, h('h2', { text: t('members') }),
    h('ul', { class: 'plain' }, [...state.members.values()].map((m) => h('li', {},
      h('strong', { text: m.name || m.email }), ' ', h('span', { class: 'muted', text: m.email + ' · ' + t('role_' + m.role) + ' · ' + t('mstatus_' + m.status) })))));
  const bots = h('section', { id: 'bots', class: 'card' }, h('h2', { text: t('bots') }));
  const list = h('ul', { class: 'plain' });
  for (const b of state.bots.values()) {
    const c = b.connection || {};
    list.append(h('li', { 'data-bot-id': b.id },
      h('span', { class: 'messenger ch-' + b.channel, 'aria-hidden': 'true' }), ' ',
      h('strong', { text: b.name }), ' ',
      b.delivery === 'engine' && !c.state
        ? h('span', { class: 'health', text: t('conn_engine') })
        : h('span', { class: 'health health-' + (c.state || 'none'), text: c.state ? t('conn_' + c.state) : t('conn_none') }),
      c.account ? h('span', { class: 'muted', text: ' · ' + c.account }) : null,
      c.last_update_at ? h('span', { class: 'muted', text: ' · ' + t('last_update', { time: when(c.last_update_at, lang()) }) }) : null,
      c.last_error ? h('p', { class: 'error', text: c.last_error + (c.last_error_at ? ' (' + when(c.last_error_at, lang()) + ')' : '') }) : null));
  }
  bots.append(list);
  el.firstChild.append(members, bots);
}
