package sqlite

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// TestChangesCarryTheRecordAsItsWriteLeftIt: a change's record is its
// state at that change, never a later one (a pull that stops at that
// change must not hold a newer state), with the server's fields the sync
// needs (a member's scope sequence), whether it comes from the row (the
// record's last change) or from the log (an earlier one).
func TestChangesCarryTheRecordAsItsWriteLeftIt(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	m := &models.Member{ID: "m1", Email: "a@example.com", Name: "Ann", Role: models.RoleEmployee, Status: models.MemberActive,
		Stamp: models.Stamp{WS: "ws1"}}
	if err := s.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	role := models.RoleFollower
	changed, err := s.UpdateMember(ctx, "ws1", "m1", models.MemberUpdate{Role: &role})
	if err != nil || changed.ScopeSeq == 0 {
		t.Fatalf("role change: %+v, %v; want a scope sequence", changed, err)
	}
	n := &models.Note{ID: "n1", SubscriberID: "s1", AuthorID: "m1", Text: "first", Stamp: models.Stamp{WS: "ws1"}}
	if err := s.CreateNote(ctx, "ws1", n); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateNoteText(ctx, "ws1", "n1", "second", time.Now()); err != nil {
		t.Fatal(err)
	}
	list, err := s.Changes(ctx, "ws1", 0, 10, 10)
	if err != nil || len(list) != 4 {
		t.Fatalf("changes %+v, %v; want 4", list, err)
	}
	if got := list[0].Record.(*models.Member); got.Role != models.RoleEmployee || got.ScopeSeq != 0 || got.Seq != 1 || got.CSeq != 1 {
		t.Errorf("the member's creation: %+v; want the employee as created at 1", got)
	}
	if got := list[1].Record.(*models.Member); got.ScopeSeq != changed.ScopeSeq || got.Role != role || got.Seq != 2 {
		t.Errorf("the role change: member %+v, want role %s and scope sequence %d", got, role, changed.ScopeSeq)
	}
	if got := list[2].Record.(*models.Note); !list[2].Created || got.Text != "first" || got.CSeq != n.Seq || got.Seq != n.Seq {
		t.Errorf("the note's creation: created %v, %+v; want the note as created (first) at %d", list[2].Created, got, n.Seq)
	}
	if got := list[3].Record.(*models.Note); list[3].Created || got.Text != "second" || got.CSeq != n.Seq {
		t.Errorf("the note's edit: created %v, %+v; want the edited note (second), created at %d", list[3].Created, got, n.Seq)
	}
}

// TestChangesDecodeTablesReadFromTheLog: a change's record is decoded
// from its log entry, with the entry's workspace, sequence and tombstone
// flag and the record's creation sequence, whether its row is there or
// gone; a table that is not synced has its entries with no record.
func TestChangesDecodeTablesReadFromTheLog(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	if err := s.WithTx(ctx, func(tx *Tx) error {
		if err := writeChat(tx, "ws1", "c1", 0, ""); err != nil {
			return err
		}
		seq, err := tx.Stamp("ws1")
		if err != nil {
			return err
		}
		if err := tx.Log("ws1", models.Change{Seq: seq, Table: models.TableConversations, ID: "gone", Created: true,
			Record: &models.Conversation{ID: "gone", Stamp: models.Stamp{Seq: seq, Deleted: true}}}); err != nil {
			return err
		}
		seq, err = tx.Stamp("ws1")
		if err != nil {
			return err
		}
		return tx.Log("ws1", models.Change{Seq: seq, Table: "commands", ID: "k1", Created: true, Record: map[string]any{"id": "k1"}})
	}); err != nil {
		t.Fatal(err)
	}
	list, err := s.Changes(ctx, "ws1", 0, 10, 10)
	if err != nil || len(list) != 3 {
		t.Fatalf("changes %+v, %v; want 3", list, err)
	}
	c, ok := list[0].Record.(*models.Conversation)
	if !ok || c.ID != "c1" || c.WS != "ws1" || c.Deleted || c.CSeq != 1 || !list[0].Created {
		t.Errorf("creation %+v: record %#v; want conversation c1 of ws1, created at 1", list[0], list[0].Record)
	}
	if c, ok := list[1].Record.(*models.Conversation); !ok || c.ID != "gone" || !c.Tombstone() || c.WS != "ws1" || c.CSeq != 2 {
		t.Errorf("change of a row that is gone %+v: record %#v; want its tombstone from the log", list[1], list[1].Record)
	}
	if list[2].Record != nil || list[2].Created || list[2].Table != "commands" {
		t.Errorf("a table that is not synced: %+v; want its entry without a record", list[2])
	}
	if recs, err := s.Records(ctx, "ws1", models.TableConversations, "", nil); err != nil || len(recs) != 1 {
		t.Errorf("records of conversations: %v, %v; want c1", recs, err)
	}
}

