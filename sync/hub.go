package sync

import (
	"context"
	"errors"
	gosync "sync"
	"time"
)

// Marks reads a workspace's high-water mark (the store's SafeSeq).
type Marks interface {
	SafeSeq(ctx context.Context, ws string) (int64, error)
}

// Hub wakes waiting pulls when their workspace's high-water mark rises.
// A workspace with waiting pulls has exactly one watcher, however many
// pulls wait: it re-reads the mark at once when a write of this process
// ends (Notify) and every poll interval for writes of other instances, and
// it stops when the last pull stops waiting.
type Hub struct {
	marks Marks
	poll  time.Duration

	mu      gosync.Mutex
	watches map[string]*watch
	closed  bool
	stop    chan struct{}
	wg      gosync.WaitGroup
}

type watch struct {
	safe    int64
	changed chan struct{} // closed when safe rises, then replaced
	kick    chan struct{} // a write of this process ended
	stop    chan struct{} // closed when the last waiter left
	waiters int
}

// ErrHubClosed is returned to waiting pulls when the hub shuts down.
var ErrHubClosed = errors.New("sync hub closed")

// NewHub returns a hub that polls every poll interval while pulls wait.
func NewHub(marks Marks, poll time.Duration) *Hub {
	if poll <= 0 {
		poll = DefaultPollInterval
	}
	return &Hub{marks: marks, poll: poll, watches: map[string]*watch{}, stop: make(chan struct{})}
}

// Notify tells the hub that a write to workspace ws ended in this process.
// It never blocks.
func (h *Hub) Notify(ws string) {
	h.mu.Lock()
	w := h.watches[ws]
	h.mu.Unlock()
	if w != nil {
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
}

// Wait returns as soon as ws's high-water mark is above after, with the
// mark, or when ctx ends (with ctx's error) or the hub closes.
func (h *Hub) Wait(ctx context.Context, ws string, after int64) (int64, error) {
	w, err := h.acquire(ws)
	if err != nil {
		return 0, err
	}
	defer h.release(ws, w)
	for {
		h.mu.Lock()
		safe, changed := w.safe, w.changed
		h.mu.Unlock()
		if safe > after {
			return safe, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return safe, ctx.Err()
		case <-h.stop:
			return safe, ErrHubClosed
		}
	}
}

// Waiting returns how many pulls wait and how many watchers serve them.
func (h *Hub) Waiting() (pulls, watchers int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, w := range h.watches {
		pulls += w.waiters
	}
	return pulls, len(h.watches)
}

func (h *Hub) acquire(ws string) (*watch, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrHubClosed
	}
	w := h.watches[ws]
	if w == nil {
		w = &watch{changed: make(chan struct{}), kick: make(chan struct{}, 1), stop: make(chan struct{})}
		w.kick <- struct{}{} // read the mark at once
		h.watches[ws] = w
		h.wg.Add(1)
		go h.run(ws, w)
	}
	w.waiters++
	return w, nil
}

func (h *Hub) release(ws string, w *watch) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if w.waiters--; w.waiters == 0 {
		delete(h.watches, ws)
		close(w.stop)
	}
}

// run is the workspace's watcher.
func (h *Hub) run(ws string, w *watch) {
	defer h.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-w.stop:
		case <-h.stop:
		}
		cancel()
	}()
	t := time.NewTicker(h.poll)
	defer t.Stop()
	for {
		select {
		case <-w.kick:
		case <-t.C:
		case <-ctx.Done():
			return
		}
		safe, err := h.marks.SafeSeq(ctx, ws)
		if err != nil {
			continue // the next tick tries again
		}
		h.mu.Lock()
		if safe > w.safe {
			w.safe = safe
			close(w.changed)
			w.changed = make(chan struct{})
		}
		h.mu.Unlock()
	}
}

// Close wakes every waiting pull with ErrHubClosed and stops the watchers.
func (h *Hub) Close() {
	h.mu.Lock()
	if !h.closed {
		h.closed = true
		close(h.stop)
	}
	h.mu.Unlock()
	h.wg.Wait()
}
