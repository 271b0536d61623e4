package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

func TestStampRisesPerWorkspaceAndRollbackTakesNothing(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	stamp := func(ws string, fail bool) int64 {
		var seq int64
		err := s.WithTx(ctx, func(tx *Tx) error {
			var err error
			if seq, err = tx.Stamp(ws); err != nil {
				return err
			}
			if err := tx.Log(ws, models.Change{Seq: seq, Table: models.TableNotes, ID: "n"}); err != nil {
				return err
			}
			if fail {
				return errors.New("abandoned")
			}
			return nil
		})
		if fail != (err != nil) {
			t.Fatalf("stamp %s: %v", ws, err)
		}
		return seq
	}
	got := []int64{stamp("a", false), stamp("a", false), stamp("b", false), stamp("a", true), stamp("a", false), stamp("b", false)}
	want := []int64{1, 2, 1, 3, 3, 2}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("sequences %v, want %v (a rolled-back stamp is taken again)", got, want)
	}
	for ws, hw := range map[string]int64{"a": 3, "b": 2, "none": 0} {
		if got, err := s.HighWater(ctx, ws); err != nil || got != hw {
			t.Errorf("HighWater(%s) = %d, %v; want %d", ws, got, err, hw)
		}
	}
	es, err := s.LogEntries(ctx, "a", 1, 3, 10)
	if err != nil || len(es) != 2 || es[0].Seq != 2 || es[1].Seq != 3 || es[0].Record != nil {
		t.Errorf("LogEntries(a, 1, 3) = %+v, %v", es, err)
	}
	if err := s.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.Stamp(""); err == nil {
			return errors.New("stamped no workspace")
		}
		if err := tx.Log("a", models.Change{Table: "notes", ID: "x"}); err == nil {
			return errors.New("logged without a sequence")
		}
		return nil
	}); err != nil {
		t.Error(err)
	}
}

// TestConcurrentWritersReadersSeeWholeCommits runs writers in several
// goroutines, some of whose transactions fail after taking sequences,
// while readers poll: a reader must never see a sequence without its log
// entry, nor a log entry without its committed record, and the
// high-water mark never goes back.
func TestConcurrentWritersReadersSeeWholeCommits(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	const writers, txs = 4, 10
	wss := []string{"w1", "w2", "w3"}
	var wg sync.WaitGroup
	errs := make(chan error, writers+4)
	for w := range writers {
		wg.Go(func() {
			for i := range txs {
				ws := wss[(w+i)%len(wss)]
				conv := fmt.Sprintf("c%d-%d", w, i)
				err := s.WithTx(ctx, func(tx *Tx) error {
					if err := writeChat(tx, ws, conv, 1+i%4, "text"); err != nil {
						return err
					}
					if i%5 == 4 {
						return errAbandon
					}
					return nil
				})
				if err != nil && !errors.Is(err, errAbandon) {
					errs <- err
					return
				}
			}
		})
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	var reads [2]int
	for r := range 2 {
		readers.Go(func() {
			last := map[string]int64{}
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond): // pace the polling
				}
				for _, ws := range wss {
					hw, err := s.HighWater(ctx, ws)
					if err != nil {
						errs <- err
						return
					}
					if hw < last[ws] {
						errs <- fmt.Errorf("%s: high-water went back from %d to %d", ws, last[ws], hw)
						return
					}
					// The log up to the mark, read after it in its own
					// statement: complete, each record committed.
					var n, orphans int64
					err = s.Reader().QueryRowContext(ctx, `SELECT count(*), coalesce(sum(NOT EXISTS (
						SELECT 1 FROM messages m WHERE l.tbl = 'messages' AND m.id = l.id AND m.seq = l.seq
						UNION ALL SELECT 1 FROM conversations c WHERE l.tbl = 'conversations' AND c.id = l.id AND c.seq = l.seq)), 0)
						FROM change_log l WHERE l.ws = ? AND l.seq > ? AND l.seq <= ?`, ws, last[ws], hw).Scan(&n, &orphans)
					if err != nil {
						errs <- err
						return
					}
					if n != hw-last[ws] || orphans != 0 {
						errs <- fmt.Errorf("%s: log (%d, %d] holds %d entries, %d without their record", ws, last[ws], hw, n, orphans)
						return
					}
					last[ws] = hw
					reads[r]++
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	chats, _ := checkInvariants(t, s.Reader())
	if want := writers * txs * 4 / 5; chats != want {
		t.Errorf("%d chats committed, want %d", chats, want)
	}
	if reads[0] == 0 {
		t.Error("a reader never ran")
	}
}

var errAbandon = errors.New("abandoned on purpose")

// TestDiskFullIsAFault fills the database up to a page limit (SQLite
// reports the limit as SQLITE_FULL, as it does a full disk): the write
// fails as an ErrDiskFull Fault, is rolled back whole, and writes resume
// once there is room.
func TestDiskFullIsAFault(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	if err := s.WithTx(ctx, func(tx *Tx) error { return writeChat(tx, "ws1", "c0", 2, "before") }); err != nil {
		t.Fatal(err)
	}
	setLimit := func(extra int) {
		t.Helper()
		// max_page_count is a setting of the connection: the writer's.
		conn, err := s.writer.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var pages int
		if err := conn.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages+extra)); err != nil {
			t.Fatal(err)
		}
	}
	setLimit(3)
	big := strings.Repeat("x", 16<<10)
	err := s.WithTx(ctx, func(tx *Tx) error { return writeChat(tx, "ws1", "c1", 4, big) })
	var f *Fault
	if !errors.Is(err, ErrDiskFull) || !errors.As(err, &f) || !strings.Contains(err.Error(), "free space") {
		t.Fatalf("write beyond the limit: %v, want an ErrDiskFull fault", err)
	}
	chats, msgs := checkInvariants(t, s.Reader())
	if chats != 1 || msgs != 2 {
		t.Errorf("after the failed write: %d chats, %d messages; want the first write only", chats, msgs)
	}
	setLimit(10000)
	if err := s.WithTx(ctx, func(tx *Tx) error { return writeChat(tx, "ws1", "c1", 4, big) }); err != nil {
		t.Fatalf("with room again: %v", err)
	}
	if hw, _ := s.HighWater(ctx, "ws1"); hw != 8 {
		t.Errorf("high-water %d, want 8", hw)
	}
}
