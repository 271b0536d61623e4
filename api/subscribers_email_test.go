package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// An agent edits the subscriber's email as the phone is edited: a valid
// address up to 254 characters is stored, a longer or malformed one is
// refused naming email and changes nothing, an empty one clears it, and a
// follower may not edit it.
func TestSubscriberEmailEdit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tm, b := e.shop()
	sub := e.event(tm.key, b.ID, say("ev-1", "s1", "hello")).SubscriberID
	path := "/v1/subscribers/" + sub
	read := func() models.Subscriber {
		t.Helper()
		r := e.call("GET", path, tm.admin.AccessToken, nil)
		wantStatus(t, r, http.StatusOK)
		var s models.Subscriber
		r.JSON(t, &s)
		return s
	}

	r := e.call("PATCH", path, tm.emp1.AccessToken, map[string]any{"email": "ana@example.com", "phone": "+51 1 555 0100"})
	wantStatus(t, r, http.StatusOK)
	if s := read(); s.Email != "ana@example.com" || s.Phone != "+51 1 555 0100" {
		t.Fatalf("stored email %q, phone %q", s.Email, s.Phone)
	}

	// 254 characters: the longest address; 255 is one too many.
	longest := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 57) + ".com"
	if len(longest) != 254 {
		t.Fatalf("the boundary address has %d characters", len(longest))
	}
	wantStatus(t, e.call("PATCH", path, tm.emp1.AccessToken, map[string]any{"email": longest}), http.StatusOK)
	if s := read(); s.Email != longest {
		t.Fatalf("the 254-character address was not stored: %q", s.Email)
	}
	wantField(t, e.call("PATCH", path, tm.emp1.AccessToken, map[string]any{"email": "e" + longest}), "email", "at most 254")
	wantField(t, e.call("PATCH", path, tm.emp1.AccessToken, map[string]any{"email": "not an address"}), "email", "valid email")
	if s := read(); s.Email != longest {
		t.Fatalf("a refused edit changed the email to %q", s.Email)
	}

	wantStatus(t, e.call("PATCH", path, tm.admin.AccessToken, map[string]any{"email": ""}), http.StatusOK)
	if s := read(); s.Email != "" {
		t.Fatalf("an empty email did not clear it: %q", s.Email)
	}

	wantStatus(t, e.call("PUT", "/v1/conversations/"+e.event(tm.key, b.ID, openChat("ev-2", "s1")).ConversationID+"/followers/"+tm.follower.Member.ID,
		tm.admin.AccessToken, nil), http.StatusOK)
	wantStatus(t, e.call("PATCH", path, tm.follower.AccessToken, map[string]any{"email": "f@example.com"}), http.StatusForbidden)
	if s := read(); s.Email != "" {
		t.Fatalf("a follower's edit changed the email to %q", s.Email)
	}
}
