package conformance

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// RunJobs checks models.JobStore.
func RunJobs(t *testing.T, open Open) { runJobs(t, newFixture(t, open)) }

// jobList renders jobs as "id@offset#claims", offsets in milliseconds from base.
func jobList(jobs []models.Job, base time.Time) string {
	var b strings.Builder
	for i, j := range jobs {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(j.ID + "@" + j.DueAt.Sub(base).String() + "#" + strconv.Itoa(j.Claims))
	}
	return "[" + b.String() + "]"
}

func runJobs(t *testing.T, f *fixture) {
	s := f.s
	due := func(t *testing.T, kind string, now time.Time, limit int, base time.Time, want string) {
		t.Helper()
		got, err := s.DueJobs(ctx, kind, now, limit)
		ok(t, err, "due jobs")
		if got == nil || jobList(got, base) != want {
			t.Fatalf("due %s at %v: %s, want %s", kind, now.Sub(base), jobList(got, base), want)
		}
	}
	claim := func(t *testing.T, kind, id string, now, until time.Time, want int) {
		t.Helper()
		j, won, err := s.ClaimJob(ctx, kind, id, now, until)
		ok(t, err, "claim")
		switch {
		case want == 0 && won:
			t.Fatalf("claim of %s won (claim %d), want it held or gone", id, j.Claims)
		case want > 0 && (!won || j.Claims != want || j.Kind != kind || j.ID != id || j.WS == ""):
			t.Fatalf("claim of %s: %+v won %v, want claim %d", id, j, won, want)
		}
	}

	t.Run("queue, due order, limit, sooner only", func(t *testing.T) {
		w, k := ws(), "test-"+models.NewID()
		base := f.clock.Now()
		ms := time.Millisecond
		ok(t, s.QueueJob(ctx, k, "b", w, base.Add(2*ms)), "queue b")
		ok(t, s.QueueJob(ctx, k, "a", w, base.Add(2*ms)), "queue a")
		ok(t, s.QueueJob(ctx, k, "c", w, base.Add(ms)), "queue c")
		ok(t, s.QueueJob(ctx, k, "late", w, base.Add(time.Hour)), "queue late")
		ok(t, s.QueueJob(ctx, "other-"+k, "x", w, base), "another kind")
		due(t, k, base, 10, base, "[]")
		due(t, k, base.Add(2*ms), 10, base, "[c@1ms#0 a@2ms#0 b@2ms#0]")
		due(t, k, base.Add(2*ms), 2, base, "[c@1ms#0 a@2ms#0]")
		ok(t, s.QueueJob(ctx, k, "c", w, base.Add(time.Minute)), "queue c later")
		ok(t, s.QueueJob(ctx, k, "late", w, base.Add(3*ms)), "queue late sooner")
		due(t, k, base.Add(time.Minute), 10, base, "[c@1ms#0 a@2ms#0 b@2ms#0 late@3ms#0]")
		got, err := s.DueJobs(ctx, k, base.Add(ms), 10)
		ok(t, err, "due")
		if len(got) != 1 || got[0].WS != w || got[0].Kind != k {
			t.Fatalf("due %+v, want job c of workspace %s", got, w)
		}
	})

	t.Run("claim, lease expiry, release, finish", func(t *testing.T) {
		w, k := ws(), "test-"+models.NewID()
		base := f.clock.Now()
		ok(t, s.QueueJob(ctx, k, "a", w, base), "queue")
		claim(t, k, "a", base, base.Add(time.Minute), 1)
		claim(t, k, "a", base.Add(time.Second), base.Add(2*time.Minute), 0) // held
		claim(t, k, "gone", base, base.Add(time.Minute), 0)                 // never queued
		due(t, k, base.Add(time.Second), 10, base, "[]")                    // held: not due
		ok(t, s.QueueJob(ctx, k, "a", w, base), "queue the held job")       // keeps its lease
		claim(t, k, "a", base.Add(time.Second), base.Add(2*time.Minute), 0) // still held
		due(t, k, base.Add(time.Minute), 10, base, "[a@1m0s#1]")            // its holder died
		claim(t, k, "a", base.Add(time.Minute), base.Add(2*time.Minute), 2) // the lease ran out
		ok(t, s.ReleaseJob(ctx, k, "a", w, 1, base), "release of an overtaken claim")
		claim(t, k, "a", base.Add(time.Minute+time.Second), base.Add(3*time.Minute), 0) // claim 2 holds it still
		ok(t, s.FinishJob(ctx, k, "a", 1), "finish of an overtaken claim")
		ok(t, s.ReleaseJob(ctx, k, "a", w, 2, base.Add(90*time.Second)), "release")
		due(t, k, base.Add(time.Minute), 10, base, "[]")
		due(t, k, base.Add(90*time.Second), 10, base, "[a@1m30s#2]")
		claim(t, k, "a", base.Add(90*time.Second), base.Add(3*time.Minute), 3)
		ok(t, s.FinishJob(ctx, k, "a", 2), "finish under a later claim")
		due(t, k, base.Add(3*time.Minute), 10, base, "[a@3m0s#3]") // claim 3 keeps it
		ok(t, s.FinishJob(ctx, k, "a", 3), "finish")
		due(t, k, base.Add(time.Hour), 10, base, "[]")
		claim(t, k, "a", base.Add(time.Hour), base.Add(2*time.Hour), 0)
	})

	t.Run("one winner among concurrent claims", func(t *testing.T) {
		w, k := ws(), "test-"+models.NewID()
		base := f.clock.Now()
		ok(t, s.QueueJob(ctx, k, "a", w, base), "queue")
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, got, err := s.ClaimJob(ctx, k, "a", base, base.Add(time.Minute))
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Errorf("claim: %v", err)
				}
				if got {
					won++
				}
			}()
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("%d of 8 concurrent claims won, want 1", won)
		}
	})

	t.Run("queued with the caller's transaction", func(t *testing.T) {
		a, isAtomic := s.(models.Atomic)
		if !isAtomic {
			t.Skip("the store offers no transactions (models.Atomic)")
		}
		w, k := ws(), "test-"+models.NewID()
		base := f.clock.Now()
		b := bot(w, models.NewID(), "Support")
		ok(t, s.CreateBot(ctx, b), "create bot")
		fail := errors.New("the caller failed")
		err := a.Atomically(ctx, func(ctx context.Context) error {
			if _, err := s.UpdateBot(ctx, w, b.ID, models.BotUpdate{Name: ptr("Renamed")}); err != nil {
				return err
			}
			if err := s.QueueJob(ctx, k, b.ID, w, base); err != nil {
				return err
			}
			return fail
		})
		if !errors.Is(err, fail) {
			t.Fatalf("atomically: %v, want the caller's error", err)
		}
		due(t, k, base, 10, base, "[]")
		got, err := s.Bot(ctx, w, b.ID)
		ok(t, err, "read bot")
		if got.Name != "Support" {
			t.Fatalf("bot named %q after the rollback, want Support", got.Name)
		}
		ok(t, a.Atomically(ctx, func(ctx context.Context) error {
			if _, err := s.UpdateBot(ctx, w, b.ID, models.BotUpdate{Name: ptr("Renamed")}); err != nil {
				return err
			}
			return s.QueueJob(ctx, k, b.ID, w, base)
		}), "atomically")
		due(t, k, base, 10, base, "["+b.ID+"@0s#0]")
	})
}
