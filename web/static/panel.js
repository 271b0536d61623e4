// The side panel: the subscriber's profile, the chat's details and notes.
import { api, blobURL } from './api.js';
import { h, clear, cp, safeApiPath, when } from './dom.js';
import { t, lang } from './i18n.js';
import { state, canWrite, isAdmin, memberName } from './state.js';
import { report, toast } from './ui.js';
import { dealsBox } from './deals.js';
import { go } from './router.js';

const MAX_NOTE = 2000;

/** Panel renders #subscriber-panel for a conversation. */
export class Panel {
  constructor(el, onConv) {
    this.el = el;
    this.onConv = onConv || (() => {});
    this.subId = '';
    this.sub = null;
    this.conv = null;
    this.notes = [];
  }

  /** show (re)renders the panel for a conversation, reading the subscriber once. */
  async show(conv) {
    this.conv = conv;
    try {
      if (this.subId !== conv.subscriber_id) {
        this.subId = conv.subscriber_id;
        this.sub = await api('GET', '/v1/subscribers/' + encodeURIComponent(conv.subscriber_id));
        this.render();
        await this.loadNotes();
      } else this.renderConv();
    } catch (e) {
      report(e);
    }
  }

  // row is one detail, data-field naming it for the tests; empty values are left out.
  row(label, value, field) {
    if (value == null || value === '') return null;
    return h('div', { class: 'kv', 'data-field': field }, h('dt', { text: label }), h('dd', { text: String(value) }));
  }

  render() {
    const s = this.sub;
    const c = this.conv;
    if (!s || !c) return;
    const avatar = h('div', { class: 'avatar', 'aria-hidden': 'true', text: ([...(s.name || '?')][0] || '?').toUpperCase() });
    const path = safeApiPath(s.avatar_url);
    if (path) {
      blobURL(path).then((u) => {
        const img = h('img', { class: 'avatar', alt: '' });
        img.src = u;
        avatar.replaceWith(img);
      }).catch(() => {});
    }
    const ig = s.instagram;
    const details = h('dl', { class: 'details' },
      this.row(t('username'), s.username ? '@' + s.username : '', 'username'),
      this.row(t('channel'), s.channel, 'channel'),
      this.row(t('subscription'), s.subscribed ? t('subscribed_since', { time: when(s.subscribed_at, lang()) }) : t('unsubscribed'), 'subscription'),
      this.row(t('first_seen'), when(s.created_at, lang()), 'first-seen'),
      this.row(t('last_activity'), when(s.last_activity_at, lang()), 'last-activity'),
      this.row(t('contact_name'), [s.first_name, s.last_name].filter(Boolean).join(' '), 'contact-name'),
      this.row(t('email'), s.email, 'email'),
      this.row(t('phone'), s.phone, 'phone'),
      this.row(t('tags'), (s.tags || []).join(', '), 'tags'),
      ig ? this.row('Instagram', [ig.follows_business ? t('follows_you') : t('not_follows_you'), ig.business_follows ? t('you_follow') : t('you_not_follow')].join(', '), 'instagram') : null,
      s.disabled ? this.row(t('state'), t('disabled'), 'state') : null,
      s.referral && (s.referral.campaign || s.referral.ad_id) ? this.row(t('campaign'), s.referral.campaign || s.referral.ad_id, 'campaign') : null);
    if (s.telegram_group) {
      const g = s.telegram_group;
      details.append(this.row(t('group_members'), String(g.members_count), 'group-members'));
      if (g.invite_link) {
        details.append(h('div', { class: 'kv', 'data-field': 'invite-link' }, h('dt', { text: t('invite_link') }),
          h('dd', {}, h('code', { class: 'invite', text: g.invite_link }), ' ',
            h('button', { type: 'button', id: 'copy-invite', class: 'small', text: t('copy'), onclick: () => copy(g.invite_link) }))));
      }
    }
    this.convBox = h('div', { class: 'conv-box' });
    this.flowEl = this.flowBox(s, c);
    this.notesEl = h('ul', { class: 'notes-list' });
    const notes = h('section', { id: 'notes', 'aria-label': t('notes') }, h('h3', { text: t('notes') }), this.notesEl);
    if (canWrite()) notes.append(...this.noteForm(s));
    clear(this.el).append(h('div', { id: 'subscriber-panel' },
      h('div', { class: 'profile' }, avatar, h('h2', { class: 'subscriber-name', text: s.name || t('no_name') })),
      details, canWrite() ? this.subscriberActions(s) : null, this.convBox, this.flowEl, dealsBox(s, c), notes));
    this.renderConv(true);
    this.renderNotes();
  }

