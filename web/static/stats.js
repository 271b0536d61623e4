// Statistics per bot: totals and a chart of the last 30 days (messages sent
// and received, new subscribers). The chart is SVG built element by element;
// sizes are attributes, never inline styles.
import { api } from './api.js';
import { h, clear } from './dom.js';
import { t } from './i18n.js';
import { state } from './state.js';
import { report } from './ui.js';

const NS = 'http://www.w3.org/2000/svg';
const SERIES = ['sent', 'received', 'new_subscribers'];

function svg(tag, attrs, ...kids) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const k of kids) if (k) el.append(k instanceof Node ? k : String(k));
  return el;
}

/** renderStats fills the main column with a bot picker and its statistics. */
export async function renderStats(el) {
  const bots = [...state.bots.values()];
  const out = h('div', { id: 'stats-body' });
  const pick = h('select', { id: 'stats-bot', 'aria-label': t('bot'), onchange: () => show(pick.value) },
    bots.map((b) => h('option', { value: b.id, text: b.name })));
  clear(el).append(h('div', { class: 'settings' }, h('section', { id: 'stats', class: 'card' },
    h('h2', { text: t('statistics') }), bots.length ? pick : h('p', { class: 'muted', text: t('no_bots') }), out)));
  // A newer pick wins over an answer still on its way; #stats-body's
  // data-bot-id names the bot whose statistics are shown.
  let latest = 0;
  async function show(id) {
    const mine = ++latest;
    clear(out);
    delete out.dataset.botId;
    try {
      const s = await api('GET', '/v1/bots/' + encodeURIComponent(id) + '/stats');
      if (mine !== latest) return;
      out.append(h('dl', { class: 'totals' },
        ['sent', 'received', 'subscribers'].map((k) => h('div', { class: 'kv', 'data-total': k }, h('dt', { text: t('stat_' + k) }), h('dd', { text: String(s.totals[k]) })))));
      if (s.chatbot_initiated) {
        out.append(h('p', { class: 'muted', text: t('viber_paid', { sent: s.chatbot_initiated.sent, free: s.chatbot_initiated.free, month: s.chatbot_initiated.month }) }));
      }
      out.append(chart(s.days || []));
      out.dataset.botId = id;
    } catch (e) { report(e); }
  }
  if (bots.length) show(bots[0].id);
}

function chart(days) {
  // every day of the last 30, zero when the API lists none
  const byDay = new Map(days.map((d) => [d.day, d]));
  // The 30 days end today, or on the newest day the server counted when
  // the server's clock is ahead of this browser's.
  const list = [];
  const now = new Date();
  const newest = days.reduce((m, d) => (d.day > m ? d.day : m), '');
  const end = newest > now.toISOString().slice(0, 10) ? new Date(newest + 'T00:00:00Z') : now;
  for (let i = 29; i >= 0; i--) {
    const d = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate() - i));
    const key = d.toISOString().slice(0, 10);
    list.push(byDay.get(key) || { day: key, sent: 0, received: 0, new_subscribers: 0 });
  }
  const max = Math.max(1, ...list.flatMap((d) => SERIES.map((k) => d[k])));
  const W = 600, H = 200, pad = 24, band = (W - pad) / list.length, bw = band / 4;
  const g = svg('svg', { viewBox: `0 0 ${W} ${H + 20}`, class: 'chart', role: 'img', 'aria-label': t('statistics') });
  g.append(svg('line', { x1: pad, y1: H, x2: W, y2: H, class: 'axis' }));
  g.append(svg('text', { x: 0, y: 12, class: 'tick' }, String(max)));
  list.forEach((d, i) => {
    SERIES.forEach((k, j) => {
      const hgt = (d[k] / max) * (H - 10);
      const bar = svg('rect', { x: pad + i * band + j * bw, y: H - hgt, width: bw, height: hgt, class: 'bar s-' + k, 'data-series': k, 'data-day': d.day, 'data-value': d[k] });
      bar.append(svg('title', {}, d.day + ' · ' + t('stat_' + k) + ': ' + d[k]));
      g.append(bar);
    });
    if (i % 7 === 0) g.append(svg('text', { x: pad + i * band, y: H + 15, class: 'tick' }, d.day.slice(5)));
  });
  const legend = h('p', { class: 'legend' }, SERIES.map((k) => h('span', { class: 'key s-' + k, text: t('stat_' + k) })));
  return h('figure', { class: 'chart-box' }, g, legend);
}
