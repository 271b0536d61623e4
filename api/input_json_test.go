package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// TestStrictJSONNamesTheField checks the one strict decoder on the bodies
// the issue names (login, workspace, events, sync push): invalid UTF-8,
// duplicate and case-variant names are refused with the field's path, and
// nothing is written.
func TestStrictJSONNamesTheField(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tm, b := e.shop()
	e.member(tm.admin.AccessToken, "second@example.com", models.RoleEmployee)
	ws := tm.admin.Workspace.ID
	sub := e.event(tm.key, b.ID, say("ev-0", "s0", "hello")).SubscriberID
	r := e.call("PATCH", "/v1/subscribers/"+sub, tm.admin.AccessToken, `{"variables":{"city":"Lima"},"tags":["lead"]}`)
	wantStatus(t, r, http.StatusOK)
	seq := func() int64 {
		n, err := e.db.ReservedSeq(context.Background(), ws)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := seq()
	emp := tm.emp1.AccessToken
	cases := []struct {
		name, method, path, token, body, field string
	}{
		// A proxy reading the first email would see another user than the last one.
		{"login with two emails", "POST", "/v1/auth/login", "",
			`{"email":"emp1@example.com","password":"member-password","email":"second@example.com"}`, "email"},
		{"login with a case variant", "POST", "/v1/auth/login", "",
			`{"email":"emp1@example.com","EMAIL":"second@example.com","password":"member-password"}`, "EMAIL"},
		{"workspace name with a stray byte", "PATCH", "/v1/workspace", tm.admin.AccessToken,
			`{"name":"Shop ` + "\xc3" + `"}`, "name"},
		{"workspace name with a lone surrogate", "PATCH", "/v1/workspace", tm.admin.AccessToken,
			`{"name":"Shop \udc00"}`, "name"},
		{"event text with a stray byte", "POST", "/v1/bots/" + b.ID + "/events", tm.key,
			`{"id":"ev-1","type":"message","subscriber":{"id":"s1"},"message":{"text":"hi ` + "\xff" + `"}}`, "message.text"},
		{"event variables named twice", "POST", "/v1/bots/" + b.ID + "/events", tm.key,
			`{"id":"ev-2","type":"message","subscriber":{"id":"s1","variables":{"k":"1","k":"2"}},"message":{"text":"hi"}}`, "subscriber.variables.k"},
		{"sync note with a stray byte", "POST", "/v1/sync?last_pulled_at=1", emp,
			`{"changes":{"notes":{"created":[{"id":"n1","text":"a` + "\xff" + `b"}]}}}`, "changes.notes.created[0].text"},
		{"sync record with an id twice", "POST", "/v1/sync?last_pulled_at=1", emp,
			`{"changes":{"notes":{"created":[{"id":"n1","text":"a"},{"id":"n2","id":"n3"}]}}}`, "changes.notes.created[1].id"},
		{"a member named by digits is not an index", "POST", "/v1/sync?last_pulled_at=1", emp,
			`{"changes":{"notes":{"created":[{"0":"` + "\xff" + `"}]}}}`, "changes.notes.created[0].0"},
		{"sync tables twice", "POST", "/v1/sync?last_pulled_at=1", emp,
			`{"changes":{"notes":{},"notes":{}}}`, "changes.notes"},
		{"wrong type deep in a body", "POST", "/v1/bots/" + b.ID + "/flows", tm.admin.AccessToken,
			`{"name":"f","steps":[{"text":"a"},{"text":1}]}`, "steps[1].text"},
		{"unknown field deep in a body", "PUT", "/v1/conversations/x0/links", tm.admin.AccessToken,
			`{"links":[{"kind":"task","ref":"r","owner":"x"}]}`, "links[0].owner"},
		{"not one object", "POST", "/v1/auth/login", "", `[1,2]`, "(body)"},
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
	if after := seq(); after != before {
		t.Errorf("refused bodies wrote %d changes", after-before)
	}

	// The JSON text of a pushed list or object column is read as strictly.
	for column, text := range map[string]string{
		"variables": `{"city":"Quito","city":"Lima"}`,
		"tags":      `["\udc00"]`,
	} {
		body := map[string]any{"changes": map[string]any{"subscribers": map[string]any{
			"updated": []map[string]any{{"id": sub, column: text}}}}}
		last := e.pull(emp, 0, nil).Timestamp
		r := e.call("POST", "/v1/sync?last_pulled_at="+strconv.FormatInt(last, 10), emp, body)
		field := "changes.subscribers.updated[0]." + column
		switch r.StatusCode {
		case http.StatusBadRequest:
			if p := r.Problem(t); len(p.Errors) == 0 || p.Errors[0].Field != field {
				t.Errorf("%s: errors %+v, want %s named", column, p.Errors, field)
			}
		case http.StatusOK: // a record refused by the rules may come back rejected instead
			var ans struct {
				Rejected map[string][]string `json:"experimentalRejectedIds"`
			}
			r.JSON(t, &ans)
			if len(ans.Rejected["subscribers"]) != 1 {
				t.Errorf("%s: %s taken", column, text)
			}
		default:
			t.Errorf("%s: %d; %s", column, r.StatusCode, r.Body)
		}
	}
	var got models.Subscriber
	e.call("GET", "/v1/subscribers/"+sub, tm.admin.AccessToken, nil).JSON(t, &got)
	if got.Variables["city"] != "Lima" || len(got.Tags) != 1 || got.Tags[0] != "lead" {
		t.Errorf("refused columns were stored: %v %q", got.Variables, got.Tags)
	}

	// Text that is valid UTF-8 passes, escaped surrogate pairs included.
	r = e.call("PATCH", "/v1/workspace", tm.admin.AccessToken, `{"name":"Shop \ud83d\ude00 \u00e9"}`)
	wantStatus(t, r, http.StatusOK)
	var w models.Workspace
	r.JSON(t, &w)
	if w.Name != "Shop 😀 é" {
		t.Fatalf("name %q", w.Name)
	}
	r = e.call("POST", "/v1/auth/login", "", `{"email":"second@example.com","password":"member-password"}`)
	wantStatus(t, r, http.StatusOK)
}

// TestCursorsAreChecked pages the three cursor lists with the cursors they
// hand out, and refuses every other cursor with a 400 naming it: one made
// by another list, or ids that look right but no list returned.
func TestCursorsAreChecked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tm, b := e.shop()
	for _, s := range []string{"s1", "s2", "s3"} {
		e.event(tm.key, b.ID, openChat("open-"+s, s))
	}
	admin := tm.admin.AccessToken
	next := map[string]string{}
	for _, list := range []string{"/v1/members", "/v1/subscribers", "/v1/conversations"} {
		seen := map[string]bool{}
		cursor := ""
		for page := 0; ; page++ {
			q := list + "?limit=1"
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			r := e.call("GET", q, admin, nil)
			wantStatus(t, r, http.StatusOK)
			var l struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
				NextCursor string `json:"next_cursor"`
			}
			r.JSON(t, &l)
			for _, it := range l.Items {
				if seen[it.ID] {
					t.Fatalf("%s: %s twice", list, it.ID)
				}
				seen[it.ID] = true
			}
			if page == 0 {
				next[list] = l.NextCursor
			}
			if cursor = l.NextCursor; cursor == "" {
				break
			}
		}
		if len(seen) < 3 {
			t.Fatalf("%s: paged %d records, want at least 3", list, len(seen))
		}
	}
	bad := map[string][]string{
		"/v1/members":       {next["/v1/subscribers"], next["/v1/conversations"], tm.emp1.Member.ID, "zzzz"},
		"/v1/subscribers":   {next["/v1/members"], next["/v1/conversations"], "s1", "zzzz"},
		"/v1/conversations": {next["/v1/members"], next["/v1/subscribers"], "zzzz", "x" + next["/v1/conversations"]},
	}
	// A position is checked at its bounds: an id of 64 characters is one
	// (after every member: an empty last page), 65 is not.
	wrap := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	wantStatus(t, e.call("GET", "/v1/members?cursor="+wrap("members:"+strings.Repeat("a", 64)), admin, nil), http.StatusOK)
	bad["/v1/members"] = append(bad["/v1/members"], wrap("members:"+strings.Repeat("a", 65)), wrap("members:"), wrap("members"))
	for list, cursors := range bad {
		for _, c := range cursors {
			r := e.call("GET", list+"?cursor="+c, admin, nil)
			if r.StatusCode != http.StatusBadRequest {
				t.Errorf("%s?cursor=%s: %d, want 400", list, c, r.StatusCode)
				continue
			}
			if p := r.Problem(t); len(p.Errors) == 0 || p.Errors[0].Field != "cursor" {
				t.Errorf("%s?cursor=%s: errors %+v", list, c, p.Errors)
			}
		}
	}
}

