package conformance

import (
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// onceGrace is how long both stores honour a released once-key (their
// OnceGrace): past it, the counters' next change forgets the key.
const onceGrace = 10 * time.Minute

// advance moves the clock on by d.
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// RunStats checks models.StatsStore.
func RunStats(t *testing.T, open Open) { runStats(t, newFixture(t, open)) }

func runStats(t *testing.T, f *fixture) {
	s := f.s
	totals := func(t *testing.T, ws, bot string) string {
		t.Helper()
		tot, err := s.BotTotals(ctx, ws, bot)
		ok(t, err, "totals")
		return sprint(*tot)
	}
	days := func(t *testing.T, ws, bot, from, to string) string {
		t.Helper()
		list, err := s.BotDays(ctx, ws, bot, from, to)
		ok(t, err, "days")
		if list == nil {
			t.Fatalf("days %s..%s: nil, want a list", from, to)
		}
		var out []models.BotDayStats
		for _, d := range list {
			out = append(out, *d)
		}
		return sprint(out)
	}

	t.Run("totals and days", func(t *testing.T) {
		w := ws()
		if got := totals(t, w, "b1"); got != "{0 0 0}" {
			t.Fatalf("totals of a bot with none %s, want zero", got)
		}
		now := f.clock.Now()
		today, yesterday := now.Format(time.DateOnly), now.AddDate(0, 0, -1).Format(time.DateOnly)
		before := now.AddDate(0, 0, -3).Format(time.DateOnly)
		ok(t, s.AddBotStats(ctx, w, "b1", now, models.StatsDelta{Sent: 2, Received: 1, NewSubscribers: 1, Subscribers: 1}), "today")
		ok(t, s.AddBotStats(ctx, w, "b1", now, models.StatsDelta{Received: 3}), "today again")
		ok(t, s.AddBotStats(ctx, w, "b1", now.AddDate(0, 0, -1), models.StatsDelta{Sent: 1}), "yesterday")
		ok(t, s.AddBotStats(ctx, w, "b2", now, models.StatsDelta{Sent: 9}), "another bot")
		ok(t, s.AddBotStats(ctx, ws(), "b1", now, models.StatsDelta{Sent: 9}), "another workspace")
		if got := totals(t, w, "b1"); got != "{3 4 1}" {
			t.Fatalf("totals %s, want sent 3, received 4, subscribers 1", got)
		}
		want := "[{" + yesterday + " 1 0 0} {" + today + " 2 4 1}]"
		if got := days(t, w, "b1", before, today); got != want {
			t.Fatalf("days %s, want %s", got, want)
		}
		// Both ends are inclusive; days outside the range are left out.
		for _, r := range []struct{ from, to, want string }{
			{yesterday, yesterday, "[{" + yesterday + " 1 0 0}]"},
			{today, today, "[{" + today + " 2 4 1}]"},
			{before, before, "[]"},
			{today, yesterday, "[]"},
		} {
			if got := days(t, w, "b1", r.from, r.to); got != r.want {
				t.Fatalf("days %s..%s: %s, want %s", r.from, r.to, got, r.want)
			}
		}
		if got := days(t, ws(), "b1", before, today); got != "[]" {
			t.Fatalf("another workspace's days %s", got)
		}
	})

	t.Run("once per key", func(t *testing.T) {
		w := ws()
		now := f.clock.Now()
		add := func(key string) {
			t.Helper()
			ok(t, s.AddBotStatsOnce(ctx, w, "b1", now, models.StatsDelta{Received: 1, Subscribers: 1}, key), "add "+key)
		}
		received := func() int64 {
			t.Helper()
			tot, err := s.BotTotals(ctx, w, "b1")
			ok(t, err, "totals")
			return tot.Received
		}
		add("k1")
		add("k1")
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.AddBotStatsOnce(ctx, w, "b1", now, models.StatsDelta{Received: 1, Subscribers: 1}, "k2"); err != nil {
					t.Errorf("concurrent add: %v", err)
				}
			}()
		}
		wg.Wait()
		if got := totals(t, w, "b1"); got != "{0 2 2}" {
			t.Fatalf("totals %s after k1 twice and k2 four times at once, want 2 received, 2 subscribers", got)
		}
		if got, want := days(t, w, "b1", now.Format(time.DateOnly), now.Format(time.DateOnly)), "[{"+now.Format(time.DateOnly)+" 0 2 0}]"; got != want {
			t.Fatalf("day %s, want %s", got, want)
		}
		// A key released is still honoured for a while, by every change.
		s.ReleaseBotStatsKey(w, "b1", now, "k1")
		add("k3")
		add("k1")
		f.clock.advance(onceGrace - time.Second)
		add("k1")
		if n := received(); n != 3 {
			t.Fatalf("received %d within the while after k1's release, want 3 (k1, k2, k3)", n)
		}
		// Past it, the next change forgets the key, which then counts anew.
		f.clock.advance(time.Second)
		add("k4")
		add("k1")
		if n := received(); n != 5 {
			t.Fatalf("received %d after k1 was forgotten, want 5", n)
		}
		// Keys are the bot's own: another bot counts the same key.
		ok(t, s.AddBotStatsOnce(ctx, w, "b2", now, models.StatsDelta{Received: 1}, "k2"), "another bot")
		if got := totals(t, w, "b2"); got != "{0 1 0}" {
			t.Fatalf("another bot's totals %s", got)
		}
	})
}
