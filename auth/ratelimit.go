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
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
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
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
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
