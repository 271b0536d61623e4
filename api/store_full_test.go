package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/store/sqlite"
	"github.com/switchboardhq/switchboard/store/storetest"
)

// TestFullDiskIs503AndStoresNothing: on the embedded store, a write the
// disk cannot take answers 503 with Retry-After, stores nothing of the
// request, leaks no SQLite text, and the same request succeeds once there
// is room again. The disk is made full by capping the database's pages
// (PRAGMA max_page_count) at what it holds.
func TestFullDiskIs503AndStoresNothing(t *testing.T) {
	if storetest.Engine() != storetest.EngineSQLite {
		t.Skip("the embedded store's disk")
	}
	db := storetest.OpenSQLite(t, t.TempDir())
	e := newSyncEnv(t, db, testSync)
	tk := e.admin("a@example.com")
	raw := db.(interface{ Unwrap() *sqlite.Store }).Unwrap()
	limit := func(pages string) {
		if err := raw.WithTx(context.Background(), func(tx *sqlite.Tx) error {
			_, err := tx.Exec(`PRAGMA max_page_count = ` + pages)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	var pages string
	if err := raw.Reader().QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	limit(pages)
	body := map[string]any{"channel": "telegram", "name": "Big bot", "credentials": map[string]string{"token": strings.Repeat("x", 4000)}}
	var refused int
	for i := 0; i < 20; i++ { // a free page or two may take the first writes
		r := e.call("POST", "/v1/bots", tk.AccessToken, body)
		if r.StatusCode == http.StatusCreated {
			continue
		}
		wantStatus(t, r, http.StatusServiceUnavailable)
		if r.Header.Get("Retry-After") == "" || r.Problem(t).Code != "unavailable" || strings.Contains(strings.ToLower(string(r.Body)), "sqlite") {
			t.Fatalf("full disk answered %s %s", r.Header, r.Body)
		}
		refused++
		break
	}
	if refused == 0 {
		t.Fatal("no write was refused on a full disk")
	}
	before := e.call("GET", "/v1/bots", tk.AccessToken, nil)
	limit("1073741823")
	wantStatus(t, e.call("POST", "/v1/bots", tk.AccessToken, body), http.StatusCreated)
	after := e.call("GET", "/v1/bots", tk.AccessToken, nil)
	if strings.Count(string(after.Body), `"id"`) != strings.Count(string(before.Body), `"id"`)+1 {
		t.Fatalf("bots before the room came back %s, after %s: want exactly one more", before.Body, after.Body)
	}
}
