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
    this.bots = h('nav', { class: 'bot-tabs', 'aria-label': t('bots') });
    this.filters = h('div', { class: 'filters', role: 'group', 'aria-label': t('status') });
    this.groups = h('div', { class: 'groups', role: 'group', 'aria-label': t('assignment') });
    this.list = h('ul', { id: 'inbox-list', class: 'chat-list' });
    this.more = h('button', { type: 'button', class: 'load-more', hidden: true, text: t('load_more'), onclick: () => this.loadMore() });
    clear(this.el).append(search, this.bots, this.filters, this.groups, this.list, this.more);
    // Scrolling to the end of the list loads the next cursor page.
    if ('IntersectionObserver' in window) {
      new IntersectionObserver((es) => { if (es.some((e) => e.isIntersecting) && this.cursor && !this.busy) this.loadMore(); }).observe(this.more);
    }
    this.renderTabs();
  }

  renderTabs() {
    clear(this.bots);
    const tab = (id, label, channel) => h('button', {
      type: 'button', class: 'bot-tab' + (this.filter.bot_id === id ? ' active' : ''), 'aria-pressed': String(this.filter.bot_id === id), 'data-bot-id': id,
      onclick: () => { this.filter.bot_id = id; this.renderTabs(); this.reload(); },
    }, channel ? h('span', { class: 'messenger ch-' + channel, title: channel, 'aria-hidden': 'true' }) : null, h('span', { text: label }));
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

  async loadMore() {
    if (!this.cursor || this.busy) return;
    const gen = this.gen;
    this.busy = true;
    try {
      const page = await api('GET', '/v1/conversations', { query: this.query(this.cursor) });
      if (gen !== this.gen) return;
      const seen = new Set(this.items.map((c) => c.id));
      for (const c of page.items || []) if (!seen.has(c.id)) this.items.push(c);
      this.cursor = page.next_cursor || '';
      this.renderList();
    } catch (e) {
      report(e);
    } finally {
      this.busy = false;
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
    for (const c of this.items) {
      const bot = state.bots.get(c.bot_id);
      const row = h('a', {
        href: chatPath(c.id), 'data-link': true, 'data-chat-id': c.id,
        class: 'chat-row' + (c.id === this.selected ? ' selected' : '') + (c.unread ? ' unread' : ''),
      },
      h('span', { class: 'messenger ch-' + c.channel, title: c.channel, 'aria-hidden': 'true' }),
      h('span', { class: 'row-main' },
        h('span', { class: 'row-top' },
          h('span', { class: 'chat-name', text: c.subscriber_name || t('no_name') }),
          h('time', { class: 'row-time', datetime: c.last_message_at || '', text: when(c.last_message_at, lang()) })),
        h('span', { class: 'row-preview', text: c.last_message_preview || '' }),
        h('span', { class: 'row-meta', text: [bot ? bot.name : '', c.assignee_id ? memberName(c.assignee_id) : t('unassigned')].filter(Boolean).join(' · ') })),
      c.unread ? h('span', { class: 'unread-dot', title: t('unread'), 'aria-label': t('unread') }) : null,
      c.status === 'closed' ? h('span', { class: 'closed-dot', title: t('closed'), 'aria-label': t('closed') }) : null);
      this.list.append(h('li', {}, row));
      if (c.id === focusId) row.focus();
    }
    this.more.hidden = !this.cursor;
  }
}
