// The console's entry module: sign-in, the shell (header, columns) and the
// routes. See web/README.md for the module map.
import { api, login, logout, acceptInvite, refresh, hasSession, onSessionEnd, onPasswordRequired, ApiError } from './api.js';
import { h, clear } from './dom.js';
import { t, lang, setLang, LANGS } from './i18n.js';
import { start, route, go } from './router.js';
import { state, loadTeam } from './state.js';
import { Inbox } from './inbox.js';
import { Chat } from './chat.js';
import { report } from './ui.js';

const root = document.getElementById('app');
let inbox = null;
let chat = null;

function langPicker() {
  return h('select', { id: 'lang', 'aria-label': t('language'), onchange: (e) => { setLang(e.target.value); rerender(); } },
    LANGS.map((l) => h('option', { value: l.code, selected: l.code === lang() ? true : false, text: l.name })));
}

function showLogin(errorText) {
  stopPolling();
  document.title = 'Switchboard';
  const err = h('p', { class: 'form-error', role: 'alert', text: errorText || '' });
  const form = h('form', { id: 'login', class: 'card auth', novalidate: true },
    h('h1', { text: t('sign_in') }),
    h('label', {}, h('span', { text: t('email') }), h('input', { name: 'email', type: 'email', autocomplete: 'username', required: true })),
    h('label', {}, h('span', { text: t('password') }), h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    err,
    h('button', { type: 'submit', class: 'primary', text: t('sign_in') }),
    langPicker());
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    err.textContent = '';
    const pw = form.password.value;
    try {
      const tokens = await login(form.email.value.trim(), pw);
      state.me = tokens.member;
      if (tokens.member.password_change_required) showPasswordChange(pw);
      else await enter();
    } catch (x) {
      err.textContent = x instanceof ApiError && x.status === 401 ? t('bad_login') : x instanceof ApiError ? x.text() : String(x);
    } finally {
      btn.disabled = false;
    }
  });
  clear(root).append(h('main', { class: 'auth-page' }, form));
  form.email.focus();
}

// showInvite is the page of an invite link, /invite#<token>: the invited
// member chooses a name and password and is signed in. The token is in
// the fragment, which the browser never sends to a server.
function showInvite(token) {
  const err = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { id: 'accept-invite', class: 'card auth', novalidate: true },
    h('h1', { text: t('join_team') }),
    h('p', { text: t('join_team_why') }),
    h('label', {}, h('span', { text: t('name') }), h('input', { name: 'name', autocomplete: 'name', maxlength: 100 })),
    h('label', {}, h('span', { text: t('new_password') }), h('input', { name: 'password', type: 'password', autocomplete: 'new-password', minlength: 8, required: true })),
    err,
    h('button', { type: 'submit', class: 'primary', text: t('join') }),
    langPicker());
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.textContent = '';
    if ([...form.password.value].length < 8) {
      err.textContent = t('password_short');
      return;
    }
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    try {
      const tokens = await acceptInvite(token, form.name.value.trim(), form.password.value);
      state.me = tokens.member;
      history.replaceState(null, '', '/');
      await enter();
    } catch (x) {
      err.textContent = x instanceof ApiError && x.status === 401 ? t('bad_invite') : x instanceof ApiError ? x.text() : String(x);
    } finally {
      btn.disabled = false;
    }
  });
  clear(root).append(h('main', { class: 'auth-page' }, form));
  form.name.focus();
}

function showPasswordChange(current) {
  const err = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { id: 'password-change', class: 'card auth', novalidate: true },
    h('h1', { text: t('change_password') }),
    h('p', { text: t('change_password_why') }),
    h('input', { type: 'email', name: 'username', autocomplete: 'username', hidden: true, value: (state.me && state.me.email) || '' }),
    h('label', {}, h('span', { text: t('current_password') }), h('input', { name: 'current', type: 'password', autocomplete: 'current-password', required: true, value: current || '' })),
    h('label', {}, h('span', { text: t('new_password') }), h('input', { name: 'next', type: 'password', autocomplete: 'new-password', minlength: 8, required: true })),
    err,
    h('button', { type: 'submit', class: 'primary', text: t('save') }),
    h('button', { type: 'button', id: 'sign-out', class: 'link', text: t('sign_out'), onclick: signOut }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.textContent = '';
    if ([...form.next.value].length < 8) {
      err.textContent = t('password_short');
      return;
    }
    try {
      await api('POST', '/v1/me/password', { body: { current_password: form.current.value, new_password: form.next.value } });
      await enter();
    } catch (x) {
      err.textContent = x instanceof ApiError ? x.text() : String(x);
    }
  });
  clear(root).append(h('main', { class: 'auth-page' }, form));
  (current ? form.next : form.current).focus();
}