// TestUploadNameMustBeUTF8 refuses a file name that is not UTF-8 text (in
// the part's header raw, or percent-encoded as RFC 2231 allows) before
// anything is stored; a UTF-8 name is kept.
func TestUploadNameMustBeUTF8(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tm, b := e.shop()
	c := e.event(tm.key, b.ID, say("m1", "s1", "hi")).ConversationID
	for _, name := range []string{"caf\xe9.png", "\xff"} {
		r := e.upload(tm.emp1.AccessToken, c, name, pngHeader)
		if r.StatusCode != http.StatusBadRequest {
			t.Fatalf("%q: %d; %s", name, r.StatusCode, r.Body)
		}
		if p := r.Problem(t); len(p.Errors) == 0 || p.Errors[0].Field != "file" {
			t.Fatalf("%q: errors %+v", name, p.Errors)
		}
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreatePart(textproto.MIMEHeader{"Content-Disposition": {`form-data; name="file"; filename*=UTF-8''%FF.png`}})
	_, _ = part.Write(pngHeader)
	_ = w.Close()
	req, _ := http.NewRequest("POST", e.http.URL+"/v1/conversations/"+c+"/files", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tm.emp1.AccessToken)
	if r := e.do(req); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("a percent-encoded stray byte: %d; %s", r.StatusCode, r.Body)
	}
	r := e.upload(tm.emp1.AccessToken, c, "café.png", pngHeader)
	wantStatus(t, r, http.StatusCreated)
	var f models.File
	r.JSON(t, &f)
	if f.Name != "café.png" {
		t.Fatalf("name %q", f.Name)
	}
}
