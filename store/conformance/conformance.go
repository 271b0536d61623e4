// Package conformance states, as tests, the rules every implementation of
// the models store interfaces keeps, so that the MongoDB store and the
// embedded SQLite store behave alike: ordering, uniqueness (CodeConflict),
// typed not-found errors (never a nil record with a nil error),
// idempotency, workspace isolation (a record of another workspace is not
// found), sequences and tombstones of synced records, single use of
// refresh tokens, claims and leases of alerts (one holder until the lease
// ends, one winner among concurrent claimers), single use of link codes,
// purge cutoffs.
//
// A store's test package calls Run with a function opening a fresh,
// empty store on the clock it is given:
//
//	conformance.Run(t, func(t *testing.T, now func() time.Time) conformance.Subject {
//		db := open(t, now)
//		return conformance.Subject{Store: db, Log: ...}
//	})
//
// The suite covers the workspace, member, session, API key, setting,
// note, processed-event, CRM, flow, bot, subscriber, message,
// conversation, statistics, sync and file stores, and the push stores:
// devices, alerts and the dispatcher's state; the durable jobs, inbound
// updates, and the fields of the messengers' native connections.
package conformance

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// Store is every interface the suite checks.
type Store interface {
	models.WorkspaceStore
	models.MemberStore
	models.SessionStore
	models.APIKeyStore
	models.SettingStore
	models.NoteStore
	models.ProcessedEventStore
	models.CRMStore
	models.MessageStore
	models.FlowStore
	models.BotStore
	models.SubscriberStore
	models.ConversationStore
	models.StatsStore
	models.SyncStore
	models.DeviceStore
	models.AlertStore
	models.PushStateStore
	models.FileStore
	models.JobStore
	models.UpdateStore
}

// Entry is one change-log entry as the suite checks it.
type Entry struct {
	Seq   int64
	Table string
	ID    string
	// Deleted reports that the write left a tombstone; checked for the
	// synced tables (models.SyncTables) only.
	Deleted bool
	// Created reports that the write inserted the record.
	Created bool
	// Landed reports that the write changed the record. An engine may log
	// a sequence whose write was refused (the MongoDB store does, with no
	// record); the suite ignores those.
	Landed bool
}

// Subject is one store under test.
type Subject struct {
	Store Store
	// Log returns the change-log entries of workspace ws with a sequence
	// above after, by rising sequence, up to the high-water mark. Nil
	// leaves the change-log checks out (sequences on the returned records
	// are checked all the same).
	Log func(ctx context.Context, ws string, after int64) ([]Entry, error)
}

// Open returns a fresh, empty store whose clock is now; it closes and
// removes the store when t ends.
type Open func(t *testing.T, now func() time.Time) Subject

// Run runs every part of the suite, one after the other on one store
// (each part works in workspaces of its own); RunWorkspaces, RunMembers,
// ... run one part on a store of its own.
func Run(t *testing.T, open Open) {
	f := newFixture(t, open)
	parts := []struct {
		name string
		run  func(*testing.T, *fixture)
	}{
		{"Workspaces", runWorkspaces}, {"Members", runMembers}, {"Sessions", runSessions},
		{"APIKeys", runAPIKeys}, {"Settings", runSettings}, {"Notes", runNotes},
		{"ProcessedEvents", runProcessedEvents}, {"CRM", runCRM}, {"Flows", runFlows},
		{"Bots", runBots}, {"Subscribers", runSubscribers}, {"Messages", runMessages},
		{"Conversations", runConversations}, {"Stats", runStats}, {"Sync", runSync},
		{"Devices", runDevices}, {"Alerts", runAlerts}, {"PushState", runPushState},
		{"Files", runFiles}, {"Jobs", runJobs}, {"Updates", runUpdates}, {"Native", runNative},
	}
	for _, p := range parts {
		t.Run(p.name, func(t *testing.T) { p.run(t, f) })
	}
}

// start is the suite's clock at the beginning: on a whole millisecond,
// the precision both engines keep, so times read back compare equal, and
// an hour ahead, so that deadlines a store derives from its clock (the
// MongoDB store's sequence leases) lie in the future.
var start = time.Now().UTC().Add(time.Hour).Truncate(time.Millisecond)

// clock is the store's injected clock; the suite moves it by whole
// milliseconds.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// tick moves the clock on by one millisecond and returns the new time.
func (c *clock) tick() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

// fixture is one part's store and clock.
type fixture struct {
	Subject
	clock *clock
	s     Store
}

func newFixture(t *testing.T, open Open) *fixture {
	t.Helper()
	c := &clock{t: start}
	sub := open(t, c.Now)
	return &fixture{Subject: sub, clock: c, s: sub.Store}
}

var ctx = context.Background()

// ws returns a fresh workspace id, so parts of the suite sharing a store
// never see each other's records.
func ws() string { return "ws-" + models.NewID() }

