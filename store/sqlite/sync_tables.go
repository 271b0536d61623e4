package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// syncTable is how delta-sync reads one synced table (models.SyncTables;
// the SQL table has the same name and id, ws, seq and deleted columns).
// The sync methods know the tables only through syncTables, so a table
// is added by adding its entry.
type syncTable struct {
	// cols and scan read a whole row as its model (*models.Bot, ...);
	// a table without scan cannot be listed yet, and its change-log
	// entries carry the record decoded from the log (see Changes).
	cols string
	scan func(scanner) (any, error)
	// blank makes an empty model, to decode a change-log record into.
	blank func() any
	// fromLog, when set, decodes a change-log record instead of blank
	// and encoding/json (a record logged with server fields of its own).
	fromLog func(raw []byte) (any, error)
	// stamp is the model's change-feed stamp.
	stamp func(rec any) *models.Stamp
	// fields maps the field names the sync package filters on (as the
	// MongoDB store names them) to an SQL condition on one parameter, a
	// JSON array of the values.
	fields map[string]string
}

// syncTables is every synced table the store reads for delta-sync.
var syncTables = map[string]syncTable{
	models.TableBots:        rowsOf(bots, "_id"),
	models.TableMembers:     fromLog(rowsOf(members, "_id"), func(raw []byte) (any, error) { return memberFromLog(raw) }),
	models.TablePipelines:   rowsOf(pipelines, "_id"),
	models.TableSubscribers: rowsOf(subscribers, "_id", "bot_id"),
	models.TableMessages:    fromLog(rowsOf(messages, "_id", "conversation_id", "subscriber_id"), func(raw []byte) (any, error) { return messageFromLog(raw) }),
	models.TableNotes:       rowsOf(notes, "_id", "subscriber_id"),
	models.TableDeals:       rowsOf(deals, "_id", "subscriber_id", "conversation_id", "pipeline_id"),
	models.TableConversations: fromLog(withFollowers(rowsOf(conversations, "_id", "subscriber_id", "bot_id")),
		func(raw []byte) (any, error) { return conversationFromLog(raw) }),
	models.TableBotStats: {cols: bucketCols, scan: func(r scanner) (any, error) { return scanBucket(r) },
		blank:  func() any { return new(models.BotStatsBucket) },
		stamp:  func(r any) *models.Stamp { return &r.(*models.BotStatsBucket).Stamp },
		fields: withFields(nil, "_id", "bot_id")},
}

// dropSecrets clears, per table, the fields a change never carries (as
// the change log leaves them out): credentials and password and invite
// hashes stay in their rows.
var dropSecrets = map[string]func(rec any){
	models.TableMembers: func(r any) {
		m := r.(*models.Member)
		m.PasswordHash, m.InviteHash, m.InviteExpiry = "", "", time.Time{}
	},
	models.TableBots: func(r any) { r.(*models.Bot).Credentials = nil },
}

// rowsOf is the sync entry of a table of synced records, filterable on
// the given fields ("_id" is the id column, others are columns of that
// name).
func rowsOf[T any](tb synced[T], fields ...string) syncTable {
	return syncTable{cols: tb.cols,
		scan: func(r scanner) (any, error) {
			rec, err := tb.scan(r)
			if err != nil {
				return nil, err
			}
			return rec, nil
		},
		blank:  func() any { return new(T) },
		stamp:  func(r any) *models.Stamp { return tb.stamp(r.(*T)) },
		fields: withFields(nil, fields...)}
}

// fromLog sets st's decoder of change-log records.
func fromLog(st syncTable, decode func(raw []byte) (any, error)) syncTable {
	st.fromLog = decode
	return st
}

// decodeLog decodes a change-log record of st's table.
func (st syncTable) decodeLog(raw []byte) (any, error) {
	if st.fromLog != nil {
		return st.fromLog(raw)
	}
	rec := st.blank()
	if err := json.Unmarshal(raw, rec); err != nil {
		return nil, err
	}
	return rec, nil
}

// withFollowers lets the chats' entry filter on "followers": the chats
// any of the given members follows.
func withFollowers(st syncTable) syncTable {
	st.fields["followers"] = `id IN (SELECT conversation_id FROM conversation_followers
		WHERE member_id IN (SELECT value FROM json_each(?)) AND following = 1)`
	return st
}

// withFields adds to conds the condition "column IN values" of each
// field.
func withFields(conds map[string]string, fields ...string) map[string]string {
	if conds == nil {
		conds = map[string]string{}
	}
	for _, f := range fields {
		col := f
		if f == "_id" {
			col = "id"
		}
		conds[f] = col + ` IN (SELECT value FROM json_each(?))`
	}
	return conds
}

