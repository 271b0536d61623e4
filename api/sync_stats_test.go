package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store"
	"github.com/switchboardhq/switchboard/store/storetest"
	syncsvc "github.com/switchboardhq/switchboard/sync"
)

// statsRow returns the device's bucket of bot on day.
func statsRow(t *testing.T, r *replica, botID, day string) map[string]any {
	t.Helper()
	for _, row := range r.tables[models.TableBotStats] {
		if row["bot_id"] == botID && row["day"] == day {
			return row
		}
	}
	t.Fatalf("no bot_stats row for %s on %s: %v", botID, day, r.tables[models.TableBotStats])
	return nil
}

func wantCount(t *testing.T, row map[string]any, col string, want float64) {
	t.Helper()
	if got, _ := row[col].(float64); got != want {
		t.Fatalf("bot_stats %s = %v, want %v (%v)", col, row[col], want, row)
	}
}

func TestSyncStatsStampedPerIntervalNotPerMessage(t *testing.T) {
	opt := storetest.Options(t)
	db := storetest.NewWith(t, opt)
	e := newSyncEnv(t, db, testSync)
	tm, b := e.shop()
	dev := newReplica()
	dev.sync(e, tm.admin.AccessToken, nil)
	runner := syncsvc.NewRunner(db, testSync, nil, nil)

	for i := 0; i < 5; i++ {
		e.event(tm.key, b.ID, say("ev-"+string(rune('a'+i)), "s"+string(rune('a'+i%2)), "hi"))
	}
	// Counting marks the bucket dirty without a sequence of its own: no
	// bot_stats change is visible until the stamp.
	a := e.pull(tm.admin.AccessToken, dev.last, nil)
	if n := len(a.Changes[models.TableBotStats].Created) + len(a.Changes[models.TableBotStats].Updated); n != 0 {
		t.Fatalf("%d bot_stats changes before the stamp", n)
	}
	dev.apply(a)
	if n := runner.StampStats(context.Background()); n != 1 {
		t.Fatalf("stamped %d buckets, want the one of today", n)
	}
	a = e.pull(tm.admin.AccessToken, dev.last, nil)
	if n := len(a.Changes[models.TableBotStats].Created) + len(a.Changes[models.TableBotStats].Updated); n != 1 {
		t.Fatalf("%d bot_stats changes after five messages and one stamp, want 1", n)
	}
	dev.apply(a)
	day := e.inboxClock.Now().UTC().Format("2006-01-02")
	row := statsRow(t, dev, b.ID, day)
	wantCount(t, row, "received", 5)
	wantCount(t, row, "new_subscribers", 2)
	wantCount(t, row, "total_subscribers", 2)
	if n := runner.StampStats(context.Background()); n != 0 {
		t.Fatalf("a second stamp with nothing new stamped %d", n)
	}

	// An agent reply counts as sent; a restarted process (a new store on the
	// same database) finds the dirty bucket and publishes exact counts.
	r := e.call("POST", "/v1/conversations/"+models.ConversationID(models.SubscriberID(tm.admin.Workspace.ID, b.ID, "sa"))+"/messages",
		tm.emp1.AccessToken, map[string]string{"text": "hello"})
	wantStatus(t, r, http.StatusCreated)
	restarted, err := store.Open(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	defer restarted.Close(context.Background())
	if n := syncsvc.NewRunner(restarted, testSync, nil, nil).StampStats(context.Background()); n != 1 {
		t.Fatalf("the restarted process stamped %d buckets, want 1", n)
	}
	dev.sync(e, tm.admin.AccessToken, nil)
	row = statsRow(t, dev, b.ID, day)
	wantCount(t, row, "sent", 1)
	wantCount(t, row, "received", 5)
	// The REST statistics agree with the synced bucket.
	var st struct {
		Days []models.BotDayStats `json:"days"`
	}
	e.call("GET", "/v1/bots/"+b.ID+"/stats", tm.admin.AccessToken, nil).JSON(t, &st)
	if len(st.Days) != 1 || st.Days[0].Sent != 1 || st.Days[0].Received != 5 {
		t.Fatalf("REST statistics: %+v", st.Days)
	}
}

func TestSyncRunnerStampsOnItsInterval(t *testing.T) {
	db := storetest.New(t)
	e := newSyncEnv(t, db, testSync)
	tm, b := e.shop()
	dev := newReplica()
	dev.sync(e, tm.admin.AccessToken, nil)
	cfg := testSync
	cfg.StatsInterval = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); syncsvc.NewRunner(db, cfg, nil, nil).Run(ctx) }()
	defer func() { cancel(); <-done }()
	e.event(tm.key, b.ID, say("ev-1", "s1", "hi"))
	// Waiting pulls return as the runner's stamps land (one event counts
	// its new subscriber and its message apart, so a stamp may fall
	// between them): the device ends with the exact counts.
	day := e.inboxClock.Now().UTC().Format("2006-01-02")
	received := func() float64 {
		for _, row := range dev.tables[models.TableBotStats] {
			if row["bot_id"] == b.ID && row["day"] == day {
				n, _ := row["received"].(float64)
				return n
			}
		}
		return 0
	}
	for i := 0; i < 50 && received() != 1; i++ {
		dev.apply(e.pull(tm.admin.AccessToken, dev.last, map[string][]string{"wait": {"5"}}))
	}
	wantCount(t, statsRow(t, dev, b.ID, day), "received", 1)
	wantCount(t, statsRow(t, dev, b.ID, day), "new_subscribers", 1)
}

// A first sync sends no bucket that was never stamped (it has no
// sequence); a bucket's first stamp reaches a device as created; a
// backdated event's bucket counts the subscribers of its own day, not
// today's, and the later days count its new subscriber too.
func TestSyncStatsBucketsUnstampedBackdatedAndCreated(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	e := newSyncEnv(t, db, testSync)
	tm, b := e.shop()
	runner := syncsvc.NewRunner(db, testSync, nil, nil)
	today := e.inboxClock.Now().UTC()
	e.event(tm.key, b.ID, say("ev-1", "s1", "hi"))
	e.event(tm.key, b.ID, say("ev-2", "s2", "hi"))
	dev := newReplica()
	dev.sync(e, tm.admin.AccessToken, nil)
	for _, row := range dev.tables[models.TableBotStats] {
		t.Fatalf("a first sync sent an unstamped bucket: %v", row)
	}
	runner.StampStats(context.Background())
	dev.sync(e, tm.admin.AccessToken, nil) // fails if the bucket came as an update
	wantCount(t, statsRow(t, dev, b.ID, today.Format("2006-01-02")), "total_subscribers", 2)

	// Two days ago, a third subscriber wrote.
	ev := say("ev-3", "s3", "old")
	ev["at"] = today.Add(-48 * time.Hour).Format(time.RFC3339)
	e.event(tm.key, b.ID, ev)
	runner.StampStats(context.Background())
	dev.sync(e, tm.admin.AccessToken, nil)
	wantCount(t, statsRow(t, dev, b.ID, today.Add(-48*time.Hour).Format("2006-01-02")), "total_subscribers", 1)
	wantCount(t, statsRow(t, dev, b.ID, today.Format("2006-01-02")), "total_subscribers", 3)
}
