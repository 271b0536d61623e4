package api_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store"
	"github.com/switchboardhq/switchboard/store/storetest"
	syncsvc "github.com/switchboardhq/switchboard/sync"
)

// waitingPull starts a pull with wait=30 and returns its answer channel
// once the hub counts it as waiting.
func (e *env) waitingPull(token string, last int64) <-chan pullAnswer {
	e.t.Helper()
	ch := make(chan pullAnswer, 1)
	before, _ := e.hub.Waiting()
	go func() {
		ch <- e.pull(token, last, url.Values{"wait": {"30"}})
	}()
	for i := 0; ; i++ {
		if n, _ := e.hub.Waiting(); n > before {
			return ch
		}
		if i > 10000 {
			e.t.Fatal("the pull never started waiting")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestSyncWaitWakesOnWriteOfThisInstance(t *testing.T) {
	e := newEnv(t)
	tm, b := e.shop()
	dev := newReplica()
	dev.sync(e, tm.emp1.AccessToken, nil)
	ch := e.waitingPull(tm.emp1.AccessToken, dev.last)
	res := e.event(tm.key, b.ID, say("ev-1", "s1", "hello"))
	// The pull answers with the first of the event's writes to land; the
	// rest follow on the next pull.
	a := <-ch
	if len(a.Changes[models.TableSubscribers].Created)+len(a.Changes[models.TableMessages].Created) == 0 {
		t.Fatalf("the woken pull answered without the event's records: %+v", a.Changes)
	}
	dev.apply(a)
	dev.sync(e, tm.emp1.AccessToken, nil)
	if _, ok := dev.tables[models.TableMessages][res.MessageID]; !ok {
		t.Fatal("the message did not reach the device")
	}
	if p, w := e.hub.Waiting(); p != 0 || w != 0 {
		t.Fatalf("after the answer %d pulls and %d watchers remain", p, w)
	}
}

func TestSyncWaitSeesWriteOfAnotherInstance(t *testing.T) {
	opt := storetest.Options(t)
	db := storetest.NewWith(t, opt)
	e := newSyncEnv(t, db, testSync)
	tm := e.team()
	other, err := store.Open(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(context.Background())
	dev := newReplica()
	dev.sync(e, tm.emp1.AccessToken, nil)
	ch := e.waitingPull(tm.emp1.AccessToken, dev.last)
	// The other instance's write does not notify this one's hub: only the poll finds it.
	m := &models.Member{ID: models.NewID(), Email: "late@example.com", Name: "Late", Role: models.RoleEmployee, Status: models.MemberActive}
	m.WS = tm.admin.Workspace.ID
	if err := other.CreateMember(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	a := <-ch
	if len(a.Changes[models.TableMembers].Created) != 1 || a.Changes[models.TableMembers].Created[0]["id"] != m.ID {
		t.Fatalf("the woken pull lacks the other instance's write: %+v", a.Changes[models.TableMembers])
	}
}

func TestSyncWaitSharesOneWatcherAndEndsEmptyAtItsDeadline(t *testing.T) {
	t.Parallel() // independent and long: overlaps the rest of the package
	e := newEnv(t)
	tm := e.team()
	dev := newReplica()
	dev.sync(e, tm.emp1.AccessToken, nil)
	chans := []<-chan pullAnswer{}
	for i := 0; i < 20; i++ {
		chans = append(chans, e.waitingPull(tm.emp1.AccessToken, dev.last))
	}
	if p, w := e.hub.Waiting(); p != 20 || w != 1 {
		t.Fatalf("%d waiting pulls on %d watchers, want 20 on 1", p, w)
	}
	e.member(tm.admin.AccessToken, "new@example.com", models.RoleEmployee)
	for _, ch := range chans {
		if a := <-ch; len(a.Changes[models.TableMembers].Created)+len(a.Changes[models.TableMembers].Updated) == 0 {
			t.Fatal("a waiting pull answered without the change")
		}
	}
	// Nothing happening: the pull answers empty when its wait ends.
	dev.sync(e, tm.emp1.AccessToken, nil)
	a := e.pull(tm.emp1.AccessToken, dev.last, url.Values{"wait": {"1"}})
	for tab, c := range a.Changes {
		if len(c.Created)+len(c.Updated)+len(c.Deleted) > 0 {
			t.Fatalf("an idle wait answered with %s changes", tab)
		}
	}
	if a.Timestamp != dev.last {
		t.Fatalf("idle wait moved the timestamp from %d to %d", dev.last, a.Timestamp)
	}
}

func TestSyncWaitEndsOnShutdown(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	dev := newReplica()
	dev.sync(e, tm.emp1.AccessToken, nil)
	ch := e.waitingPull(tm.emp1.AccessToken, dev.last)
	e.hub.Close()
	if a := <-ch; a.Timestamp != dev.last {
		t.Fatalf("a pull ended by shutdown answered timestamp %d, want %d", a.Timestamp, dev.last)
	}
	// After shutdown a pull that would wait answers at once.
	e.pull(tm.emp1.AccessToken, dev.last, url.Values{"wait": {"30"}})
}

func TestSyncTombstonesPurgedThenReplacement(t *testing.T) {
	opt := storetest.Options(t)
	db := storetest.NewWith(t, opt)
	e := newSyncEnv(t, db, testSync)
	tm, b := e.shop()
	c := e.event(tm.key, b.ID, openChat("ev-1", "s1"))
	var note models.Note
	e.call("POST", "/v1/subscribers/"+c.SubscriberID+"/notes", tm.emp1.AccessToken, map[string]string{"text": "gone soon"}).JSON(t, &note)
	away := newReplica()
	away.sync(e, tm.emp1.AccessToken, nil) // this device then goes offline
	wantStatus(t, e.call("DELETE", "/v1/notes/"+note.ID, tm.emp1.AccessToken, nil), http.StatusNoContent)
	recent := newReplica()
	recent.sync(e, tm.emp1.AccessToken, nil)

	// Retention ends: everything written so far is past it.
	ctx := context.Background()
	cfg := testSync
	cfg.TombstoneRetention = time.Millisecond
	time.Sleep(5 * time.Millisecond)
	syncsvc.NewRunner(db, cfg, nil, nil).Purge(ctx)
	h, err := db.Horizon(ctx, tm.admin.Workspace.ID)
	if err != nil || h < seqOf(recent.last) || h == 0 {
		t.Fatalf("horizon %d (%v), want at least %d", h, err, recent.last)
	}
	if _, err := db.StampOf(ctx, models.TableNotes, tm.admin.Workspace.ID, note.ID); !models.IsNotFound(err) {
		t.Fatalf("the tombstone is still stored: %v", err)
	}
	// The device behind the horizon is sent everything, to replace its copy.
	a := e.pull(tm.emp1.AccessToken, away.last, nil)
	if a.Strategy != "replacement" || a.HasMore {
		t.Fatalf("behind the horizon: strategy %q has_more %v", a.Strategy, a.HasMore)
	}
	away.apply(a)
	wantIDs(t, "notes after the replacement", away.ids(models.TableNotes), nil)
	for _, tab := range models.SyncTables {
		wantIDs(t, "replaced "+tab, away.ids(tab), recent.ids(tab))
	}
	// A device at the horizon continues with deltas.
	if a := e.pull(tm.emp1.AccessToken, h<<tsShift, nil); a.Strategy != "" {
		t.Fatalf("at the horizon: strategy %q", a.Strategy)
	}
	// A restarted process continues above the horizon, and its mark is exact.
	restarted, err := store.Open(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer restarted.Close(ctx)
	if s, err := restarted.SafeSeq(ctx, tm.admin.Workspace.ID); err != nil || s < h {
		t.Fatalf("safe mark after restart %d (%v), below the horizon %d", s, err, h)
	}
	m := &models.Member{ID: models.NewID(), Email: "after@example.com", Name: "After", Role: models.RoleEmployee, Status: models.MemberActive}
	m.WS = tm.admin.Workspace.ID
	if err := restarted.CreateMember(ctx, m); err != nil || m.Seq <= h {
		t.Fatalf("write after the purge got seq %d (%v), not above %d", m.Seq, err, h)
	}
	recent.sync(e, tm.emp1.AccessToken, nil)
	if _, ok := recent.tables[models.TableMembers][m.ID]; !ok {
		t.Fatal("a write after the purge did not reach the device")
	}
}
