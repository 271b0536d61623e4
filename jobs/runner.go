// Package jobs runs the durable job mechanism's work (models.JobStore):
// every kind of background work (an inbound update to apply, a message to
// send, a file to fetch) is a job queued with the write that needs it;
// the Runner leases due jobs to handlers, a few at a time per kind, and
// finishes them or puts them back due later. Any number of instances may
// run a Runner on one store: a lease is held by one of them, and a lease
// whose holder died runs out and frees the job.
package jobs

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// Outcome is what a handler did with its job.
type Outcome struct {
	// Done finishes the job: its work is complete, or will never be.
	Done bool
	// RetryAt puts the job back, due then (ignored when Done).
	RetryAt time.Time
}

// Finished is the outcome of a job whose work is complete.
func Finished() Outcome { return Outcome{Done: true} }

// RetryAt is the outcome of a job to try again at t.
func RetryAt(t time.Time) Outcome { return Outcome{RetryAt: t} }

// Handler does the work of one leased job within ctx, which ends before
// the lease does. job.Claims is the attempt's number (1 for the first).
type Handler func(ctx context.Context, job models.Job) Outcome

// Kind describes one kind of job and how it runs.
type Kind struct {
	Name    string
	Handler Handler
	// Lease is how long one attempt may hold its job (1 minute).
	Lease time.Duration
	// Workers is how many jobs of the kind run at once (4).
	Workers int
}

// Runner leases due jobs to their kinds' handlers.
type Runner struct {
	st  models.JobStore
	now func() time.Time
	log *slog.Logger
	// Poll is how often due jobs are looked for without a Wake (1 s):
	// jobs queued by other instances, and retries coming due.
	Poll time.Duration
	// IdlePoll, when longer than Poll, lets an idle runner look less
	// often: each poll after one that found no due job of any kind waits
	// twice as long as the last, up to IdlePoll. A Wake, a poll that finds
	// work, and a retry this runner put back and not yet come due keep the
	// wait at Poll, so that only work this process was not told of (a job
	// another instance queued and did not run, a dead holder's lease run
	// out) waits up to IdlePoll. Zero keeps every wait at Poll.
	IdlePoll time.Duration
	kinds    []*Kind
	wake     chan struct{}
	// found is set by a listing that found due jobs since the last poll.
	found atomic.Bool
	mu    sync.Mutex
	// retryUntil is the latest due time of a retry this runner put back.
	retryUntil time.Time
	// after is the poll's timer (time.After; tests drive their own).
	after func(time.Duration) <-chan time.Time
}

// New returns a runner over st; now is the clock (time.Now when nil).
func New(st models.JobStore, now func() time.Time, log *slog.Logger) *Runner {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Runner{st: st, now: now, log: log, Poll: time.Second, wake: make(chan struct{}, 1), after: time.After}
}

// Handle adds a kind of job; call it before Run.
func (r *Runner) Handle(k Kind) {
	if k.Lease <= 0 {
		k.Lease = time.Minute
	}
	if k.Workers <= 0 {
		k.Workers = 4
	}
	r.kinds = append(r.kinds, &k)
}

// Wake tells the runner that jobs may be due now (it never blocks).
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run runs the jobs of every kind until ctx ends, then waits for the
// attempts in flight (each bounded by its lease) and returns.
func (r *Runner) Run(ctx context.Context) {
	loops := make([]*loop, len(r.kinds))
	for i, k := range r.kinds {
		loops[i] = &loop{r: r, k: k, sem: make(chan struct{}, k.Workers), held: map[string]bool{}, kick: make(chan struct{}, 1)}
	}
	var wg sync.WaitGroup
	for _, l := range loops {
		wg.Add(1)
		go func() { defer wg.Done(); l.run(ctx) }()
	}
	wait := r.Poll
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-r.wake:
			wait = r.Poll
		case <-r.after(wait):
			wait = r.next(wait)
		}
		for _, l := range loops {
			l.signal()
		}
	}
	wg.Wait()
}

// next is the wait after a poll that waited wait: Poll while there is
// work (found since the last poll, or a retry of ours still ahead), else
// twice wait up to IdlePoll.
func (r *Runner) next(wait time.Duration) time.Duration {
	found := r.found.Swap(false)
	r.mu.Lock()
	retrying := r.now().Before(r.retryUntil)
	r.mu.Unlock()
	if found || retrying || r.IdlePoll <= r.Poll {
		return r.Poll
	}
	return min(2*wait, r.IdlePoll)
}

