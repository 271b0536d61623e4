// Admin settings: members (invite, role, deactivate), bots (connect a
// messenger, health, reconnect, disconnect) and API keys.
import { api, ApiError } from './api.js';
import { h, clear, when } from './dom.js';
import { t, lang } from './i18n.js';
import { state, loadTeam } from './state.js';
import { report, toast } from './ui.js';

const ROLES = ['admin', 'employee', 'follower'];

// once shows a secret the server answers only once, as text with Copy.
function once(box, label, secret) {
  clear(box).append(h('p', { class: 'secret' }, h('span', { text: label + ' ' }), h('code', { text: secret }), ' ',
    h('button', { type: 'button', class: 'small', text: t('copy'), onclick: () => navigator.clipboard.writeText(secret).then(() => toast(t('copied'), 'info'), () => toast(t('copy_failed'))) })));
}

// submitting runs fn on submit. A refusal naming fields is shown under the
// inputs whose data-field lists them (p.form-error with data-field, the
// input aria-invalid); anything else is reported as a notice.
function submitting(form, fn) {
  const clearErrors = () => {
    for (const el of form.querySelectorAll('p.form-error')) el.remove();
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    clearErrors();
    try { await fn(); } catch (x) { if (!fieldErrors(form, x)) report(x); } finally { btn.disabled = false; }
  });
  form.addEventListener('input', clearErrors);
  return form;
}

// fieldErrors shows an API refusal's field errors next to their inputs;
// false when one of them names no input of the form.
function fieldErrors(form, x) {
  if (!(x instanceof ApiError) || !x.errors.length) return false;
  const inputs = [...form.querySelectorAll('[data-field]')];
  const shown = [];
  for (const fe of x.errors) {
    const input = inputs.find((i) => i.dataset.field.split(' ').includes(fe.field));
    if (!input) return false;
    shown.push([input, fe]);
  }
  for (const [input, fe] of shown) {
    input.setAttribute('aria-invalid', 'true');
    input.after(h('p', { class: 'form-error', role: 'alert', 'data-field': fe.field, text: fe.message }));
  }
  shown[0][0].focus();
  return true;
}

/** membersCard lists the team with role and status controls, and invites. */
export function membersCard() {
  const card = h('section', { id: 'members', class: 'card' }, h('h2', { text: t('members') }));
  const list = h('ul', { class: 'plain' });
  const out = h('div');
  const draw = () => {
    clear(list);
    for (const m of state.members.values()) {
      const self = m.id === state.me.id;
      const patch = async (body) => {
        try { await api('PATCH', '/v1/members/' + encodeURIComponent(m.id), { body }); await loadTeam(); draw(); } catch (e) { report(e); draw(); }
      };
      list.append(h('li', { 'data-member-id': m.id, 'data-role': m.role, 'data-status': m.status, class: 'member' },
        h('strong', { text: m.name || m.email }), ' ', h('span', { class: 'muted', text: m.email + ' · ' + t('mstatus_' + m.status) }), ' ',
        self ? h('span', { class: 'muted', text: t('role_' + m.role) }) : h('select', { class: 'role', 'aria-label': t('role') + ' — ' + (m.name || m.email), onchange: (e) => patch({ role: e.target.value }) },
          ROLES.map((r) => h('option', { value: r, text: t('role_' + r), selected: r === m.role }))),
        ' ',
        self || m.status === 'invited' ? null : h('button', { type: 'button', class: 'small', 'data-action': m.status === 'active' ? 'deactivate' : 'activate', text: m.status === 'active' ? t('deactivate') : t('activate'),
          onclick: () => patch({ status: m.status === 'active' ? 'deactivated' : 'active' }) })));
    }
  };
  const form = h('form', { id: 'invite', class: 'inline-form' },
    h('input', { name: 'email', type: 'email', required: true, placeholder: t('email'), 'aria-label': t('email'), 'data-field': 'email' }),
    h('input', { name: 'name', required: true, maxlength: 100, placeholder: t('name'), 'aria-label': t('name'), 'data-field': 'name' }),
    h('select', { name: 'role', 'aria-label': t('role'), 'data-field': 'role' }, ROLES.map((r) => h('option', { value: r, text: t('role_' + r), selected: r === 'employee' }))),
    h('button', { type: 'submit', text: t('invite') }));
  submitting(form, async () => {
    const m = await api('POST', '/v1/members', { body: { email: form.email.value.trim(), name: form.name.value.trim(), role: form.role.value } });
    form.reset();
    await loadTeam();
    draw();
    // The link opens the console's invite page (app.js); the token is in
    // the fragment, which the browser sends to no server.
    if (m.invite_token) once(out, t('invite_link_once'), location.origin + '/invite#' + encodeURIComponent(m.invite_token));
  });
  draw();
  card.append(list, h('h3', { text: t('invite') }), form, out);
  return card;
}

