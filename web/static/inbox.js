// The inbox: bot tabs, Open / Closed / All, mine / unassigned / others with
// counts, search by subscriber name, cursor pages, the header badge.
import { api } from './api.js';
import { h, clear, when } from './dom.js';
import { t, lang } from './i18n.js';
import { chatPath } from './router.js';
import { state, memberName } from './state.js';
import { report } from './ui.js';

const FILTERS = ['open', 'closed', 'all'];
const GROUPS = ['mine', 'unassigned', 'others'];
const KEYS = { ArrowDown: 1, ArrowUp: -1 };

/** mark is a messenger's mark: a coloured disc (app.css), named for assistive technology. */
export function mark(channel) {
  const key = 'messenger_' + channel;
  const name = t(key) === key ? channel : t(key);
  return h('span', { class: 'messenger ch-' + channel, role: 'img', 'aria-label': name, title: name, 'data-channel': channel });
}

/** Inbox renders the chat list into a column and keeps it fresh. */
export class Inbox {
  constructor(el, onBadge) {
    this.el = el;
    this.onBadge = onBadge;
    this.filter = { tab: 'open', group: '', bot_id: '', q: '' };
    this.items = [];
    this.cursor = '';
    this.selected = '';
    this.counts = null;
    this.current = ''; // the row Tab lands on in the list (a roving tabindex)
    this.gen = 0;
    this.build();
    this.reload();
  }

