// One chat: its history (oldest at the top), timeline events, ticks,
// failures with Retry, quotes, reactions, files; the reply box and the
// chat's actions. The side panel is panel.js.
import { api, blobURL, ApiError } from './api.js';
import { h, clear, cp, safeApiPath, when } from './dom.js';
import { t, lang } from './i18n.js';
import { state, canWrite, memberName } from './state.js';
import { report, toast } from './ui.js';
import { Panel } from './panel.js';

const MAX_TEXT = 512;
const MAX_FILE = 20 * 1024 * 1024;
const EXEC = new Set(('exe dll com bat cmd msi msp scr pif cpl vbs vbe js jse wsf wsh ps1 psm1 sh bash run bin elf app ' +
  'command jar apk ipa dmg pkg deb rpm appimage hta reg lnk gadget msix appx xbap').split(' '));
const TICKS = { queued: '◷', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };
const NO_WINDOW = new Set(['telegram', 'livechat']);
const HUMAN_AGENT_MORE = 6 * 24 * 3600 * 1000; // Messenger's human-agent tag: 7 days after the last message

/** isExecutable tells whether a file name has an extension the server refuses. */
export function isExecutable(name) {
  const n = name.toLowerCase().replace(/[.\s]+$/, '');
  const i = n.lastIndexOf('.');
  return i >= 0 && EXEC.has(n.slice(i + 1));
}

function key() {
  return (crypto.randomUUID && crypto.randomUUID()) || String(Date.now()) + Math.random();
}

/** Chat shows one conversation in the main column and its panel at the side. */
export class Chat {
  constructor(id, main, side, onChange) {
    this.id = id;
    this.main = main;
    this.onChange = onChange;
    this.conv = null;
    this.msgs = new Map(); // id -> Message
    this.nodes = new Map(); // id -> element
    this.order = []; // ids, oldest first
    this.olderDone = false;
    this.searching = '';
    this.replyTo = '';
    this.file = null; // uploaded File record
    this.idem = key();
    this.closed = false;
    this.panel = new Panel(side, (conv) => { this.conv = conv; this.renderHead(); this.renderWindow(); this.onChange(); });
    this.timer = setInterval(() => { this.renderWindow(); this.renderPause(); }, 30000);
    this.load();
  }

  close() {
    this.closed = true;
    clearInterval(this.timer);
    return true;
  }

  async load() {
    clear(this.main).append(h('p', { class: 'empty', text: t('loading') }));
    try {
      this.conv = await api('GET', '/v1/conversations/' + encodeURIComponent(this.id));
      if (this.closed) return;
      this.build();
      const page = await api('GET', '/v1/conversations/' + encodeURIComponent(this.id) + '/messages', { query: { limit: 50 } });
      if (this.closed) return;
      this.addMessages(page.items || [], true);
      this.olderDone = (page.items || []).length < 50;
      this.older.hidden = this.olderDone;
      this.scrollDown();
      this.panel.show(this.conv);
      this.markRead();
    } catch (e) {
      const gone = e instanceof ApiError && e.status === 404;
      clear(this.main).append(h('p', { id: gone ? 'chat-missing' : 'chat-failed', class: 'empty', text: gone ? t('chat_not_found') : t('load_failed') }));
      report(e);
    }
  }

  async markRead() {
    if (!this.conv || !this.conv.unread) return;
    try {
      this.conv = await api('POST', '/v1/conversations/' + encodeURIComponent(this.id) + '/read');
      this.onChange();
    } catch (e) {
      /* followers of a chat may not be allowed to mark it; the dot stays */
    }
  }

