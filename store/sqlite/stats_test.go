package sqlite

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// TestStatsWritesStampAndLogTheirBuckets: every write of a day bucket
// takes a sequence and logs the bucket as the apps sync it, its first
// write as its creation; a backdated change of subscribers logs every
// later bucket it changes; the totals, the server's, are never logged.
func TestStatsWritesStampAndLogTheirBuckets(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC)
	s, err := Open(context.Background(), t.TempDir(), Options{Now: func() time.Time { return now }, Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	add := func(at time.Time, d models.StatsDelta) {
		t.Helper()
		if err := s.AddBotStats(ctx, "ws1", "b1", at, d); err != nil {
			t.Fatal(err)
		}
	}
	add(now, models.StatsDelta{Received: 1, NewSubscribers: 1, Subscribers: 1})      // 1: today created
	add(now, models.StatsDelta{Sent: 1})                                             // 2: today updated
	add(now.AddDate(0, 0, -2), models.StatsDelta{NewSubscribers: 1, Subscribers: 1}) // 3: 03-03 created, 4: today +1
	entries, err := s.LogEntries(ctx, "ws1", 0, 100, 100)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		id      string
		created bool
		total   int64
	}
	wants := []want{{"ws1:b1:2026-03-05", true, 1}, {"ws1:b1:2026-03-05", false, 1}, {"ws1:b1:2026-03-03", true, 1}, {"ws1:b1:2026-03-05", false, 2}}
	if len(entries) != len(wants) {
		t.Fatalf("log %+v, want %d entries", entries, len(wants))
	}
	for i, e := range entries {
		var b models.BotStatsBucket
		if err := json.Unmarshal(e.Record, &b); err != nil {
			t.Fatal(err)
		}
		w := wants[i]
		if e.Seq != int64(i+1) || e.Table != models.TableBotStats || e.ID != w.id || e.Created != w.created || b.ID != w.id ||
			b.Seq != e.Seq || b.TotalSubscribers != w.total || b.BotID != "b1" {
			t.Errorf("entry %d: %+v record %+v; want %+v", i, e, b, w)
		}
	}
	var dirty int
	if err := s.Reader().QueryRow(`SELECT count(*) FROM bot_stats WHERE dirty = 1`).Scan(&dirty); err != nil || dirty != 0 {
		t.Fatalf("%d dirty buckets (%v), want none: every write stamps its bucket", dirty, err)
	}
	// A once-key already counted takes no sequence.
	for range 2 {
		if err := s.AddBotStatsOnce(ctx, "ws1", "b1", now, models.StatsDelta{Sent: 1}, "k"); err != nil {
			t.Fatal(err)
		}
	}
	if hw, _ := s.HighWater(ctx, "ws1"); hw != 5 {
		t.Fatalf("high-water %d after a key counted twice, want 5", hw)
	}
}
