-- Version 1: the core tables of the embedded store.
--
-- Conventions. Times are INTEGER Unix milliseconds (UTC), the precision
-- MongoDB keeps, so both engines round alike. Every synced record carries
-- ws (workspace), seq (the per-workspace sequence of its last change),
-- deleted (tombstone flag, deletes are soft) and updated_at. Fields that a
-- query filters or sorts on are real columns with indexes; the rest of a
-- record lives in doc, a JSON object. Booleans are 0/1.

-- Workspaces and the per-workspace change feed.
CREATE TABLE workspaces (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- ws_seq holds each workspace's sequence counter: the highest sequence a
-- committed transaction took. horizon is the sequence at and below which
-- tombstones and log entries may have been purged.
CREATE TABLE ws_seq (
    ws      TEXT PRIMARY KEY,
    seq     INTEGER NOT NULL,
    horizon INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- change_log is the change feed: one entry per sequence, written in the
-- transaction that took the sequence. record is the record as the write
-- left it (JSON), NULL when the write did not land.
CREATE TABLE change_log (
    ws      TEXT    NOT NULL,
    seq     INTEGER NOT NULL,
    tbl     TEXT    NOT NULL,
    id      TEXT    NOT NULL,
    created INTEGER NOT NULL DEFAULT 0,
    at      INTEGER NOT NULL,
    record  TEXT,
    PRIMARY KEY (ws, seq)
) WITHOUT ROWID;
-- The tombstone purge finds the newest change logged before its cutoff;
-- the sync finds the entry that created a record (its creation sequence).
CREATE INDEX change_log_at ON change_log (ws, at);
CREATE INDEX change_log_created ON change_log (ws, tbl, id) WHERE created = 1;

-- Members, logins and machine credentials.
CREATE TABLE members (
    id          TEXT PRIMARY KEY,
    ws          TEXT    NOT NULL,
    email       TEXT    NOT NULL UNIQUE,
    role        TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    invite_hash TEXT,
    seq         INTEGER NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    doc         TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX members_ws_id ON members (ws, id);
CREATE INDEX members_ws_role_status ON members (ws, role, status) WHERE deleted = 0;
CREATE UNIQUE INDEX members_invite ON members (invite_hash) WHERE invite_hash IS NOT NULL;

CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    ws         TEXT    NOT NULL,
    member_id  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0,
    user_agent TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_member ON sessions (ws, member_id);

-- A refresh token lives and dies with its session.
CREATE TABLE refresh_tokens (
    hash       TEXT PRIMARY KEY,
    session_id TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) WITHOUT ROWID;
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    ws           TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    prefix       TEXT    NOT NULL,
    hash         TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_keys_ws_created ON api_keys (ws, created_at DESC);

-- Bots, their subscribers and conversations.
CREATE TABLE bots (
    id         TEXT PRIMARY KEY,
    ws         TEXT    NOT NULL,
    channel    TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    doc        TEXT    NOT NULL DEFAULT '{}' -- credentials, hint, queue, queue_next, pipeline, greeting, ...
);
CREATE INDEX bots_ws_id ON bots (ws, id);
CREATE INDEX bots_ws_name ON bots (ws, name) WHERE deleted = 0;

CREATE TABLE subscribers (
    n           INTEGER PRIMARY KEY, -- stable rowid for the full-text index
    id          TEXT    NOT NULL UNIQUE,
    ws          TEXT    NOT NULL,
    bot_id      TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    name        TEXT    NOT NULL DEFAULT '',
    name_key    TEXT    NOT NULL DEFAULT '', -- name lower-cased: prefix search by range
    seq         INTEGER NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    doc         TEXT    NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX subscribers_bot_external ON subscribers (ws, bot_id, external_id);
CREATE INDEX subscribers_ws_id ON subscribers (ws, id);
CREATE INDEX subscribers_ws_name ON subscribers (ws, name_key, id) WHERE deleted = 0;

-- conversations: the chat list reads it by tab (status), group (assignee),
-- bot, name and unread, newest activity first, paged by (activity, id).
-- followers is the JSON list the counts return with each chat; pending
-- holds the chat's pending operations (BSON, exactly as the MongoDB store
-- keeps them, messages included), pending_n counts them.
CREATE TABLE conversations (
    id            TEXT PRIMARY KEY,
    ws            TEXT    NOT NULL,
    bot_id        TEXT    NOT NULL,
    subscriber_id TEXT    NOT NULL,
    channel       TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    assignee_id   TEXT    NOT NULL DEFAULT '', -- '' is unassigned
    name_key      TEXT    NOT NULL DEFAULT '',
    unread        INTEGER NOT NULL DEFAULT 0,
    activity      INTEGER NOT NULL,
    followers     TEXT    NOT NULL DEFAULT '[]',
    pending_n     INTEGER NOT NULL DEFAULT 0,
    pending       BLOB,
    seq           INTEGER NOT NULL,
    deleted       INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    doc           TEXT    NOT NULL DEFAULT '{}' -- preview, times, links, tags, muted_by, follow_seq, read_seq, ...
);
CREATE UNIQUE INDEX conversations_subscriber ON conversations (ws, subscriber_id);
CREATE INDEX conversations_ws_id ON conversations (ws, id);
CREATE INDEX conversations_all ON conversations (ws, activity DESC, id DESC) WHERE deleted = 0;
CREATE INDEX conversations_status ON conversations (ws, status, activity DESC, id DESC) WHERE deleted = 0;
CREATE INDEX conversations_assignee ON conversations (ws, assignee_id, status, activity DESC, id DESC) WHERE deleted = 0;
CREATE INDEX conversations_bot ON conversations (ws, bot_id, activity DESC, id DESC) WHERE deleted = 0;
CREATE INDEX conversations_unread ON conversations (ws, activity DESC, id DESC) WHERE deleted = 0 AND unread = 1;
CREATE INDEX conversations_name ON conversations (ws, name_key) WHERE deleted = 0;
-- The counts: one covering index scan of status, assignee, unread and followers.
CREATE INDEX conversations_tally ON conversations (ws, status, assignee_id, unread, followers) WHERE deleted = 0;
-- The recovery pass at start: the live chats with pending operations, by id.
CREATE INDEX conversations_pending ON conversations (id) WHERE pending_n > 0 AND deleted = 0;

-- Who follows a chat (following = 1), kept with every write of the chat
-- for the follower filter. A member whose following changed by
-- AddFollower/RemoveFollower keeps a row with that change's seq (0 for
-- a follower set with the whole list), following = 0 once removed.
CREATE TABLE conversation_followers (
    conversation_id TEXT    NOT NULL,
    member_id       TEXT    NOT NULL,
    ws              TEXT    NOT NULL,
    following       INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, member_id)
) WITHOUT ROWID;
CREATE INDEX conversation_followers_member ON conversation_followers (ws, member_id, following);

-- A chat's tags, kept with every write of the chat for the tag filter.
CREATE TABLE conversation_tags (
    conversation_id TEXT NOT NULL,
    tag             TEXT NOT NULL,
    ws              TEXT NOT NULL,
    PRIMARY KEY (conversation_id, tag)
) WITHOUT ROWID;
CREATE INDEX conversation_tags_tag ON conversation_tags (ws, tag);

-- messages: a chat's history by pos (creation time, then insertion order).
-- n is an explicit rowid, which VACUUM keeps, for the full-text index.
CREATE TABLE messages (
    n               INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE,
    ws              TEXT    NOT NULL,
    conversation_id TEXT    NOT NULL,
    subscriber_id   TEXT    NOT NULL,
    bot_id          TEXT    NOT NULL,
    sender          TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    text            TEXT    NOT NULL DEFAULT '',
    external_id     TEXT    NOT NULL DEFAULT '',
    pos             TEXT    NOT NULL,
    seq             INTEGER NOT NULL,
    deleted         INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    doc             TEXT    NOT NULL DEFAULT '{}' -- file, status, reactions, referral, request_hash, ...
);
CREATE INDEX messages_ws_id ON messages (ws, id);
CREATE INDEX messages_history ON messages (ws, conversation_id, pos) WHERE deleted = 0;
CREATE INDEX messages_external ON messages (ws, bot_id, external_id) WHERE external_id <> '';

CREATE TABLE notes (
    id            TEXT PRIMARY KEY,
    ws            TEXT    NOT NULL,
    subscriber_id TEXT    NOT NULL,
    author_id     TEXT    NOT NULL,
    text          TEXT    NOT NULL,
    seq           INTEGER NOT NULL,
    cseq          INTEGER NOT NULL DEFAULT 0,
    deleted       INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    edited_at     INTEGER,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX notes_ws_id ON notes (ws, id);
CREATE INDEX notes_subscriber ON notes (ws, subscriber_id, created_at) WHERE deleted = 0;

-- CRM.
CREATE TABLE pipelines (
    id         TEXT PRIMARY KEY,
    ws         TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    stages     TEXT    NOT NULL DEFAULT '[]',
    seq        INTEGER NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX pipelines_ws_id ON pipelines (ws, id);

CREATE TABLE deals (
    id              TEXT PRIMARY KEY,
    ws              TEXT    NOT NULL,
    pipeline_id     TEXT    NOT NULL,
    stage_id        TEXT    NOT NULL,
    subscriber_id   TEXT    NOT NULL DEFAULT '',
    conversation_id TEXT    NOT NULL DEFAULT '',
    name            TEXT    NOT NULL,
    amount          REAL    NOT NULL DEFAULT 0,
    currency        TEXT    NOT NULL DEFAULT '',
    seq             INTEGER NOT NULL,
    deleted         INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX deals_ws_id ON deals (ws, id);
CREATE INDEX deals_pipeline ON deals (ws, pipeline_id) WHERE deleted = 0;
CREATE INDEX deals_subscriber ON deals (ws, subscriber_id) WHERE deleted = 0;
CREATE INDEX deals_conversation ON deals (ws, conversation_id) WHERE deleted = 0;

-- Flows and the command feed of external bot engines.
CREATE TABLE flows (
    id         TEXT PRIMARY KEY,
    ws         TEXT    NOT NULL,
    bot_id     TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    steps      TEXT    NOT NULL DEFAULT '[]',
    seq        INTEGER NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX flows_bot ON flows (ws, bot_id, name) WHERE deleted = 0;

CREATE TABLE commands (
    id            TEXT PRIMARY KEY,
    ws            TEXT    NOT NULL,
    bot_id        TEXT    NOT NULL,
    subscriber_id TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    seq           INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    doc           TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX commands_feed ON commands (ws, bot_id, seq);

-- Bot statistics: running totals (the server's) and daily buckets
-- (synced: every write of a bucket takes a sequence and logs it, so dirty
-- stays 0 here; the MongoDB store marks buckets dirty and stamps later).
CREATE TABLE bot_totals (
    ws          TEXT    NOT NULL,
    bot_id      TEXT    NOT NULL,
    sent        INTEGER NOT NULL DEFAULT 0,
    received    INTEGER NOT NULL DEFAULT 0,
    subscribers INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (ws, bot_id)
) WITHOUT ROWID;

CREATE TABLE bot_stats (
    id                TEXT PRIMARY KEY, -- <ws>:<bot>:<day>
    ws                TEXT    NOT NULL,
    bot_id            TEXT    NOT NULL,
    day               TEXT    NOT NULL, -- YYYY-MM-DD, UTC
    sent              INTEGER NOT NULL DEFAULT 0,
    received          INTEGER NOT NULL DEFAULT 0,
    new_subscribers   INTEGER NOT NULL DEFAULT 0,
    total_subscribers INTEGER NOT NULL DEFAULT 0,
    dirty             INTEGER NOT NULL DEFAULT 0, -- changed since last stamped
    seq               INTEGER NOT NULL,
    cseq              INTEGER NOT NULL DEFAULT 0,
    deleted           INTEGER NOT NULL DEFAULT 0,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX bot_stats_ws_id ON bot_stats (ws, id);
CREATE UNIQUE INDEX bot_stats_days ON bot_stats (ws, bot_id, day);
CREATE INDEX bot_stats_dirty ON bot_stats (ws) WHERE dirty = 1;

-- The once-keys of AddBotStatsOnce: a key counted on a bot's counters.
-- It is written in the transaction of the sum, so a repeat finds it.
CREATE TABLE bot_stats_once (
    ws     TEXT    NOT NULL,
    bot_id TEXT    NOT NULL,
    key    TEXT    NOT NULL,
    at     INTEGER NOT NULL,
    PRIMARY KEY (ws, bot_id, key)
) WITHOUT ROWID;

-- File metadata. The bytes live beside the database in the data
-- directory's files/ folder (see files.go): state is 'pending' from the
-- row's insertion until the bytes are durably in place, 'stored' after,
-- and 'deleting' from a delete's start until its bytes are gone; the row
-- goes last, so a sweep of the rows not 'stored' (files_pending) finishes
-- whatever a crash left half done. size and sha256 are the stored bytes'.
CREATE TABLE files (
    id              TEXT PRIMARY KEY,
    ws              TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    mime_type       TEXT    NOT NULL,
    size            INTEGER NOT NULL,
    sha256          TEXT    NOT NULL DEFAULT '',
    uploaded_by     TEXT    NOT NULL,
    conversation_id TEXT    NOT NULL DEFAULT '',
    state           TEXT    NOT NULL DEFAULT 'pending',
    created_at      INTEGER NOT NULL
);
CREATE INDEX files_pending ON files (created_at) WHERE state <> 'stored';

-- Idempotency of inbound events, installation settings, sync cursors.
CREATE TABLE processed_events (
    key TEXT PRIMARY KEY,
    ws  TEXT    NOT NULL,
    at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX processed_events_at ON processed_events (at);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE sync_cursors (
    id         TEXT PRIMARY KEY,
    ws         TEXT    NOT NULL,
    member_id  TEXT    NOT NULL,
    base       INTEGER NOT NULL,
    tbl        INTEGER NOT NULL,
    after      TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sync_cursors_created ON sync_cursors (created_at);

-- The records a member's push created ("<table> <id>"), on a device
-- synced up to base; purged with the cursors.
CREATE TABLE sync_pushed (
    ws         TEXT    NOT NULL,
    member_id  TEXT    NOT NULL,
    base       INTEGER NOT NULL,
    key        TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX sync_pushed_member ON sync_pushed (ws, member_id, base);
CREATE INDEX sync_pushed_created ON sync_pushed (created_at);

-- Push: devices, preferences, alerts and their state.
-- A device's id is derived from (ws, key) as on the MongoDB store, so
-- the primary key makes an address one device of its workspace: saving
-- it again, by any member, updates that row (the key moves to the member).
CREATE TABLE push_devices (
    id               TEXT PRIMARY KEY,
    ws               TEXT    NOT NULL,
    member_id        TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    key              TEXT    NOT NULL,
    telegram_chat_id INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    doc              TEXT    NOT NULL DEFAULT '{}' -- token, endpoint, keys, last outcome, ...
);
CREATE INDEX push_devices_ws ON push_devices (ws, created_at, id);
CREATE INDEX push_devices_member ON push_devices (ws, member_id, created_at, id);
CREATE INDEX push_devices_telegram ON push_devices (telegram_chat_id) WHERE telegram_chat_id <> 0;

CREATE TABLE push_prefs (
    ws         TEXT    NOT NULL,
    member_id  TEXT    NOT NULL,
    off        TEXT    NOT NULL DEFAULT '[]',
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (ws, member_id)
) WITHOUT ROWID;

-- alerts: claims is the last claim whose attempt was written (an attempt
-- of an earlier claim, overtaken, writes nothing); the work still to do
-- is the alert's row in jobs.
CREATE TABLE alerts (
    id              TEXT PRIMARY KEY,
    ws              TEXT    NOT NULL,
    event           TEXT    NOT NULL,
    conversation_id TEXT    NOT NULL DEFAULT '',
    state           TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    due_at          INTEGER NOT NULL,
    claims          INTEGER NOT NULL DEFAULT 0,
    doc             TEXT    NOT NULL DEFAULT '{}' -- deliveries, texts, source, actor, telegram refs
);
CREATE INDEX alerts_ws_created ON alerts (ws, created_at DESC, id DESC);
CREATE INDEX alerts_conversation ON alerts (ws, conversation_id, created_at DESC, id DESC);
CREATE INDEX alerts_created ON alerts (created_at);
CREATE INDEX alerts_pending ON alerts (id) WHERE state = 'pending';

CREATE TABLE alert_refs (
    ws       TEXT NOT NULL,
    ref      TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    PRIMARY KEY (ws, ref)
) WITHOUT ROWID;
CREATE INDEX alert_refs_alert ON alert_refs (alert_id);

-- jobs is the one durable queue of background work: a row per piece of
-- work still to do (an alert's deliveries now; outbound messages and the
-- like later), keyed by its kind and the id of what it is for. A job is
-- due when due_at <= now, found through jobs_due, so no poll reads more
-- than what is due. Claiming a job takes claim number claims + 1 and
-- moves lease_until and due_at to the lease's end, so a job whose holder
-- died becomes due (and claimable) again by itself; finishing it deletes
-- the row, or releases the lease and sets the next due time.
CREATE TABLE jobs (
    kind        TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    ws          TEXT    NOT NULL,
    due_at      INTEGER NOT NULL,
    claims      INTEGER NOT NULL DEFAULT 0, -- the last claim taken
    lease_until INTEGER NOT NULL DEFAULT 0, -- the end of that claim's lease; 0 when released
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX jobs_due ON jobs (kind, due_at, id);

CREATE TABLE push_cursors (
    ws  TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
) WITHOUT ROWID;

-- leases: one row per named lease and time slot ("<name>@<slot>"); the
-- first to insert a slot's row holds it.
CREATE TABLE leases (
    name   TEXT PRIMARY KEY,
    holder TEXT    NOT NULL,
    until  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX leases_until ON leases (until);

-- email_slots: a member's alert email of one slot (hour) and who took it.
CREATE TABLE email_slots (
    ws        TEXT    NOT NULL,
    member_id TEXT    NOT NULL,
    slot      INTEGER NOT NULL,
    owner     TEXT    NOT NULL,
    at        INTEGER NOT NULL,
    until     INTEGER NOT NULL,
    PRIMARY KEY (ws, member_id, slot)
) WITHOUT ROWID;
CREATE INDEX email_slots_until ON email_slots (until);

CREATE TABLE link_codes (
    hash       TEXT PRIMARY KEY,
    ws         TEXT    NOT NULL,
    member_id  TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX link_codes_expires ON link_codes (expires_at);
