-- Version 2: full-text search over message text and subscriber names.
--
-- Both indexes use the trigram tokenizer, case-insensitive: a query of
-- three or more characters matches anywhere in a word, as the history
-- search and the name search have always matched (substring, any case).
-- Shorter queries cannot use a trigram index; they scan the one chat's
-- history through messages_history instead. The indexes are external
-- content tables: they hold only the index, the text stays in messages
-- and subscribers, and triggers keep them equal. Tombstones stay indexed
-- (queries join the row and skip deleted ones), so the index always
-- equals its content table and FTS5's integrity-check can verify it.

CREATE VIRTUAL TABLE messages_fts USING fts5 (
    text,
    content = 'messages',
    content_rowid = 'n',
    tokenize = 'trigram'
);
INSERT INTO messages_fts (rowid, text) SELECT n, text FROM messages;

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, text) VALUES (new.n, new.text);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.n, old.text);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.n, old.text);
    INSERT INTO messages_fts (rowid, text) VALUES (new.n, new.text);
END;

CREATE VIRTUAL TABLE subscribers_fts USING fts5 (
    name,
    content = 'subscribers',
    content_rowid = 'n',
    tokenize = 'trigram'
);
INSERT INTO subscribers_fts (rowid, name) SELECT n, name FROM subscribers;

CREATE TRIGGER subscribers_fts_insert AFTER INSERT ON subscribers BEGIN
    INSERT INTO subscribers_fts (rowid, name) VALUES (new.n, new.name);
END;
CREATE TRIGGER subscribers_fts_delete AFTER DELETE ON subscribers BEGIN
    INSERT INTO subscribers_fts (subscribers_fts, rowid, name) VALUES ('delete', old.n, old.name);
END;
CREATE TRIGGER subscribers_fts_update AFTER UPDATE OF name ON subscribers BEGIN
    INSERT INTO subscribers_fts (subscribers_fts, rowid, name) VALUES ('delete', old.n, old.name);
    INSERT INTO subscribers_fts (rowid, name) VALUES (new.n, new.name);
END;