async function signOut() {
  stopPolling();
  if (chat) chat.close();
  chat = null;
  shell = null;
  await logout();
  state.me = null;
  history.replaceState(null, '', '/');
  showLogin();
}

async function enter() {
  const me = await api('GET', '/v1/me');
  state.me = me.member;
  if (!state.me) {
    showLogin(t('members_only'));
    return;
  }
  if (state.me.password_change_required) {
    showPasswordChange('');
    return;
  }
  await loadTeam();
  buildShell();
  render(route());
  startPolling();
}

let shell = null;

function buildShell() {
  const count = h('span', { id: 'unread-count', class: 'badge', text: String(state.badge || 0) });
  const header = h('header', { class: 'top' },
    h('a', { href: '/', 'data-link': true, class: 'brand', text: 'Switchboard' }),
    h('a', { href: '/', 'data-link': true, id: 'chats-button', class: 'chats-button' },
      h('span', { text: t('chats') }), count, h('span', { class: 'visually-hidden', text: ' ' + t('chats_unread') })),
    h('span', { class: 'spacer' }),
    h('a', { href: '/stats', 'data-link': true, class: 'stats-link', text: t('statistics') }),
    h('a', { href: '/settings', 'data-link': true, class: 'settings-link', text: t('settings') }),
    langPicker(),
    h('span', { class: 'who', text: state.me.name || state.me.email }),
    h('button', { type: 'button', id: 'sign-out', text: t('sign_out'), onclick: signOut }));
  const inboxCol = h('section', { id: 'inbox', class: 'col inbox-col', 'aria-label': t('inbox') });
  const main = h('section', { id: 'main', class: 'col main-col' });
  const side = h('aside', { id: 'side', class: 'col side-col' });
  shell = { header, inboxCol, main, side, count };
  clear(root).append(header, h('div', { class: 'layout' }, inboxCol, main, side));
  inbox = new Inbox(inboxCol, setBadge);
  chat = null;
}

function setBadge(n) {
  state.badge = n;
  if (shell) shell.count.textContent = String(n);
  document.title = n > 0 ? '(' + n + ') Switchboard' : 'Switchboard';
}

function render(r) {
  if (!shell) return;
  document.body.dataset.route = r.name;
  if (r.name === 'chat') {
    if (!chat || chat.id !== r.id) {
      if (chat) chat.close();
      chat = new Chat(r.id, shell.main, shell.side, () => inbox.refresh());
    }
    inbox.select(r.id);
  } else {
    if (chat) chat.close();
    chat = null;
    clear(shell.side);
    inbox.select('');
    clear(shell.main);
    // Settings and statistics are loaded when first opened, to keep the
    // first load small.
    const still = (name) => shell && route().name === name;
    if (r.name === 'settings') import('./settings.js').then((m) => still('settings') && m.renderSettings(shell.main), report);
    else if (r.name === 'stats') import('./stats.js').then((m) => still('stats') && m.renderStats(shell.main), report);
    else shell.main.append(h('p', { class: 'empty', text: t('pick_chat') }));
  }
}

function rerender() {
  if (!state.me) return showLogin();
  if (!shell) return;
  const r = route();
  chat = chat && chat.close() && null;
  buildShell();
  render(r);
}

// Live (see web/README.md): a long-poll of the sync feed from its head
// answers as soon as anything the member sees changes; the inbox and the
// open chat then reload, at most once a second (every 15 s in a hidden
// tab, which still keeps the title's count). Without the feed it polls.
const LIVE_WAIT = 25; // seconds a pull waits (the server allows 30)
const LIVE_LIMIT = 100; // changes a pull answers; more reload everything
let live = null;

