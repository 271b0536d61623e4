package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/api"
	"github.com/switchboardhq/switchboard/auth"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/storetest"
	syncsvc "github.com/switchboardhq/switchboard/sync"
)

func TestMain(m *testing.M) {
	// Request logs go nowhere unless a test captures them.
	slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, nil)))
	code := storetest.Main(m)
	closeBrowser() // the console tests' browser, if one started
	os.Exit(code)
}

// fastPasswords keeps argon2id cheap in tests; production cost is in BENCHMARKS.md.
var fastPasswords = auth.PasswordParams{MemoryKiB: 256, Iterations: 1, Parallelism: 1}

const testKey = "test-signing-key-0123456789abcdef0123456789"

// env is one server on a fresh database behind a real loopback listener.
type env struct {
	t     testing.TB
	db    storetest.Store
	auth  *auth.Service
	srv   *api.Server
	http  *httptest.Server
	clock *storetest.Clock // the auth service's: token and session expiry
	// inboxClock drives the inbox rules (reply windows, pauses, the 48 hours)
	// apart from token expiry, so tests can move days ahead and stay logged in.
	inboxClock *storetest.Clock
	reg        *prometheus.Registry
	inbox      *inbox.Service
	sync       *syncsvc.Service
	hub        *syncsvc.Hub
}

// testSync is the sync configuration of test servers: the defaults, with
// a short poll so that other instances' writes wake pulls quickly.
var testSync = syncsvc.Config{PollInterval: 50 * time.Millisecond}

type envOption func(*auth.Config, *api.Options)

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	return newSyncEnv(t, storetest.Open(t), testSync, opts...)
}

// newSyncEnv is newEnv on database db with sync configuration sc.
func newSyncEnv(t testing.TB, db storetest.Store, sc syncsvc.Config, opts ...envOption) *env {
	t.Helper()
	clock := storetest.NewClock(time.Now())
	cfg := auth.Config{SigningKey: []byte(testKey), Password: fastPasswords, Now: clock.Now}
	reg := prometheus.NewRegistry()
	aopt := api.Options{Store: db, Spec: switchboard.OpenAPI, Registry: reg}
	// The inbox exists before the options run, so that one can wire what
	// needs it (the messenger connections) through aopt.Inbox.
	inboxClock := storetest.NewClock(time.Now())
	in := inbox.New(inbox.Stores{Members: db, Bots: db, Subscribers: db, Conversations: db, Messages: db, Notes: db, Events: db, CRM: db, Flows: db, Stats: db, Files: db, Jobs: db}, inboxClock.Now)
	aopt.Inbox = in
	for _, o := range opts {
		o(&cfg, &aopt)
	}
	svc, err := auth.New(auth.Stores{Workspaces: db, Members: db, Sessions: db, APIKeys: db}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	aopt.Auth = svc
	hub := syncsvc.NewHub(db, sc.PollInterval)
	db.OnChange(hub.Notify)
	sy := syncsvc.New(db, in, sc, hub, inboxClock.Now)
	aopt.Sync = sy
	srv := api.New(aopt)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	t.Cleanup(hub.Close) // runs first: waiting pulls end before the server closes
	return &env{t: t, db: db, auth: svc, srv: srv, http: hs, clock: clock, inboxClock: inboxClock, reg: reg,
		inbox: in, sync: sy, hub: hub}
}

var (
	specOnce   sync.Once
	specRouter routers.Router
	specDoc    *openapi3.T
)

func spec(t testing.TB) (*openapi3.T, routers.Router) {
	t.Helper()
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(switchboard.OpenAPI)
		if err != nil {
			t.Fatalf("load openapi.yaml: %v", err)
		}
		if err := doc.Validate(context.Background()); err != nil {
			t.Fatalf("openapi.yaml is not a valid OpenAPI document: %v", err)
		}
		closeResponses(doc) // the tests still catch undocumented fields
		r, err := legacy.NewRouter(doc)
		if err != nil {
			t.Fatal(err)
		}
		specDoc, specRouter = doc, r
	})
	if specDoc == nil {
		t.Fatal("spec did not load")
	}
	return specDoc, specRouter
}

