// History routes: "/" is the inbox, "/chats/<id>" a chat, "/settings" the
// settings, "/stats" the statistics. The server answers index.html for every such path.

let handler = () => {};

/** route parses the current location. */
export function route() {
  const p = location.pathname;
  const m = p.match(/^\/chats\/([^/]+)$/);
  if (m) return { name: 'chat', id: decodeURIComponent(m[1]) };
  if (p === '/settings') return { name: 'settings' };
  if (p === '/stats') return { name: 'stats' };
  return { name: 'inbox' };
}

/** go navigates without a reload. */
export function go(path) {
  if (path !== location.pathname) history.pushState(null, '', path);
  handler(route());
}

/** chatPath is the console path of a chat. */
export function chatPath(id) {
  return '/chats/' + encodeURIComponent(id);
}

/**
 * start calls fn on every navigation, and follows clicks on a[data-link].
 * A chat link activated from the keyboard (Enter: a click with detail 0)
 * moves the focus into the chat once it is drawn; Escape in a chat returns
 * the focus to the chat's row in the inbox (see focusChat, backToInbox).
 */
export function start(fn) {
  handler = fn;
  addEventListener('popstate', () => handler(route()));
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[data-link]');
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    go(a.getAttribute('href'));
    const r = route();
    if (e.detail === 0 && r.name === 'chat') afterKey(() => focusChat(r.id, a));
  });
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    const r = route();
    const el = e.target instanceof Element ? e.target : null;
    if (r.name !== 'chat' || (el && el.closest('#inbox, form#login, form#password-change'))) return;
    // Escape in a field with text keeps what was typed.
    if (el && el.matches(TEXT_FIELD) && el.value) return;
    e.preventDefault();
    backToInbox(r.id);
  });
}

// afterKey runs fn once the key that activated a link is released (or
// after 300 ms): the focus must not reach the reply box while the key's
// own character is still on its way to whatever has the focus.
function afterKey(fn) {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    removeEventListener('keyup', run, true);
    fn();
  };
  addEventListener('keyup', run, true);
  setTimeout(run, 300);
}

const TEXT_FIELD = 'textarea, input:not([type=checkbox]):not([type=radio]):not([type=file]):not([type=button]):not([type=submit])';

let watch = null;

/**
 * focusChat focuses chat id's reply box (its title for a reader) as soon as
 * the chat is drawn, unless the focus moved on meanwhile (from, the link
 * that opened it, or nothing, may hold it).
 */
function focusChat(id, from) {
  if (watch) watch.disconnect();
  const place = () => {
    const c = document.getElementById('chat');
    if (route().name !== 'chat' || route().id !== id) return true; // gone elsewhere
    if (!c || c.dataset.chatId !== id) return false;
    const el = c.querySelector('#reply') || c.querySelector('.chat-title');
    if (!el) return false;
    const now = document.activeElement;
    if (now && now !== from && now !== document.body) return true;
    if (!el.matches('textarea, input, select, button, a[href]')) el.tabIndex = -1;
    el.focus();
    return true;
  };
  if (place()) return;
  const mo = new MutationObserver(() => { if (place()) mo.disconnect(); });
  watch = mo;
  mo.observe(document.body, { childList: true, subtree: true });
  setTimeout(() => mo.disconnect(), 15000);
}

/**
 * backToInbox focuses chat id's row in the inbox; where the inbox is not
 * shown beside the chat (phone width) it returns to the inbox first.
 */
function backToInbox(id) {
  const col = document.getElementById('inbox');
  if (col && !col.getClientRects().length) go('/');
  const el = document.querySelector('#inbox-list [data-chat-id="' + CSS.escape(id) + '"]') ||
    document.querySelector('#inbox-list [data-chat-id][tabindex="0"]') || document.getElementById('chat-search');
  if (el) el.focus();
}
