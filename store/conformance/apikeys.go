package conformance

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

func apiKey(ws, id string) *models.APIKey {
	return &models.APIKey{ID: id, WS: ws, Name: "engine", Prefix: "sb_" + id[:min(4, len(id))], Hash: "h-" + id, CreatedBy: "m1"}
}

// RunAPIKeys checks models.APIKeyStore.
func RunAPIKeys(t *testing.T, open Open) { runAPIKeys(t, newFixture(t, open)) }

func runAPIKeys(t *testing.T, f *fixture) {
	s := f.s

	t.Run("create and read back from any workspace", func(t *testing.T) {
		k := apiKey(ws(), models.NewID())
		at := f.clock.tick()
		ok(t, s.CreateAPIKey(ctx, k), "create")
		if !k.CreatedAt.Equal(at) {
			t.Fatalf("created at %v, want %v", k.CreatedAt, at)
		}
		got, err := s.APIKey(ctx, k.ID)
		ok(t, err, "read")
		if got.ID != k.ID || got.WS != k.WS || got.Name != k.Name || got.Prefix != k.Prefix || got.Hash != k.Hash ||
			got.CreatedBy != k.CreatedBy || !got.CreatedAt.Equal(at) || got.LastUsedAt != nil || got.Revoked {
			t.Fatalf("read %+v, want %+v", got, k)
		}
		wantCode(t, s.CreateAPIKey(ctx, apiKey(ws(), k.ID)), models.CodeConflict, "duplicate id")
		got, err = s.APIKey(ctx, models.NewID())
		notFound(t, got, err, "unknown key")
	})

	t.Run("list newest first, one workspace", func(t *testing.T) {
		w := ws()
		empty, err := s.APIKeys(ctx, w)
		ok(t, err, "list empty")
		if empty == nil || len(empty) != 0 {
			t.Fatalf("no keys listed as %#v, want an empty list", empty)
		}
		f.clock.tick()
		ok(t, s.CreateAPIKey(ctx, apiKey(w, "k-old")), "create")
		f.clock.tick()
		ok(t, s.CreateAPIKey(ctx, apiKey(w, "k-a")), "create")
		ok(t, s.CreateAPIKey(ctx, apiKey(w, "k-c")), "create") // same time: the larger id first
		ok(t, s.CreateAPIKey(ctx, apiKey(w, "k-b")), "create")
		ok(t, s.CreateAPIKey(ctx, apiKey(ws(), "k-z")), "other workspace")
		keys, err := s.APIKeys(ctx, w)
		ok(t, err, "list")
		var ids []string
		for _, k := range keys {
			ids = append(ids, k.ID)
		}
		if want := "[k-c k-b k-a k-old]"; sprint(ids) != want {
			t.Fatalf("listed %v, want %s", ids, want)
		}
	})

	t.Run("revoke within the workspace only", func(t *testing.T) {
		w := ws()
		k := apiKey(w, models.NewID())
		ok(t, s.CreateAPIKey(ctx, k), "create")
		wantCode(t, s.RevokeAPIKey(ctx, ws(), k.ID), models.CodeNotFound, "revoke from another workspace")
		got, err := s.APIKey(ctx, k.ID)
		ok(t, err, "read")
		if got.Revoked {
			t.Fatal("another workspace revoked the key")
		}
		wantCode(t, s.RevokeAPIKey(ctx, w, models.NewID()), models.CodeNotFound, "revoke an unknown key")
		ok(t, s.RevokeAPIKey(ctx, w, k.ID), "revoke")
		ok(t, s.RevokeAPIKey(ctx, w, k.ID), "revoke again")
		got, err = s.APIKey(ctx, k.ID)
		ok(t, err, "read")
		if !got.Revoked {
			t.Fatal("key not revoked")
		}
	})

	t.Run("touch", func(t *testing.T) {
		k := apiKey(ws(), models.NewID())
		ok(t, s.CreateAPIKey(ctx, k), "create")
		at := start.Add(5 * time.Second)
		ok(t, s.TouchAPIKey(ctx, k.ID, at), "touch")
		got, err := s.APIKey(ctx, k.ID)
		ok(t, err, "read")
		if got.LastUsedAt == nil || !got.LastUsedAt.Equal(at) {
			t.Fatalf("last used %v, want %v", got.LastUsedAt, at)
		}
		ok(t, s.TouchAPIKey(ctx, models.NewID(), at), "touch an unknown key")
	})
}