/** botsCard lists the bots with their connection health and connects new ones. */
export function botsCard() {
  const card = h('section', { id: 'bots', class: 'card' }, h('h2', { text: t('bots') }));
  const list = h('ul', { class: 'plain' });
  const draw = () => {
    clear(list);
    for (const b of state.bots.values()) {
      const c = b.connection || {};
      const act = (label, path) => h('button', { type: 'button', class: 'small', 'data-action': path.slice(1), text: label, onclick: async () => {
        try { await api('POST', '/v1/bots/' + encodeURIComponent(b.id) + path, { body: {} }); await loadTeam(); draw(); } catch (e) { report(e); }
      } });
      list.append(h('li', { 'data-bot-id': b.id, 'data-state': c.state || (b.delivery === 'engine' ? 'engine' : 'none') },
        h('span', { class: 'messenger ch-' + b.channel, 'aria-hidden': 'true' }), ' ',
        h('strong', { text: b.name }), ' ',
        b.delivery === 'engine' && !c.state
          ? h('span', { class: 'health', text: t('conn_engine') })
          : h('span', { class: 'health health-' + (c.state || 'none'), text: c.state ? t('conn_' + c.state) : t('conn_none') }),
        c.account ? h('span', { class: 'muted' }, ' · ', h('span', { class: 'account', text: c.account })) : null,
        c.transport ? h('span', { class: 'muted' }, ' · ', h('span', { class: 'transport', text: c.transport })) : null,
        c.last_update_at ? h('span', { class: 'muted', text: ' · ' + t('last_update', { time: when(c.last_update_at, lang()) }) }) : null,
        c.state ? h('span', {}, ' ', act(t('reconnect'), '/connect'), ' ', c.state !== 'disconnected' ? act(t('disconnect'), '/disconnect') : null) : null,
        c.last_error ? h('p', { class: 'error', text: c.last_error + (c.last_error_at ? ' (' + when(c.last_error_at, lang()) + ')' : '') }) : null));
    }
    if (!state.bots.size) list.append(h('li', { class: 'muted', text: t('no_bots') }));
  };
  const form = h('form', { id: 'connect-bot', class: 'inline-form' },
    h('select', { name: 'channel', 'aria-label': t('channel') }, ['telegram', 'viber'].map((c) => h('option', { value: c, text: c[0].toUpperCase() + c.slice(1) }))),
    h('input', { name: 'name', required: true, maxlength: 100, placeholder: t('name'), 'aria-label': t('name'), 'data-field': 'name' }),
    h('input', { name: 'token', 'data-field': 'credentials.token credentials.auth_token', required: true, type: 'password', autocomplete: 'off', placeholder: t('bot_token'), 'aria-label': t('bot_token') }),
    h('button', { type: 'submit', text: t('connect') }));
  submitting(form, async () => {
    const channel = form.channel.value;
    const credentials = channel === 'viber' ? { auth_token: form.token.value.trim() } : { token: form.token.value.trim() };
    await api('POST', '/v1/bots', { body: { channel, name: form.name.value.trim(), credentials } });
    form.reset();
    await loadTeam();
    draw();
    toast(t('bot_connected'), 'info');
  });
  draw();
  // The bots' health updates live, while the card is shown.
  const live = () => {
    if (!card.isConnected) return document.removeEventListener('sb:changed', live);
    loadTeam().then(draw, () => {});
  };
  document.addEventListener('sb:changed', live);
  card.append(list, h('h3', { text: t('connect_bot') }), form);
  return card;
}

/** keysCard lists the API keys, creates and revokes them. */
export function keysCard() {
  const card = h('section', { id: 'api-keys', class: 'card' }, h('h2', { text: t('api_keys') }));
  const list = h('ul', { class: 'plain' });
  const out = h('div');
  const load = async () => {
    try {
      const keys = await api('GET', '/v1/api-keys');
      clear(list);
      for (const k of keys.items || []) {
        const li = h('li', { 'data-key-id': k.id, 'data-revoked': k.revoked ? 'true' : 'false' });
        // Revoking asks in place (Revoke, then "Revoke?" Yes / Cancel).
        const ask = () => li.querySelector('.key-actions').replaceChildren(h('span', { text: t('confirm_revoke') + ' ' }),
          h('button', { type: 'button', class: 'small danger', 'data-action': 'confirm-revoke', text: t('revoke'), onclick: async () => {
            try { await api('DELETE', '/v1/api-keys/' + encodeURIComponent(k.id)); load(); } catch (e) { report(e); }
          } }), ' ',
          h('button', { type: 'button', class: 'small link', 'data-action': 'cancel', text: t('cancel'), onclick: () => load() }));
        li.append(h('strong', { text: k.name }), ' ', h('code', { text: k.prefix + '…' }), ' ',
          k.revoked ? h('span', { class: 'muted', text: t('revoked') })
            : h('span', { class: 'key-actions' }, h('button', { type: 'button', class: 'small', 'data-action': 'revoke', text: t('revoke'), onclick: ask })));
        list.append(li);
      }
      if (!(keys.items || []).length) list.append(h('li', { class: 'muted', text: t('no_keys') }));
    } catch (e) { report(e); }
  };
  const form = h('form', { id: 'new-key', class: 'inline-form' },
    h('input', { name: 'name', required: true, maxlength: 100, placeholder: t('name'), 'aria-label': t('name'), 'data-field': 'name' }),
    h('button', { type: 'submit', text: t('create_key') }));
  submitting(form, async () => {
    const k = await api('POST', '/v1/api-keys', { body: { name: form.name.value.trim() } });
    form.reset();
    once(out, t('key_secret'), k.secret);
    load();
  });
  load();
  card.append(list, form, out);
  return card;
}