  // renderConv redraws the chat's details and controls; a poll leaves them
  // alone while the user is editing one of them.
  renderConv(force) {
    const c = this.conv;
    const s = this.sub;
    if (!this.convBox || !c || !s) return;
    if (!force && this.convBox.contains(document.activeElement)) return;
    const bot = state.bots.get(c.bot_id);
    const chatDetails = h('dl', { class: 'details' },
      this.row(t('started'), when(c.started_at || c.created_at, lang()), 'started'),
      this.row(t('last_message'), when(c.last_message_at, lang()), 'last-message'),
      this.row(t('bot'), bot ? bot.name : '', 'bot'),
      this.row(t('channel'), c.channel || (bot && bot.channel) || s.channel, 'chat-channel'),
      this.row(t('assignee'), c.assignee_id ? memberName(c.assignee_id) : t('unassigned'), 'assignee'),
      this.row(t('followers'), (c.followers || []).map(memberName).join(', '), 'followers'),
      this.row(t('chat_tags'), (c.tags || []).join(', '), 'chat-tags'));
    // A follower gets the details and no controls (append would print a null).
    clear(this.convBox).append(...[h('h3', { text: t('chat_details') }), chatDetails, canWrite() ? this.controls(s, c) : null, this.linksBox(c)].filter(Boolean));
  }

