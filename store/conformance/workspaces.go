package conformance

import (
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// RunWorkspaces checks models.WorkspaceStore.
func RunWorkspaces(t *testing.T, open Open) { runWorkspaces(t, newFixture(t, open)) }

func runWorkspaces(t *testing.T, f *fixture) {
	s := f.s

	t.Run("create and read back", func(t *testing.T) {
		w := &models.Workspace{ID: ws(), Name: "Acme"}
		at := f.clock.tick()
		ok(t, s.CreateWorkspace(ctx, w), "create")
		if !w.CreatedAt.Equal(at) || !w.UpdatedAt.Equal(at) {
			t.Fatalf("created %+v, want both times %v", w, at)
		}
		got, err := s.Workspace(ctx, w.ID)
		ok(t, err, "read")
		if got.ID != w.ID || got.Name != "Acme" || !got.CreatedAt.Equal(at) || !got.UpdatedAt.Equal(at) {
			t.Fatalf("read %+v, want %+v", got, w)
		}
	})

	t.Run("duplicate id is a conflict", func(t *testing.T) {
		id := ws()
		ok(t, s.CreateWorkspace(ctx, &models.Workspace{ID: id, Name: "one"}), "create")
		wantCode(t, s.CreateWorkspace(ctx, &models.Workspace{ID: id, Name: "two"}), models.CodeConflict, "second create")
		got, err := s.Workspace(ctx, id)
		ok(t, err, "read")
		if got.Name != "one" {
			t.Fatalf("the duplicate changed the workspace: %+v", got)
		}
	})

	t.Run("unknown is not found", func(t *testing.T) {
		got, err := s.Workspace(ctx, ws())
		notFound(t, got, err, "Workspace")
		got, err = s.UpdateWorkspace(ctx, ws(), models.WorkspaceUpdate{Name: ptr("x")})
		notFound(t, got, err, "UpdateWorkspace")
	})

	t.Run("update", func(t *testing.T) {
		w := &models.Workspace{ID: ws(), Name: "Old"}
		created := f.clock.tick()
		ok(t, s.CreateWorkspace(ctx, w), "create")
		at := f.clock.tick()
		got, err := s.UpdateWorkspace(ctx, w.ID, models.WorkspaceUpdate{Name: ptr("New")})
		ok(t, err, "update")
		if got.Name != "New" || !got.CreatedAt.Equal(created) || !got.UpdatedAt.Equal(at) {
			t.Fatalf("updated %+v, want name New, created %v, updated %v", got, created, at)
		}
		// Nothing to change: the name stays, the update time moves.
		at = f.clock.tick()
		got, err = s.UpdateWorkspace(ctx, w.ID, models.WorkspaceUpdate{})
		ok(t, err, "empty update")
		if got.Name != "New" || !got.UpdatedAt.Equal(at) {
			t.Fatalf("after an empty update %+v", got)
		}
		read, err := s.Workspace(ctx, w.ID)
		ok(t, err, "read")
		if *read != *got {
			t.Fatalf("read %+v, update returned %+v", read, got)
		}
	})
}
