package api_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// head calls GET /v1/sync/head as token and returns its timestamp.
func (e *env) head(token string) int64 {
	e.t.Helper()
	r := e.call("GET", "/v1/sync/head", token, nil)
	wantStatus(e.t, r, http.StatusOK)
	var h struct {
		Timestamp int64 `json:"timestamp"`
	}
	r.JSON(e.t, &h)
	return h.Timestamp
}

// changed counts the records of an answer.
func (a pullAnswer) changed() int {
	n := 0
	for _, c := range a.Changes {
		n += len(c.Created) + len(c.Updated) + len(c.Deleted)
	}
	return n
}

// A pull from the head answers nothing of the past (no first sync, even
// right after a role change) and then exactly what changed after it.
func TestSyncHead(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tm, b := e.shop()
	e.event(tm.key, b.ID, say("h-1", "s1", "before the head"))

	// An employee made admin: a pull from an older timestamp would be a
	// replacement; one from the head is not.
	old := e.pull(tm.emp1.AccessToken, 0, nil).Timestamp
	wantStatus(t, e.call("PATCH", "/v1/members/"+tm.emp1.Member.ID, tm.admin.AccessToken, map[string]string{"role": "admin"}), http.StatusOK)
	if a := e.pull(tm.emp1.AccessToken, old, nil); a.Strategy != "replacement" {
		t.Fatalf("the pull after the role change is %q, want a replacement (the case the head avoids)", a.Strategy)
	}
	h := e.head(tm.emp1.AccessToken)
	if a := e.pull(tm.emp1.AccessToken, h, nil); a.Strategy != "" || a.changed() != 0 || a.HasMore {
		t.Fatalf("a pull from the head answers the past: %+v", a)
	}

	e.event(tm.key, b.ID, say("h-2", "s1", "after the head"))
	// The console's signal: one record and has_more, whatever changed.
	if a := e.pull(tm.emp1.AccessToken, h, url.Values{"limit": {"1"}}); a.Strategy != "" || a.changed() != 1 || !a.HasMore {
		t.Fatalf("a pull from the head, limit 1: %+v, want one change and has_more", a)
	}
	a := e.pull(tm.emp1.AccessToken, h, nil)
	msgs := a.Changes[models.TableMessages].Created
	if a.Strategy != "" || len(msgs) != 1 || msgs[0]["text"] != "after the head" {
		t.Fatalf("a pull from the head: %+v, want the new message only", a)
	}
	if next := e.head(tm.emp1.AccessToken); next <= h {
		t.Fatalf("the head did not move with a change: %d then %d", h, next)
	}
}

// The head is for members: an API key is refused, no token is 401.
func TestSyncHeadRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tm, _ := e.shop()
	for _, tk := range []string{tm.admin.AccessToken, tm.emp2.AccessToken, tm.follower.AccessToken} {
		e.head(tk)
	}
	wantStatus(t, e.call("GET", "/v1/sync/head", tm.key, nil), http.StatusForbidden)
	wantStatus(t, e.call("GET", "/v1/sync/head", "", nil), http.StatusUnauthorized)
}
