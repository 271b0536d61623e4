'use strict'
// Conformance of Switchboard's delta-sync with the real WatermelonDB client:
// synchronize() on LokiJS (in memory), unmodified, against a running server.
// It pages a first sync while the server changes, catches up deltas, pushes
// offline work (one record the server's rules refuse), follows a chat as a
// follower, and after each step compares the device with a fresh first
// sync. It fails on any WatermelonDB error or warning (its logger writes
// them to console.error / console.warn), and on any difference.
//
// Run by the Go test TestSyncWatermelonDBClient (api/), which starts the
// server, seeds it and passes SB_CONFIG (JSON, see below).

// Every error or warning WatermelonDB logs is a failure: catch them first.
const logged = []
for (const level of ['error', 'warn']) {
  const original = console[level].bind(console)
  console[level] = (...args) => {
    logged.push(`${level}: ${args.map((a) => (a && a.message) || String(a)).join(' ')}`)
    original(...args)
  }
}

const { Database, Model, appSchema, tableSchema } = require('@nozbe/watermelondb')
const LokiJSAdapter = require('@nozbe/watermelondb/adapters/lokijs').default
const { synchronize } = require('@nozbe/watermelondb/sync')

const cfg = JSON.parse(process.env.SB_CONFIG || '{}')
// cfg: { url, apiKey, botId, emp1, emp2, admin, follower: tokens; followerId;
//        chats: [{conversation, subscriber}], closed: {conversation, subscriber}, note }

const str = (name) => ({ name, type: 'string', isOptional: true })
const num = (name) => ({ name, type: 'number', isOptional: true })
const bool = (name) => ({ name, type: 'boolean', isOptional: true })
const stamp = [num('seq'), num('created_at'), num('updated_at')]

const schema = appSchema({
  version: 1,
  tables: [
    tableSchema({ name: 'bots', columns: [str('name'), str('channel'), str('queue'), str('greeting'), str('auto_reply'), str('pipeline_id'), ...stamp] }),
    tableSchema({ name: 'members', columns: [str('name'), str('role'), str('status'), ...stamp] }),
    tableSchema({ name: 'pipelines', columns: [str('name'), str('stages'), ...stamp] }),
    tableSchema({ name: 'bot_stats', columns: [str('bot_id'), str('day'), num('sent'), num('received'), num('new_subscribers'), num('total_subscribers'), ...stamp] }),
    tableSchema({ name: 'subscribers', columns: [str('bot_id'), str('channel'), str('name'), str('tags'), str('variables'), num('last_inbound_at'), num('automation_paused_until'), ...stamp] }),
    tableSchema({
      name: 'conversations',
      columns: [str('bot_id'), str('subscriber_id'), str('status'), str('assignee_id'), bool('unread'), num('unread_count'), str('tags'), bool('muted'),
        str('followers'), str('last_message_preview'), num('last_message_at'), num('last_inbound_at'), num('reply_window_ends_at'), num('automation_paused_until'), ...stamp],
    }),
    tableSchema({ name: 'messages', columns: [str('conversation_id'), str('text'), str('sender'), str('author_id'), str('status'), str('reply_to'), str('kind'), ...stamp] }),
    tableSchema({ name: 'notes', columns: [str('subscriber_id'), str('text'), str('author_id'), ...stamp] }),
    tableSchema({ name: 'deals', columns: [str('subscriber_id'), str('title'), str('stage_id'), ...stamp] }),
  ],
})
const tables = schema.tables ? Object.keys(schema.tables) : []
const modelClasses = tables.map((t) => {
  const M = class extends Model {}
  M.table = t
  return M
})

function newDevice(name, token) {
  const adapter = new LokiJSAdapter({ schema, useWebWorker: false, useIncrementalIndexedDB: false, dbName: name, extraLokiOptions: { autosave: false } })
  return { name, token, db: new Database({ adapter, modelClasses }), rejected: {}, pages: 0 }
}

