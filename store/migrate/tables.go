package migrate

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/sqlite"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// doc is one MongoDB document a source row becomes: its collection, its
// _id (the upsert's filter) and its body (marshalled with bson; the
// models types carry the tags the MongoDB store reads by).
type doc struct {
	coll string
	id   any
	body any
	// set makes body a $set of the existing document rather than the
	// whole document: a field added to a document another row gave.
	set bool
	// counted is a document the table's bytes step wrote (a GridFS
	// file): verified, not written by the copy.
	counted bool
}

// table is one SQLite table of the copy: the name sqlite.Export reads it
// by and the documents each of its rows becomes. Adding a table to the
// copy is one entry here (and its reader in store/sqlite/export.go).
type table struct {
	source string
	docs   func(row any, now time.Time) ([]doc, error)
}

// rowBytes copies, per table, what a row holds outside the database (an
// attachment's bytes), before the row's documents are written.
var rowBytes = map[string]func(ctx context.Context, src *sqlite.Store, db *mongo.Database, row any) error{
	"files": fileBytes,
}

// same maps a row that is already the MongoDB document (a models type
// with bson tags) into collection coll.
func same[T any](coll string, id func(*T) string) func(any, time.Time) ([]doc, error) {
	return func(row any, _ time.Time) ([]doc, error) {
		v := row.(*T)
		return []doc{{coll: coll, id: id(v), body: v}}, nil
	}
}

// tables is the copy, in order: workspaces and members first, the change
// feed's positions last, so that a target whose feed documents exist
// holds every record they point at.
var tables = []table{
	{"workspaces", same("workspaces", func(v *models.Workspace) string { return v.ID })},
	{"settings", func(row any, _ time.Time) ([]doc, error) {
		s := row.(*sqlite.Setting)
		return []doc{{coll: "settings", id: s.Key, body: bson.D{{Key: "_id", Value: s.Key}, {Key: "value", Value: s.Value}}}}, nil
	}},
	{"members", same("members", func(v *models.Member) string { return v.ID })},
	{"sessions", same("sessions", func(v *models.Session) string { return v.ID })},
	{"refresh_tokens", refreshToken},
	{"api_keys", same("api_keys", func(v *models.APIKey) string { return v.ID })},
	{"processed_events", func(row any, _ time.Time) ([]doc, error) {
		e := row.(*sqlite.ProcessedEvent)
		return []doc{{coll: "processed_events", id: e.Key,
			body: bson.D{{Key: "_id", Value: e.Key}, {Key: "ws", Value: e.WS}, {Key: "at", Value: e.At}}}}, nil
	}},
	{"bots", same("bots", func(v *models.Bot) string { return v.ID })},
	{"subscribers", same("subscribers", func(v *models.Subscriber) string { return v.ID })},
	{"messages", same("messages", func(v *models.Message) string { return v.ID })},
	// An inbound update's raw bytes are a BSON binary, read back as sent.
	{"updates", same("updates", func(v *models.InboundUpdate) string { return v.ID })},
	{"notes", same("notes", func(v *models.Note) string { return v.ID })},
	{"pipelines", same("pipelines", func(v *models.Pipeline) string { return v.ID })},
	{"deals", same("deals", func(v *models.Deal) string { return v.ID })},
	{"flows", same("flows", func(v *models.Flow) string { return v.ID })},
	{"commands", same("commands", func(v *models.Command) string { return v.ID })},
	// A chat's followers and tags are in its row as in its document;
	// conversation_followers and conversation_tags only index them.
	{"conversations", same("conversations", func(v *models.Conversation) string { return v.ID })},
	{"bot_stats", same("bot_stats", func(v *models.BotStatsBucket) string { return v.ID })},
	{"bot_totals", botTotals},
	{"bot_stats_once", onceKey},
	{"sync_cursors", same("sync_cursors", func(v *models.SyncCursor) string { return v.ID })},
	{"sync_pushed", pushed},
	{"push_devices", same("push_devices", func(v *models.Device) string { return v.ID })},
	{"push_prefs", same("push_prefs", func(v *models.PushPrefs) string { return v.MemberID })},
	{"push_cursors", func(row any, _ time.Time) ([]doc, error) {
		c := row.(*sqlite.PushCursor)
		return []doc{{coll: "push_cursors", id: c.WS, body: bson.D{{Key: "_id", Value: c.WS}, {Key: "seq", Value: c.Seq}}}}, nil
	}},
	{"files", fileRecord},
	{"alerts", alert},
	{"link_codes", func(row any, _ time.Time) ([]doc, error) {
		c := row.(*sqlite.LinkCode)
		return []doc{{coll: "push_link_codes", id: c.Hash, body: bson.D{{Key: "_id", Value: c.Hash}, {Key: "ws", Value: c.WS},
			{Key: "member_id", Value: c.MemberID}, {Key: "expires", Value: c.Expires}}}}, nil
	}},
	{"jobs", job},
	{"change_log", logEntry},
	{"ws_seq", feedPosition},
}

