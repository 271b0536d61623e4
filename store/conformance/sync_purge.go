package conformance

import (
	"sort"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// runSyncPurge checks PurgeTombstones and the horizon it leaves, and
// WorkspaceIDs.
func runSyncPurge(t *testing.T, f *fixture) {
	s := f.s
	t.Run("purge: tombstones and log before the cutoff, horizon", func(t *testing.T) {
		w := ws()
		t1 := f.clock.tick()
		keep := note(w, "keep", "sub1")
		ok(t, s.CreateNote(ctx, w, keep), "create kept")
		ok(t, s.CreateNote(ctx, w, note(w, "gone", "sub1")), "create gone")
		f.clock.tick()
		ok(t, s.DeleteNote(ctx, w, "gone"), "delete gone")
		delSeq, err := s.SafeSeq(ctx, w)
		ok(t, err, "safe")
		t3 := f.clock.tick()
		ok(t, s.CreateNote(ctx, w, note(w, "late", "sub1")), "create late")
		ok(t, s.DeleteNote(ctx, w, "late"), "delete late")
		safe, err := s.SafeSeq(ctx, w)
		ok(t, err, "safe")

		h, err := s.PurgeTombstones(ctx, w, t1)
		if err != nil || h != 0 {
			t.Fatalf("purge before any change: horizon %d, %v; want 0", h, err)
		}
		h, err = s.PurgeTombstones(ctx, w, t3)
		if err != nil || h != delSeq {
			t.Fatalf("purge before %v: horizon %d, %v; want %d, the last change before it", t3, h, err, delSeq)
		}
		if got, err := s.Horizon(ctx, w); err != nil || got != delSeq {
			t.Fatalf("horizon %d, %v; want %d", got, err, delSeq)
		}
		if got, err := s.SafeSeq(ctx, w); err != nil || got != safe {
			t.Fatalf("safe sequence after the purge %d, %v; want %d unchanged", got, err, safe)
		}
		list := allChanges(t, s, w, 0)
		for _, c := range list {
			if c.Seq <= delSeq {
				t.Fatalf("change %d at or below the horizon %d was kept", c.Seq, delSeq)
			}
		}
		if len(list) != 2 || list[1].Record == nil || !list[1].Record.(syncRecord).Stamps().Deleted {
			t.Fatalf("changes after the purge: %+v; want the creation and the delete of late", list)
		}
		ids, err := s.RecordIDs(ctx, w, models.TableNotes, "subscriber_id", []string{"sub1"})
		ok(t, err, "record ids")
		sort.Strings(ids)
		if sprint(ids) != "[keep late]" {
			t.Fatalf("records after the purge: %v, want the live keep and the recent tombstone late", ids)
		}
		_, err = s.RecordOwner(ctx, models.TableNotes, "gone")
		wantCode(t, err, models.CodeNotFound, "owner of a purged tombstone")
		if got, err := s.Note(ctx, w, "keep"); err != nil || got.Seq != keep.Seq {
			t.Fatalf("a live record older than the cutoff: %+v, %v; want kept", got, err)
		}
		again, err := s.PurgeTombstones(ctx, w, t3)
		if err != nil || again != delSeq {
			t.Fatalf("purge again: horizon %d, %v; want %d unchanged", again, err, delSeq)
		}
		if h, err := s.PurgeTombstones(ctx, ws(), f.clock.tick()); err != nil || h != 0 {
			t.Fatalf("purge of a workspace without changes: %d, %v; want 0", h, err)
		}
		h, err = s.PurgeTombstones(ctx, w, f.clock.tick())
		if err != nil || h != safe {
			t.Fatalf("purge of everything: horizon %d, %v; want %d", h, err, safe)
		}
		ids, err = s.RecordIDs(ctx, w, models.TableNotes, "subscriber_id", []string{"sub1"})
		if err != nil || sprint(ids) != "[keep]" {
			t.Fatalf("records after purging everything: %v, %v; want [keep]", ids, err)
		}
		if list := allChanges(t, s, w, 0); len(list) != 0 {
			t.Fatalf("changes after purging everything: %+v", list)
		}
	})

	t.Run("workspace ids", func(t *testing.T) {
		a, b := ws(), ws()
		for _, id := range []string{a, b} {
			ok(t, s.CreateWorkspace(ctx, &models.Workspace{ID: id, Name: "Acme"}), "create workspace")
		}
		list, err := s.WorkspaceIDs(ctx)
		ok(t, err, "list")
		found := 0
		for _, id := range list {
			if id == a || id == b {
				found++
			}
		}
		if found != 2 {
			t.Fatalf("workspace ids %v lack %s or %s", list, a, b)
		}
	})
}
