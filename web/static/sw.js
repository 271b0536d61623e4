// The console's service worker: shows Web Push alerts and opens the chat
// a notification is about. It caches nothing.

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let m = {};
  try {
    m = event.data ? event.data.json() : {};
  } catch (e) {
    m = { title: 'Switchboard', body: event.data ? event.data.text() : '' };
  }
  const title = String(m.title || 'Switchboard');
  const opts = {
    body: String(m.body || ''),
    tag: m.tag ? String(m.tag) : undefined,
    data: { conversation_id: m.conversation_id ? String(m.conversation_id) : '' },
  };
  const work = [self.registration.showNotification(title, opts)];
  if (typeof m.badge === 'number' && self.navigator && self.navigator.setAppBadge) {
    work.push(self.navigator.setAppBadge(m.badge).catch(() => {}));
  }
  event.waitUntil(Promise.all(work));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(openChat(event.notification));
});

// openChat shows the chat a notification is about: an open console is
// asked (postMessage) to route there without a reload, then focused;
// without one, a window opens there (signed in: the tabs share the
// session cookie).
async function openChat(notification) {
  const id = notification.data && notification.data.conversation_id;
  // The path is built from the id, never taken from the payload's url.
  const path = id ? '/chats/' + encodeURIComponent(id) : '/';
  const wins = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const w of wins) {
    if (new URL(w.url).origin === self.location.origin) {
      w.postMessage({ type: 'open', path });
      // The browser may refuse the focus; the console has routed anyway.
      await w.focus().catch(() => {});
      return undefined;
    }
  }
  return self.clients.openWindow(path);
}
