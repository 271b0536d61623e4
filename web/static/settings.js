// Settings: notification preferences for everyone; the team and the bots'
// connection health for admins.
import { api } from './api.js';
import { h, clear } from './dom.js';
import { t } from './i18n.js';
import { isAdmin } from './state.js';
import { report, toast } from './ui.js';
import { membersCard, botsCard, keysCard } from './admin.js';

const EVENTS = ['new_chat', 'message', 'assigned', 'followed_message', 'bot_broken'];
const CHANNELS = ['push', 'web_push', 'telegram', 'email'];

// saving chains the preference changes so that they reach the server in
// the order they were made.
let saving = Promise.resolve();

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
          type: 'checkbox', 'data-event': ev, 'data-channel': ch, 'aria-label': t('ev_pref_' + ev) + ' — ' + t('ch_' + ch),
          checked: !!(events[ev] && events[ev][ch]),
          onchange: (e) => {
            const box = e.target;
            const on = box.checked;
            // One change at a time, in the order they were made.
            saving = saving.then(async () => {
              try {
                await api('PATCH', '/v1/push/preferences', { body: { events: { [ev]: { [ch]: on } } } });
                toast(t('saved'), 'info');
              } catch (x) { box.checked = !on; report(x); }
            });
          },
        })))))));
    prefs.append(table);
  } catch (e) { report(e); }
  el.firstChild.append(await devicesCard());
  if (!isAdmin()) return;
  el.firstChild.append(membersCard(), botsCard(), keysCard());
}

// Browser notifications: the service worker subscribes with the server's
// VAPID key and the subscription is registered as a webpush device.
async function devicesCard() {
  const card = h('section', { id: 'devices', class: 'card' }, h('h2', { text: t('devices') }));
  const list = h('ul', { class: 'plain' });
  let devices = [];
  const load = async () => {
    clear(list);
    try {
      const d = await api('GET', '/v1/push/devices');
      devices = d.items || [];
      if (!(d.items || []).length) list.append(h('li', { class: 'muted', text: t('no_devices') }));
      for (const dev of d.items || []) {
        list.append(h('li', { 'data-device-id': dev.id, 'data-kind': dev.kind, 'data-outcome': dev.last_outcome || '' },
          h('strong', { text: dev.name || dev.kind }), ' ',
          dev.telegram_username ? h('span', { class: 'telegram-user', text: '@' + dev.telegram_username + ' ' }) : null,
          h('span', { class: 'muted', text: dev.kind + (dev.last_outcome ? ' · ' + dev.last_outcome : '') }), ' ',
          h('button', { type: 'button', class: 'small test-push', text: t('test_push'), onclick: async () => {
            try {
              const r = await api('POST', '/v1/push/devices/' + encodeURIComponent(dev.id) + '/test');
              toast(t('test_result', { outcome: r.outcome + (r.reason ? ' (' + r.reason + ')' : '') }), r.outcome === 'sent' ? 'info' : 'error');
              load();
            } catch (e) { report(e); }
          } }), ' ',
          h('button', { type: 'button', class: 'small link remove-device', text: t('remove'), onclick: async () => {
            try { await api('DELETE', '/v1/push/devices/' + encodeURIComponent(dev.id)); load(); } catch (e) { report(e); }
          } })));
      }
    } catch (e) { report(e); }
  };
  const enable = h('button', { type: 'button', id: 'enable-push', text: t('enable_push'), onclick: async () => {
    try {
      await subscribe();
      toast(t('push_on'), 'info');
      load();
    } catch (e) { report(e); }
  } });
  const tg = h('button', { type: 'button', id: 'link-telegram', text: t('link_telegram'), onclick: async () => {
    try {
      const l = await api('POST', '/v1/push/telegram/link');
      const shown = l.url || '/start ' + l.code;
      tgOut.replaceChildren(h('span', { text: t('telegram_link_help') + ' ' }), h('code', { text: shown }), ' ',
        h('button', { type: 'button', class: 'small', text: t('copy'), onclick: () => navigator.clipboard.writeText(shown).then(() => toast(t('copied'), 'info'), () => toast(t('copy_failed'))) }));
      watchLink(new Set(devices.filter((x) => x.kind === 'telegram').map((x) => x.id)), Date.now() + 15 * 60 * 1000);
    } catch (e) { report(e); }
  } });
  // While the link is valid (15 minutes) and the settings are shown, look
  // every 2 seconds for the Telegram chat it links, then list it.
  let watching = 0;
  const watchLink = (known, until) => {
    const mine = ++watching;
    const tick = async () => {
      if (mine !== watching || !card.isConnected || Date.now() > until) return;
      try {
        const d = await api('GET', '/v1/push/devices');
        if ((d.items || []).some((x) => x.kind === 'telegram' && !known.has(x.id))) {
          tgOut.replaceChildren(h('span', { class: 'linked', text: t('telegram_linked') }));
          load();
          return;
        }
      } catch (e) { /* tried again on the next tick */ }
      setTimeout(tick, 2000);
    };
    setTimeout(tick, 2000);
  };
  const tgOut = h('p', { class: 'telegram-link' });
  const supported = 'serviceWorker' in navigator && 'PushManager' in window;
  card.append(supported ? enable : h('p', { class: 'muted', text: t('push_unsupported') }), ' ', tg, tgOut, list);
  load();
  return card;
}

async function subscribe() {
  const perm = await Notification.requestPermission();
  if (perm !== 'granted') throw new Error(t('push_denied'));
  const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  await navigator.serviceWorker.ready;
  const { public_key: key } = await api('GET', '/v1/push/vapid-public-key');
  let sub = await reg.pushManager.getSubscription();
  if (!sub) sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64url(key) });
  const json = sub.toJSON();
  await api('POST', '/v1/push/devices', { body: { kind: 'webpush', name: browserName(), subscription: { endpoint: json.endpoint, expirationTime: json.expirationTime ?? null, keys: json.keys } } });
}

function b64url(s) {
  const pad = '='.repeat((4 - (s.length % 4)) % 4);
  const bin = atob((s + pad).replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function browserName() {
  const ua = navigator.userAgent;
  const b = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom/.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  return (b + ' · ' + (navigator.platform || '')).slice(0, 100);
}