// TestOnChangeRunsAfterCommit: the callback runs after a commit, once for
// each workspace the transaction took a sequence of, with the write
// visible to readers and the writer free (the callback may write); a
// rolled-back transaction or one that took no sequence calls nothing.
func TestOnChangeRunsAfterCommit(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	var mu sync.Mutex
	var calls []string
	s.OnChange(func(ws string) {
		seq, err := s.HighWater(ctx, ws)
		// The writer is free: a write that takes no sequence goes through.
		wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		werr := s.WithTx(wctx, func(tx *Tx) error {
			_, err := tx.Exec(`INSERT INTO settings (key, value) VALUES (?, 'x')
				ON CONFLICT (key) DO UPDATE SET value = 'x'`, "woken:"+ws)
			return err
		})
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, fmt.Sprintf("%s@%d %v %v", ws, seq, err, werr))
	})
	stamp := func(fail bool, wss ...string) error {
		return s.WithTx(ctx, func(tx *Tx) error {
			for _, ws := range wss {
				seq, err := tx.Stamp(ws)
				if err != nil {
					return err
				}
				if err := tx.Log(ws, models.Change{Seq: seq, Table: "commands", ID: "x"}); err != nil {
					return err
				}
			}
			if fail {
				return errors.New("abandoned")
			}
			return nil
		})
	}
	if err := stamp(false, "a", "b", "a"); err != nil {
		t.Fatal(err)
	}
	if err := stamp(true, "c"); err == nil {
		t.Fatal("an abandoned transaction committed")
	}
	if err := stamp(false); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateNote(ctx, "d", &models.Note{ID: "n1", Stamp: models.Stamp{WS: "d"}}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"a@2 <nil> <nil>", "b@1 <nil> <nil>", "d@1 <nil> <nil>"}
	if !slices.Equal(calls, want) {
		t.Errorf("callbacks %q, want %q", calls, want)
	}
}

// TestWriteCommitsWithItsSequenceAndEntry: a write whose later statement
// fails (here the change-log insert, refused by a trigger after the row
// was written) leaves no sequence, no row and no log entry; once the
// failure is gone the same write takes the same sequence.
func TestWriteCommitsWithItsSequenceAndEntry(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	if err := s.CreateNote(ctx, "ws1", &models.Note{ID: "n0", Stamp: models.Stamp{WS: "ws1"}}); err != nil {
		t.Fatal(err)
	}
	trigger := func(sql string) {
		t.Helper()
		if err := s.WithTx(ctx, func(tx *Tx) error { _, err := tx.Exec(sql); return err }); err != nil {
			t.Fatal(err)
		}
	}
	// A temporary trigger lives on the one writer connection.
	trigger(`CREATE TEMP TRIGGER refuse_log BEFORE INSERT ON main.change_log
		WHEN new.id = 'n1' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`)
	n := &models.Note{ID: "n1", Stamp: models.Stamp{WS: "ws1"}}
	if err := s.CreateNote(ctx, "ws1", n); err == nil {
		t.Fatal("the write committed although its log entry failed")
	}
	if hw, err := s.HighWater(ctx, "ws1"); err != nil || hw != 1 {
		t.Errorf("high-water mark %d, %v; want 1: the failed write took no sequence", hw, err)
	}
	if got, err := s.Note(ctx, "ws1", "n1"); !models.IsNotFound(err) {
		t.Errorf("the failed write's row: %+v, %v; want none", got, err)
	}
	var rows int
	if err := s.Reader().QueryRow(`SELECT count(*) FROM notes WHERE id = 'n1'`).Scan(&rows); err != nil || rows != 0 {
		t.Errorf("rows of n1: %d, %v; want 0 (no tombstone either)", rows, err)
	}
	if es, err := s.LogEntries(ctx, "ws1", 1, 100, 100); err != nil || len(es) != 0 {
		t.Errorf("log entries after the failed write: %+v, %v; want none", es, err)
	}
	trigger(`DROP TRIGGER temp.refuse_log`)
	if err := s.CreateNote(ctx, "ws1", n); err != nil || n.Seq != 2 {
		t.Fatalf("the write again: sequence %d, %v; want 2", n.Seq, err)
	}
}