// syncTableOf returns table's entry; a table that is not synced is an
// internal error (the sync package names only synced tables).
func syncTableOf(table string) (syncTable, error) {
	st, ok := syncTables[table]
	if !ok {
		return syncTable{}, models.Internal(fmt.Errorf("sqlite store: %q is not a synced table", table))
	}
	return st, nil
}

// condition returns the SQL condition and argument selecting the rows
// of st whose field is one of values ("" and no argument for no field).
func (st syncTable) condition(table, field string, values []string) (string, []any, error) {
	if field == "" {
		return "", nil, nil
	}
	cond, ok := st.fields[field]
	if !ok {
		return "", nil, models.Internal(fmt.Errorf("sqlite store: %s cannot be filtered on %q", table, field))
	}
	return " AND " + cond, []any{jsonList(values)}, nil
}

// readable fails unless st has a reader.
func (st syncTable) readable(table string) error {
	if st.scan == nil {
		return models.Internal(fmt.Errorf("sqlite store: the %s table cannot be read for sync yet", table))
	}
	return nil
}

// jsonList is values as the JSON array json_each reads (never null).
func jsonList(values []string) string {
	if values == nil {
		values = []string{}
	}
	b, _ := json.Marshal(values)
	return string(b)
}

// querier is the reader pool or one read transaction of it.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readTx runs fn in one read transaction: every read of fn sees the
// state of one commit (inside a batch, the batch's state).
func (s *Store) readTx(ctx context.Context, fn func(q *sql.Tx) error) error {
	if outer, ok := ctx.Value(batchKey{s}).(*Tx); ok {
		return fn(outer.tx) // inside a batch: its own writes included
	}
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	return fn(tx)
}

// rows reads the records of st whose rows match query (a full SELECT of
// st.cols) and gives them their creation sequence.
func (s *Store) rows(ctx context.Context, q querier, ws, table string, st syncTable, query string, args ...any) ([]any, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []any{}
	for rows.Next() {
		rec, err := st.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.fillCSeq(ctx, q, ws, table, st, out)
}

// fillCSeq sets the creation sequence (Stamp.CSeq) of the records that do
// not keep it in their row: the sequence of the change-log entry that
// created the record. Once that entry is purged the record was created
// at or below the horizon and CSeq stays 0, as for a record the MongoDB
// store holds from before it kept CSeq: either way every first sync's
// base is above it.
func (s *Store) fillCSeq(ctx context.Context, q querier, ws, table string, st syncTable, recs []any) error {
	var ids []string
	for _, r := range recs {
		if sp := st.stamp(r); sp.CSeq == 0 && sp.Seq > 0 {
			ids = append(ids, recordKey(r))
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := q.QueryContext(ctx, cseqSQL, ws, table, jsonList(ids))
	if err != nil {
		return err
	}
	defer rows.Close()
	cseq := map[string]int64{}
	for rows.Next() {
		var id string
		var seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			return err
		}
		cseq[id] = seq
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range recs {
		if sp := st.stamp(r); sp.CSeq == 0 {
			sp.CSeq = cseq[recordKey(r)]
		}
	}
	return nil
}

// cseqSQL finds the entries that created records, through
// change_log_created.
const cseqSQL = `SELECT id, max(seq) FROM change_log
	WHERE ws = ? AND tbl = ? AND created = 1 AND id IN (SELECT value FROM json_each(?)) GROUP BY id`

// recordKey is a synced record's id.
func recordKey(rec any) string {
	switch r := rec.(type) {
	case *models.Bot:
		return r.ID
	case *models.Member:
		return r.ID
	case *models.Pipeline:
		return r.ID
	case *models.Subscriber:
		return r.ID
	case *models.Conversation:
		return r.ID
	case *models.Message:
		return r.ID
	case *models.Note:
		return r.ID
	case *models.Deal:
		return r.ID
	case *models.BotStatsBucket:
		return r.ID
	}
	panic(fmt.Sprintf("sqlite store: %T is not a synced record", rec))
}

// uniqueSorted returns values sorted without repeats.
func uniqueSorted(values []string) []string {
	out := append([]string(nil), values...)
	sort.Strings(out)
	n := 0
	for i, v := range out {
		if i == 0 || v != out[n-1] {
			out[n] = v
			n++
		}
	}
	return out[:n]
}
