package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store"
	"github.com/switchboardhq/switchboard/store/storetest"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// holdFirstWriter opens a store whose first writer in workspace ws stops
// between reserving its sequence and writing, until release is called.
func holdFirstWriter(t *testing.T, ws string, clk *storetest.Clock) (db *store.DB, reserved <-chan int64, release func()) {
	hold := make(chan struct{})
	got := make(chan int64, 1)
	var once sync.Once
	opt := storetest.Options(t)
	opt.Now = clk.Now
	opt.SeqLease = 5 * time.Second
	opt.SeqSkew = time.Second
	opt.AfterReserve = func(w string, seq int64) {
		if w != ws {
			return
		}
		first := false
		once.Do(func() { first = true })
		if first {
			got <- seq
			<-hold
		}
	}
	var closeOnce sync.Once
	release = func() { closeOnce.Do(func() { close(hold) }) }
	t.Cleanup(release)
	return storetest.NewWith(t, opt), got, release
}

func safeSeq(t *testing.T, db *store.DB, ws string) int64 {
	t.Helper()
	s, err := db.SafeSeq(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSafeSeqWaitsForHeldWriter holds one writer between its reservation and
// its write while others commit: the high-water mark stays below the held
// sequence until that write lands, so a reader never skips it.
func TestSafeSeqWaitsForHeldWriter(t *testing.T) {
	clk := storetest.NewClock(time.Now())
	db, reserved, release := holdFirstWriter(t, "w", clk)
	done := make(chan error, 1)
	go func() { done <- db.CreateMember(ctx, newMember("w", "held@example.com")) }()
	held := <-reserved

	var later []*models.Member
	for i := 0; i < 3; i++ {
		m := newMember("w", models.NewID()+"@example.com")
		if err := db.CreateMember(ctx, m); err != nil {
			t.Fatal(err)
		}
		later = append(later, m)
	}
	if later[0].Seq <= held {
		t.Fatalf("later write got seq %d, not above the held %d", later[0].Seq, held)
	}
	if got := safeSeq(t, db, "w"); got != held-1 {
		t.Fatalf("safe seq %d while %d is in flight, want %d", got, held, held-1)
	}
	if got := safeSeq(t, db, "other"); got != 0 {
		t.Fatalf("untouched workspace safe seq %d", got)
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got, top := safeSeq(t, db, "w"), later[2].Seq; got != top {
		t.Fatalf("safe seq %d after the held write landed, want %d", got, top)
	}
}

// TestSafeSeqLeaseExpires shows a writer that dies after reserving holds
// readers back only until its lease and the skew margin end.
func TestSafeSeqLeaseExpires(t *testing.T) {
	clk := storetest.NewClock(time.Now())
	db, reserved, _ := holdFirstWriter(t, "w", clk)
	go func() { _ = db.CreateMember(ctx, newMember("w", "dies@example.com")) }()
	held := <-reserved // never released while the test reads: it "died"
	m := newMember("w", "lives@example.com")
	if err := db.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	if got := safeSeq(t, db, "w"); got != held-1 {
		t.Fatalf("safe seq %d, want %d", got, held-1)
	}
	clk.Advance(6*time.Second - time.Millisecond)
	if got := safeSeq(t, db, "w"); got != held-1 {
		t.Fatalf("safe seq %d before lease and margin ended, want %d", got, held-1)
	}
	clk.Advance(time.Millisecond)
	if got := safeSeq(t, db, "w"); got != m.Seq {
		t.Fatalf("safe seq %d after the lease ended, want %d", got, m.Seq)
	}
}

// TestSequencesSurviveRestart: a new process continues above every
// sequence handed out before, never reusing one.
func TestSequencesSurviveRestart(t *testing.T) {
	opt := storetest.Options(t)
	db1 := storetest.NewWith(t, opt)
	m := newMember("w", "a@example.com")
	if err := db1.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	db2, err := store.Open(ctx, opt) // same database, fresh process state
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close(ctx)
	n := newMember("w", "b@example.com")
	if err := db2.CreateMember(ctx, n); err != nil {
		t.Fatal(err)
	}
	if n.Seq <= m.Seq {
		t.Fatalf("seq %d after restart, not above %d", n.Seq, m.Seq)
	}
	// Both "instances" writing at once still never share a sequence.
	var wg sync.WaitGroup
	seqs := make(chan int64, 40)
	for _, db := range []*store.DB{db1, db2} {
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func(db *store.DB) {
				defer wg.Done()
				x := newMember("w", models.NewID()+"@example.com")
				if err := db.CreateMember(ctx, x); err != nil {
					t.Error(err)
					return
				}
				seqs <- x.Seq
			}(db)
		}
	}
	wg.Wait()
	close(seqs)
	seen := map[int64]bool{}
	for s := range seqs {
		if seen[s] {
			t.Fatalf("two instances both used seq %d", s)
		}
		seen[s] = true
	}
}

// TestConcurrentUpdatesKeepEveryField: two writers changing different
// fields of one member at once both land.
func TestConcurrentUpdatesKeepEveryField(t *testing.T) {
	db := storetest.New(t)
	m := newMember("w", "a@example.com")
	if err := db.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			name := models.NewID()
			if _, err := db.UpdateMember(ctx, "w", m.ID, models.MemberUpdate{Name: &name}); err != nil {
				t.Error(err)
			}
		}
	}()
	go func() {
		defer wg.Done()
		time.Sleep(time.Millisecond)
		role := models.RoleAdmin
		if _, err := db.UpdateMember(ctx, "w", m.ID, models.MemberUpdate{Role: &role}); err != nil {
			t.Error(err)
		}
	}()
	wg.Wait()
	got, err := db.Member(ctx, "w", m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Role != models.RoleAdmin {
		t.Fatalf("role update lost under concurrent name updates: %s", got.Role)
	}
	if got.Seq != 22 {
		t.Fatalf("seq %d after 1 insert and 21 updates, want 22", got.Seq)
	}
}

// TestExpiredReservationDoesNotWrite: a writer that outlived its lease
// (readers may have passed its sequence) gives up instead of landing late.
func TestExpiredReservationDoesNotWrite(t *testing.T) {
	clk := storetest.NewClock(time.Now())
	db, reserved, release := holdFirstWriter(t, "w", clk)
	m := newMember("w", "late@example.com")
	done := make(chan error, 1)
	go func() { done <- db.CreateMember(ctx, m) }()
	held := <-reserved
	clk.Advance(6 * time.Second)
	if got := safeSeq(t, db, "w"); got != held {
		t.Fatalf("safe seq %d after the lease ended, want %d", got, held)
	}
	release()
	if err := <-done; err == nil {
		t.Fatal("a write landed after its lease ended")
	}
	if ms, err := db.MembersByEmail(ctx, "late@example.com"); err != nil || len(ms) != 0 {
		t.Fatalf("late write is visible: %v %v", ms, err)
	}
}

// TestSafeSeqPlugsHoles: a sequence whose reservation never landed while a
// higher one did (a failed insert) does not stall readers forever; the
// reader plugs it, so a late insert for it fails and moves above.
func TestSafeSeqPlugsHoles(t *testing.T) {
	clk := storetest.NewClock(time.Now())
	opt := storetest.Options(t)
	opt.Now = clk.Now
	db := storetest.NewWith(t, opt)
	m := newMember("w", "a@example.com")
	if err := db.CreateMember(ctx, m); err != nil { // seq 1
		t.Fatal(err)
	}
	// Seq 3 is reserved by "another instance"; seq 2 is a hole.
	client, err := mongo.Connect(options.Client().ApplyURI(opt.URI))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	past := clk.Now().Add(-time.Minute).UTC()
	if _, err := client.Database(opt.Database).Collection("seq_reservations").InsertOne(ctx, bson.D{
		{Key: "_id", Value: "w:3"}, {Key: "ws", Value: "w"}, {Key: "seq", Value: int64(3)},
		{Key: "reserved_at", Value: clk.Now().UTC()}, {Key: "lease_until", Value: past}}); err != nil {
		t.Fatal(err)
	}
	if got := safeSeq(t, db, "w"); got != 1 {
		t.Fatalf("safe seq %d while the hole is young, want 1", got)
	}
	clk.Advance(time.Second)
	if got := safeSeq(t, db, "w"); got != 3 {
		t.Fatalf("safe seq %d after plugging the hole, want 3", got)
	}
	// This process's counter still points at 2: its write must move above.
	n := newMember("w", "b@example.com")
	if err := db.CreateMember(ctx, n); err != nil {
		t.Fatal(err)
	}
	if n.Seq != 4 {
		t.Fatalf("write after the plug got seq %d, want 4", n.Seq)
	}
	if got := safeSeq(t, db, "w"); got != 4 {
		t.Fatalf("safe seq %d, want 4", got)
	}
}

// TestChangeLog: each finished write names its table and document in
// seq_done, in sequence order, so a reader can list changes in one query.
func TestChangeLog(t *testing.T) {
	opt := storetest.Options(t)
	db := storetest.NewWith(t, opt)
	m := newMember("w", "a@example.com")
	if err := db.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	name := "B"
	if _, err := db.UpdateMember(ctx, "w", m.ID, models.MemberUpdate{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if err := db.SoftDelete(ctx, "members", "w", m.ID); err != nil {
		t.Fatal(err)
	}
	client, err := mongo.Connect(options.Client().ApplyURI(opt.URI))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	cur, err := client.Database(opt.Database).Collection("seq_done").Find(ctx, bson.D{{Key: "ws", Value: "w"}},
		options.Find().SetSort(bson.D{{Key: "seq", Value: 1}}))
	if err != nil {
		t.Fatal(err)
	}
	var log []struct {
		Seq   int64  `bson:"seq"`
		Table string `bson:"table"`
		Doc   string `bson:"doc"`
	}
	if err := cur.All(ctx, &log); err != nil {
		t.Fatal(err)
	}
	if len(log) != 3 {
		t.Fatalf("change log %+v", log)
	}
	for i, e := range log {
		if e.Seq != int64(i+1) || e.Table != "members" || e.Doc != m.ID {
			t.Fatalf("entry %d: %+v", i, e)
		}
	}
}
