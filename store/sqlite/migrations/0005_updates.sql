-- Version 5: inbound updates of the messengers' native connections.
--
-- updates holds every update a messenger delivered (webhook or long
-- polling), stored as received before the messenger is answered; its id
-- derives from the bot and the messenger's key, so a redelivery finds it.
-- The work of turning it into inbox events is its row in jobs (kind
-- "update"), queued in the same transaction. updates_bot serves an
-- admin's listing of a bot's updates, newest first, of one state or all;
-- updates_done serves the purge of done updates by age.
CREATE TABLE updates (
    id           TEXT PRIMARY KEY,
    ws           TEXT    NOT NULL,
    bot_id       TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    raw          BLOB    NOT NULL,
    state        TEXT    NOT NULL,
    error        TEXT    NOT NULL DEFAULT '',
    attempts     INTEGER NOT NULL DEFAULT 0,
    received_at  INTEGER NOT NULL,
    processed_at INTEGER
);
CREATE INDEX updates_bot ON updates (ws, bot_id, state, received_at, id);
CREATE INDEX updates_bot_all ON updates (ws, bot_id, received_at, id);
CREATE INDEX updates_done ON updates (state, received_at);
