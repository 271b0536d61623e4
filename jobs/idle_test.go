package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/storetest"
)

// (TestMain, in runner_test.go, stops the shared stores.)

// released tells when the store has put a job back.
type released struct {
	models.JobStore
	ch chan struct{}
}

func (r released) ReleaseJob(ctx context.Context, kind, id, ws string, claim int, due time.Time) error {
	err := r.JobStore.ReleaseJob(ctx, kind, id, ws, claim, due)
	r.ch <- struct{}{}
	return err
}

// An idle runner waits twice as long after each poll that found nothing,
// up to IdlePoll; a Wake, a poll that found a job, and a retry of its own
// still ahead bring the wait back to Poll. The runner's timer is the
// test's: each wait it asks for is read, then fired.
func TestIdleRunnerPollsLessOften(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t)
	clock := storetest.NewClock(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC))
	rel := released{db, make(chan struct{}, 1)}
	r := New(rel, clock.Now, nil)
	r.Poll, r.IdlePoll = time.Second, 8*time.Second
	ctx, cancel := context.WithCancel(context.Background())
	asked, tick := make(chan time.Duration), make(chan time.Time)
	r.after = func(d time.Duration) <-chan time.Time {
		select {
		case asked <- d:
		case <-ctx.Done():
		}
		return tick
	}
	ran := make(chan struct{}, 1)
	kind := "test-" + models.NewID()
	r.Handle(Kind{Name: kind, Handler: func(context.Context, models.Job) Outcome {
		ran <- struct{}{}
		return RetryAt(clock.Now().Add(time.Hour))
	}})
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	// polls waits in turn and wants them, firing each but the last.
	polls := func(step string, want ...time.Duration) {
		t.Helper()
		for i, w := range want {
			if d := <-asked; d != w {
				t.Fatalf("%s: wait %d is %s, want %s", step, i+1, d, w)
			}
			if i < len(want)-1 {
				tick <- time.Time{}
			}
		}
	}
	polls("idle", time.Second, 2*time.Second, 4*time.Second, 8*time.Second)
	tick <- time.Time{}
	polls("idle at the bound", 8*time.Second)
	r.Wake()
	polls("woken", time.Second, 2*time.Second)
	// A job nobody woke the runner for is found by the next poll; the
	// wait after it is Poll again, and stays Poll while its retry is ahead.
	ws := "ws-" + models.NewID()
	if err := db.QueueJob(ctx, kind, "a", ws, clock.Now()); err != nil {
		t.Fatal(err)
	}
	tick <- time.Time{}
	<-ran
	<-rel.ch
	// The wait asked for as the attempt ends is the idle one (4 s) or,
	// when the attempt's retry is recorded first, Poll: both are right.
	if d := <-asked; d != 4*time.Second && d != time.Second {
		t.Fatalf("after work: wait %s, want 4s or 1s", d)
	}
	tick <- time.Time{}
	polls("after work, its retry ahead", time.Second, time.Second, time.Second)
	// Once the retry is due (the job is held by nobody now: it runs again).
	clock.Advance(2 * time.Hour)
	tick <- time.Time{}
	<-ran
	<-rel.ch
	// Again the wait asked for as the attempt ends is the idle one (2 s)
	// or, when the retry is recorded first, Poll.
	if d := <-asked; d != 2*time.Second && d != time.Second {
		t.Fatalf("the retry ran: wait %s, want 2s or 1s", d)
	}
	tick <- time.Time{}
	polls("the retry ran and is put back", time.Second, time.Second)
}

// Without IdlePoll every wait is Poll, as before.
func TestRunnerPollsAtPollWithoutIdlePoll(t *testing.T) {
	t.Parallel()
	r := New(storetest.Open(t), nil, nil)
	r.Handle(Kind{Name: "test-" + models.NewID(), Handler: func(context.Context, models.Job) Outcome { return Finished() }})
	ctx, cancel := context.WithCancel(context.Background())
	asked, tick := make(chan time.Duration), make(chan time.Time)
	r.after = func(d time.Duration) <-chan time.Time {
		select {
		case asked <- d:
		case <-ctx.Done():
		}
		return tick
	}
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for i := range 5 {
		if d := <-asked; d != time.Second {
			t.Fatalf("wait %d is %s, want 1s", i+1, d)
		}
		tick <- time.Time{}
	}
}
