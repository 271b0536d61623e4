package sqlite

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// A request that goes away (its context cancelled) while the store works
// for it must not break the store for everyone else: the pure-Go driver
// answers a cancellation with sqlite3_interrupt on the connection, which
// can strike the next statement of another request on that connection
// (or every one after it). Writes and reads under contexts cancelled at
// random moments run beside writes and reads under live contexts, on the
// one writer and the reader pool; the live ones must all succeed.
func TestCancelledCallsLeaveOthersAlone(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	const rounds = 100
	var wg sync.WaitGroup
	stop := make(chan struct{})
	// Goes-away callers: each call's context ends while it runs.
	for g := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				cctx, cancel := context.WithTimeout(ctx, time.Duration(i%7)*50*time.Microsecond)
				_ = s.WithTx(cctx, func(tx *Tx) error {
					return writeChat(tx, "ws-gone", fmt.Sprintf("gone-%d-%d", g, i), 5, "bye")
				})
				rows, err := s.reader.QueryContext(cctx, `SELECT id FROM messages WHERE ws = 'ws-gone'`)
				if err == nil {
					for rows.Next() {
					}
					rows.Close()
				}
				cancel()
			}
		})
	}
	var failures []error
	live := make(chan struct{})
	go func() {
		defer close(live)
		liveCalls(s, rounds, &failures)
	}()
	select {
	case <-live:
	case <-time.After(2 * time.Minute): // bounds a stuck test; nothing here is timed
		t.Fatal("the store stopped answering live calls beside cancelled ones (a write lock left held?)")
	}
	close(stop)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d of %d live calls failed beside cancelled ones, first: %v", len(failures), 2*rounds, failures[0])
	}
}

// liveCalls makes rounds writes and reads under a live context, noting
// each failure.
func liveCalls(s *Store, rounds int, failures *[]error) {
	ctx := context.Background()
	for i := range rounds {
		if err := s.WithTx(ctx, func(tx *Tx) error {
			return writeChat(tx, "ws-live", fmt.Sprintf("live-%d", i), 3, "hi")
		}); err != nil {
			*failures = append(*failures, fmt.Errorf("write %d: %w", i, err))
		}
		var n int
		if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE ws = 'ws-live'`).Scan(&n); err != nil {
			*failures = append(*failures, fmt.Errorf("read %d: %w", i, err))
		} else if n != 3*(i+1) {
			*failures = append(*failures, fmt.Errorf("read %d: %d messages, want %d", i, n, 3*(i+1)))
		}
	}
}