// TestStampDirtyStats: a bucket changed since it was last stamped gets a
// new sequence and a log entry (its creation the first time, an update
// after), once; a deleted bucket is left alone.
func TestStampDirtyStats(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	var woken []string
	s.OnChange(func(ws string) { woken = append(woken, ws) })
	if err := s.WithTx(ctx, func(tx *Tx) error {
		for _, r := range []struct {
			ws, id  string
			deleted bool
		}{{"a", "a:b1:2026-12-01", false}, {"a", "a:b1:2026-12-02", false}, {"b", "b:b2:2026-12-01", false}, {"b", "b:b2:old", true}} {
			if _, err := tx.Exec(`INSERT INTO bot_stats (id, ws, bot_id, day, sent, dirty, seq, deleted, updated_at)
				VALUES (?, ?, 'bot', ?, 3, 1, 0, ?, 0)`, r.id, r.ws, r.id, r.deleted); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	n, err := s.StampDirtyStats(ctx)
	if err != nil || n != 3 {
		t.Fatalf("stamped %d, %v; want 3", n, err)
	}
	if !slices.Equal(woken, []string{"a", "b"}) {
		t.Errorf("woken %v, want a and b once each", woken)
	}
	list, err := s.Changes(ctx, "a", 0, 10, 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("changes of a: %+v, %v; want 2", list, err)
	}
	for _, c := range list {
		b, ok := c.Record.(*models.BotStatsBucket)
		if !ok || !c.Created || b.Seq != c.Seq || b.CSeq != c.Seq || b.Sent != 3 || b.WS != "a" {
			t.Errorf("change %+v: record %#v; want the bucket's creation", c, c.Record)
		}
	}
	if n, err := s.StampDirtyStats(ctx); err != nil || n != 0 {
		t.Errorf("stamped again: %d, %v; want 0", n, err)
	}
	if err := s.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE bot_stats SET sent = 4, dirty = 1 WHERE id = 'a:b1:2026-12-01'`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.StampDirtyStats(ctx); err != nil || n != 1 {
		t.Fatalf("stamped a changed bucket: %d, %v; want 1", n, err)
	}
	list, err = s.Changes(ctx, "a", 2, 10, 10)
	if err != nil || len(list) != 1 || list[0].Created || list[0].Record.(*models.BotStatsBucket).Sent != 4 {
		t.Fatalf("the change of a stamped bucket: %+v, %v; want an update with sent 4", list, err)
	}
}

// TestPurgeInSteps: a purge of more entries than one step moves the
// horizon up step by step to the newest change before the cutoff and
// deletes every tombstone and entry below it, as one purge would; the
// entries above it and the live records stay.
func TestPurgeInSteps(t *testing.T) {
	defer func(old int64) { purgeStep = old }(purgeStep)
	purgeStep = 3
	s := openT(t, t.TempDir())
	ctx := context.Background()
	for i := range 10 {
		n := &models.Note{ID: fmt.Sprintf("n%d", i), SubscriberID: "s1", AuthorID: "m1", Text: "x", Stamp: models.Stamp{WS: "ws1"}}
		if err := s.CreateNote(ctx, "ws1", n); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if err := s.DeleteNote(ctx, "ws1", n.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	top, _ := s.HighWater(ctx, "ws1") // 15 changes
	h, err := s.PurgeTombstones(ctx, "ws1", time.Now().Add(time.Hour))
	if err != nil || h != top {
		t.Fatalf("horizon %d, %v; want %d", h, err, top)
	}
	if es, _ := s.LogEntries(ctx, "ws1", 0, top, 100); len(es) != 0 {
		t.Fatalf("%d entries left below the horizon", len(es))
	}
	var tombs, live int
	if err := s.Reader().QueryRow(`SELECT count(*) FILTER (WHERE deleted = 1), count(*) FILTER (WHERE deleted = 0) FROM notes`).Scan(&tombs, &live); err != nil {
		t.Fatal(err)
	}
	if tombs != 0 || live != 5 {
		t.Fatalf("%d tombstones and %d live notes after the purge, want 0 and 5", tombs, live)
	}
	if again, err := s.PurgeTombstones(ctx, "ws1", time.Now().Add(time.Hour)); err != nil || again != top {
		t.Fatalf("purge again: %d, %v", again, err)
	}
}

// TestPurgeStoppedBetweenSteps: a purge stopped between two of its steps
// (its context ended, or the process died) leaves a consistent state:
// the horizon at the last committed step, no entry at or below it, every
// entry above it; the next purge finishes the work.
func TestPurgeStoppedBetweenSteps(t *testing.T) {
	defer func(old int64, hook func()) { purgeStep, purgeStepped = old, hook }(purgeStep, purgeStepped)
	purgeStep = 4
	s := openT(t, t.TempDir())
	ctx := context.Background()
	for i := range 12 {
		n := &models.Note{ID: fmt.Sprintf("n%d", i), SubscriberID: "s1", AuthorID: "m1", Text: "x", Stamp: models.Stamp{WS: "ws1"}}
		if err := s.CreateNote(ctx, "ws1", n); err != nil {
			t.Fatal(err)
		}
	}
	top, _ := s.HighWater(ctx, "ws1")
	stopped, stop := context.WithCancel(ctx)
	purgeStepped = stop // the first step commits, the second never starts
	if _, err := s.PurgeTombstones(stopped, "ws1", time.Now().Add(time.Hour)); err == nil {
		t.Fatal("a purge whose context ended after one step finished")
	}
	purgeStepped = nil
	h, _ := s.Horizon(ctx, "ws1")
	if h != purgeStep {
		t.Fatalf("horizon %d after one step, want %d", h, purgeStep)
	}
	if below, _ := s.LogEntries(ctx, "ws1", 0, h, 100); len(below) != 0 {
		t.Fatalf("%d entries left at or below the horizon", len(below))
	}
	if above, _ := s.LogEntries(ctx, "ws1", h, top, 100); int64(len(above)) != top-h {
		t.Fatalf("%d entries above the horizon, want %d", len(above), top-h)
	}
	if h, err := s.PurgeTombstones(ctx, "ws1", time.Now().Add(time.Hour)); err != nil || h != top {
		t.Fatalf("the next purge: horizon %d, %v; want %d", h, err, top)
	}
}
