package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store"
	"github.com/switchboardhq/switchboard/store/storetest"
)

// TestBotStatsOnceCountsAKeyOnce: a key repeated (in turn and at once)
// counts once on the totals and on the day; a released key is forgotten
// by the documents' next change, and the key may then count again.
func TestBotStatsOnceCountsAKeyOnce(t *testing.T) {
	opt := storetest.Options(t)
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	clock := storetest.NewClock(at)
	opt.Now = clock.Now
	db := storetest.NewWith(t, opt)
	add := func(key string) {
		t.Helper()
		if err := db.AddBotStatsOnce(ctx, "ws1", "b1", at, models.StatsDelta{Received: 1, Subscribers: 1}, key); err != nil {
			t.Fatal(err)
		}
	}
	add("k1")
	add("k1")
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); add("k2") }()
	}
	wg.Wait()
	tot, err := db.BotTotals(ctx, "ws1", "b1")
	if err != nil || tot.Received != 2 || tot.Subscribers != 2 {
		t.Fatalf("totals %+v %v", tot, err)
	}
	days, err := db.BotDays(ctx, "ws1", "b1", "2026-03-01", "2026-03-01")
	if err != nil || len(days) != 1 || days[0].Received != 2 {
		t.Fatalf("days %+v %v", days, err)
	}
	// Released, k1 is forgotten with the documents' next change (k3) once
	// OnceGrace has passed.
	db.ReleaseBotStatsKey("ws1", "b1", at, "k1")
	db.ReleaseBotStatsKey("ws1", "b1", at, "k1") // twice is harmless
	add("k2")                                    // recorded: no change, nothing forgotten
	if tot, _ := db.BotTotals(ctx, "ws1", "b1"); tot.Received != 2 {
		t.Fatalf("totals after a repeat %+v", tot)
	}
	clock.Advance(store.OnceGrace)
	add("k3")
	add("k1")                                                        // forgotten: counts again
	if tot, _ := db.BotTotals(ctx, "ws1", "b1"); tot.Received != 4 { // k1, k2, k3, k1 again
		t.Fatalf("totals after a forgotten key %+v", tot)
	}
}

// TestBotStatsOnceKeepsAReleasedKeyForAWhile: a key released is still
// honoured for a while after its release, by every change of its
// counters: whoever read the operation as pending before it ended (a
// request or a recovery pass finishing it at the same time) may still
// repeat the key, and must not count it again. Past that while, the next
// change forgets it.
func TestBotStatsOnceKeepsAReleasedKeyForAWhile(t *testing.T) {
	opt := storetest.Options(t)
	clock := storetest.NewClock(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	opt.Now = clock.Now
	db := storetest.NewWith(t, opt)
	at := clock.Now()
	add := func(key string) {
		t.Helper()
		if err := db.AddBotStatsOnce(ctx, "ws1", "b1", at, models.StatsDelta{Received: 1}, key); err != nil {
			t.Fatal(err)
		}
	}
	received := func() int64 {
		t.Helper()
		tot, err := db.BotTotals(ctx, "ws1", "b1")
		if err != nil {
			t.Fatal(err)
		}
		return tot.Received
	}
	add("k1")
	db.ReleaseBotStatsKey("ws1", "b1", at, "k1")
	add("k2")                    // another operation changes the counters at once
	add("k1")                    // a late finisher of k1's operation
	if n := received(); n != 2 { // k1, k2
		t.Fatalf("received %d right after k1's release, want 2", n)
	}
	clock.Advance(store.OnceGrace - time.Second)
	add("k3")
	add("k1")
	if n := received(); n != 3 { // k1, k2, k3
		t.Fatalf("received %d just before the while ends, want 3", n)
	}
	clock.Advance(time.Second)
	add("k4") // forgets k1
	add("k1") // a new operation under an old key counts
	if n := received(); n != 5 {
		t.Fatalf("received %d after the while, want 5", n)
	}
}
