// The side panel: the subscriber's profile, the chat's details and notes.
import { api, blobURL } from './api.js';
import { h, clear, cp, safeApiPath, when } from './dom.js';
import { t, lang } from './i18n.js';
import { state, canWrite, memberName } from './state.js';
import { report, toast } from './ui.js';

const MAX_NOTE = 2000;

/** Panel renders #subscriber-panel for a conversation. */
export class Panel {
  constructor(el) {
    this.el = el;
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
      } else this.render();
    } catch (e) {
      report(e);
    }
  }

  row(label, value) {
    if (value == null || value === '') return null;
    return h('div', { class: 'kv' }, h('dt', { text: label }), h('dd', { text: String(value) }));
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
    const bot = state.bots.get(c.bot_id);
    const details = h('dl', { class: 'details' },
      this.row(t('username'), s.username ? '@' + s.username : ''),
      this.row(t('channel'), s.channel),
      this.row(t('subscription'), s.subscribed ? t('subscribed_since', { time: when(s.subscribed_at, lang()) }) : t('unsubscribed')),
      this.row(t('last_activity'), when(s.last_activity_at, lang())),
      this.row(t('email'), s.email),
      this.row(t('phone'), s.phone),
      this.row(t('tags'), (s.tags || []).join(', ')),
      s.instagram ? this.row('Instagram', [s.instagram.follows_business ? t('follows_you') : '', s.instagram.business_follows ? t('you_follow') : ''].filter(Boolean).join(', ')) : null,
      s.disabled ? this.row(t('state'), t('disabled')) : null,
      s.referral && (s.referral.campaign || s.referral.ad_id) ? this.row(t('campaign'), s.referral.campaign || s.referral.ad_id) : null);
    if (s.telegram_group) {
      const g = s.telegram_group;
      details.append(this.row(t('group_members'), g.members_count));
      if (g.invite_link) {
        details.append(h('div', { class: 'kv' }, h('dt', { text: t('invite_link') }),
          h('dd', {}, h('code', { class: 'invite', text: g.invite_link }), ' ',
            h('button', { type: 'button', class: 'small', text: t('copy'), onclick: () => copy(g.invite_link) }))));
      }
    }
    const chatDetails = h('dl', { class: 'details' },
      this.row(t('started'), when(c.started_at || c.created_at, lang())),
      this.row(t('last_message'), when(c.last_message_at, lang())),
      this.row(t('bot'), bot ? bot.name : ''),
      this.row(t('assignee'), c.assignee_id ? memberName(c.assignee_id) : t('unassigned')),
      this.row(t('followers'), (c.followers || []).map(memberName).join(', ')),
      this.row(t('chat_tags'), (c.tags || []).join(', ')));
    this.notesEl = h('ul', { class: 'notes-list' });
    const notes = h('section', { id: 'notes', 'aria-label': t('notes') }, h('h3', { text: t('notes') }), this.notesEl);
    if (canWrite()) {
      const ta = h('textarea', { id: 'note-text', rows: 3, maxlength: MAX_NOTE, placeholder: t('add_note'), 'aria-label': t('add_note') });
      const counter = h('span', { class: 'counter', text: '0/' + MAX_NOTE });
      const add = h('button', { type: 'button', id: 'add-note', text: t('add_note') });
      ta.addEventListener('input', () => { const n = cp(ta.value); counter.textContent = n + '/' + MAX_NOTE; counter.classList.toggle('over', n > MAX_NOTE); });
      add.addEventListener('click', async () => {
        const text = ta.value.trim();
        if (!text || cp(text) > MAX_NOTE) return;
        add.disabled = true;
        try {
          await api('POST', '/v1/subscribers/' + encodeURIComponent(s.id) + '/notes', { body: { text } });
          ta.value = '';
          counter.textContent = '0/' + MAX_NOTE;
          await this.loadNotes();
        } catch (e) { report(e); } finally { add.disabled = false; }
      });
      notes.append(ta, h('div', { class: 'note-bar' }, counter, add));
    }
    clear(this.el).append(h('div', { id: 'subscriber-panel' },
      h('div', { class: 'profile' }, avatar, h('h2', { class: 'subscriber-name', text: s.name || t('no_name') })),
      details, h('h3', { text: t('chat_details') }), chatDetails, notes));
    this.renderNotes();
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
      if (canWrite()) {
        li.append(h('div', { class: 'note-tools' },
          h('button', { type: 'button', class: 'small link', text: t('edit'), onclick: () => this.edit(li, n) }),
          h('button', { type: 'button', class: 'small link', text: t('delete'), onclick: () => this.remove(n) })));
      }
      this.notesEl.append(li);
    }
  }

  edit(li, n) {
    const ta = h('textarea', { class: 'note-edit', rows: 3, maxlength: MAX_NOTE, value: n.text, 'aria-label': t('edit') });
    const save = h('button', { type: 'button', class: 'small', text: t('save'), onclick: async () => {
      const text = ta.value.trim();
      if (!text || cp(text) > MAX_NOTE) return;
      try {
        await api('PATCH', '/v1/notes/' + encodeURIComponent(n.id), { body: { text } });
        await this.loadNotes();
      } catch (e) { report(e); }
    } });
    clear(li).append(ta, h('div', { class: 'note-tools' }, save, h('button', { type: 'button', class: 'small link', text: t('cancel'), onclick: () => this.renderNotes() })));
    ta.focus();
  }

  async remove(n) {
    if (!confirm(t('confirm_delete_note'))) return;
    try {
      await api('DELETE', '/v1/notes/' + encodeURIComponent(n.id));
      await this.loadNotes();
    } catch (e) { report(e); }
  }
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    toast(t('copied'), 'info');
  } catch (e) {
    toast(t('copy_failed'));
  }
}
