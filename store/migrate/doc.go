// Package migrate copies an embedded installation (the SQLite store of
// store/sqlite) into MongoDB (the store of package store), for
// `switchboard migrate`: the path for a team that outgrows one machine.
//
// # Table by table
//
// The copy is the list in tables.go: per SQLite table, the documents each
// row becomes. Rows are read with sqlite.Export, which scans them with
// the SQLite store's own scan functions, so a row arrives as the models
// value that store's reads return (tombstones included); most become one
// document of the collection of the same name, marshalled from that value
// with the bson tags the MongoDB store reads by (so the fields it keeps
// for its queries, such as a subscriber's name_key, a message's pos and
// text_key, a bot's queue_moves, a chat's followers, tags and pending
// operations, an alert's Telegram references come along). A few differ:
// a refresh token's first use is a document of refresh_token_uses, where
// the MongoDB store claims it; a bot's running totals are the
// "<ws>:<bot>:total" document among its day buckets; every job, of any
// kind (alert, update, send, fetch, profile), is a document of jobs keyed
// "<kind>/<id>", a claim the stopped source still held ended (the job due
// at once, as the SQLite store does when it opens), and a pending alert
// whose job was lost is queued there too; an inbound update keeps its
// raw bytes exactly (a BSON binary); a record a sync push created is a
// sync_cursors document listing it; a once-key of the bot counters is a
// field of the counter documents; a stored attachment's bytes are
// streamed into the GridFS bucket "files" under its id (a copy run again
// skips a finished upload and clears the chunks of an unfinished one);
// settings, processed events, push
// cursors and link codes are small documents of their own. Adding a
// table to the copy is one entry there and its reader in
// store/sqlite/export.go. Tables that only index others (the full-text
// indexes, a chat's follower and tag rows, alert_refs) or only pace the
// server that wrote them (leases, email_slots, an alert's claim in
// flight, an upload or delete of a file under way) are not copied. A
// source holding rows in any other table without an entry (none in this
// version's schema) is refused before anything is written (see
// uncovered.go), rather than copied without them.
//
// # The change feed
//
// Apps keep syncing without a full resync because the positions carry
// over. Records keep their seq. Each change-log entry becomes the
// seq_done document of the same workspace and sequence (store/feed.go),
// its record decoded from the JSON the SQLite log keeps into its model and
// re-encoded as BSON, with the workspace and tombstone flag that JSON
// leaves out and without the fields that never enter a log record. Each
// workspace's row of ws_seq (its high-water mark H and purge horizon)
// becomes: the reservation of H in seq_reservations, so the next write on
// MongoDB reserves H+1; the saved mark H in sync_marks, from which the
// feed's readers walk up (store/mark.go), so SafeSeq is H at once; and,
// when tombstones were purged, the horizon in sync_horizons. Sequences
// below H get no reservation of their own: the feed reads reservations
// above its mark only, and PurgeTombstones, which dates changes by their
// reservations, purges the copied history as a whole once the time of
// the change at H is older than the retention, instead of change by
// change. A record's creation sequence (cseq) is the one the SQLite
// store's sync reads give (kept in the row, or the sequence of the
// change-log entry that created it), so the documents carry it as
// natively created ones do.
//
// # Resumable and verified
//
// Before writing, Copy gives the source an installation id (the setting
// installation_id, created once) and claims the target with a marker
// document (migrate_progress): a target with no marker must be empty, a
// marker must name this installation; anything else is ErrForeignTarget.
// Tables are copied in order in batches from one read transaction (one
// commit of the source); documents are upserted by _id, and after each
// batch the marker records the key of its last row, so a copy run again
// after an interruption continues there, and a batch written twice
// leaves one document. Then the source is read again and the documents it
// gives are counted per collection and compared with the target's; the
// marker records the copy finished, and a finished copy run again only
// verifies. The server must be stopped for the copy: writes after the
// snapshot would stay behind.
package migrate
