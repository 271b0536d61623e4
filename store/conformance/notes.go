package conformance

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

func note(ws, id, subscriberID string) *models.Note {
	return &models.Note{ID: id, SubscriberID: subscriberID, AuthorID: "m1", Text: "called back", Stamp: models.Stamp{WS: ws}}
}

// RunNotes checks models.NoteStore.
func RunNotes(t *testing.T, open Open) { runNotes(t, newFixture(t, open)) }

func runNotes(t *testing.T, f *fixture) {
	s := f.s

	t.Run("create stamps and reads back", func(t *testing.T) {
		w := ws()
		n := note(w, models.NewID(), "sub1")
		n.Stamp.Seq, n.Stamp.Deleted = 99, true
		at := f.clock.tick()
		ok(t, s.CreateNote(ctx, w, n), "create")
		stamped(t, n.Stamp, w, at, false, "create")
		if !n.CreatedAt.Equal(at) {
			t.Fatalf("created at %v, want %v", n.CreatedAt, at)
		}
		f.inserted(t, w, models.TableNotes, n.ID, n.Seq)
		got, err := s.Note(ctx, w, n.ID)
		ok(t, err, "read")
		if got.ID != n.ID || got.SubscriberID != "sub1" || got.AuthorID != "m1" || got.Text != n.Text ||
			!got.CreatedAt.Equal(at) || got.EditedAt != nil || got.Stamp != n.Stamp {
			t.Fatalf("read %+v, want %+v", got, n)
		}
		wantCode(t, s.CreateNote(ctx, w, note(w, n.ID, "sub2")), models.CodeConflict, "duplicate id")
		f.highest(t, w, n.Seq)
		got, err = s.Note(ctx, ws(), n.ID)
		notFound(t, got, err, "other workspace")
		got, err = s.Note(ctx, w, models.NewID())
		notFound(t, got, err, "unknown note")
	})

	t.Run("list a subscriber's, newest first", func(t *testing.T) {
		w := ws()
		f.clock.tick()
		ok(t, s.CreateNote(ctx, w, note(w, "n-old", "sub1")), "create")
		f.clock.tick()
		for _, id := range []string{"n-a", "n-c", "n-b"} { // same time: the larger id first
			ok(t, s.CreateNote(ctx, w, note(w, id, "sub1")), "create")
		}
		ok(t, s.CreateNote(ctx, w, note(w, "n-other", "sub2")), "other subscriber")
		ok(t, s.CreateNote(ctx, w, note(w, "n-gone", "sub1")), "to delete")
		ok(t, s.DeleteNote(ctx, w, "n-gone"), "delete")
		other := ws()
		ok(t, s.CreateNote(ctx, other, note(other, "n-x", "sub1")), "other workspace")
		list, err := s.Notes(ctx, w, "sub1")
		ok(t, err, "list")
		var ids []string
		for _, n := range list {
			ids = append(ids, n.ID)
		}
		if want := "[n-c n-b n-a n-old]"; sprint(ids) != want {
			t.Fatalf("listed %v, want %s", ids, want)
		}
		none, err := s.Notes(ctx, w, "nobody")
		ok(t, err, "list none")
		if none == nil || len(none) != 0 {
			t.Fatalf("no notes listed as %#v, want an empty list", none)
		}
	})

	t.Run("edit stamps and logs", func(t *testing.T) {
		w := ws()
		n := note(w, models.NewID(), "sub1")
		ok(t, s.CreateNote(ctx, w, n), "create")
		at := f.clock.tick()
		edited := at.Add(-time.Second)
		got, err := s.UpdateNoteText(ctx, w, n.ID, "new text", edited)
		ok(t, err, "edit")
		rises(t, n.Seq, got.Seq, "edit")
		stamped(t, got.Stamp, w, at, false, "edit")
		if got.Text != "new text" || got.EditedAt == nil || !got.EditedAt.Equal(edited) || !got.CreatedAt.Equal(n.CreatedAt) {
			t.Fatalf("edited %+v", got)
		}
		f.logged(t, w, models.TableNotes, n.ID, got.Seq, false)
		f.highest(t, w, got.Seq)
		read, err := s.Note(ctx, w, n.ID)
		ok(t, err, "read")
		if read.Text != "new text" || read.Stamp != got.Stamp {
			t.Fatalf("read %+v after the edit %+v", read, got)
		}
		none, err := s.UpdateNoteText(ctx, ws(), n.ID, "x", at)
		notFound(t, none, err, "edit from another workspace")
		none, err = s.UpdateNoteText(ctx, w, models.NewID(), "x", at)
		notFound(t, none, err, "edit of an unknown note")
		f.highest(t, w, got.Seq)
	})

	t.Run("delete leaves a logged tombstone", func(t *testing.T) {
		w := ws()
		n := note(w, models.NewID(), "sub1")
		ok(t, s.CreateNote(ctx, w, n), "create")
		wantCode(t, s.DeleteNote(ctx, ws(), n.ID), models.CodeNotFound, "delete from another workspace")
		f.highest(t, w, n.Seq)
		ok(t, s.DeleteNote(ctx, w, n.ID), "delete")
		f.deletion(t, w, models.TableNotes, n.ID, n.Seq)
		got, err := s.Note(ctx, w, n.ID)
		notFound(t, got, err, "deleted note")
		wantCode(t, s.DeleteNote(ctx, w, n.ID), models.CodeNotFound, "delete again")
		got, err = s.UpdateNoteText(ctx, w, n.ID, "x", start)
		notFound(t, got, err, "edit a deleted note")
		wantCode(t, s.DeleteNote(ctx, w, models.NewID()), models.CodeNotFound, "delete an unknown note")
		f.deletion(t, w, models.TableNotes, n.ID, n.Seq)
	})
}

// RunProcessedEvents checks models.ProcessedEventStore.
func RunProcessedEvents(t *testing.T, open Open) { runProcessedEvents(t, newFixture(t, open)) }

func runProcessedEvents(t *testing.T, f *fixture) {
	s := f.s
	key := "tg:bot:" + models.NewID()
	seen, err := s.EventProcessed(ctx, key)
	ok(t, err, "before")
	if seen {
		t.Fatal("an unrecorded event reads as processed")
	}
	ok(t, s.RecordEvent(ctx, ws(), key), "record")
	ok(t, s.RecordEvent(ctx, ws(), key), "record again")
	seen, err = s.EventProcessed(ctx, key)
	ok(t, err, "after")
	if !seen {
		t.Fatal("a recorded event reads as not processed")
	}
	seen, err = s.EventProcessed(ctx, key+"x")
	ok(t, err, "other key")
	if seen {
		t.Fatal("another key reads as processed")
	}
}
