// Package sqlite is Switchboard's embedded store, the server's default:
// SQLite in-process through the pure-Go driver modernc.org/sqlite
// (SQLite 3.46, FTS5 built in). It opens, checks, migrates and backs up
// the database, and Store implements every store interface of package
// models (models.Store): workspaces, members, sessions, API keys,
// settings, notes, processed events, CRM, flows, bots, subscribers,
// messages, conversations, statistics, files, sync (with OnChange) and
// push (devices, alerts, the dispatcher's state; alerts due are rows of
// jobs, the one durable queue of background work, see jobs.go). It passes
// the shared suite of store/conformance, as the MongoDB store does. One
// process serves a data directory (lock.go).
// Open ends the claims on jobs and the named leases that a killed process
// left (one process uses a data directory at a time), so its alerts,
// updates and sends, and its bots' long polls, resume at the restart
// instead of when its leases run out.
//
// A chat's history is read from messages_history in the order of pos
// (creation time, then sequence: equal times keep insertion order, as
// on the MongoDB store). Search in one chat uses the trigram index
// messages_fts for a query of three characters or more, probing it per
// message along a chat of at most 200 messages and starting from its
// matches in a longer chat, and reads the chat's history, filtered in
// Go, below three characters (see messages.go).
//
// # Records
//
// One file per resource, as in the MongoDB store (members.go, notes.go,
// ...). Fields a query filters or sorts on are columns, the rest of a
// record is the JSON object in doc. A synced record (models.Stamp) is
// written by the helper of query.go: one write transaction reads the live
// row, takes the workspace's next sequence (Tx.Stamp), writes the row and
// its change-log entry (Tx.Log: the record as the apps see it, plus the
// server's fields sync and the push gateway read of an earlier state,
// such as a chat's operations under way; secret fields such as a
// member's password hash never enter the log). A change read for sync
// carries its record decoded from its entry, as that write left it. A write
// refused half way (not found, a status that does not match, a conflict)
// rolls back and takes no sequence. One write is not a change of its
// record: a bot's round-robin position alone (UpdateBot with QueueNext
// only) is the server's, never synced, so it is written in place with no
// sequence and no log entry, as in the MongoDB store.
//
// # Files
//
// The database is one file, switchboard.db, in the data directory
// (SWITCHBOARD_DATA_DIR), with SQLite's switchboard.db-wal and
// switchboard.db-shm beside it while it is open. Attachments
// (models.FileStore, files.go) stay out of the database: their bytes are in
// the folder files/ of the same directory, one file per attachment, named
// by its id in hexadecimal (ids differing in case stay apart on
// case-insensitive file systems, and no id names a path outside the
// folder), their record a row of the files table whose state makes every
// crash recoverable:
//
//   - SaveFile inserts the row 'pending', writes the bytes to <name>.tmp
//     (counting them against the limit and hashing them), syncs the file,
//     renames it to <name>, syncs the folder, and only then marks the row
//     'stored' with its size and SHA-256. Readers see stored rows only, so
//     a message never points at bytes that are not durably in place. A
//     refused or failed upload removes its row and bytes at once.
//   - DeleteFile marks the row 'deleting' (the file is gone for readers),
//     removes the bytes, syncs the folder and deletes the row last.
//   - SweepFiles finishes what a crash (or a failure while undoing) left:
//     every row not 'stored' created more than Options.FileGrace ago (1
//     hour by default, far above the 60-second read timeout that bounds an
//     upload) is marked 'deleting', its temporary and final bytes removed,
//     then the row. It reads those rows through the partial index
//     files_pending (WHERE state <> 'stored'), never the table. Open runs
//     it, and the server's runner is meant to call it now and then
//     (hourly); an upload still running past the grace period then fails
//     rather than store its file.
//   - Open also reads the folder once: bytes no row accounts for (a crash
//     between an upload's sweep and its rename) and temporary files of
//     stored rows are removed, one primary-key look-up per file; names the
//     store did not make are left alone. This is the only scan of the
//     folder, and happens at start only.
//
// So after a crash and the sweep every row is 'stored' with its bytes of
// the recorded size and hash, and the folder holds nothing else
// (TestKillDuringFileWrites checks it under kill -9, TestFileCrashPoints
// at every point between two writes). OpenFile refuses bytes whose size
// differs from the row's. One process uses a data directory at a time.
//
// # One writer, many readers, WAL
//
// SQLite allows one writer at a time. Every write goes through WithTx on
// a single writer connection (a *sql.DB limited to one connection), so
// writers queue in Go instead of spinning on SQLite's lock, and each
// transaction starts with BEGIN IMMEDIATE, taking the write lock at once
// rather than failing to upgrade a read lock half way. Reads use a pool of
// query_only connections. In WAL mode a reader sees the snapshot of the
// last commit when its read began and neither blocks nor waits for the
// writer; a commit appends to the WAL, so it is atomic under kill -9 and
// power loss alike. busy_timeout (5 s) covers the rare waits that remain:
// checkpoints, a backup starting, another process opening the file.
//
// synchronous=FULL is the default: in WAL mode NORMAL is as safe from
// corruption and from a process crash, but a power loss or kernel crash
// may take back the last commits, and Switchboard acknowledges what it has
// committed (a webhook's 200, an agent's sent message) to parties that do
// not send it again. FULL syncs the WAL at every commit; measured on this
// 2-core machine under other load (BenchmarkCommit), a small write
// transaction takes about 1.0 ms with FULL and 0.44 ms with NORMAL.
// Options.Synchronous = "NORMAL" trades that durability for throughput.
//
// Foreign keys are enforced (PRAGMA foreign_keys) but declared only where
// a row cannot outlive its parent (a refresh token and its session).
// Domain records refer to each other by id without constraints: deletes
// are soft (tombstones), the apps create records offline with their own
// ids, and a copy between engines inserts tables in any order.
//
// # Sequences and the change log commit together
//
// Every change to a synced record takes the next sequence of its
// workspace with Tx.Stamp (an upsert of the workspace's row in ws_seq,
// returning the new value) and writes its change-log entry with Tx.Log,
// in the same transaction as the write itself. They commit together or
// not at all, and the writer being one connection, sequences of a
// workspace commit in order. So the committed counter is the exact
// high-water mark (HighWater): every sequence at or below it is in the
// log with its record, none above it exists, and a rolled-back
// transaction leaves no gap because its sequences were never committed.
// Unlike the MongoDB store, no reservation or lease is needed, and no
// reader ever waits one out.
//
// # The feed delta-sync reads
//
// SafeSeq and ReservedSeq are that committed counter. Changes reads a
// page of the log by its primary key (ws, seq), in one read snapshot,
// and gives each entry the record as its row is now (tombstones
// included), one query per table: the log's JSON is the record as the
// apps see it, without the server's fields the sync needs (a member's
// scope sequence, a chat's followers), and a row can only be newer than
// its entry by a change the apps get in a later page; like the log, a
// change carries no credential or password hash. The tables are data
// (syncTables in sync_tables.go: how to read and filter each); a synced
// table without a reader yet has its records decoded from the log. A
// record's creation sequence (CSeq), which most tables do not keep in
// their row, is that of the entry that created it (change_log_created).
// PurgeTombstones deletes, in one transaction, the log entries written
// before the cutoff, the tombstones those entries name whose last change
// is at or below the newest of them, and records that sequence as the
// horizon (ws_seq.horizon), below which a client gets a full resync. The
// OnChange callback runs after each commit that took a sequence, once
// per workspace, with the writer released.
//
// # Start checks
//
// Open changes nothing until the data directory passes its checks; it
// returns a *Fault naming the cause, the path and the fix when the
// directory cannot be written (ErrReadOnly), has no room for a probe of
// MinFreeSpace (1 MiB: SQLite needs room for its WAL and shared-memory
// files at once; ErrDiskFull), the file's schema version
// (PRAGMA user_version) is newer than this binary's (ErrNewerSchema), the
// file belongs to another application (PRAGMA application_id, ErrForeign)
// or it fails the consistency check (ErrCorrupt). A corrupt file is left
// as it is, never reinitialised. The inspection opens a cleanly closed
// file immutable, so even a refusal creates no WAL or shared-memory file.
//
// How much of the file the check reads is chosen by its measured cost.
// PRAGMA quick_check reads every page and verifies the b-tree structure
// and the records, leaving out only the comparison of each index against
// its table that integrity_check adds. Measured with BenchmarkStartCheck
// on a file of 300,000 messages in 30,000 chats (194 MB, full-text
// indexes included) on this 2-core machine under a load average of about
// 12: quick_check 13-16 s, integrity_check 17 s, so roughly 13 MB/s.
// Scaled to the aim of a million messages that would be close to a
// minute at every start. So the default, AutoCheck, scans the file with
// quick_check when the last run did not close it cleanly (its WAL was
// left beside it: a crash, kill -9 or power loss, the moments a torn
// write by faulty hardware shows) or when the file is at most 64 MB
// (Options.QuickCheckBelow, about 5 s under that load); a larger, cleanly
// closed file gets the header, application id, version and schema read
// only, and damage elsewhere surfaces as ErrCorrupt when it is read.
// Options.Check = QuickCheck or FullCheck forces a scan at every start.
//
// A full disk, or any other SQLITE_FULL, comes back from a write as a
// Fault with ErrDiskFull; the transaction is rolled back whole and later
// writes succeed once there is room.
//
// # Migrations
//
// The schema is the numbered files of migrations/, embedded in the binary:
// version n is the file 000n_*.sql. Open applies those above the file's
// PRAGMA user_version in order, each in its own transaction together with
// the new user_version, so a crash leaves the file at one version or the
// next. Migrations only go forward; a released file is never edited, a
// change is a new file. Version 1 holds the tables and indexes, version 2
// the FTS5 indexes of message text and subscriber names, version 3 makes
// a member's email unique per workspace (rebuilding members) and marks
// tombstones in the change log (change_log.deleted), version 4 keeps the
// chat counts as chats change (conversation_tallies, maintained by
// triggers in each chat write's transaction; ConversationTallies reads
// it unless a filter it does not keep, such as a bot or a follower,
// selects the chats).
//
// # Backup
//
// Backup runs VACUUM INTO on a connection of its own, in one read
// transaction: the copy is the state of one commit, compacted, while the
// writer goes on. It is written beside the target, synced and renamed.
// It copies the database only. BackupDir copies the data directory: the
// database as Backup does into dir/switchboard.db, then the bytes of
// every file 'stored' in that copy into dir/files/, each checked against
// the size and hash the row records, built in dir.partial and renamed
// when complete. While it copies, removals of stored bytes (DeleteFile,
// the sweep) wait, so no file the copy refers to is gone before it is
// copied; uploads go on. Rows of unfinished uploads or deletes in the
// copy are swept at its first Open past the grace period. To restore,
// stop the server and use the copy as the data directory (point
// SWITCHBOARD_DATA_DIR at it, or move its switchboard.db and files/ into
// an empty data directory, leaving out any switchboard.db-wal or -shm of
// another database).
// BackupFile and BackupDataDir are Backup and BackupDir for a process
// that does not hold the store open (`switchboard backup` beside a
// running server): they open no Store, so they run no start check and no
// migration and never wait for the write lock; a file the server deletes
// while BackupDataDir copies the files is left in the copy as a delete
// under way.
//
// # Export
//
// Export reads a table in key order, a batch at a time, every row as the
// value the store's reads return (tombstones included), for the copy of
// an installation into MongoDB (package store/migrate).
package sqlite