function startPolling() {
  stopPolling();
  const run = { stopped: false, ctl: null, last: 0, safety: 0 };
  live = run;
  const nap = (ms) => new Promise((r) => setTimeout(r, ms));
  // reload refreshes what a change touched (all of it when not told).
  const reload = async (res) => {
    run.last = Date.now();
    const hit = touched(res, chat && chat.conv);
    try {
      if (inbox && hit.inbox) await inbox.refresh();
      if (chat && hit.chat) await chat.poll();
      if (chat && hit.notes && chat.panel) await chat.panel.refreshNotes();
    } catch (e) {
      /* the next change or the safety reload retries */
    }
    // Other screens (the settings' bot health) listen for this.
    document.dispatchEvent(new CustomEvent('sb:changed'));
  };
  const call = (path, query) => {
    run.ctl = new AbortController();
    return api('GET', path, { query, signal: run.ctl.signal });
  };
  const head = async () => (await call('/v1/sync/head')).timestamp;
  (async () => {
    let ts = 0;
    let wait = LIVE_WAIT;
    let failures = 0;
    while (!run.stopped && state.me) {
      try {
        if (!ts) ts = await head();
        const res = await call('/v1/sync', { last_pulled_at: ts, limit: LIVE_LIMIT, wait });
        failures = 0;
        if (!changed(res)) {
          ts = res.timestamp;
          if (!wait) await nap(4000);
          continue;
        }
        const gap = (document.visibilityState === 'visible' ? 1000 : 15000) - (Date.now() - run.last);
        if (gap > 0) await nap(gap);
        if (run.stopped) return;
        ts = res.has_more || res.experimentalStrategy ? await head() : res.timestamp;
        await reload(res);
      } catch (e) {
        if (run.stopped) return;
        if (e instanceof ApiError && e.fields().includes('wait')) wait = 0;
        failures++;
        ts = 0;
        await nap(Math.min(30000, 2000 * failures));
        if (!run.stopped) await reload();
      }
    }
  })();
  // A safety reload in a visible tab that heard nothing for a minute.
  run.safety = setInterval(() => {
    if (document.visibilityState === 'visible' && Date.now() - run.last > 60000) reload();
  }, 15000);
}

// touched tells what a pull's changes concern: the inbox (any chat, bot
// or member changed) and the open chat c (its record, its messages, its
// subscriber with their notes and deals, or a member's name). Without a
// pull's answer, or with a partial one, everything.
function touched(res, c) {
  if (!res || res.has_more || res.experimentalStrategy) return { inbox: true, chat: true, notes: true };
  const ch = res.changes || {};
  const rows = (t) => (ch[t] ? [...ch[t].created, ...ch[t].updated] : []);
  const any = (t) => rows(t).length > 0 || (ch[t] && ch[t].deleted.length > 0);
  const people = any('members') || any('bots');
  if (!c) return { inbox: people || any('conversations'), chat: true, notes: false };
  const mine = (t, key, id) => rows(t).some((r) => r[key] === id) || (ch[t] && ch[t].deleted.length > 0);
  return {
    inbox: people || any('conversations'),
    chat: people || mine('conversations', 'id', c.id) || mine('messages', 'conversation_id', c.id)
      || mine('subscribers', 'id', c.subscriber_id) || mine('notes', 'subscriber_id', c.subscriber_id)
      || mine('deals', 'subscriber_id', c.subscriber_id),
    notes: mine('notes', 'subscriber_id', c.subscriber_id),
  };
}

// changed tells whether a pull answered any change.
function changed(res) {
  if (res.has_more || res.experimentalStrategy) return true;
  return Object.values(res.changes || {}).some((c) => c.created.length + c.updated.length + c.deleted.length > 0);
}

function stopPolling() {
  if (!live) return;
  live.stopped = true;
  clearInterval(live.safety);
  if (live.ctl) live.ctl.abort();
  live = null;
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && inbox && state.me) inbox.refresh().catch(() => {});
});

onSessionEnd(() => {
  state.me = null;
  if (chat) chat.close();
  chat = null;
  shell = null;
  showLogin(t('session_ended'));
});

onPasswordRequired(() => {
  if (document.getElementById('password-change')) return;
  stopPolling();
  if (chat) chat.close();
  chat = null;
  shell = null;
  showPasswordChange('');
});

start((r) => render(r));

// A notification click in the service worker asks the open console to show
// the chat.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.addEventListener('message', (e) => {
    const d = e.data || {};
    if (d.type === 'open' && typeof d.path === 'string' && /^\/chats\/[^/]+$/.test(d.path)) go(d.path);
  });
}

(async () => {
  document.documentElement.lang = lang();
  if (location.pathname === '/invite') {
    const token = decodeURIComponent(location.hash.slice(1));
    // The link's token is not kept in the address bar or the history.
    history.replaceState(null, '', '/invite');
    if (token) return showInvite(token);
  }
  if (!hasSession()) return showLogin();
  try {
    await refresh();
    await enter();
  } catch (e) {
    if (e instanceof ApiError && e.code === 'password_change_required') return showPasswordChange('');
    showLogin(e instanceof ApiError && e.status !== 401 ? e.text() : '');
  }
})();

export { go };