// wantCode fails t unless err carries code.
func wantCode(t *testing.T, err error, code models.Code, what string) {
	t.Helper()
	if got := models.ErrorCode(err); got != code {
		t.Fatalf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

// notFound fails t unless the look-up returned the typed not-found error
// and no record.
func notFound[T any](t *testing.T, rec *T, err error, what string) {
	t.Helper()
	if !models.IsNotFound(err) || rec != nil {
		t.Fatalf("%s: got %v, %v; want nil and a not-found error", what, rec, err)
	}
}

// ok fails t on err.
func ok(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// landed returns the entries of ws's change log above after whose
// writes landed.
func (f *fixture) landed(t *testing.T, ws string, after int64) []Entry {
	t.Helper()
	entries, err := f.Log(ctx, ws, after)
	ok(t, err, "read change log")
	var out []Entry
	for i, e := range entries {
		if e.Seq <= after || i > 0 && e.Seq <= entries[i-1].Seq {
			t.Fatalf("change log of %s after %d out of order: %+v", ws, after, entries)
		}
		if e.Landed {
			out = append(out, e)
		}
	}
	return out
}

// logged checks that the change log of ws holds the write of sequence seq
// to id of table, an update (not an insert), a tombstone when deleted.
func (f *fixture) logged(t *testing.T, ws, table, id string, seq int64, deleted bool) {
	t.Helper()
	f.entry(t, ws, table, id, seq, false, deleted)
}

// inserted checks that the change log of ws holds the insert of id of
// table with sequence seq.
func (f *fixture) inserted(t *testing.T, ws, table, id string, seq int64) {
	t.Helper()
	f.entry(t, ws, table, id, seq, true, false)
}

func (f *fixture) entry(t *testing.T, ws, table, id string, seq int64, created, deleted bool) {
	t.Helper()
	if f.Log == nil {
		return
	}
	entries := f.landed(t, ws, seq-1)
	if len(entries) == 0 || entries[0].Seq != seq {
		t.Fatalf("change log of %s after %d: %+v; want the entry of sequence %d first", ws, seq-1, entries, seq)
	}
	e := entries[0]
	if e.Table != table || e.ID != id || e.Created != created {
		t.Fatalf("change log entry %d is %s/%s created %v, want %s/%s created %v", seq, e.Table, e.ID, e.Created, table, id, created)
	}
	if synced(table) && e.Deleted != deleted {
		t.Fatalf("change log entry %d of %s/%s: deleted %v, want %v", seq, table, id, e.Deleted, deleted)
	}
}

// highest checks that seq is the workspace's newest change: no write
// above it landed.
func (f *fixture) highest(t *testing.T, ws string, seq int64) {
	t.Helper()
	if f.Log == nil {
		return
	}
	if entries := f.landed(t, ws, seq); len(entries) != 0 {
		t.Fatalf("change log of %s has %+v above %d, the last write", ws, entries, seq)
	}
}

// deletion checks that the one write to ws after sequence after is the
// delete of id of table, logged as a tombstone.
func (f *fixture) deletion(t *testing.T, ws, table, id string, after int64) {
	t.Helper()
	if f.Log == nil {
		return
	}
	entries := f.landed(t, ws, after)
	if len(entries) != 1 || entries[0].Table != table || entries[0].ID != id || entries[0].Created || synced(table) && !entries[0].Deleted {
		t.Fatalf("change log of %s after %d: %+v; want only the tombstone of %s/%s", ws, after, entries, table, id)
	}
}

func synced(table string) bool {
	for _, s := range models.SyncTables {
		if s == table {
			return true
		}
	}
	return false
}

// rises checks that a write's sequence is above the previous one's.
func rises(t *testing.T, prev, next int64, what string) {
	t.Helper()
	if next <= prev {
		t.Fatalf("%s: sequence %d, want above %d", what, next, prev)
	}
}

// stamped checks the stamp a write left on a record.
func stamped(t *testing.T, s models.Stamp, ws string, at time.Time, deleted bool, what string) {
	t.Helper()
	if s.WS != ws || s.Seq <= 0 || s.Deleted != deleted || !s.UpdatedAt.Equal(at) {
		t.Fatalf("%s: stamp %+v, want workspace %s, a sequence, deleted %v, updated at %v", what, s, ws, deleted, at)
	}
}

func ptr[T any](v T) *T { return &v }

// oneWinner fails t unless exactly one of errs is nil and the others are
// CodeConflict: what concurrent attempts at one unique thing must give.
func oneWinner(t *testing.T, errs []error, what string) {
	t.Helper()
	won := 0
	for _, err := range errs {
		switch models.ErrorCode(err) {
		case "":
			won++
		case models.CodeConflict:
		default:
			t.Fatalf("concurrent %s: %v", what, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d of %d concurrent %s succeeded, want exactly 1", won, len(errs), what)
	}
}
