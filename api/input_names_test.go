package api_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// TestMemberNamesWithNULAreRefused: a JSON member name holding U+0000 (a
// key of variables or credentials, for instance) cannot be stored as a
// document key; the strict decoder refuses it as a 400 naming the field
// instead of letting the store fail with a 500. U+0000 inside a value is
// still text like any other.
func TestMemberNamesWithNULAreRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tm, b := e.shop()
	sub := e.event(tm.key, b.ID, say("ev-0", "s0", "hello")).SubscriberID
	last := e.pull(tm.admin.AccessToken, 0, nil).Timestamp
	cases := []struct {
		name, method, path, token, body, field string
	}{
		{"subscriber variable", "PATCH", "/v1/subscribers/" + sub, tm.admin.AccessToken,
			`{"variables":{"a\u0000b":"x"}}`, `variables.a\u0000b`},
		{"event variable", "POST", "/v1/bots/" + b.ID + "/events", tm.key,
			`{"id":"ev-1","type":"message","subscriber":{"id":"s1","variables":{"k\u0000":"1"}},"message":{"text":"hi"}}`,
			`subscriber.variables.k\u0000`},
		{"bot credential", "PATCH", "/v1/bots/" + b.ID, tm.admin.AccessToken,
			`{"credentials":{"\u0000":"x"}}`, `credentials.\u0000`},
		{"sync variable", "POST", "/v1/sync?last_pulled_at=" + strconv.FormatInt(last, 10), tm.admin.AccessToken,
			`{"changes":{"subscribers":{"updated":[{"id":"` + sub + `","variables":{"a\u0000":"x"}}]}}}`,
			`changes.subscribers.updated[0].variables.a\u0000`},
	}
	for _, c := range cases {
		r := e.call(c.method, c.path, c.token, c.body)
		if r.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400; %s", c.name, r.StatusCode, r.Body)
			continue
		}
		if p := r.Problem(t); p.Code != models.CodeInvalid || len(p.Errors) == 0 || p.Errors[0].Field != c.field {
			t.Errorf("%s: %s %+v, want the field %q named", c.name, p.Code, p.Errors, c.field)
		}
	}
	// In a value U+0000 is text, and an escaped backslash before "u0000"
	// in a name is no U+0000.
	r := e.call("PATCH", "/v1/subscribers/"+sub, tm.admin.AccessToken, `{"variables":{"a\\u0000":"x\u0000y"}}`)
	wantStatus(t, r, http.StatusOK)
	var got models.Subscriber
	r.JSON(t, &got)
	if got.Variables[`a\u0000`] != "x\x00y" {
		t.Errorf("variables %q", got.Variables)
	}
}

// TestDuplicateNamesCountHoweverEscaped: a name written with escapes is
// the same name, so a login body naming email twice, once as
// "em\u0061il", is refused like any duplicate.
func TestDuplicateNamesCountHoweverEscaped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.admin("a@example.com")
	for _, body := range []string{
		`{"email":"a@example.com","em\u0061il":"b@example.com","password":"x"}`,
		`{"\u0065mail":"a@example.com","password":"x","email":"b@example.com"}`,
	} {
		r := e.call("POST", "/v1/auth/login", "", body)
		wantStatus(t, r, http.StatusBadRequest)
		if p := r.Problem(t); len(p.Errors) == 0 || p.Errors[0].Field != "email" {
			t.Errorf("%s: errors %+v, want email named", body, p.Errors)
		}
	}
}
