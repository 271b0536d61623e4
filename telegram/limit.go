package telegram

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxIdleChats is how many per-chat limiters are kept before idle ones
// are evicted.
const maxIdleChats = 4096

// limiter paces messages as Telegram asks: about 30 a second overall and
// one a second per chat. The per-chat limiters live in a map that is
// swept of idle chats (whose limiter is full, so a new one would act the
// same) whenever it reaches its bound.
type limiter struct {
	global  *rate.Limiter
	perChat rate.Limit
	bound   int
	now     func() time.Time

	mu    sync.Mutex
	chats map[int64]*rate.Limiter
	// pausedUntil holds every message after a 429 (flood control) until
	// the retry_after it asked for: Telegram does not say whether a chat's
	// limit or the bot's was exceeded.
	pausedUntil time.Time
}

func newLimiter(global, perChat float64, bound int) *limiter {
	burst := max(1, int(math.Ceil(global)))
	return &limiter{global: rate.NewLimiter(rate.Limit(global), burst), perChat: rate.Limit(perChat),
		bound: bound, now: time.Now, chats: map[int64]*rate.Limiter{}}
}

// errDeadline is a wait longer than the context allows.
var errDeadline = errors.New("the wait would exceed the context's deadline")

// wait blocks until a message to chatID may go: the chat's turn first,
// then the global one. It fails at once when ctx would end first.
func (l *limiter) wait(ctx context.Context, chatID int64) error {
	if err := ctx.Err(); err != nil {
		return &RateError{ChatID: chatID, err: err}
	}
	now := l.now()
	if err := sleep(ctx, l.reserve(chatID, now), now); err != nil {
		return &RateError{ChatID: chatID, err: err}
	}
	if err := l.waitPause(ctx); err != nil {
		return &RateError{err: err}
	}
	if err := l.global.Wait(ctx); err != nil {
		return &RateError{err: err}
	}
	return nil
}

// pause holds every message until at least until.
func (l *limiter) pause(until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until.After(l.pausedUntil) {
		l.pausedUntil = until
	}
}

// waitPause waits out a flood-control pause, failing at once when ctx
// would end first.
func (l *limiter) waitPause(ctx context.Context) error {
	l.mu.Lock()
	until := l.pausedUntil
	l.mu.Unlock()
	d := until.Sub(l.now())
	if d <= 0 {
		return nil
	}
	if !fits(ctx, until) {
		return errDeadline
	}
	return pauseFor(ctx, d)
}

// reserve takes chatID's next turn, under the lock so that a sweep never
// drops a limiter between its lookup and its use.
func (l *limiter) reserve(chatID int64, now time.Time) *rate.Reservation {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.chats[chatID]
	if lim == nil {
		if len(l.chats) >= l.bound {
			l.sweep(now)
		}
		lim = rate.NewLimiter(l.perChat, 1)
		l.chats[chatID] = lim
	}
	return lim.ReserveN(now, 1)
}

// sleep waits for r's turn, giving it back when ctx ends (or would end)
// first.
func sleep(ctx context.Context, r *rate.Reservation, now time.Time) error {
	d := r.DelayFrom(now)
	if d == 0 {
		return nil
	}
	if !fits(ctx, now.Add(d)) {
		r.CancelAt(now)
		return errDeadline
	}
	if err := pauseFor(ctx, d); err != nil {
		r.CancelAt(now)
		return err
	}
	return nil
}

// fits reports whether at comes before ctx's deadline, if it has one.
func fits(ctx context.Context, at time.Time) bool {
	dl, ok := ctx.Deadline()
	return !ok || !at.After(dl)
}

// pauseFor waits d, or until ctx ends (returning its error).
func pauseFor(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// sweep drops the limiters that are full at now; l.mu is held.
func (l *limiter) sweep(now time.Time) {
	for id, lim := range l.chats {
		if lim.TokensAt(now) >= float64(lim.Burst()) {
			delete(l.chats, id)
		}
	}
}

// size is the number of chats tracked.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.chats)
}

// RateError is a send that did not wait for its turn under the rate
// limits because its context ended (or would end) first.
type RateError struct {
	// ChatID is the chat whose limit was waited for, 0 for the global one.
	ChatID int64
	err    error
}

// Error describes the wait that failed.
func (e *RateError) Error() string {
	if e.ChatID != 0 {
		return fmt.Sprintf("telegram: waiting for chat %d's rate limit: %v", e.ChatID, e.err)
	}
	return "telegram: waiting for the global rate limit: " + e.err.Error()
}

// Unwrap is the context's error, or the limiter's.
func (e *RateError) Unwrap() error { return e.err }
