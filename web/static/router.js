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

/** start calls fn on every navigation, and follows clicks on a[data-link]. */
export function start(fn) {
  handler = fn;
  addEventListener('popstate', () => handler(route()));
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[data-link]');
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    go(a.getAttribute('href'));
  });
}
