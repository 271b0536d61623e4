package jobs_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/jobs"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// queue adds n jobs of kind "k" to ws "w".
func queue(t *testing.T, st models.JobStore, n int) {
	t.Helper()
	for i := range n {
		if err := st.QueueJob(context.Background(), "k", fmt.Sprintf("j%03d", i), "w", models.AtOnce); err != nil {
			t.Fatal(err)
		}
	}
}

func left(t *testing.T, st models.JobStore, now time.Time) int {
	t.Helper()
	due, err := st.DueJobs(context.Background(), "k", now, 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(due)
}

// A finished job is gone; a job put back runs again when due, and only
// then, with its attempt number counting up.
func TestRunnerFinishesAndRetriesWhenDue(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	clock := storetest.NewClock(time.Now())
	r := jobs.New(st, clock.Now, nil)
	var attempts []int
	r.Handle(jobs.Kind{Name: "k", Handler: func(_ context.Context, j models.Job) jobs.Outcome {
		attempts = append(attempts, j.Claims)
		if j.Claims < 3 {
			return jobs.RetryAt(clock.Now().Add(time.Minute))
		}
		return jobs.Finished()
	}})
	queue(t, st, 1)
	ctx := context.Background()
	if n := r.RunDue(ctx); n != 1 {
		t.Fatalf("first pass ran %d", n)
	}
	if n := r.RunDue(ctx); n != 0 {
		t.Fatalf("a job put back a minute ahead ran again at once (%d)", n)
	}
	clock.Advance(time.Minute)
	r.RunDue(ctx)
	clock.Advance(time.Minute)
	r.RunDue(ctx)
	if fmt.Sprint(attempts) != "[1 2 3]" {
		t.Fatalf("attempts %v", attempts)
	}
	clock.Advance(time.Hour)
	if left(t, st, clock.Now()) != 0 || r.RunDue(ctx) != 0 {
		t.Fatal("a finished job is still queued")
	}
}

// Two runners on one store (two instances) run every job exactly once.
func TestRunnersShareTheWorkOnce(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	const n = 60
	queue(t, st, n)
	var mu sync.Mutex
	runs := map[string]int{}
	var done atomic.Int64
	handler := func(_ context.Context, j models.Job) jobs.Outcome {
		mu.Lock()
		runs[j.ID]++
		mu.Unlock()
		done.Add(1)
		return jobs.Finished()
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		r := jobs.New(st, nil, nil)
		r.Poll = 5 * time.Millisecond
		r.Handle(jobs.Kind{Name: "k", Handler: handler, Workers: 3})
		wg.Add(1)
		go func() { defer wg.Done(); r.Run(ctx) }()
	}
	deadline := time.Now().Add(30 * time.Second)
	for left(t, st, time.Now().Add(time.Hour)) > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	if len(runs) != n {
		t.Fatalf("%d of %d jobs ran", len(runs), n)
	}
	for id, c := range runs {
		if c != 1 {
			t.Fatalf("job %s ran %d times", id, c)
		}
	}
}

// A job whose holder died (its lease taken and never ended) is run again
// once the lease runs out, and not before.
func TestRunnerTakesOverAnAbandonedJob(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	clock := storetest.NewClock(time.Now())
	queue(t, st, 1)
	if _, ok, err := st.ClaimJob(context.Background(), "k", "j000", clock.Now(), clock.Now().Add(time.Minute)); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	r := jobs.New(st, clock.Now, nil)
	var claims []int
	r.Handle(jobs.Kind{Name: "k", Handler: func(_ context.Context, j models.Job) jobs.Outcome {
		claims = append(claims, j.Claims)
		return jobs.Finished()
	}})
	if r.RunDue(context.Background()) != 0 {
		t.Fatal("a held job ran")
	}
	clock.Advance(time.Minute)
	if r.RunDue(context.Background()) != 1 || fmt.Sprint(claims) != "[2]" {
		t.Fatalf("after the lease: claims %v", claims)
	}
}

// Run returns once ctx ends, after the attempt in flight, whose outcome
// is still recorded.
func TestRunnerStopsAfterTheAttemptInFlight(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	queue(t, st, 1)
	started, release := make(chan struct{}), make(chan struct{})
	r := jobs.New(st, nil, nil)
	r.Poll = 5 * time.Millisecond
	r.Handle(jobs.Kind{Name: "k", Handler: func(context.Context, models.Job) jobs.Outcome {
		close(started)
		<-release
		return jobs.Finished()
	}})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { defer close(stopped); r.Run(ctx) }()
	<-started
	cancel()
	select {
	case <-stopped:
		t.Fatal("Run returned with an attempt in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-stopped
	if left(t, st, time.Now().Add(time.Hour)) != 0 {
		t.Fatal("the finished attempt's outcome was not recorded")
	}
}

// Backoff doubles from a second up to ten minutes, with jitter, and never
// waits less than the remote side asked.
func TestBackoff(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		attempt  int
		after    time.Duration
		min, max time.Duration
	}{
		{1, 0, 500 * time.Millisecond, time.Second},
		{2, 0, time.Second, 2 * time.Second},
		{4, 0, 4 * time.Second, 8 * time.Second},
		{30, 0, 5 * time.Minute, 10 * time.Minute},
		{1, 30 * time.Second, 30 * time.Second, 30 * time.Second},
	} {
		for range 20 {
			if d := jobs.Backoff(c.attempt, c.after); d < c.min || d > c.max {
				t.Fatalf("Backoff(%d, %v) = %v, want %v..%v", c.attempt, c.after, d, c.min, c.max)
			}
		}
	}
}
