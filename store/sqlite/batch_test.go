package sqlite

import (
	"context"
	"errors"
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