// resp is a finished response with its body read.
type resp struct {
	*http.Response
	Body []byte
}

func (r resp) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

func (r resp) Problem(t testing.TB) api.Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json; body %s", ct, r.Body)
	}
	var p api.Problem
	r.JSON(t, &p)
	return p
}

// call sends a request with a JSON body (a string is sent as is) and checks
// the response against openapi.yaml for every route the spec knows.
func (e *env) call(method, path, token string, body any) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.http.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.do(req)
}

func (e *env) do(req *http.Request) resp {
	e.t.Helper()
	res, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	checkAgainstSpec(e.t, req, res, body)
	return resp{Response: res, Body: body}
}

// checkAgainstSpec validates a real response (status, headers, body schema)
// against the operation the spec defines for the request.
func checkAgainstSpec(t testing.TB, req *http.Request, res *http.Response, body []byte) {
	t.Helper()
	_, router := spec(t)
	// The router matches the spec's server too: present the request as sent
	// to it, whatever loopback port the test server has.
	asSpec := req.Clone(req.Context())
	u := *req.URL
	u.Scheme, u.Host = "http", "localhost:8080"
	asSpec.URL, asSpec.Host = &u, u.Host
	route, params, err := router.FindRoute(asSpec)
	if err != nil {
		// Only unknown paths and methods (answered 404/405) and test-only
		// routes may be missing from the spec.
		if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed && !strings.HasPrefix(req.URL.Path, "/test/") {
			t.Errorf("%s %s -> %d: no operation in openapi.yaml (%v)", req.Method, req.URL.Path, res.StatusCode, err)
		}
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: asSpec, PathParams: params, Route: route},
		Status:                 res.StatusCode,
		Header:                 res.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s -> %d does not match openapi.yaml: %v\nbody: %s", req.Method, req.URL.Path, res.StatusCode, err, body)
	}
}

func wantStatus(t testing.TB, r resp, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d; body %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, status, r.Body)
	}
}

// tokens is the decoded login answer.
type tokens struct {
	AccessToken  string           `json:"access_token"`
	RefreshToken string           `json:"refresh_token"`
	ExpiresIn    int              `json:"expires_in"`
	Member       models.Member    `json:"member"`
	Workspace    models.Workspace `json:"workspace"`
	Extra        map[string]any   `json:"-"`
}

// admin creates a workspace with an admin and logs in.
func (e *env) admin(email string) tokens {
	e.t.Helper()
	if _, _, err := e.auth.CreateAdmin(context.Background(), email, "admin-password", "WS "+email); err != nil {
		e.t.Fatal(err)
	}
	return e.login(email, "admin-password")
}

func (e *env) login(email, password string) tokens {
	e.t.Helper()
	r := e.call("POST", "/v1/auth/login", "", map[string]string{"email": email, "password": password})
	wantStatus(e.t, r, http.StatusOK)
	var tk tokens
	r.JSON(e.t, &tk)
	return tk
}

// member adds a member with a password through the API, logs them in,
// replaces the given password with "member-password" as the API demands,
// and returns a fresh login.
func (e *env) member(adminToken, email string, role models.Role) tokens {
	e.t.Helper()
	r := e.call("POST", "/v1/members", adminToken, map[string]string{"email": email, "name": "M " + email, "role": string(role), "password": "given-password"})
	wantStatus(e.t, r, http.StatusCreated)
	first := e.login(email, "given-password")
	r = e.call("POST", "/v1/me/password", first.AccessToken, map[string]string{"current_password": "given-password", "new_password": "member-password"})
	wantStatus(e.t, r, http.StatusNoContent)
	return e.login(email, "member-password")
}

type (
	authConfig = auth.Config
	apiOptions = api.Options
)

// RefreshRetryGrace is the service's grace for refresh retries.
const RefreshRetryGrace = auth.RefreshRetryGrace

func newRegistry() *prometheus.Registry { return prometheus.NewRegistry() }