// retrying notes a retry put back due at t.
func (r *Runner) retrying(t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t.After(r.retryUntil) {
		r.retryUntil = t
	}
}

// RunDue runs every job of every kind due now, once, and returns how many
// attempts it made: tests and tools drive the runner by hand with it.
func (r *Runner) RunDue(ctx context.Context) int {
	n := 0
	for _, k := range r.kinds {
		l := &loop{r: r, k: k, sem: make(chan struct{}, k.Workers), held: map[string]bool{}}
		n += l.pass(ctx)
		l.wg.Wait()
	}
	return n
}

// loop runs one kind's jobs.
type loop struct {
	r    *Runner
	k    *Kind
	sem  chan struct{}
	kick chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	held map[string]bool // jobs this loop runs now
}

func (l *loop) signal() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

func (l *loop) run(ctx context.Context) {
	defer l.wg.Wait()
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.kick:
		}
		for l.pass(ctx) > 0 && ctx.Err() == nil {
			// A full pass may leave more due: look again at once.
		}
	}
}

// batch bounds one listing of due jobs.
const batch = 100

// pass lists the due jobs and starts those a worker is free for; it
// returns how many it started.
func (l *loop) pass(ctx context.Context) int {
	now := l.r.now()
	due, err := l.r.st.DueJobs(ctx, l.k.Name, now, batch)
	if err != nil {
		if ctx.Err() == nil {
			l.r.log.WarnContext(ctx, "jobs: listing due jobs failed", "kind", l.k.Name, "error", err.Error())
		}
		return 0
	}
	if len(due) > 0 {
		l.r.found.Store(true)
	}
	started := 0
	for _, j := range due {
		if ctx.Err() != nil {
			break
		}
		l.mu.Lock()
		busy := l.held[j.ID]
		l.mu.Unlock()
		if busy {
			continue
		}
		select {
		case l.sem <- struct{}{}:
		case <-ctx.Done():
			return started
		}
		now = l.r.now()
		claimed, ok, err := l.r.st.ClaimJob(ctx, l.k.Name, j.ID, now, now.Add(l.k.Lease))
		if err != nil || !ok {
			<-l.sem
			if err != nil && ctx.Err() == nil {
				l.r.log.WarnContext(ctx, "jobs: claim failed", "kind", l.k.Name, "id", j.ID, "error", err.Error())
			}
			continue
		}
		claimed.WS = j.WS
		l.mu.Lock()
		l.held[j.ID] = true
		l.mu.Unlock()
		started++
		l.wg.Add(1)
		go l.attempt(ctx, claimed, now)
	}
	return started
}

// margin is the part of a lease kept to record the outcome.
const margin = 5 * time.Second

// attempt runs one leased job and records its outcome.
func (l *loop) attempt(ctx context.Context, j models.Job, start time.Time) {
	defer l.wg.Done()
	defer func() {
		l.mu.Lock()
		delete(l.held, j.ID)
		l.mu.Unlock()
		<-l.sem
	}()
	budget := l.k.Lease - margin
	if budget < l.k.Lease/2 {
		budget = l.k.Lease / 2
	}
	hctx, cancel := context.WithTimeout(ctx, budget)
	out := l.k.Handler(hctx, j)
	cancel()
	// The outcome is recorded even while shutting down: the attempt ran.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), margin)
	defer cancel()
	var err error
	if out.Done {
		err = l.r.st.FinishJob(rctx, l.k.Name, j.ID, j.Claims)
	} else {
		if out.RetryAt.IsZero() {
			out.RetryAt = l.r.now().Add(Backoff(j.Claims, 0))
		}
		l.r.retrying(out.RetryAt)
		err = l.r.st.ReleaseJob(rctx, l.k.Name, j.ID, j.WS, j.Claims, out.RetryAt)
	}
	if err != nil {
		// The lease runs out by itself and frees the job again.
		l.r.log.WarnContext(ctx, "jobs: recording an outcome failed", "kind", l.k.Name, "id", j.ID, "error", err.Error())
	}
}

// Backoff is the wait before attempt+1 after attempt failed: 1 s doubled
// per attempt up to 10 minutes, with equal jitter, and never less than
// retryAfter (the wait the remote side asked for).
func Backoff(attempt int, retryAfter time.Duration) time.Duration {
	const base, ceiling = time.Second, 10 * time.Minute
	d := base
	for i := 1; i < attempt && d < ceiling; i++ {
		d *= 2
	}
	d = min(d, ceiling)
	d = d/2 + time.Duration(rand.Float64()*float64(d/2))
	return max(d, retryAfter)
}