// refreshToken: the MongoDB store keeps a token's first use apart, in
// refresh_token_uses, where a unique insert claims it.
func refreshToken(row any, _ time.Time) ([]doc, error) {
	t := row.(*models.RefreshToken)
	out := []doc{{coll: "refresh_tokens", id: t.Hash, body: t}}
	if !t.UsedAt.IsZero() {
		out = append(out, doc{coll: "refresh_token_uses", id: t.Hash, body: bson.D{{Key: "_id", Value: t.Hash},
			{Key: "session_id", Value: t.SessionID}, {Key: "used_at", Value: t.UsedAt}}})
	}
	return out, nil
}

// botTotals: a bot's running counters are the document "<ws>:<bot>:total"
// among its day buckets (store/stats.go).
func botTotals(row any, _ time.Time) ([]doc, error) {
	t := row.(*sqlite.BotTotalsRow)
	id := t.WS + ":" + t.BotID + ":total"
	return []doc{{coll: "bot_stats", id: id, body: bson.D{{Key: "_id", Value: id}, {Key: "ws", Value: t.WS},
		{Key: "bot_id", Value: t.BotID}, {Key: "day", Value: "total"}, {Key: "sent", Value: t.Sent},
		{Key: "received", Value: t.Received}, {Key: "subscribers", Value: t.Subscribers}}}}, nil
}

// pushed: a record a member's push created is a document of
// sync_cursors listing it (store/sync.go keeps one per push, listing
// them all; one per record reads the same).
func pushed(row any, _ time.Time) ([]doc, error) {
	p := row.(*sqlite.PushedRow)
	id := fmt.Sprintf("push:sqlite-%d", p.N)
	return []doc{{coll: "sync_cursors", id: id, body: bson.D{{Key: "_id", Value: id}, {Key: "ws", Value: p.WS},
		{Key: "member_id", Value: p.MemberID}, {Key: "base", Value: p.Base}, {Key: "pushed", Value: []string{p.Key}},
		{Key: "created_at", Value: p.CreatedAt}}}}, nil
}

// alert: an alert is a document of push_alerts (its Telegram references
// included, which alert_refs only indexes); its job, when it has one, is
// copied with the other jobs (job), and the alert is due when its job is
// (the MongoDB store lists alerts through their jobs, then reschedules
// one whose own due time is later: store/push_alerts.go). A pending
// alert whose job was lost is queued here at its own due time, as both
// stores' recovery would. The alert keeps its claim count; a claim in
// flight lapses.
func alert(row any, now time.Time) ([]doc, error) {
	a := row.(*sqlite.AlertJob)
	if a.JobDue != nil {
		a.DueAt = jobDue(*a.JobDue, a.JobHeld, now)
	}
	out := []doc{{coll: "push_alerts", id: a.ID, body: a.Alert}}
	if a.State == models.AlertPending && a.JobDue == nil {
		out = append(out, jobDoc(models.Job{Kind: models.JobAlert, ID: a.ID, WS: a.WS, DueAt: a.DueAt}))
	}
	return out, nil
}

// job: a job of any kind is a document of jobs as the MongoDB JobStore
// keeps it (store/jobs.go), with its claim count. A claim the source
// still holds belonged to the stopped server: it is ended, the job due
// at once unless it was due sooner, as the SQLite store ends such claims
// when it opens (endDeadClaims).
func job(row any, now time.Time) ([]doc, error) {
	j := row.(*sqlite.JobRow)
	j.DueAt = jobDue(j.DueAt, !j.LeaseUntil.IsZero(), now)
	return []doc{jobDoc(j.Job)}, nil
}

// jobDue is when a job due at due is due in the copy: at once (now) at
// the latest when a claim held it.
func jobDue(due time.Time, held bool, now time.Time) time.Time {
	if held && due.After(now) {
		return now
	}
	return due
}

// jobDoc is j as a released document of the jobs collection, keyed
// "<kind>/<id>".
func jobDoc(j models.Job) doc {
	key := j.Kind + "/" + j.ID
	return doc{coll: "jobs", id: key, body: bson.D{{Key: "_id", Value: key}, {Key: "kind", Value: j.Kind}, {Key: "id", Value: j.ID},
		{Key: "ws", Value: j.WS}, {Key: "due_at", Value: j.DueAt.UTC()}, {Key: "claims", Value: j.Claims},
		{Key: "lease_until", Value: time.UnixMilli(0).UTC()}}}
}