async function api(method, path, token, body) {
  const res = await fetch(cfg.url + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
  return text ? JSON.parse(text) : null
}

// sync runs WatermelonDB's synchronize() until the server says it is
// caught up; onPage runs after each page (the server may change then).
async function sync(dev, limit, onPage) {
  for (let i = 0; ; i++) {
    let more = false
    await synchronize({
      database: dev.db,
      pullChanges: async ({ lastPulledAt }) => {
        const q = new URLSearchParams({ limit: String(limit) })
        if (lastPulledAt) q.set('last_pulled_at', String(lastPulledAt))
        const res = await api('GET', `/v1/sync?${q}`, dev.token)
        more = res.has_more
        dev.pages++
        return { changes: res.changes, timestamp: res.timestamp, experimentalStrategy: res.experimentalStrategy }
      },
      pushChanges: async ({ changes, lastPulledAt }) => {
        const res = await api('POST', `/v1/sync?last_pulled_at=${lastPulledAt}`, dev.token, { changes })
        dev.rejected = res.experimentalRejectedIds || {}
        return res
      },
    })
    if (onPage) await onPage(i)
    if (!more) return
    if (i > 10000) throw new Error('pulling never caught up')
  }
}

const columns = (table) => schema.tables[table].columnArray.map((c) => c.name)

// snapshot is the device's records: table -> id -> columns.
async function snapshot(dev, skip = {}) {
  const out = {}
  for (const t of tables) {
    out[t] = {}
    const recs = await dev.db.get(t).query().fetch()
    for (const r of recs) {
      if ((skip[t] || []).includes(r.id)) continue
      const row = {}
      for (const c of columns(t)) row[c] = r._raw[c]
      out[t][r.id] = row
    }
  }
  return out
}

// same fails unless dev holds what a fresh first sync of its member holds.
async function same(what, dev, skip) {
  const fresh = newDevice(`${dev.name}-fresh-${what}`, dev.token)
  await sync(fresh, 5000)
  const a = await snapshot(dev, skip)
  const b = await snapshot(fresh)
  for (const t of tables) {
    const ids = new Set([...Object.keys(a[t]), ...Object.keys(b[t])])
    for (const id of ids) {
      const x = JSON.stringify(a[t][id])
      const y = JSON.stringify(b[t][id])
      if (x !== y) throw new Error(`${what}: ${dev.name} ${t} ${id} differs from a fresh first sync:\n device ${x}\n fresh  ${y}`)
    }
  }
  console.log(`ok ${what}: ${dev.name} equals a fresh first sync (${tables.map((t) => `${t} ${Object.keys(a[t]).length}`).join(', ')})`)
}

const event = (body) => api('POST', `/v1/bots/${cfg.botId}/events`, cfg.apiKey, body)
const say = (id, sub, text) => event({ id, type: 'message', subscriber: { id: sub, name: `Sub ${sub}` }, message: { id: `m-${id}`, text } })
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function main() {
  // 1. A paged first sync (3 records a page) while the server changes:
  //    a new message and a new chat, a note created and one deleted.
  const phone = newDevice('phone', cfg.emp1)
  await sync(phone, 3, async (page) => {
    if (page === 0) {
      await say('during-1', 's0', 'written while the phone paged')
      await say('during-2', 'snew', 'a new chat while the phone paged')
      await api('POST', `/v1/subscribers/${cfg.chats[1].subscriber}/notes`, cfg.emp2, { text: 'added while paging' })
      await api('DELETE', `/v1/notes/${cfg.note}`, cfg.admin)
    }
  })
  if (phone.pages < 5) throw new Error(`the first sync took ${phone.pages} pages of 3 records, want several`)
  await same('paged first sync', phone)

  // 2. Deltas, paged by 2: messages, a tag, statistics (stamped by the
  //    server's runner), a new chat; then catch up.
  for (let i = 0; i < 4; i++) await say(`delta-${i}`, `s${i % 3}`, `delta ${i}`)
  await say('delta-new', 'sdelta', 'another new chat')
  await api('PATCH', `/v1/subscribers/${cfg.chats[2].subscriber}`, cfg.emp2, { tags: ['vip'] })
  await sleep(300) // a statistics stamp or more
  await sync(phone, 2)
  await same('deltas', phone)

  // 3. Offline work: a reply, a note, a chat marked read, and a reply to
  //    the chat whose reply window has closed (refused by the rules).
  let good, bad, note
  await phone.db.write(async () => {
    good = await phone.db.get('messages').create((m) => {
      m._raw.conversation_id = cfg.chats[0].conversation
      m._raw.text = 'offline reply'
    })
    bad = await phone.db.get('messages').create((m) => {
      m._raw.conversation_id = cfg.closed.conversation
      m._raw.text = 'too late'
    })
    note = await phone.db.get('notes').create((n) => {
      n._raw.subscriber_id = cfg.chats[0].subscriber
      n._raw.text = 'offline note'
    })
    const chat = await phone.db.get('conversations').find(cfg.chats[1].conversation)
    await chat.update((c) => c._setRaw('unread', false))
  })
  await sync(phone, 2)
  const rejected = JSON.stringify(phone.rejected)
  if (rejected !== JSON.stringify({ messages: [bad.id] })) throw new Error(`push rejected ${rejected}, want only the late message ${bad.id}`)
  const hist = await api('GET', `/v1/conversations/${cfg.chats[0].conversation}/messages`, cfg.emp1)
  if (!hist.items.some((m) => m.id === good.id)) throw new Error('the offline reply did not reach the server')
  const notes = await api('GET', `/v1/subscribers/${cfg.chats[0].subscriber}/notes`, cfg.emp1)
  if (!notes.items.some((n) => n.id === note.id)) throw new Error('the offline note did not reach the server')
  const closed = await api('GET', `/v1/conversations/${cfg.closed.conversation}/messages`, cfg.emp1)
  if (closed.items.some((m) => m.id === bad.id)) throw new Error('the refused message reached the server')
  // The next sync pulls the device's own work back and pushes the refused
  // record again, refused again; nothing else is stuck behind it.
  await phone.db.write(async () => {
    const n = await phone.db.get('notes').find(note.id)
    await n.update((x) => x._setRaw('text', 'offline note, edited'))
  })
  await sync(phone, 2)
  if (JSON.stringify(phone.rejected) !== JSON.stringify({ messages: [bad.id] })) throw new Error(`second push rejected ${JSON.stringify(phone.rejected)}`)
  await same('after pushes', phone, { messages: [bad.id] })

  // 4. A follower pages a first sync (2 records a page), then is added to a
  //    chat that changed before and after: it arrives whole, once.
  const follower = newDevice('follower', cfg.follower)
  await sync(follower, 2)
  await api('PATCH', `/v1/subscribers/${cfg.chats[3].subscriber}`, cfg.emp2, { tags: ['before'] })
  await api('PUT', `/v1/conversations/${cfg.chats[3].conversation}/followers/${cfg.followerId}`, cfg.admin)
  await say('after-follow', 's3', 'after the follow')
  await sync(follower, 1)
  await same('follower gains a chat', follower)

  if (logged.length) throw new Error(`WatermelonDB logged ${logged.length} errors or warnings:\n${logged.join('\n')}`)
  console.log('ok: no WatermelonDB error or warning')
}

main().then(
  () => process.exit(0),
  (err) => {
    console.log(`FAIL: ${err.stack || err}`)
    if (logged.length) console.log(`WatermelonDB logged:\n${logged.join('\n')}`)
    process.exit(1)
  },
)
