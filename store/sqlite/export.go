package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// Export reads the tables for a copy to another engine (see package
// store/migrate): each table in the order of its key, a batch at a time,
// every row, tombstones included, as the value the store's own reads
// return (the same scan functions), so a copy sees exactly what this
// store serves. A table is one entry of exports.

// Querier is what Export reads through: the reader pool, or one read
// transaction of it (Reader().BeginTx) for a consistent snapshot.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ProcessedEvent is a row of processed_events: the key of an inbound
// event already handled, its workspace and when.
type ProcessedEvent struct {
	Key string
	WS  string
	At  time.Time
}

// Setting is a row of settings.
type Setting struct {
	Key   string
	Value string
}

// ExportedLogEntry is a change-log row with its workspace and time.
type ExportedLogEntry struct {
	LogEntry
	WS string
	At time.Time
}

// WorkspaceSeq is a workspace's row of ws_seq: its high-water mark, the
// purge horizon, and the time of the change at the mark (zero when that
// entry was purged).
type WorkspaceSeq struct {
	WS      string
	Seq     int64
	Horizon int64
	At      time.Time
}

// exporter reads one table: key are its key columns (a unique index
// serves the order), cols and scan what a row becomes.
type exporter struct {
	key   []string
	cols  string
	scan  func(scanner) (any, error)
	from  string // the FROM clause when not the table alone (an alias)
	where string // the rows read, when not all of them
}

// exp adapts one of the store's scan functions.
func exp[T any](cols string, scan func(scanner) (*T, error), key ...string) exporter {
	return exporter{key: key, cols: cols, scan: func(r scanner) (any, error) { return scan(r) }}
}

// exports lists the tables Export reads, by name.
var exports = map[string]exporter{
	"workspaces":       exp(workspaceCols, scanWorkspace, "id"),
	"members":          exp(memberCols, scanMember, "id"),
	"sessions":         exp(sessionCols, scanSession, "id"),
	"refresh_tokens":   exp(`hash, session_id, created_at, expires_at, used_at`, scanRefreshToken, "hash"),
	"api_keys":         exp(apiKeyCols, scanAPIKey, "id"),
	"settings":         exp(`key, value`, scanSetting, "key"),
	"processed_events": exp(`key, ws, at`, scanProcessedEvent, "key"),
	"notes":            exp(noteCols, scanNote, "id"),
	"pipelines":        exp(pipelineCols, scanPipeline, "id"),
	"deals":            exp(dealCols, scanDeal, "id"),
	"flows":            exp(flowCols, scanFlow, "id"),
	"bots":             exp(botCols, scanBot, "id"),
	"subscribers":      exp(subCols, scanSubscriber, "id"),
	"messages":         exp(strings.ReplaceAll(msgCols, "m.", ""), scanMessage, "id"),
	"commands":         exp(commandCols, scanCommand, "id"),
	"conversations":    exp(convCols, scanConversation, "id"),
	"bot_stats":        exp(bucketCols, scanBucket, "id"),
	"bot_totals":       exp(`ws, bot_id, sent, received, subscribers`, scanBotTotalsRow, "ws", "bot_id"),
	"sync_cursors":     exp(`id, ws, member_id, base, tbl, after, created_at`, scanSyncCursor, "id"),
	"sync_pushed":      exp(`rowid, ws, member_id, base, key, created_at`, scanPushedRow, "rowid"),
	"push_devices":     exp(deviceCols, scanDevice, "id"),
	"push_prefs":       exp(`ws, member_id, off, updated_at`, scanPushPrefs, "ws", "member_id"),
	"push_cursors":     exp(`ws, seq`, scanPushCursor, "ws"),
	"link_codes":       exp(`hash, ws, member_id, expires_at`, scanLinkCode, "hash"),
	"bot_stats_once": {key: []string{"o.ws", "o.bot_id", "o.key"}, from: "bot_stats_once o", scan: scanOnceKey,
		cols: `o.ws, o.bot_id, o.key, o.at, (SELECT json_group_array(b.id) FROM bot_stats b WHERE b.ws = o.ws AND b.bot_id = o.bot_id
			AND b.day >= strftime('%Y-%m-%d', o.at / 1000 - 86400, 'unixepoch'))`},
	// Files whose upload or delete is under way are left out: the bytes
	// of the first are not in place, the second is gone for readers, and
	// the sweep finishes both.
	"files": {key: []string{"id"}, cols: fileCols, scan: scanFileRow, where: `state = '` + stateStored + `'`},
	"alerts": {key: []string{"a.id"}, from: "alerts a", scan: scanAlertJob,
		cols: alertCols + `, (SELECT j.due_at FROM jobs j WHERE j.kind = '` + jobAlert + `' AND j.id = a.id),
			(SELECT j.lease_until FROM jobs j WHERE j.kind = '` + jobAlert + `' AND j.id = a.id)`},
	// Every job, of any kind, claims in flight included (the copy ends them).
	"jobs":       exp(`kind, id, ws, due_at, claims, lease_until`, scanJobRow, "kind", "id"),
	"updates":    exp(updateCols, scanUpdate, "id"),
	"change_log": exp(`ws, seq, tbl, id, created, deleted, at, record`, scanLogEntry, "ws", "seq"),
	"ws_seq": exp(`ws, seq, horizon, (SELECT c.at FROM change_log c WHERE c.ws = ws_seq.ws AND c.seq = ws_seq.seq)`,
		scanWorkspaceSeq, "ws"),
}