// onceKey: a once-key of AddBotStatsOnce is recorded, as the MongoDB
// store records it ("once.<hash>", store/stats_once.go), on the bot's
// totals and on its day buckets from the day before the key was recorded
// on: the documents a repeat of the key's operation (a recovery pass
// finishing a chat's pending operation after the move) could count on
// again. The SQLite store keeps the key per bot, without the day of the
// event; an event older than the day before its key was recorded would
// be counted again on its own day's bucket by such a repeat.
func onceKey(row any, _ time.Time) ([]doc, error) {
	k := row.(*sqlite.OnceKey)
	set := bson.D{{Key: "once." + k.Key, Value: true}}
	out := []doc{{coll: "bot_stats", id: k.WS + ":" + k.BotID + ":total", body: set, set: true}}
	for _, id := range k.Buckets {
		out = append(out, doc{coll: "bot_stats", id: id, body: set, set: true})
	}
	return out, nil
}

// feedID is the _id of a change-feed document of ws at seq (store/feed.go).
func feedID(ws string, seq int64) string { return fmt.Sprintf("%s:%d", ws, seq) }

// synced are the tables whose log entries carry the record (store/sync.go);
// privateFields never enter a log record.
var synced = map[string]bool{}

func init() {
	for _, t := range models.SyncTables {
		synced[t] = true
	}
}

var privateFields = map[string][]string{
	models.TableMembers: {"password_hash", "invite_hash", "invite_expiry"},
	models.TableBots:    {"credentials"},
}

// logEntry: a change-log row is a document of seq_done, the MongoDB
// store's change log, under the same workspace and sequence. The record
// (JSON, as the apps see it) is decoded into its model and re-encoded
// as BSON, with the workspace and tombstone flag its JSON leaves out.
func logEntry(row any, _ time.Time) ([]doc, error) {
	e := row.(*sqlite.ExportedLogEntry)
	body := bson.D{{Key: "_id", Value: feedID(e.WS, e.Seq)}, {Key: "ws", Value: e.WS}, {Key: "seq", Value: e.Seq},
		{Key: "table", Value: e.Table}, {Key: "doc", Value: e.ID}}
	if synced[e.Table] && e.Record != nil {
		rec, err := logRecord(e)
		if err != nil {
			return nil, err
		}
		body = append(body, bson.E{Key: "rec", Value: rec})
	}
	if e.Created && e.Record != nil {
		body = append(body, bson.E{Key: "created", Value: true})
	}
	return []doc{{coll: "seq_done", id: feedID(e.WS, e.Seq), body: body}}, nil
}

func logRecord(e *sqlite.ExportedLogEntry) (bson.Raw, error) {
	v, err := sqlite.DecodeLogRecord(e.Table, e.Record)
	if err != nil {
		return nil, fmt.Errorf("change log %s:%d (%s %s): %w", e.WS, e.Seq, e.Table, e.ID, err)
	}
	raw, err := bson.Marshal(v)
	if err != nil {
		return nil, err
	}
	var d bson.D
	if err := bson.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	kept := d[:0]
	for _, f := range d {
		switch f.Key {
		case "ws":
			f.Value = e.WS
		case "deleted":
			f.Value = e.Deleted
		}
		private := false
		for _, k := range privateFields[e.Table] {
			private = private || f.Key == k
		}
		if !private {
			kept = append(kept, f)
		}
	}
	return bson.Marshal(kept)
}

// feedPosition: a workspace's high-water mark becomes what the MongoDB
// store's feed starts from (store/feed.go, store/mark.go): the highest
// reservation (new writes take the next sequence), the saved mark
// (readers walk up from it, so SafeSeq is the SQLite HighWater at once)
// and the purge horizon.
func feedPosition(row any, now time.Time) ([]doc, error) {
	w := row.(*sqlite.WorkspaceSeq)
	at := w.At
	if at.IsZero() {
		at = now
	}
	at = at.UTC().Truncate(time.Millisecond)
	id := feedID(w.WS, w.Seq)
	out := []doc{
		{coll: "seq_reservations", id: id, body: bson.D{{Key: "_id", Value: id}, {Key: "ws", Value: w.WS}, {Key: "seq", Value: w.Seq},
			{Key: "reserved_at", Value: at}, {Key: "lease_until", Value: at}}},
		{coll: "sync_marks", id: w.WS, body: bson.D{{Key: "_id", Value: w.WS}, {Key: "seq", Value: w.Seq}}},
	}
	if w.Horizon > 0 {
		out = append(out, doc{coll: "sync_horizons", id: w.WS, body: bson.D{{Key: "_id", Value: w.WS},
			{Key: "seq", Value: w.Horizon}, {Key: "at", Value: now.UTC().Truncate(time.Millisecond)}}})
	}
	return out, nil
}
