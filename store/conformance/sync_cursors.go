package conformance

import (
	"sort"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// runSyncCursors checks the sync cursors and the pushes: saved, loaded,
// and purged by their creation time.
func runSyncCursors(t *testing.T, f *fixture) {
	s := f.s
	t.Run("cursors and pushes: save, load, purge", func(t *testing.T) {
		w := ws()
		at := f.clock.tick()
		c := &models.SyncCursor{ID: "cur-" + models.NewID(), WS: w, MemberID: "m1", Base: 7, Table: 2, After: "n5"}
		ok(t, s.SaveSyncCursor(ctx, c), "save")
		if !c.CreatedAt.Equal(at) {
			t.Fatalf("cursor created at %v, want now %v", c.CreatedAt, at)
		}
		got, err := s.SyncCursor(ctx, c.ID)
		ok(t, err, "load")
		if *got != *c {
			t.Fatalf("loaded %+v, want %+v", got, c)
		}
		wantCode(t, s.SaveSyncCursor(ctx, &models.SyncCursor{ID: c.ID, WS: w}), models.CodeConflict, "cursor id in use")
		got, err = s.SyncCursor(ctx, "cur-unknown")
		notFound(t, got, err, "unknown cursor")

		ok(t, s.SavePushed(ctx, w, "m1", 5, []string{"notes a", "messages b"}), "push at 5")
		ok(t, s.SavePushed(ctx, w, "m1", 7, []string{"notes c"}), "push at 7")
		ok(t, s.SavePushed(ctx, w, "m1", 8, nil), "push of nothing")
		ok(t, s.SavePushed(ctx, w, "m2", 5, []string{"notes d"}), "another member's")
		other := ws()
		ok(t, s.SavePushed(ctx, other, "m1", 5, []string{"notes e"}), "another workspace's")
		for _, c := range []struct {
			ws, member string
			upTo       int64
			want       []string
		}{{w, "m1", 4, nil}, {w, "m1", 5, []string{"messages b", "notes a"}}, {w, "m1", 7, []string{"messages b", "notes a", "notes c"}},
			{w, "m2", 7, []string{"notes d"}}, {w, "m3", 7, nil}, {other, "m1", 7, []string{"notes e"}}} {
			got, err := s.Pushed(ctx, c.ws, c.member, c.upTo)
			ok(t, err, "pushed")
			var keys []string
			for k, v := range got {
				if v {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			if got == nil || sprint(keys) != sprint(c.want) {
				t.Fatalf("pushed by %s up to %d: %v, want %v", c.member, c.upTo, got, c.want)
			}
		}

		// Purged when created before the cutoff, kept when created at it.
		ok(t, s.PurgeSyncCursors(ctx, at), "purge at the creation time")
		_, err = s.SyncCursor(ctx, c.ID)
		ok(t, err, "a cursor created at the cutoff stays")
		if p, err := s.Pushed(ctx, w, "m1", 7); err != nil || len(p) != 3 {
			t.Fatalf("pushes created at the cutoff: %v, %v; want kept", p, err)
		}
		ok(t, s.PurgeSyncCursors(ctx, f.clock.tick()), "purge")
		got, err = s.SyncCursor(ctx, c.ID)
		notFound(t, got, err, "purged cursor")
		if p, err := s.Pushed(ctx, w, "m1", 7); err != nil || len(p) != 0 {
			t.Fatalf("pushes after the purge: %v, %v; want none", p, err)
		}
	})
}
