package benchseed_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/switchboardhq/switchboard/internal/benchseed"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/sqlite"
)

// TestFill seeds a small store and checks the data through the store's
// own reads: the counts by tab, the known chat's history and search,
// and the change log's high-water mark.
func TestFill(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &benchseed.Clock{}
	s, err := sqlite.Open(ctx, t.TempDir(), sqlite.Options{Synchronous: "NORMAL", Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cfg := benchseed.Config{Chats: 60, Messages: 4, BatchSize: 50, Batch: s.Batch, Clock: clock}
	seed, err := benchseed.Fill(ctx, s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if seed.Open+seed.Closed+seed.Idle != 60 || seed.Open == 0 || seed.Closed == 0 || seed.Idle == 0 || seed.Unread == 0 || seed.Mine == 0 {
		t.Fatalf("spread %+v", seed)
	}
	tallies, err := s.ConversationTallies(ctx, seed.Workspace, models.ConversationFilter{Statuses: []models.ConversationStatus{models.StatusOpen}})
	var open int64
	for _, tl := range tallies {
		open += tl.Chats()
	}
	if err != nil || open != int64(seed.Open) {
		t.Fatalf("open chats by their tallies %d, %v; want %d", open, err, seed.Open)
	}
	hist, err := s.Messages(ctx, seed.Workspace, models.MessageFilter{ConversationID: seed.Chat, Limit: 100})
	if err != nil || len(hist) != 4 || len(seed.History) != 4 || hist[0].ID != seed.History[0] {
		t.Fatalf("history %d, %v; want %v", len(hist), err, seed.History)
	}
	found, err := s.Messages(ctx, seed.Workspace, models.MessageFilter{ConversationID: seed.Chat, Query: seed.SearchTerm, Limit: 100})
	if err != nil || len(found) != seed.SearchHits || seed.SearchHits == 0 {
		t.Fatalf("search %q: %d, %v; want %d", seed.SearchTerm, len(found), err, seed.SearchHits)
	}
	// One sequence per write: members, bots, and per chat a subscriber,
	// a chat, its messages and its update.
	if want := int64(1 + 6 + 3 + 60*(4+3)); seed.HighWater != want || seed.Writes != want {
		t.Fatalf("high water %d, writes %d; want %d", seed.HighWater, seed.Writes, want)
	}
	c, err := s.Conversation(ctx, seed.Workspace, seed.Chat)
	if err != nil || c.AssigneeID != seed.Admin || c.Status != models.StatusOpen || !c.Unread || c.LastMessagePreview == "" {
		t.Fatalf("known chat %+v, %v", c, err)
	}
}

// TestOpenSQLiteCached opens two copies of one cached seed: the second
// is not seeded again, and each copy is a store of its own.
func TestOpenSQLiteCached(t *testing.T) {
	t.Parallel()
	cfg := benchseed.Config{Chats: 12, Messages: 2}
	a, seedA := benchseed.OpenSQLite(t, cfg, sqlite.Options{Synchronous: "NORMAL"})
	b, seedB := benchseed.OpenSQLite(t, cfg, sqlite.Options{Synchronous: "NORMAL"})
	if seedA.Workspace != seedB.Workspace || seedA.Chat != seedB.Chat {
		t.Fatalf("seeded twice: %s, %s", seedA.Workspace, seedB.Workspace)
	}
	if a.Path() == b.Path() {
		t.Fatal("one file for both")
	}
	ctx := context.Background()
	for _, s := range []benchseed.Store{a, b} {
		if c, err := s.Conversation(ctx, seedA.Workspace, seedA.Chat); err != nil || c.Status != models.StatusOpen {
			t.Fatalf("%s: %+v, %v", s.Path(), c, err)
		}
	}
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkPrepare seeds the cache for SWITCHBOARD_BENCH_SEED chats (10
// messages each; 10,000 by default) ahead of a benchmark run, and logs
// how long the seeding took (once; a cached seed is reused):
//
//	SWITCHBOARD_BENCH_SEED=100000 go test -run '^$' -bench Prepare -benchtime 1x -v -timeout 60m ./internal/benchseed/
func BenchmarkPrepare(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("SWITCHBOARD_BENCH_SEED"))
	if n <= 0 {
		n = 10000
	}
	_, seed := benchseed.SQLiteDir(b, benchseed.Config{Chats: n})
	b.Logf("%+v", *seed)
}
