package api_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

func TestBadBodies(t *testing.T) {
	e := newEnv(t)
	admin := e.admin("a@example.com")
	before := countMembers(t, e, admin.Workspace.ID)
	cases := []struct {
		name   string
		body   string
		status int
		field  string
	}{
		{"malformed JSON", `{"email": "x@example.com",`, 400, ""},
		{"not an object", `[1,2]`, 400, "(body)"},
		{"two values", `{"email":"x@example.com","name":"X","role":"employee"} {}`, 400, ""},
		{"empty body", ``, 400, ""},
		{"unknown field", `{"email":"x@example.com","name":"X","role":"employee","is_root":true}`, 400, "is_root"},
		{"wrong type", `{"email":"x@example.com","name":42,"role":"employee"}`, 400, "name"},
		{"missing email", `{"name":"X","role":"employee"}`, 400, "email"},
		{"bad email", `{"email":"nope","name":"X","role":"employee"}`, 400, "email"},
		{"bad role", `{"email":"x@example.com","name":"X","role":"owner"}`, 400, "role"},
		{"short password", `{"email":"x@example.com","name":"X","role":"employee","password":"1234567"}`, 400, "password"},
		{"name 101 characters", `{"email":"x@example.com","name":"` + strings.Repeat("é", 101) + `","role":"employee"}`, 400, "name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call("POST", "/v1/members", admin.AccessToken, c.body)
			wantStatus(t, r, c.status)
			p := r.Problem(t)
			if p.Code != models.CodeInvalid {
				t.Fatalf("code %q", p.Code)
			}
			if c.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != c.field) {
				t.Fatalf("errors %+v, want field %q", p.Errors, c.field)
			}
		})
	}
	t.Run("name 100 characters is fine", func(t *testing.T) {
		r := e.call("POST", "/v1/members", admin.AccessToken, `{"email":"ok@example.com","name":"`+strings.Repeat("é", 100)+`","role":"employee"}`)
		wantStatus(t, r, http.StatusCreated)
	})
	t.Run("several fields at once", func(t *testing.T) {
		r := e.call("POST", "/v1/members", admin.AccessToken, `{"name":"","role":"x"}`)
		wantStatus(t, r, 400)
		fields := map[string]bool{}
		for _, f := range r.Problem(t).Errors {
			fields[f.Field] = true
		}
		if !fields["email"] || !fields["name"] || !fields["role"] {
			t.Fatalf("fields %v", fields)
		}
	})
	t.Run("not JSON", func(t *testing.T) {
		req, _ := http.NewRequest("POST", e.http.URL+"/v1/members", strings.NewReader("email=x"))
		req.Header.Set("Authorization", "Bearer "+admin.AccessToken)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		wantStatus(t, e.do(req), http.StatusUnsupportedMediaType)
	})
	if after := countMembers(t, e, admin.Workspace.ID); after != before+1 {
		t.Fatalf("bad bodies wrote members: %d -> %d", before, after)
	}
}

func TestBodyLimit(t *testing.T) {
	e := newEnv(t)
	e.admin("a@example.com")
	const limit = 1 << 20
	login := `{"email":"a@example.com","password":"admin-password"}`
	padded := func(n int) []byte { return append([]byte(login), bytes.Repeat([]byte(" "), n-len(login))...) }

	r := e.call("POST", "/v1/auth/login", "", padded(limit))
	wantStatus(t, r, http.StatusOK)

	r = e.call("POST", "/v1/auth/login", "", padded(limit+1))
	wantStatus(t, r, http.StatusRequestEntityTooLarge)
	if p := r.Problem(t); p.Code != models.CodeTooLarge {
		t.Fatalf("code %q", p.Code)
	}
	// Without a Content-Length the limit holds while reading.
	req, _ := http.NewRequest("POST", e.http.URL+"/v1/auth/login", io.MultiReader(bytes.NewReader(padded(limit+1))))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	wantStatus(t, e.do(req), http.StatusRequestEntityTooLarge)
}

func TestBodyLimitConfigurable(t *testing.T) {
	e := newEnv(t, func(_ *authConfig, o *apiOptions) { o.BodyLimit = 2048 })
	r := e.call("POST", "/v1/auth/login", "", `{"email":"a@example.com","password":"`+strings.Repeat("x", 2048)+`"}`)
	wantStatus(t, r, http.StatusRequestEntityTooLarge)
}

func TestBadIDsAndParams(t *testing.T) {
	e := newEnv(t)
	admin := e.admin("a@example.com")
	for path, status := range map[string]int{
		"/v1/members/" + strings.Repeat("a", 65):   400,
		"/v1/members/" + strings.Repeat("a", 64):   404,
		"/v1/members/bad%20id":                     400,
		"/v1/members/00000000-0000-0000-0000-0":    404,
		"/v1/api-keys/%24where":                    400,
		"/v1/members?limit=0":                      400,
		"/v1/members?limit=201":                    400,
		"/v1/members?limit=ten":                    400,
		"/v1/members?cursor=%7B%22%24gt%22%3A1%7D": 400,
		"/v1/members?role=owner":                   400,
		"/v1/nothing-here":                         404,
	} {
		r := e.call("GET", path, admin.AccessToken, nil)
		if r.StatusCode != status {
			t.Errorf("GET %s: %d, want %d (%s)", path, r.StatusCode, status, r.Body)
			continue
		}
		r.Problem(t)
	}
	r := e.call("PUT", "/v1/members", admin.AccessToken, nil)
	wantStatus(t, r, http.StatusMethodNotAllowed)
	r.Problem(t)
}