  build() {
    const search = h('input', { id: 'chat-search', type: 'search', placeholder: t('search_name'), 'aria-label': t('search_name'), maxlength: 100 });
    let deb = 0;
    search.addEventListener('input', () => {
      clearTimeout(deb);
      deb = setTimeout(() => { this.filter.q = search.value.trim(); this.reload(); }, 250);
    });
    // ArrowDown from the search field goes to the first row.
    search.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown' && !e.altKey && !e.ctrlKey && !e.metaKey) { e.preventDefault(); this.focusRow(0); }
    });
    this.search = search;
    this.bots = h('nav', { class: 'bot-tabs', 'aria-label': t('bots') });
    this.filters = h('div', { class: 'filters', role: 'group', 'aria-label': t('status') });
    this.groups = h('div', { class: 'groups', role: 'group', 'aria-label': t('assignment') });
    this.list = h('ul', { id: 'inbox-list', class: 'chat-list', 'aria-label': t('chats') });
    // The list is one Tab stop; the arrows, Home and End move between rows.
    this.list.addEventListener('keydown', (e) => this.onKey(e));
    this.list.addEventListener('focusin', (e) => {
      const row = e.target.closest && e.target.closest('[data-chat-id]');
      if (row) this.rove(row.dataset.chatId);
    });
    this.more = h('button', { type: 'button', class: 'load-more', hidden: true, text: t('load_more'), onclick: () => this.loadMore() });
    clear(this.el).append(search, this.bots, this.filters, this.groups, this.list, this.more);
    // Scrolling to the end of the list loads the next cursor page.
    if ('IntersectionObserver' in window) {
      new IntersectionObserver((es) => { if (es.some((e) => e.isIntersecting) && this.cursor && !this.busy) this.loadMore(); }).observe(this.more);
    }
    this.renderTabs();
  }

  renderTabs() {
    // The buttons are rebuilt (a poll brings new counts): the one that had
    // the focus gets it back.
    const had = document.activeElement;
    const attr = { botId: 'data-bot-id', filter: 'data-filter', group: 'data-group' };
    const hook = had && had.dataset && this.el.contains(had) && Object.keys(attr).find((k) => had.dataset[k] != null);
    const again = hook ? '[' + attr[hook] + '="' + CSS.escape(had.dataset[hook]) + '"]' : '';
    clear(this.bots);
    const tab = (id, label, channel) => h('button', {
      type: 'button', class: 'bot-tab' + (this.filter.bot_id === id ? ' active' : ''), 'aria-pressed': String(this.filter.bot_id === id), 'data-bot-id': id,
      onclick: () => { this.filter.bot_id = id; this.renderTabs(); this.reload(); },
    }, channel ? mark(channel) : null, h('span', { text: label }));
    this.bots.append(tab('', t('all_bots'), ''));
    for (const b of state.bots.values()) this.bots.append(tab(b.id, b.name, b.channel));
    const c = this.counts || {};
    clear(this.filters);
    for (const f of FILTERS) {
      const on = !this.filter.group && this.filter.tab === f;
      this.filters.append(h('button', {
        type: 'button', 'data-filter': f, class: on ? 'active' : '', 'aria-pressed': String(on),
        onclick: () => { this.filter.tab = f; this.filter.group = ''; this.renderTabs(); this.reload(); },
      }, t('tab_' + f), c[f] != null ? h('span', { class: 'count', text: String(c[f]) }) : null));
    }
    clear(this.groups);
    for (const g of GROUPS) {
      const on = this.filter.group === g;
      this.groups.append(h('button', {
        type: 'button', 'data-group': g, class: on ? 'active' : '', 'aria-pressed': String(on),
        onclick: () => { this.filter.group = on ? '' : g; if (!on) this.filter.tab = 'open'; this.renderTabs(); this.reload(); },
      }, t('group_' + g), c[g] != null ? h('span', { class: 'count', text: String(c[g]) }) : null));
    }
    if (again) {
      const el = this.el.querySelector(again);
      if (el) el.focus();
    }
  }

  query(cursor) {
    const f = this.filter;
    const q = { limit: 50, bot_id: f.bot_id, q: f.q, cursor };
    if (f.group) q.group = f.group;
    else q.tab = f.tab;
    return q;
  }

  async reload() {
    const gen = ++this.gen;
    try {
      const page = await api('GET', '/v1/conversations', { query: this.query('') });
      if (gen !== this.gen) return;
      this.items = page.items || [];
      this.cursor = page.next_cursor || '';
      this.renderList();
      await this.loadCounts();
    } catch (e) {
      report(e);
    }
  }

  rows() {
    return [...this.list.querySelectorAll('a[data-chat-id]')];
  }

  /** rove makes chat id's row the list's one Tab stop. */
  rove(id) {
    this.current = id;
    for (const r of this.rows()) r.tabIndex = r.dataset.chatId === id ? 0 : -1;
  }

  /** focusRow focuses the i-th row (loading the next page past the end). */
  async focusRow(i) {
    let rows = this.rows();
    if (i >= rows.length && this.cursor) {
      await this.loadMore();
      rows = this.rows();
    }
    const r = rows[Math.min(i, rows.length - 1)];
    if (!r) return;
    this.rove(r.dataset.chatId);
    r.focus();
  }

  onKey(e) {
    const row = e.target.closest && e.target.closest('[data-chat-id]');
    if (!row || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    const i = this.rows().indexOf(row);
    if (KEYS[e.key]) {
      e.preventDefault();
      if (i === 0 && e.key === 'ArrowUp') this.search.focus();
      else this.focusRow(i + KEYS[e.key]);
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      this.focusRow(e.key === 'Home' ? 0 : this.rows().length - 1);
    } else if (e.key === 'Enter') {
      // Opened here, with the key's default prevented: the focus moves to
      // the reply box at once, and the key's newline must not follow it.
      e.preventDefault();
      row.click();
    }
  }

  /** loadMore appends the next cursor page; callers share a load under way. */
  loadMore() {
    if (!this.cursor) return Promise.resolve();
    if (!this.busy) this.busy = this.fetchMore().finally(() => { this.busy = null; });
    return this.busy;
  }

  async fetchMore() {
    const gen = this.gen;
    try {
      const page = await api('GET', '/v1/conversations', { query: this.query(this.cursor) });
      if (gen !== this.gen) return;
      const seen = new Set(this.items.map((c) => c.id));
      for (const c of page.items || []) if (!seen.has(c.id)) this.items.push(c);
      this.cursor = page.next_cursor || '';
      this.renderList();
    } catch (e) {
      report(e);
    }
  }

  async loadCounts() {
    const c = await api('GET', '/v1/conversations/counts');
    this.counts = c;
    this.onBadge(c.badge || 0);
    this.renderTabs();
  }

  /** refresh re-reads the first page and the counts, keeping older pages. */
  async refresh() {
    const gen = this.gen;
    const page = await api('GET', '/v1/conversations', { query: this.query('') });
    if (gen !== this.gen) return;
    const fresh = page.items || [];
    const ids = new Set(fresh.map((c) => c.id));
    const tail = this.items.slice(fresh.length).filter((c) => !ids.has(c.id));
    this.items = fresh.concat(tail);
    if (!this.items.length || tail.length === 0) this.cursor = page.next_cursor || this.cursor;
    this.renderList();
    await this.loadCounts();
  }

  /** select highlights the open chat's row. */
  select(id) {
    this.selected = id;
    for (const row of this.list.querySelectorAll('[data-chat-id]')) {
      row.classList.toggle('selected', row.dataset.chatId === id);
      if (row.dataset.chatId === id) row.setAttribute('aria-current', 'page');
      else row.removeAttribute('aria-current');
    }
    if (id && this.list.querySelector('[data-chat-id="' + CSS.escape(id) + '"]')) this.rove(id);
  }

  renderList() {
    // Skip the redraw when nothing the rows show has changed (most polls).
    const sig = this.items.map((c) => c.id + ':' + c.seq).join(',') + '|' + this.cursor + '|' + this.selected;
    if (sig === this.lastSig && this.list.childElementCount) return;
    this.lastSig = sig;
    const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest('#inbox-list [data-chat-id]');
    const focusId = focused ? focused.dataset.chatId : '';
    clear(this.list);
    if (!this.items.length) this.list.append(h('li', { class: 'empty', text: t('no_chats') }));
    const has = (id) => id && this.items.some((c) => c.id === id);
    const stop = [focusId, this.current, this.selected].find(has) || (this.items[0] && this.items[0].id);
    this.current = stop || '';
    for (const c of this.items) {
      const bot = state.bots.get(c.bot_id);
      const row = h('a', {
        href: chatPath(c.id), 'data-link': true, 'data-chat-id': c.id, tabindex: c.id === stop ? '0' : '-1',
        class: 'chat-row' + (c.id === this.selected ? ' selected' : '') + (c.unread ? ' unread' : ''),
      },
      mark(c.channel),
      h('span', { class: 'row-main' },
        h('span', { class: 'row-top' },
          h('span', { class: 'chat-name', text: c.subscriber_name || t('no_name') }),
          h('time', { class: 'row-time', datetime: c.last_message_at || '', text: when(c.last_message_at, lang()) })),
        h('span', { class: 'row-preview', text: c.last_message_preview || '' }),
        h('span', { class: 'row-meta', text: [bot ? bot.name : '', c.assignee_id ? memberName(c.assignee_id) : t('unassigned')].filter(Boolean).join(' · ') })),
      c.unread ? h('span', { class: 'unread-dot', role: 'img', title: t('unread'), 'aria-label': t('unread') }) : null,
      c.status === 'closed' ? h('span', { class: 'closed-dot', role: 'img', title: t('closed'), 'aria-label': t('closed') }) : null);
      this.list.append(h('li', {}, row));
      if (c.id === focusId) row.focus();
    }
    this.more.hidden = !this.cursor;
  }
}