  build() {
    const c = this.conv;
    this.head = h('div', { class: 'chat-head' });
    this.older = h('button', { type: 'button', class: 'load-more', text: t('load_older'), onclick: () => this.loadOlder() });
    this.list = h('ol', { class: 'messages', 'aria-label': t('history') });
    this.scroller = h('div', { class: 'scroller' }, this.older, this.list);
    // Scrolling to the top of the history loads the page before it.
    if ('IntersectionObserver' in window) {
      new IntersectionObserver((es) => {
        if (es.some((e) => e.isIntersecting) && !this.olderDone && !this.loadingOlder && this.order.length) this.loadOlder();
      }, { root: this.scroller }).observe(this.older);
    }
    const search = h('input', { id: 'history-search', type: 'search', placeholder: t('search_history'), 'aria-label': t('search_history'), maxlength: 200 });
    search.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); this.search(search.value.trim()); } });
    search.addEventListener('search', () => { if (!search.value) this.search(''); });
    this.searchBar = h('div', { class: 'history-search' }, search);
    this.el = h('div', { id: 'chat', 'data-chat-id': c.id }, this.head, this.searchBar, this.scroller);
    if (canWrite()) this.el.append(this.replyBox());
    clear(this.main).append(this.el);
    this.renderHead();
  }

  renderHead() {
    const c = this.conv;
    // Polls redraw the head only when something it shows changed, so a
    // focused button keeps its focus.
    const sig = [c.status, c.assignee_id, c.muted, c.subscriber_name, c.automation_paused_until].join('|');
    if (sig === this.headSig) return;
    this.headSig = sig;
    const bot = state.bots.get(c.bot_id);
    const acts = h('div', { class: 'chat-actions' });
    const act = (label, fn, id) => h('button', { type: 'button', id, text: label, onclick: async (e) => {
      e.target.disabled = true;
      try { await fn(); } catch (x) { report(x); } finally { e.target.disabled = false; }
    } });
    const base = '/v1/conversations/' + encodeURIComponent(c.id);
    // The action's timeline event is fetched at once, not at the next poll.
    const upd = async (p) => {
      this.conv = await p; this.renderHead(); this.renderWindow(); this.panel.show(this.conv); this.onChange();
      await this.poll();
    };
    if (canWrite()) {
      if (c.assignee_id !== state.me.id) acts.append(act(t('assign_me'), () => upd(api('PUT', base + '/assignee', { body: { member_id: state.me.id } })), 'assign-me'));
      if (c.status === 'open') acts.append(act(t('close_chat'), () => upd(api('POST', base + '/close')), 'close-chat'));
      if (c.status === 'closed') acts.append(act(t('reopen_chat'), () => upd(api('POST', base + '/reopen')), 'reopen-chat'));
    }
    const mute = act(c.muted ? t('unmute') : t('mute'), () => upd(api(c.muted ? 'DELETE' : 'PUT', base + '/mute')), 'mute');
    mute.setAttribute('aria-pressed', c.muted ? 'true' : 'false');
    acts.append(mute);
    clear(this.head).append(
      h('a', { href: '/', 'data-link': true, class: 'back', text: '← ' + t('inbox') }),
      h('span', { class: 'messenger ch-' + c.channel, title: c.channel, 'aria-hidden': 'true' }),
      h('h2', { class: 'chat-title', text: c.subscriber_name || t('no_name') }),
      h('span', { class: 'chat-sub', text: [bot ? bot.name : '', t('status_' + c.status), c.assignee_id ? t('assigned_to', { name: memberName(c.assignee_id) }) : t('unassigned')].filter(Boolean).join(' · ') }),
      acts);
    this.renderPause();
  }

  renderPause() {
    if (!this.pause) return;
    const c = this.conv;
    clear(this.pause);
    this.pause.hidden = true;
    delete this.pause.dataset.until;
    const until = c.automation_paused_until && new Date(c.automation_paused_until);
    if (!until || until <= new Date()) return;
    this.pause.hidden = false;
    this.pause.dataset.until = c.automation_paused_until;
    const sub = '/v1/subscribers/' + encodeURIComponent(c.subscriber_id) + '/automation';
    const go = (action) => async () => {
      try {
        await api('POST', sub, { body: { action } });
        await this.refreshConv();
      } catch (e) { report(e); }
    };
    this.pause.append(h('span', { text: t('automation_paused', { time: when(c.automation_paused_until, lang()) }) }),
      h('button', { type: 'button', id: 'pause-extend', class: 'small', text: '+60 min', onclick: go('extend') }),
      h('button', { type: 'button', id: 'pause-resume', class: 'small', text: t('resume'), onclick: go('resume') }));
  }

  /** refreshConv reads the chat again and redraws what shows it. */
  async refreshConv() {
    try {
      const conv = await api('GET', '/v1/conversations/' + encodeURIComponent(this.id));
      if (this.closed) return;
      this.conv = conv;
      this.renderHead(); this.renderWindow(); this.renderPause();
    } catch (e) { /* the next poll reads it again */ }
  }

  // --- history ---

  addMessages(items, atEnd) {
    // items arrive newest first
    const fresh = [];
    for (const m of items) {
      const old = this.msgs.get(m.id);
      this.msgs.set(m.id, m);
      if (old) {
        if (old.seq !== m.seq || old.status !== m.status) {
          const n = this.renderMessage(m);
          this.nodes.get(m.id).replaceWith(n);
          this.nodes.set(m.id, n);
        }
      } else fresh.push(m);
    }
    fresh.reverse(); // oldest first
    const nodes = fresh.map((m) => { const n = this.renderMessage(m); this.nodes.set(m.id, n); return n; });
    if (atEnd) { this.list.append(...nodes); this.order.push(...fresh.map((m) => m.id)); }
    else { this.list.prepend(...nodes); this.order.unshift(...fresh.map((m) => m.id)); }
    return fresh.length;
  }

  // dropDeleted removes the shown messages the newest page no longer has
  // (deleted elsewhere): those shown from the page's oldest message on, or
  // all when the page is the whole history. Only messages that were shown
  // before the page was asked for (known) can go: a reply sent meanwhile
  // stays.
  dropDeleted(items, whole, known) {
    const ids = new Set(items.map((m) => m.id));
    const first = whole ? 0 : items.length ? this.order.indexOf(items[items.length - 1].id) : -1;
    if (first < 0) return;
    const gone = new Set(this.order.slice(first).filter((id) => known.has(id) && !ids.has(id)));
    if (!gone.size) return;
    for (const id of gone) {
      const node = this.nodes.get(id);
      if (node) node.remove();
      this.nodes.delete(id); this.msgs.delete(id);
    }
    this.order = this.order.filter((id) => !gone.has(id));
  }

  async loadOlder() {
    if (!this.order.length || this.loadingOlder) return;
    const h0 = this.scroller.scrollHeight;
    this.loadingOlder = true;
    try {
      const page = await api('GET', '/v1/conversations/' + encodeURIComponent(this.id) + '/messages', { query: { limit: 50, before: this.order[0], q: this.searching } });
      this.addMessages(page.items || [], false);
      this.olderDone = (page.items || []).length < 50;
      this.older.hidden = this.olderDone;
      this.scroller.scrollTop += this.scroller.scrollHeight - h0;
    } catch (e) { report(e); } finally { this.loadingOlder = false; }
  }

  async search(q) {
    this.searching = q;
    this.msgs.clear(); this.nodes.clear(); this.order = [];
    clear(this.list);
    this.el.classList.toggle('searching', !!q);
    try {
      const page = await api('GET', '/v1/conversations/' + encodeURIComponent(this.id) + '/messages', { query: { limit: 50, q } });
      this.addMessages(page.items || [], true);
      if (q && !(page.items || []).length) this.list.append(h('li', { class: 'empty', text: t('no_results') }));
      this.older.hidden = (page.items || []).length < 50;
      this.scrollDown();
    } catch (e) { report(e); }
  }

  /** poll brings new messages and status changes, and the chat's state. */
  async poll() {
    if (this.closed || !this.list || this.searching) return;
    const base = '/v1/conversations/' + encodeURIComponent(this.id);
    const known = new Set(this.order); // shown before the page was asked for
    const [conv, page] = await Promise.all([api('GET', base), api('GET', base + '/messages', { query: { limit: 50 } })]);
    if (this.closed || this.searching) return; // a search began meanwhile: the list is its results
    const bottom = this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight < 40;
    // The automation pause is the subscriber's: setting it does not change
    // the chat's seq.
    const changed = conv.seq !== this.conv.seq || conv.automation_paused_until !== this.conv.automation_paused_until;
    this.conv = conv;
    if (changed) { this.renderHead(); this.renderWindow(); this.panel.show(conv); }
    const items = page.items || [];
    const n = this.addMessages(items, true);
    this.dropDeleted(items, items.length < 50, known);
    if (n && bottom) this.scrollDown();
    if (n && document.visibilityState === 'visible') this.markRead();
  }

  scrollDown() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  renderMessage(m) {
    const li = h('li', { 'data-message-id': m.id, 'data-sender': m.sender, class: 'msg from-' + m.sender + ' kind-' + m.kind });
    if (m.kind === 'event') {
      li.classList.add('event');
      li.dataset.event = m.event || '';
      li.append(h('span', { class: 'text', text: this.eventText(m) }), h('time', { class: 'time', datetime: m.created_at, text: when(m.created_at, lang()) }));
      return li;
    }
    const who = m.sender === 'agent' ? memberName(m.author_id) || t('agent')
      : m.sender === 'bot' ? t('bot') : m.sender === 'system' ? t('system') : this.conv.subscriber_name || t('subscriber');
    li.append(h('div', { class: 'msg-head' }, h('span', { class: 'who', text: who }), h('time', { class: 'time', datetime: m.created_at, text: when(m.created_at, lang()) }),
      m.edited_at ? h('span', { class: 'edited', text: t('edited') }) : null));
    if (m.reply_to) {
      const q = this.msgs.get(m.reply_to);
      li.append(h('blockquote', { class: 'quote', text: q ? (q.text || (q.file && q.file.name) || '…').slice(0, 140) : t('quoted_message') }));
    }
    if (m.referral && (m.referral.campaign || m.referral.ad_id)) {
      li.append(h('p', { class: 'notice', text: t('from_ad', { name: m.referral.campaign || m.referral.ad_id }) }));
    }
    if (m.kind === 'story_mention') li.append(h('p', { class: 'notice', text: t('story_mention') }));
    if (m.kind === 'button') li.append(h('span', { class: 'button-label', text: t('clicked_button') }));
    if (m.file) li.append(this.renderFile(m.file, m.kind));
    if (m.location) {
      const l = m.location;
      li.append(h('p', { class: 'location', text: t('location') + ': ' + [l.title, l.address, Number(l.latitude).toFixed(5) + ', ' + Number(l.longitude).toFixed(5)].filter(Boolean).join(' — ') }));
    }
    if (m.contact) li.append(h('p', { class: 'contact', text: t('contact') + ': ' + [m.contact.name, m.contact.phone].filter(Boolean).join(' — ') }));
    if (m.template) li.append(h('p', { class: 'notice', text: t('template') + ': ' + m.template }));
    if (m.text) li.append(h('div', { class: 'text', text: m.text }));
    else li.append(h('div', { class: 'text empty-text' }));
    const foot = h('div', { class: 'msg-foot' });
    if (m.reactions && m.reactions.length) foot.append(h('span', { class: 'reactions', text: m.reactions.join(' ') }));
    if (m.status) {
      foot.append(h('span', { class: 'status st-' + m.status, 'data-status': m.status, title: t('st_' + m.status), 'aria-label': t('st_' + m.status), text: TICKS[m.status] || m.status }));
    }
    li.append(foot);
    if (m.status === 'failed') {
      li.append(h('p', { class: 'error', text: t('failed') + (m.error ? ': ' + m.error : '') }));
    }
    if (canWrite()) {
      const tools = h('div', { class: 'msg-tools' });
      if (m.sender !== 'system') tools.append(h('button', { type: 'button', class: 'small link reply-quote', text: t('reply_quote'), onclick: () => this.setQuote(m.id) }));
      if (m.status === 'failed' && m.sender === 'agent') tools.append(h('button', { type: 'button', class: 'small retry', text: t('retry'), onclick: () => this.retry(m) }));
      if (this.conv.channel === 'telegram' && (m.sender === 'bot' || m.sender === 'agent') && m.status !== 'failed' && m.status !== 'queued' &&
          Date.now() - new Date(m.created_at).getTime() < 48 * 3600 * 1000) {
        tools.append(h('button', { type: 'button', class: 'small link delete', text: t('delete'), onclick: () => this.remove(m) }));
      }
      li.append(tools);
    }
    return li;
  }

  eventText(m) {
    const by = m.author_id ? memberName(m.author_id) : '';
    const whom = m.target ? memberName(m.target) : '';
    const self = m.author_id && m.author_id === m.target && (m.event === 'follower_added' || m.event === 'follower_removed');
    // An assignment with no author is the round-robin queue's.
    const auto = !by && (m.event === 'assigned' || m.event === 'unassigned');
    const k = 'ev_' + m.event + (self ? '_self' : auto ? '_auto' : '');
    let s = t(k, { by, whom });
    if (s === k) s = m.event || '';
    if (by && !['assigned', 'unassigned', 'follower_added', 'follower_removed'].includes(m.event)) s += ' — ' + by;
    if (m.event === 'file_refused' && m.text) s += ': ' + m.text;
    return s;
  }

  renderFile(f, kind) {
    const path = safeApiPath(f.url);
    const box = h('div', { class: 'file-box' });
    if (f.pending) {
      box.append(h('span', { class: 'pending', text: t('file_pending', { name: f.name || '' }) }));
      return box;
    }
    if (!path) {
      box.append(h('span', { class: 'file-name', text: f.name || t('file') }));
      return box;
    }
    const a = h('a', { class: 'file', href: path, text: f.name || t('file'), onclick: (e) => { e.preventDefault(); this.download(path, f.name); } });
    box.append(a);
    if (f.size) box.append(h('span', { class: 'file-size', text: ' ' + size(f.size) }));
    if (kind === 'photo' || kind === 'sticker' || /^image\/(png|jpeg|gif|webp)$/.test(f.mime_type || '')) {
      const img = h('img', { class: 'thumb', alt: f.name || '' });
      blobURL(path).then((u) => { img.src = u; }).catch(() => img.remove());
      box.prepend(img);
    }
    return box;
  }

  async download(path, name) {
    try {
      const url = await blobURL(path);
      const a = h('a', { href: url, download: name || 'file' });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (e) { report(e); }
  }

  async retry(m) {
    try {
      await api('POST', '/v1/conversations/' + encodeURIComponent(this.id) + '/messages/' + encodeURIComponent(m.id) + '/retry');
      await this.poll();
    } catch (e) { report(e); }
  }

  async remove(m) {
    if (!confirm(t('confirm_delete'))) return;
    try {
      await api('DELETE', '/v1/conversations/' + encodeURIComponent(this.id) + '/messages/' + encodeURIComponent(m.id));
      const n = this.nodes.get(m.id);
      if (n) n.remove();
      this.nodes.delete(m.id); this.msgs.delete(m.id);
      this.order = this.order.filter((x) => x !== m.id);
      toast(t('deleted'), 'info');
    } catch (e) { report(e); }
  }

  // --- reply box ---

  replyBox() {
    this.quote = h('div', { id: 'quote-bar', class: 'quote-bar', hidden: true });
    this.windowEl = h('p', { id: 'reply-window', class: 'reply-window' });
    this.pause = h('div', { id: 'automation-pause', class: 'pause-bar', hidden: true });
    this.extra = h('div', { class: 'window-extra' });
    this.reply = h('textarea', { id: 'reply', rows: 3, placeholder: t('type_reply'), 'aria-label': t('type_reply') });
    this.counter = h('span', { id: 'reply-counter', class: 'counter', 'aria-live': 'polite', text: '0/' + MAX_TEXT });
    this.sendBtn = h('button', { type: 'submit', id: 'send', class: 'primary', text: t('send') });
    this.attach = h('input', { id: 'attach', type: 'file', class: 'visually-hidden' });
    this.attachLabel = h('label', { for: 'attach', class: 'attach-label', tabindex: '-1' }, h('span', { text: t('attach') }));
    this.pending = h('div', { class: 'pending-file' });
    this.reply.addEventListener('input', () => this.count());
    this.reply.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); this.send(); }
    });
    this.attach.addEventListener('change', () => this.upload());
    const form = h('form', { class: 'reply-box', id: 'reply-form', onsubmit: (e) => { e.preventDefault(); this.send(); } },
      this.pause, this.windowEl, this.extra, this.quote, this.pending, this.reply,
      h('div', { class: 'reply-bar' }, this.attach, this.attachLabel, this.counter, this.sendBtn));
    setTimeout(() => { this.renderWindow(); this.renderPause(); }, 0);
    return form;
  }

  count() {
    const n = cp(this.reply.value);
    this.counter.textContent = n + '/' + MAX_TEXT;
    this.counter.classList.toggle('over', n > MAX_TEXT);
    this.sendBtn.disabled = n > MAX_TEXT;
  }

  renderWindow() {
    if (!this.windowEl || !this.conv) return;
    const c = this.conv;
    let open = true;
    if (NO_WINDOW.has(c.channel)) this.windowEl.textContent = t('no_window');
    else if (!c.reply_window_ends_at) { open = false; this.windowEl.textContent = t('window_never'); }
    else {
      const left = new Date(c.reply_window_ends_at).getTime() - Date.now();
      open = left > 0;
      this.windowEl.textContent = open ? t('window_left', { time: duration(left) }) : t('window_closed');
    }
    this.windowEl.classList.toggle('closed', !open);
    // Outside the window WhatsApp takes an approved template, and Messenger
    // a message sent as a human agent up to 7 days after the subscriber's
    // last message (6 days past its 24 h window). Instagram's window is
    // those 7 days: past it, nothing can be sent. The extras are rebuilt
    // only when what they offer changes, so what the agent typed survives
    // polls.
    let offer = '';
    if (!open && c.channel === 'whatsapp') offer = 'template';
    if (!open && c.channel === 'messenger' && c.reply_window_ends_at &&
        Date.now() < new Date(c.reply_window_ends_at).getTime() + HUMAN_AGENT_MORE) offer = 'human_agent';
    if (this.offer === offer) return;
    this.offer = offer;
    clear(this.extra);
    if (offer === 'template') {
      this.extra.append(h('label', {}, h('span', { text: t('template_name') }), h('input', { id: 'template', name: 'template', maxlength: 512 })));
    }
    if (offer === 'human_agent') {
      this.extra.append(h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'human-agent' }), h('span', { text: t('human_agent') })));
    }
  }

  setQuote(id) {
    this.replyTo = id;
    const m = this.msgs.get(id);
    clear(this.quote).append(h('span', { text: t('replying_to') + ': ' + ((m && (m.text || (m.file && m.file.name))) || '…').slice(0, 100) }),
      h('button', { type: 'button', class: 'small link', text: '×', 'aria-label': t('cancel'), onclick: () => { this.replyTo = ''; this.quote.hidden = true; } }));
    this.quote.hidden = false;
    this.reply.focus();
  }

  async upload() {
    const f = this.attach.files && this.attach.files[0];
    this.attach.value = '';
    if (!f) return;
    if (f.size > MAX_FILE) return toast(t('file_too_big'));
    if (isExecutable(f.name)) return toast(t('file_executable'));
    const form = new FormData();
    form.append('file', f, f.name);
    clear(this.pending).append(h('span', { text: t('uploading', { name: f.name }) }));
    try {
      this.file = await api('POST', '/v1/conversations/' + encodeURIComponent(this.id) + '/files', { form });
      clear(this.pending).append(h('span', { class: 'file-chip', text: this.file.name + ' ' + size(this.file.size) }),
        h('button', { type: 'button', class: 'small link', text: t('remove'), onclick: () => { this.file = null; clear(this.pending); } }));
    } catch (e) {
      clear(this.pending);
      report(e);
    }
  }

  async send(confirmPaid) {
    const text = this.reply.value;
    if (cp(text) > MAX_TEXT) return;
    const body = {};
    if (text.trim()) body.text = text;
    if (this.file) body.file_id = this.file.id;
    if (this.replyTo) body.reply_to = this.replyTo;
    const tpl = this.extra.querySelector('#template');
    if (tpl && tpl.value.trim()) body.template = tpl.value.trim();
    const ha = this.extra.querySelector('#human-agent');
    if (ha && ha.checked) body.tag = 'human_agent';
    if (confirmPaid) body.confirm_paid = true;
    if (!body.text && !body.file_id && !body.template) return;
    // One key per distinct message: a resend after a lost answer repeats it,
    // an edited message gets a new one.
    const sig = JSON.stringify(body);
    if (sig !== this.lastSig) { this.idem = key(); this.lastSig = sig; }
    this.sendBtn.disabled = true;
    try {
      const m = await api('POST', '/v1/conversations/' + encodeURIComponent(this.id) + '/messages', { body, headers: { 'Idempotency-Key': this.idem } });
      this.lastSig = '';
      this.reply.value = '';
      this.file = null; clear(this.pending);
      this.replyTo = ''; this.quote.hidden = true;
      this.count();
      this.addMessages([m], true);
      this.scrollDown();
      this.onChange();
      this.refreshConv(); // the automation pause the reply started
    } catch (e) {
      if (e instanceof ApiError && e.fields().includes('confirm_paid') && !confirmPaid && confirm(t('confirm_paid'))) {
        this.sendBtn.disabled = false;
        return this.send(true);
      }
      if (e instanceof ApiError && e.status !== 0) this.lastSig = '';
      report(e);
    } finally {
      this.sendBtn.disabled = cp(this.reply.value) > MAX_TEXT;
    }
  }
}

function size(n) {
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(0) + ' KB';
  return (n / 1024 / 1024).toFixed(1) + ' MB';
}

function duration(ms) {
  const m = Math.floor(ms / 60000);
  const d = Math.floor(m / 1440);
  const hh = Math.floor((m % 1440) / 60);
  const mm = m % 60;
  return (d ? d + ' d ' : '') + (d || hh ? hh + ' h ' : '') + mm + ' min';
}
