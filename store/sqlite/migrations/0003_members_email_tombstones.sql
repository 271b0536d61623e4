-- Version 3: an email is unique per workspace, and the change log marks
-- tombstones.
--
-- members: version 1 made an email unique across all workspaces, but one
-- person may be a member of several workspaces (models.MemberStore). The
-- table is rebuilt with the email unique per workspace, and the login
-- look-up (every workspace's live members with an email, oldest first)
-- gets its own index.
CREATE TABLE members_v3 (
    id          TEXT PRIMARY KEY,
    ws          TEXT    NOT NULL,
    email       TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    invite_hash TEXT,
    seq         INTEGER NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    doc         TEXT    NOT NULL DEFAULT '{}'
);
INSERT INTO members_v3 (id, ws, email, role, status, invite_hash, seq, deleted, created_at, updated_at, doc)
    SELECT id, ws, email, role, status, invite_hash, seq, deleted, created_at, updated_at, doc FROM members;
DROP TABLE members;
ALTER TABLE members_v3 RENAME TO members;
CREATE UNIQUE INDEX members_ws_email ON members (ws, email);
CREATE INDEX members_email ON members (email, created_at, id) WHERE deleted = 0;
CREATE INDEX members_ws_id ON members (ws, id);
CREATE INDEX members_ws_role_status ON members (ws, role, status) WHERE deleted = 0;
CREATE UNIQUE INDEX members_invite ON members (invite_hash) WHERE invite_hash IS NOT NULL;

-- change_log: the record is stored as the apps see it (JSON), which
-- leaves out the workspace and the tombstone flag; deleted keeps the flag.
ALTER TABLE change_log ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
