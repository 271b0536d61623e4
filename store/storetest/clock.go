package storetest

import (
	"sync"
	"time"
)

// Clock is an adjustable clock for tests that inject time: Now is safe to
// call from any goroutine, and Advance moves it.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock showing start.
func NewClock(start time.Time) *Clock { return &Clock{t: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