// ExportTables lists the tables Export reads, sorted.
func ExportTables() []string {
	out := make([]string, 0, len(exports))
	for t := range exports {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// BotTotalsRow is a row of bot_totals: a bot's running counters.
type BotTotalsRow struct {
	WS, BotID string
	models.BotTotals
}

// Export returns up to limit rows of table whose key is above after (nil:
// from the start), in key order, and the key of the last row returned
// (after itself when none), to pass as after for the next batch. Synced
// records come with their creation sequence (Stamp.CSeq) as the sync
// reads give it: kept in the row, or that of the change-log entry that
// created the record (0 once that entry was purged).
func (s *Store) Export(ctx context.Context, q Querier, table string, after []any, limit int) ([]any, []any, error) {
	e, ok := exports[table]
	if !ok {
		return nil, nil, fmt.Errorf("sqlite store: export: unknown table %q", table)
	}
	key := strings.Join(e.key, ", ")
	from := e.from
	if from == "" {
		from = table
	}
	query := `SELECT ` + key + `, ` + e.cols + ` FROM ` + from
	var args []any
	var conds []string
	if e.where != "" {
		conds = append(conds, e.where)
	}
	if after != nil {
		if len(after) != len(e.key) {
			return nil, nil, fmt.Errorf("sqlite store: export %s: a key has %d parts, not %d", table, len(e.key), len(after))
		}
		conds = append(conds, `(`+key+`) > (`+strings.TrimSuffix(strings.Repeat("?, ", len(after)), ", ")+`)`)
		args = append(args, after...)
	}
	if len(conds) > 0 {
		query += ` WHERE ` + strings.Join(conds, " AND ")
	}
	query += ` ORDER BY ` + key + ` LIMIT ?`
	rows, err := q.QueryContext(ctx, query, append(args, limit)...)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite store: export %s: %w", table, err)
	}
	defer rows.Close()
	var out []any
	last := after
	for rows.Next() {
		k := make([]any, len(e.key))
		v, err := e.scan(keyed{rows, k})
		if err != nil {
			return nil, nil, fmt.Errorf("sqlite store: export %s: %w", table, err)
		}
		out = append(out, v)
		last = k
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("sqlite store: export %s: %w", table, err)
	}
	if st, ok := syncTables[table]; ok {
		byWS := map[string][]any{}
		for _, r := range out {
			ws := st.stamp(r).WS
			byWS[ws] = append(byWS[ws], r)
		}
		for ws, recs := range byWS {
			if err := s.fillCSeq(ctx, q, ws, table, st, recs); err != nil {
				return nil, nil, fmt.Errorf("sqlite store: export %s: %w", table, err)
			}
		}
	}
	return out, last, nil
}

// ExportCount returns how many rows of table Export reads.
func ExportCount(ctx context.Context, q Querier, table string) (int64, error) {
	e, ok := exports[table]
	if !ok {
		return 0, fmt.Errorf("sqlite store: export: unknown table %q", table)
	}
	query := `SELECT count(*) FROM ` + table
	if e.where != "" {
		query += ` WHERE ` + e.where
	}
	var n int64
	err := q.QueryRowContext(ctx, query).Scan(&n)
	return n, err
}

// keyed scans the key columns into key, then the rest with the table's scan.
type keyed struct {
	r   scanner
	key []any
}

func (k keyed) Scan(dest ...any) error {
	ptrs := make([]any, len(k.key), len(k.key)+len(dest))
	for i := range k.key {
		ptrs[i] = &k.key[i]
	}
	return k.r.Scan(append(ptrs, dest...)...)
}

func scanRefreshToken(r scanner) (*models.RefreshToken, error) {
	var t models.RefreshToken
	var created, expires int64
	var used sql.NullInt64
	if err := r.Scan(&t.Hash, &t.SessionID, &created, &expires, &used); err != nil {
		return nil, err
	}
	t.CreatedAt, t.ExpiresAt = fromMS(created), fromMS(expires)
	if used.Valid {
		t.UsedAt = fromMS(used.Int64)
	}
	return &t, nil
}

func scanBotTotalsRow(r scanner) (*BotTotalsRow, error) {
	var t BotTotalsRow
	return &t, r.Scan(&t.WS, &t.BotID, &t.Sent, &t.Received, &t.Subscribers)
}

// PushedRow is a row of sync_pushed: one record a member's push created,
// on a device synced up to Base. N is its rowid.
type PushedRow struct {
	N                 int64
	WS, MemberID, Key string
	Base              int64
	CreatedAt         time.Time
}

// PushCursor is a row of push_cursors: how far the push gateway read a
// workspace's change log.
type PushCursor struct {
	WS  string
	Seq int64
}

// LinkCode is a row of link_codes: a Telegram link code's hash, for a member until Expires.
type LinkCode struct {
	Hash, WS, MemberID string
	Expires            time.Time
}

func scanSyncCursor(r scanner) (*models.SyncCursor, error) {
	var c models.SyncCursor
	var created int64
	if err := r.Scan(&c.ID, &c.WS, &c.MemberID, &c.Base, &c.Table, &c.After, &created); err != nil {
		return nil, err
	}
	c.CreatedAt = fromMS(created)
	return &c, nil
}

func scanPushedRow(r scanner) (*PushedRow, error) {
	var p PushedRow
	var created int64
	if err := r.Scan(&p.N, &p.WS, &p.MemberID, &p.Base, &p.Key, &created); err != nil {
		return nil, err
	}
	p.CreatedAt = fromMS(created)
	return &p, nil
}

func scanPushPrefs(r scanner) (*models.PushPrefs, error) {
	var p models.PushPrefs
	var off string
	var updated int64
	if err := r.Scan(&p.WS, &p.MemberID, &off, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(off), &p.Off); err != nil {
		return nil, err
	}
	if p.Off == nil {
		p.Off = []string{}
	}
	p.UpdatedAt = fromMS(updated)
	return &p, nil
}

func scanPushCursor(r scanner) (*PushCursor, error) {
	var c PushCursor
	return &c, r.Scan(&c.WS, &c.Seq)
}

func scanLinkCode(r scanner) (*LinkCode, error) {
	var c LinkCode
	var expires int64
	if err := r.Scan(&c.Hash, &c.WS, &c.MemberID, &expires); err != nil {
		return nil, err
	}
	c.Expires = fromMS(expires)
	return &c, nil
}

func scanFileRow(r scanner) (any, error) {
	var f models.File
	var created int64
	if err := r.Scan(&f.ID, &f.WS, &f.Name, &f.MimeType, &f.Size, &f.UploadedBy, &f.ConversationID, &created); err != nil {
		return nil, err
	}
	f.CreatedAt = fromMS(created)
	return &f, nil
}

// OnceKey is a row of bot_stats_once: a once-key (hashed) the bot's
// counters recorded at At, with the ids of the bot's day buckets from the
// day before At on, which the key's operation may have counted on.
type OnceKey struct {
	WS, BotID, Key string
	At             time.Time
	Buckets        []string
}

func scanOnceKey(r scanner) (any, error) {
	var k OnceKey
	var at int64
	var buckets string
	if err := r.Scan(&k.WS, &k.BotID, &k.Key, &at, &buckets); err != nil {
		return nil, err
	}
	k.At = fromMS(at)
	return &k, json.Unmarshal([]byte(buckets), &k.Buckets)
}

// AlertJob is an alert with its job's due time (nil without a job: a
// finished alert, or a pending one whose job was lost) and whether a
// claim holds that job (its due time is then the claim's lease end).
type AlertJob struct {
	*models.Alert
	JobDue  *time.Time
	JobHeld bool
}

func scanAlertJob(r scanner) (any, error) {
	var due, lease sql.NullInt64
	a, err := scanAlert(extra{r, []any{&due, &lease}})
	if err != nil {
		return nil, err
	}
	return &AlertJob{Alert: a, JobDue: fromMSPtr(due), JobHeld: lease.Int64 > 0}, nil
}

// JobRow is a row of jobs: the job as DueJobs lists it, and the end of
// the lease of the claim holding it (zero when released).
type JobRow struct {
	models.Job
	LeaseUntil time.Time
}

func scanJobRow(r scanner) (*JobRow, error) {
	var j JobRow
	var due, lease int64
	if err := r.Scan(&j.Kind, &j.ID, &j.WS, &due, &j.Claims, &lease); err != nil {
		return nil, err
	}
	j.DueAt, j.LeaseUntil = fromMS(due), fromMSOpt(lease)
	return &j, nil
}

// extra scans the columns a scan function reads, then more into more.
type extra struct {
	r    scanner
	more []any
}

func (x extra) Scan(dest ...any) error { return x.r.Scan(append(dest, x.more...)...) }

func scanSetting(r scanner) (*Setting, error) {
	var s Setting
	return &s, r.Scan(&s.Key, &s.Value)
}

func scanProcessedEvent(r scanner) (*ProcessedEvent, error) {
	var e ProcessedEvent
	var at int64
	if err := r.Scan(&e.Key, &e.WS, &at); err != nil {
		return nil, err
	}
	e.At = fromMS(at)
	return &e, nil
}

func scanLogEntry(r scanner) (*ExportedLogEntry, error) {
	var e ExportedLogEntry
	var at int64
	var rec sql.NullString
	if err := r.Scan(&e.WS, &e.Seq, &e.Table, &e.ID, &e.Created, &e.Deleted, &at, &rec); err != nil {
		return nil, err
	}
	e.At = fromMS(at)
	if rec.Valid {
		e.Record = []byte(rec.String)
	}
	return &e, nil
}

func scanWorkspaceSeq(r scanner) (*WorkspaceSeq, error) {
	var w WorkspaceSeq
	var at sql.NullInt64
	if err := r.Scan(&w.WS, &w.Seq, &w.Horizon, &at); err != nil {
		return nil, err
	}
	if at.Valid {
		w.At = fromMS(at.Int64)
	}
	return &w, nil
}

// DecodeLogRecord decodes the JSON record of a change-log entry of a
// synced table into its model, with the server's fields the log keeps
// beside the record the apps see (a chat's muted_by, follow_seq, read_seq,
// activity, ...; see convLog). The workspace and tombstone flag are not
// in the JSON: the caller sets them from the entry.
func DecodeLogRecord(table string, raw []byte) (any, error) {
	if table == models.TableConversations {
		return conversationFromLog(raw)
	}
	st, ok := syncTables[table]
	if !ok {
		return nil, fmt.Errorf("sqlite store: %q is not a synced table", table)
	}
	rec := st.blank()
	if err := json.Unmarshal(raw, rec); err != nil {
		return nil, err
	}
	return rec, nil
}