  // Links to external tasks and projects, shown as text (a ref may be a
  // URL from elsewhere: it is never made clickable).
  linksBox(c) {
    const links = c.links || [];
    const put = async (next) => {
      try {
        this.conv = await api('PUT', '/v1/conversations/' + encodeURIComponent(c.id) + '/links', { body: { links: next } });
        this.onConv(this.conv);
        this.renderConv(true);
      } catch (e) { report(e); }
    };
    const plain = (l) => { const o = { kind: l.kind, ref: l.ref }; if (l.title) o.title = l.title; return o; };
    const box = h('div', { id: 'links' }, h('h3', { text: t('links') }));
    const list = h('ul', { class: 'plain links-list' });
    if (!links.length) list.append(h('li', { class: 'muted', text: t('no_links') }));
    links.forEach((l, i) => list.append(h('li', { class: 'link-item' },
      h('span', { class: 'muted', text: t('link_' + l.kind) + ': ' }), h('span', { text: l.title || l.ref }),
      l.title ? h('code', { class: 'ref', text: ' ' + l.ref }) : null,
      canWrite() ? h('button', { type: 'button', class: 'small link', 'aria-label': t('remove'), text: '×', onclick: () => put(links.filter((_, j) => j !== i).map(plain)) }) : null)));
    box.append(list);
    if (canWrite()) {
      const form = h('form', { id: 'add-link', class: 'deal-form' },
        h('select', { name: 'kind', 'aria-label': t('kind') }, ['task', 'project'].map((k) => h('option', { value: k, text: t('link_' + k) }))),
        h('input', { name: 'ref', required: true, maxlength: 200, placeholder: t('link_ref'), 'aria-label': t('link_ref') }),
        h('input', { name: 'title', maxlength: 200, placeholder: t('link_title'), 'aria-label': t('link_title') }),
        h('button', { type: 'submit', class: 'small', text: t('add_link') }));
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const l = { kind: form.kind.value, ref: form.ref.value.trim() };
        if (form.title.value.trim()) l.title = form.title.value.trim();
        put(links.map(plain).concat([l]));
      });
      box.append(form);
    }
    return box;
  }

  noteForm(s) {
    const ta = h('textarea', { id: 'note-text', rows: 3, placeholder: t('add_note'), 'aria-label': t('add_note') });
    const counter = h('span', { class: 'counter', text: '0/' + MAX_NOTE });
    const add = h('button', { type: 'button', id: 'add-note', text: t('add_note') });
    const error = h('p', { id: 'note-error', class: 'error', role: 'alert', hidden: true });
    ta.addEventListener('input', () => {
      const n = cp(ta.value);
      counter.textContent = n + '/' + MAX_NOTE;
      counter.classList.toggle('over', n > MAX_NOTE);
      if (n <= MAX_NOTE) noteError(error, '');
    });
    add.addEventListener('click', async () => {
      const text = ta.value.trim();
      if (!noteOK(text, error)) return;
      add.disabled = true;
      try {
        await api('POST', '/v1/subscribers/' + encodeURIComponent(s.id) + '/notes', { body: { text } });
        ta.value = '';
        counter.textContent = '0/' + MAX_NOTE;
        counter.classList.remove('over');
        await this.loadNotes();
      } catch (e) { report(e); } finally { add.disabled = false; }
    });
    return [ta, error, h('div', { class: 'note-bar' }, counter, add)];
  }

  // Disable (no more bot messages) or delete the subscriber.
  subscriberActions(s) {
    const path = '/v1/subscribers/' + encodeURIComponent(s.id);
    return h('div', { class: 'field-row sub-actions' },
      h('button', { type: 'button', id: 'disable-subscriber', class: 'small', text: s.disabled ? t('enable_sub') : t('disable_sub'), onclick: async () => {
        try {
          this.sub = await api(s.disabled ? 'DELETE' : 'PUT', path + '/disabled');
          this.render();
        } catch (e) { report(e); }
      } }),
      h('button', { type: 'button', id: 'delete-subscriber', class: 'small danger', text: t('delete_sub'), onclick: (e) => {
        askFirst(e.target, t('confirm_delete_sub'), 'confirm-delete-subscriber', async () => {
          try {
            await api('DELETE', path);
            toast(t('deleted'), 'info');
            go('/');
          } catch (x) { report(x); }
        });
      } }));
  }

  // The chat's and the subscriber's write controls: assignee, following,
  // chat tags, the subscriber's phone and tags.
  controls(s, c) {
    const base = '/v1/conversations/' + encodeURIComponent(c.id);
    const conv = async (p) => {
      try { this.conv = await p; this.onConv(this.conv); this.renderConv(true); } catch (e) { report(e); }
    };
    const team = [...state.members.values()].filter((m) => m.status === 'active' && m.role !== 'follower');
    const assignee = h('select', { id: 'assignee', 'aria-label': t('assignee'), onchange: (e) => conv(api('PUT', base + '/assignee', { body: { member_id: e.target.value || null } })) },
      h('option', { value: '', text: t('unassigned'), selected: !c.assignee_id }),
      team.map((m) => h('option', { value: m.id, text: m.name || m.email, selected: m.id === c.assignee_id })));
    const following = (c.followers || []).includes(state.me.id);
    const follow = h('button', { type: 'button', id: 'follow', class: 'small', text: following ? t('unfollow') : t('follow'),
      onclick: () => conv(api(following ? 'DELETE' : 'PUT', base + '/followers/' + encodeURIComponent(state.me.id))) });
    const field = (id, label, value, save, type) => {
      const input = h('input', { id, type: type || 'text', value: value || '', 'aria-label': label });
      return h('label', { class: 'field' }, h('span', { text: label }),
        h('span', { class: 'field-row' }, input, h('button', { type: 'button', class: 'small', text: t('save'), onclick: () => save(input.value) })));
    };
    const tags = (v) => v.split(',').map((x) => x.trim()).filter(Boolean);
    const sub = async (body) => {
      try {
        this.sub = await api('PATCH', '/v1/subscribers/' + encodeURIComponent(s.id), { body });
        this.render();
        toast(t('saved'), 'info');
      } catch (e) { report(e); }
    };
    return h('div', { class: 'controls' },
      h('label', { class: 'field' }, h('span', { text: t('assignee') }), h('span', { class: 'field-row' }, assignee, follow)),
      field('chat-tags', t('chat_tags'), (c.tags || []).join(', '), (v) => conv(api('PUT', base + '/tags', { body: { tags: tags(v) } }))),
      field('contact-first-name', t('first_name'), s.first_name, (v) => sub({ first_name: v.trim() })),
      field('contact-last-name', t('last_name'), s.last_name, (v) => sub({ last_name: v.trim() })),
      field('subscriber-phone', t('phone'), s.phone, (v) => sub({ phone: v.trim() }), 'tel'),
      field('subscriber-email', t('email'), s.email, (v) => sub({ email: v.trim() }), 'email'),
      field('subscriber-tags', t('tags'), (s.tags || []).join(', '), (v) => sub({ tags: tags(v) })));
  }

  // The subscriber's active flow with its pending messages, Stop, and Start.
  flowBox(s, c) {
    const box = h('section', { id: 'flow', class: 'flow' }, h('h3', { text: t('flow') }));
    const path = '/v1/subscribers/' + encodeURIComponent(s.id) + '/flow';
    const reload = async () => {
      try { this.sub = await api('GET', '/v1/subscribers/' + encodeURIComponent(s.id)); this.render(); } catch (e) { report(e); }
    };
    const f = s.active_flow;
    if (f) {
      box.append(h('p', { text: t('flow_active', { name: f.name, time: when(f.started_at, lang()) }) }),
        h('ol', { class: 'pending-steps' }, (f.pending || []).map((p) => h('li', { text: p.text }))));
      if (canWrite()) box.append(h('button', { type: 'button', id: 'stop-flow', class: 'small', text: t('stop_flow'), onclick: async () => {
        try { await api('DELETE', path); await reload(); } catch (e) { report(e); }
      } }));
    } else box.append(h('p', { class: 'muted', text: t('no_flow') }));
    if (canWrite()) {
      const pick = h('select', { id: 'flow-pick', 'aria-label': t('start_flow') });
      const start = h('button', { type: 'button', id: 'start-flow', class: 'small', text: t('start_flow'), disabled: true, onclick: async () => {
        if (!pick.value) return;
        try { await api('PUT', path, { body: { flow_id: pick.value } }); await reload(); } catch (e) { report(e); }
      } });
      box.append(h('div', { class: 'field-row' }, pick, start));
      api('GET', '/v1/bots/' + encodeURIComponent(c.bot_id) + '/flows').then((l) => {
        for (const fl of l.items || []) pick.append(h('option', { value: fl.id, text: fl.name }));
        start.disabled = !pick.options.length;
      }).catch(() => {});
    }
    return box;
  }

  /** refreshNotes re-reads the notes (another member's may have come),
   * unless one is being edited or deleted here. */
  async refreshNotes() {
    if (!this.notesEl || this.notesEl.querySelector('textarea.note-edit, .confirm')) return;
    await this.loadNotes();
  }

  async loadNotes() {
    const list = await api('GET', '/v1/subscribers/' + encodeURIComponent(this.subId) + '/notes');
    this.notes = list.items || [];
    this.renderNotes();
  }

  renderNotes() {
    if (!this.notesEl) return;
    clear(this.notesEl);
    if (!this.notes.length) this.notesEl.append(h('li', { class: 'empty', text: t('no_notes') }));
    for (const n of this.notes) {
      const li = h('li', { class: 'note', 'data-note-id': n.id },
        h('div', { class: 'note-head' }, h('span', { class: 'who', text: memberName(n.author_id) }),
          h('time', { datetime: n.created_at, text: when(n.created_at, lang()) }), n.edited_at ? h('span', { class: 'edited', text: t('edited') }) : null),
        h('p', { class: 'note-text', text: n.text }));
      // The API lets the note's author or an admin change it.
      if (canWrite() && (n.author_id === state.me.id || isAdmin())) {
        const tools = h('div', { class: 'note-tools' },
          h('button', { type: 'button', class: 'small link edit-note', text: t('edit'), onclick: () => this.edit(li, n) }),
          h('button', { type: 'button', class: 'small link delete-note', text: t('delete'), onclick: (e) => {
            askFirst(e.target, t('confirm_delete_note'), 'confirm-delete-note', () => this.remove(n));
          } }));
        li.append(tools);
      }
      this.notesEl.append(li);
    }
  }

  edit(li, n) {
    const ta = h('textarea', { class: 'note-edit', rows: 3, value: n.text, 'aria-label': t('edit') });
    const error = h('p', { class: 'error note-error', role: 'alert', hidden: true });
    const save = h('button', { type: 'button', class: 'small save-note', text: t('save'), onclick: async () => {
      const text = ta.value.trim();
      if (!noteOK(text, error)) return;
      save.disabled = true;
      try {
        await api('PATCH', '/v1/notes/' + encodeURIComponent(n.id), { body: { text } });
        await this.loadNotes();
      } catch (e) { report(e); } finally { save.disabled = false; }
    } });
    clear(li).append(ta, error, h('div', { class: 'note-tools' }, save,
      h('button', { type: 'button', class: 'small link cancel-note', text: t('cancel'), onclick: () => this.renderNotes() })));
    ta.focus();
  }

  async remove(n) {
    try {
      await api('DELETE', '/v1/notes/' + encodeURIComponent(n.id));
      await this.loadNotes();
    } catch (e) { report(e); }
  }
}

