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
  const id = event.notification.data && event.notification.data.conversation_id;
  // The path is built from the id, never taken from the payload's url.
  const path = id ? '/chats/' + encodeURIComponent(id) : '/';
  event.waitUntil((async () => {
    const wins = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const w of wins) {
      if (new URL(w.url).origin === self.location.origin && 'focus' in w) {
        // The open console routes itself (no reload, the session stays).
        await w.focus();
        w.postMessage({ type: 'open', path });
        return undefined;
      }
    }
    return self.clients.openWindow(path);
  })());
});
