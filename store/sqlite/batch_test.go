package sqlite

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// TestBatchCommitsTogether: writes in a batch commit together with their
// sequences and log entries; a failed write inside it is undone alone;
// a batch whose function fails leaves nothing.
func TestBatchCommitsTogether(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	note := func(id string) *models.Note {
		return &models.Note{ID: id, SubscriberID: "s1", AuthorID: "m1", Text: id, Stamp: models.Stamp{WS: "ws1"}}
	}
	var woken []string
	s.OnChange(func(ws string) { woken = append(woken, ws) })
	err := s.Batch(ctx, func(ctx context.Context) error {
		if err := s.CreateNote(ctx, "ws1", note("n1")); err != nil {
			return err
		}
		if err := s.CreateNote(ctx, "ws1", note("n1")); models.ErrorCode(err) != models.CodeConflict {
			t.Errorf("a duplicate inside the batch: %v, want a conflict", err)
		}
		if hw, _ := s.HighWater(context.Background(), "ws1"); hw != 0 {
			t.Errorf("high water %d before the batch committed", hw)
		}
		return s.CreateNote(ctx, "ws1", note("n2"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if hw, _ := s.HighWater(ctx, "ws1"); hw != 2 {
		t.Fatalf("high water %d after the batch, want 2", hw)
	}
	if es, _ := s.LogEntries(ctx, "ws1", 0, 10, 10); len(es) != 2 || es[0].ID != "n1" || es[1].ID != "n2" {
		t.Fatalf("log %+v, want n1 and n2", es)
	}
	if len(woken) != 1 || woken[0] != "ws1" {
		t.Fatalf("woken %v, want ws1 once, after the commit", woken)
	}
	boom := errors.New("boom")
	if err := s.Batch(ctx, func(ctx context.Context) error {
		if err := s.CreateNote(ctx, "ws1", note("n3")); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("failed batch: %v", err)
	}
	if _, err := s.Note(ctx, "ws1", "n3"); !models.IsNotFound(err) {
		t.Fatalf("a note of a failed batch: %v, want not found", err)
	}
	if hw, _ := s.HighWater(ctx, "ws1"); hw != 2 {
		t.Fatalf("high water %d after a failed batch, want 2", hw)
	}
}

// TestAtomicallyNested: an operation inside an operation that fails is
// undone whole, its writes and their sequences, while the outer one goes
// on and commits; sequences stay contiguous.
func TestAtomicallyNested(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	note := func(ctx context.Context, id string) error {
		return s.CreateNote(ctx, "ws1", &models.Note{ID: id, SubscriberID: "s1", AuthorID: "m1", Text: id, Stamp: models.Stamp{WS: "ws1"}})
	}
	boom := errors.New("boom")
	err := s.Atomically(ctx, func(ctx context.Context) error {
		if err := note(ctx, "n1"); err != nil {
			return err
		}
		if err := s.Atomically(ctx, func(ctx context.Context) error {
			if err := note(ctx, "n2"); err != nil {
				return err
			}
			if err := note(ctx, "n3"); err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Errorf("inner operation: %v, want boom", err)
		}
		if err := note(ctx, "n1"); models.ErrorCode(err) != models.CodeConflict {
			t.Errorf("a refused write inside: %v, want a conflict", err)
		}
		return note(ctx, "n4")
	})
	if err != nil {
		t.Fatal(err)
	}
	es, _ := s.LogEntries(ctx, "ws1", 0, 100, 100)
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%d:%s", e.Seq, e.ID))
	}
	if fmt.Sprint(got) != "[1:n1 2:n4]" {
		t.Fatalf("log %v, want n1 at 1 and n4 at 2", got)
	}
	for _, id := range []string{"n2", "n3"} {
		if _, err := s.Note(ctx, "ws1", id); !models.IsNotFound(err) {
			t.Errorf("%s of the failed inner operation: %v, want not found", id, err)
		}
	}
}
