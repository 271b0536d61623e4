package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter allows a burst of attempts per key and refills over a window.
// It lives in the process: each API instance limits on its own.
type limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	buckets map[string]*rate.Limiter
	now     func() time.Time
}

const maxBuckets = 100_000

func newLimiter(attempts int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{
		every:   rate.Every(window / time.Duration(attempts)),
		burst:   attempts,
		buckets: map[string]*rate.Limiter{},
		now:     now,
	}
}

// allow takes one attempt for key; when none is left it returns false and
// how long until the next attempt is allowed.
func (l *limiter) allow(key string) (bool, time.Duration) {
	return take(l.now(), budget{l, key})
}

// reserve takes one attempt for key at now and returns the reservation
// (to give the attempt back) and how long the caller would have to wait.
func (l *limiter) reserve(now time.Time, key string) (*rate.Reservation, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.prune(now)
		}
		if len(l.buckets) >= maxBuckets {
			l.evict(maxBuckets / 10)
		}
		b = rate.NewLimiter(l.every, l.burst)
		l.buckets[key] = b
	}
	r := b.ReserveN(now, 1)
	return r, r.DelayFrom(now)
}

// budget is one key of one limiter.
type budget struct {
	l   *limiter
	key string
}

// take spends one attempt from every budget, or from none: when any budget
// is empty the attempts are given back, so a refused attempt costs nothing
// and does not push the next one further out. It returns false and the
// longest wait among the empty budgets.
func take(now time.Time, budgets ...budget) (bool, time.Duration) {
	var wait time.Duration
	taken := make([]*rate.Reservation, 0, len(budgets))
	for _, b := range budgets {
		r, d := b.l.reserve(now, b.key)
		taken = append(taken, r)
		wait = max(wait, d)
	}
	if wait == 0 {
		return true, 0
	}
	for _, r := range taken {
		r.CancelAt(now)
	}
	return false, wait
}

// evict forgets n buckets chosen at random (map order), bounding memory
// when a flood of distinct keys is still inside its window.
func (l *limiter) evict(n int) {
	for k := range l.buckets {
		if n == 0 {
			return
		}
		delete(l.buckets, k)
		n--
	}
}

// prune forgets buckets that refilled completely; they hold no state.
func (l *limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
}
