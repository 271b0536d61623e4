package store_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store"
	"github.com/switchboardhq/switchboard/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var ctx = context.Background()

func newMember(ws, email string) *models.Member {
	return &models.Member{ID: models.NewID(), Email: email, Name: "N", Role: models.RoleEmployee,
		Status: models.MemberActive, Stamp: models.Stamp{WS: ws}}
}

func TestFeedStampsEveryWrite(t *testing.T) {
	db := storetest.New(t)
	m := newMember("ws1", "a@example.com")
	m.Stamp = models.Stamp{WS: "ws1", Seq: 999, Deleted: true} // callers cannot forge the stamp
	if err := db.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	if m.WS != "ws1" || m.Seq != 1 || m.Deleted || m.UpdatedAt.IsZero() {
		t.Fatalf("insert stamp %+v", m.Stamp)
	}
	name := "New name"
	up, err := db.UpdateMember(ctx, "ws1", m.ID, models.MemberUpdate{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	if up.Seq != 2 || up.Name != name || up.UpdatedAt.Before(m.UpdatedAt) {
		t.Fatalf("update stamp %+v", up.Stamp)
	}
	// Sequences are per workspace.
	other := newMember("ws2", "b@example.com")
	if err := db.CreateMember(ctx, other); err != nil {
		t.Fatal(err)
	}
	if other.Seq != 1 {
		t.Fatalf("ws2 seq %d, want 1", other.Seq)
	}
}

func TestFeedSoftDelete(t *testing.T) {
	db := storetest.New(t)
	m := newMember("ws1", "a@example.com")
	if err := db.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := db.SoftDelete(ctx, "members", "ws1", m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Member(ctx, "ws1", m.ID); !models.IsNotFound(err) {
		t.Fatalf("deleted member still readable: %v", err)
	}
	tomb, err := db.StampOf(ctx, "members", "ws1", m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !tomb.Deleted || tomb.Seq != 2 {
		t.Fatalf("tombstone %+v, want deleted with seq 2", tomb)
	}
	if err := db.SoftDelete(ctx, "sessions", "ws1", m.ID); err == nil {
		t.Fatal("soft delete accepted a table outside the change feed")
	}
	// Deleting again, or deleting in the wrong workspace, finds nothing.
	if err := db.SoftDelete(ctx, "members", "ws1", m.ID); !models.IsNotFound(err) {
		t.Fatalf("second delete: %v", err)
	}
	if err := db.SoftDelete(ctx, "members", "ws2", m.ID); !models.IsNotFound(err) {
		t.Fatalf("cross-workspace delete: %v", err)
	}
}

func TestFeedSequencesAreUniqueUnderConcurrency(t *testing.T) {
	db := storetest.New(t)
	const writers, each = 8, 10
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				m := newMember("ws", models.NewID()+"@example.com")
				if err := db.CreateMember(ctx, m); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[m.Seq] {
					t.Errorf("sequence %d handed out twice", m.Seq)
				}
				seen[m.Seq] = true
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	for s := int64(1); s <= writers*each; s++ {
		if !seen[s] {
			t.Fatalf("sequence %d missing: the counter skipped", s)
		}
	}
}

func TestMembersScopedToWorkspace(t *testing.T) {
	db := storetest.New(t)
	a := newMember("wsA", "a@example.com")
	if err := db.CreateMember(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Member(ctx, "wsB", a.ID); !models.IsNotFound(err) {
		t.Fatalf("read across workspaces: %v", err)
	}
	role := models.RoleAdmin
	if _, err := db.UpdateMember(ctx, "wsB", a.ID, models.MemberUpdate{Role: &role}); !models.IsNotFound(err) {
		t.Fatalf("update across workspaces: %v", err)
	}
	list, _, err := db.Members(ctx, "wsB", models.MemberFilter{Page: models.Page{Limit: 10}})
	if err != nil || len(list) != 0 {
		t.Fatalf("list across workspaces: %v %v", list, err)
	}
	if err := db.CreateMember(ctx, newMember("wsA", "a@example.com")); models.ErrorCode(err) != models.CodeConflict {
		t.Fatalf("duplicate email in one workspace: %v", err)
	}
	// Another workspace may have a member with the same email; the login
	// look-up finds both, oldest first.
	b := newMember("wsB", "a@example.com")
	if err := db.CreateMember(ctx, b); err != nil {
		t.Fatalf("same email in another workspace: %v", err)
	}
	byEmail, err := db.MembersByEmail(ctx, "a@example.com")
	if err != nil || len(byEmail) != 2 || byEmail[0].ID != a.ID || byEmail[1].ID != b.ID {
		t.Fatalf("members by email: %v %v", byEmail, err)
	}
}

func TestRefreshTokenUsedOnce(t *testing.T) {
	db := storetest.New(t)
	s := &models.Session{ID: "s1", WS: "ws", MemberID: "m"}
	if err := db.CreateSession(ctx, s, &models.RefreshToken{Hash: "h1", SessionID: "s1"}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := db.UseRefreshToken(ctx, "h1"); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if models.ErrorCode(err) != models.CodeConflict {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d concurrent uses succeeded, want exactly 1", wins)
	}
	if _, err := db.UseRefreshToken(ctx, "unknown"); !models.IsNotFound(err) {
		t.Fatalf("unknown token: %v", err)
	}
}

func TestSettingFirstWriterWins(t *testing.T) {
	db := storetest.New(t)
	v1, err := db.EnsureSetting(ctx, "k", "first")
	if err != nil {
		t.Fatal(err)
	}
	v2, _ := db.EnsureSetting(ctx, "k", "second")
	if v1 != "first" || v2 != "first" {
		t.Fatalf("got %q then %q", v1, v2)
	}
}

func TestOpenReportsBadURIs(t *testing.T) {
	for uri, want := range map[string]string{
		"mongodb://":                     "SWITCHBOARD_MONGODB_URI",
		"mongodb://127.0.0.1:1/?x=":      "cannot reach MongoDB",
		"mongodb://u:s3cret@127.0.0.1:1": "cannot reach MongoDB",
	} {
		_, err := store.Open(ctx, store.Options{URI: uri, ConnectTimeout: 300e6})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want it to mention %q", uri, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("password leaked in %v", err)
		}
	}
}
