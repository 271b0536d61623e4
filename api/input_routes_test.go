package api_test

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
)

// routeCase is one route of the server with what openapi.yaml says of it.
type routeCase struct {
	method, path string // path with every parameter filled in
	op           *openapi3.Operation
	query        []string // the query parameters the spec declares
}

// everyRoute lists the server's routes (from the router itself, so a new
// route is covered without editing this test) joined to their operations.
func everyRoute(t *testing.T, e *env) []routeCase {
	t.Helper()
	doc, _ := spec(t)
	var out []routeCase
	for _, rt := range e.srv.Echo().Routes() {
		if strings.HasPrefix(rt.Path, "/*") || rt.Method == "echo_route_not_found" {
			continue
		}
		tmpl := echoParam.ReplaceAllString(rt.Path, "{$1}")
		item := doc.Paths.Find(tmpl)
		if item == nil || item.GetOperation(rt.Method) == nil {
			t.Fatalf("%s %s is not in openapi.yaml", rt.Method, tmpl)
		}
		op := item.GetOperation(rt.Method)
		rc := routeCase{method: rt.Method, path: echoParam.ReplaceAllString(rt.Path, "x0"), op: op}
		for _, p := range append(item.Parameters, op.Parameters...) {
			if p.Value != nil && p.Value.In == "query" {
				rc.query = append(rc.query, p.Value.Name)
			}
		}
		out = append(out, rc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].method+out[i].path < out[j].method+out[j].path })
	return out
}

// jsonField is a member the route's JSON body schema declares, with a
// value of its type; ok is false for a route without a JSON body.
func jsonField(op *openapi3.Operation) (name, value string, ok bool) {
	if op.RequestBody == nil || op.RequestBody.Value.Content.Get("application/json") == nil {
		return "", "", false
	}
	props := map[string]*openapi3.SchemaRef{}
	var collect func(s *openapi3.SchemaRef)
	collect = func(s *openapi3.SchemaRef) {
		if s == nil || s.Value == nil {
			return
		}
		for k, v := range s.Value.Properties {
			props[k] = v
		}
		for _, sub := range append(append(s.Value.AllOf, s.Value.OneOf...), s.Value.AnyOf...) {
			collect(sub)
		}
	}
	collect(op.RequestBody.Value.Content.Get("application/json").Schema)
	if len(props) == 0 {
		return "update_id", "1", true // a body the server passes on, such as a Telegram Update
	}
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	name = names[0]
	value = `"a"`
	if s := props[name].Value; s != nil && s.Type != nil {
		switch {
		case s.Type.Is("object"):
			value = `{}`
		case s.Type.Is("array"):
			value = `[]`
		case s.Type.Is("integer"), s.Type.Is("number"):
			value = `1`
		case s.Type.Is("boolean"):
			value = `true`
		}
	}
	return name, value, true
}

// TestEveryRouteHoldsTheInputRule walks every route of the server: each
// route that takes a JSON body refuses invalid UTF-8 and duplicate member
// names (400 naming the field) and a body that is not JSON (415); every
// route refuses a repeated or non-UTF-8 query parameter and a malformed
// cursor (400 naming it). Nothing is written, and nothing is a 500.
func TestEveryRouteHoldsTheInputRule(t *testing.T) {
	t.Parallel()
	var updates atomic.Int64
	pe := newPushEnv(t, push.Config{}, nil, func(_ *push.Gateway, o *apiOptions) {
		o.TelegramSecret = "webhook-secret"
		o.TelegramWebhook = func(context.Context, []byte) { updates.Add(1) }
	})
	e := pe.env
	admin := e.admin("a@example.com")
	ws := admin.Workspace.ID
	seq := func() int64 {
		n, err := e.db.ReservedSeq(context.Background(), ws)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := seq()

	send := func(method, path, contentType, body string) resp {
		t.Helper()
		req, err := http.NewRequest(method, e.http.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req.Header.Set("Authorization", "Bearer "+admin.AccessToken)
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "webhook-secret")
		return e.do(req)
	}
	want := func(r resp, status int, code models.Code, field string) {
		t.Helper()
		if r.StatusCode != status {
			t.Errorf("%s %s?%s: %d, want %d; %s", r.Request.Method, r.Request.URL.Path, r.Request.URL.RawQuery, r.StatusCode, status, r.Body)
			return
		}
		p := r.Problem(t)
		if p.Code != code {
			t.Errorf("%s %s: code %q, want %q", r.Request.Method, r.Request.URL.Path, p.Code, code)
		}
		if field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != field) {
			t.Errorf("%s %s?%s: errors %+v, want the field %q named", r.Request.Method, r.Request.URL.Path, r.Request.URL.RawQuery, p.Errors, field)
		}
	}

	bodies, lists := 0, 0
	for _, rc := range everyRoute(t, e) {
		// A messenger's webhook is verified on the raw body before anything
		// reads it: its bad input is answered 401 (forged) or 404 (no such
		// bot) first, as channels_hooks_test.go checks.
		if name, value, ok := jsonField(rc.op); ok && !strings.HasPrefix(rc.path, "/v1/hooks/") {
			bodies++
			want(send(rc.method, rc.path, "application/json", `{"`+name+`":"bad `+"\xff"+` byte"}`), 400, models.CodeInvalid, name)
			want(send(rc.method, rc.path, "application/json", `{"`+name+`":"\ud800"}`), 400, models.CodeInvalid, name)
			want(send(rc.method, rc.path, "application/json", `{"`+name+`":`+value+`,"`+name+`":`+value+`}`), 400, models.CodeInvalid, name)
			want(send(rc.method, rc.path, "text/plain", `{"`+name+`":`+value+`}`), 415, models.CodeUnsupported, "")
			want(send(rc.method, rc.path, "", `{"`+name+`":`+value+`}`), 415, models.CodeUnsupported, "")
		}
		params := rc.query
		if len(params) == 0 {
			params = []string{"limit"} // the rule holds on routes that declare none too
		}
		for _, p := range params {
			want(send(rc.method, rc.path+"?"+p+"=1&"+p+"=2", "", ""), 400, models.CodeInvalid, p)
			want(send(rc.method, rc.path+"?"+p+"=%FF", "", ""), 400, models.CodeInvalid, p)
			switch p {
			case "cursor":
				lists++
				// Garbage, and well-formed ids that no list handed out.
				for _, bad := range []string{"!!garbage!!", "zzzz", "x0", url.QueryEscape(`{"$gt":""}`)} {
					want(send(rc.method, rc.path+"?cursor="+bad, "", ""), 400, models.CodeInvalid, "cursor")
				}
			case "before", "after", "last_pulled_at":
				want(send(rc.method, rc.path+"?"+p+"=!!garbage!!", "", ""), 400, models.CodeInvalid, p)
			}
		}
	}
	if bodies < 30 || lists < 3 {
		t.Fatalf("walked %d JSON-body routes and %d cursor lists: the route walk is broken", bodies, lists)
	}
	if after := seq(); after != before {
		t.Errorf("refused requests wrote %d changes", after-before)
	}
	if n := updates.Load(); n != 0 {
		t.Errorf("the webhook handled %d refused updates", n)
	}
	r := e.call("GET", "/v1/workspace", admin.AccessToken, nil)
	wantStatus(t, r, http.StatusOK)
	var w models.Workspace
	r.JSON(t, &w)
	if w.Name != admin.Workspace.Name {
		t.Errorf("workspace renamed to %q by a refused request", w.Name)
	}
}