// noteOK checks a note before it is sent (1..2000 characters, counted as
// the server counts them), showing why in error when it is refused.
function noteOK(text, error) {
  const n = cp(text);
  if (!n) { noteError(error, t('note_empty')); return false; }
  if (n > MAX_NOTE) { noteError(error, t('note_too_long', { max: MAX_NOTE, n })); return false; }
  noteError(error, '');
  return true;
}

function noteError(error, msg) {
  error.textContent = msg;
  error.hidden = !msg;
}

// askFirst puts a question with Yes / Cancel in place of the button that
// asked (a dialog would block the page); Yes (button.<yesClass>) runs onYes.
function askFirst(button, question, yesClass, onYes) {
  const holder = button.parentNode;
  const box = h('span', { class: 'field-row confirm', role: 'group', 'aria-label': question }, h('span', { text: question }));
  const back = () => { box.replaceWith(button); button.focus(); };
  const yes = h('button', { type: 'button', class: 'small danger ' + yesClass, text: t('yes_delete'), onclick: () => { box.replaceWith(button); onYes(); } });
  box.append(yes, h('button', { type: 'button', class: 'small link', text: t('cancel'), onclick: back }));
  if (!holder) return;
  button.replaceWith(box);
  yes.focus();
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    toast(t('copied'), 'info');
  } catch (e) {
    toast(t('copy_failed'));
  }
}
