package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/api"
	"github.com/switchboardhq/switchboard/store/storetest"
)

func TestHealthAndReadiness(t *testing.T) {
	e := newEnv(t)
	wantStatus(t, e.call("GET", "/healthz", "", nil), http.StatusOK)
	wantStatus(t, e.call("GET", "/readyz", "", nil), http.StatusOK)

	down := storetest.Open(t)
	if err := down.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	e2 := newEnv(t, func(_ *authConfig, o *apiOptions) { o.Store = down })
	wantStatus(t, e2.call("GET", "/healthz", "", nil), http.StatusOK)
	r := e2.call("GET", "/readyz", "", nil)
	wantStatus(t, r, http.StatusServiceUnavailable)
	if p := r.Problem(t); strings.Contains(p.Detail, "disconnect") {
		t.Fatalf("internal error text leaked: %q", p.Detail)
	}
}

// TestStoreDownIs503: an unreachable database answers 503, not 500.
func TestStoreDownIs503(t *testing.T) {
	e := newEnv(t)
	tk := e.admin("a@example.com")
	if err := e.db.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := e.call("GET", "/v1/me", tk.AccessToken, nil)
	wantStatus(t, r, http.StatusServiceUnavailable)
	if p := r.Problem(t); p.Code != "unavailable" {
		t.Fatalf("code %q", p.Code)
	}
}

func TestMetrics(t *testing.T) {
	e := newEnv(t)
	tk := e.admin("a@example.com")
	e.call("GET", "/v1/me", tk.AccessToken, nil)
	e.call("GET", "/v1/members/"+strings.Repeat("x", 10), tk.AccessToken, nil)
	r := e.call("GET", "/metrics", "", nil)
	wantStatus(t, r, http.StatusOK)
	body := string(r.Body)
	for _, want := range []string{
		`switchboard_http_requests_total{code="200",host=`,
		`url="/v1/me"`,
		`url="/v1/members/:id"`,
		`switchboard_http_request_duration_seconds_bucket`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, `url="/v1/members/xxxxxxxxxx"`) {
		t.Error("metrics are labelled by raw path, not by route")
	}
}

func TestDatabaseCommandMetrics(t *testing.T) {
	opt := storetest.Options(t)
	reg := newRegistry()
	opt.Registerer = reg
	db := storetest.NewWith(t, opt)
	if _, err := db.Workspace(context.Background(), "nope"); err == nil {
		t.Fatal("found a missing workspace")
	}
	e := newEnv(t, func(_ *authConfig, o *apiOptions) { o.Registry = reg })
	body := string(e.call("GET", "/metrics", "", nil).Body)
	for _, want := range []string{`switchboard_db_commands_total{command="find",outcome="ok"}`, `switchboard_db_command_duration_seconds_bucket{command="find"`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// logCapture collects the JSON log lines written through the default logger.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logCapture) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logCapture) lines(t *testing.T) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(l.buf.Bytes()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		out = append(out, m)
	}
	return out
}

func captureLogs(t *testing.T) *logCapture {
	c := &logCapture{}
	prev := slog.Default()
	slog.SetDefault(slog.New(api.NewLogHandler(slog.NewJSONHandler(c, nil))))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return c
}

func TestRequestIDOnEveryLogLine(t *testing.T) {
	e := newEnv(t)
	e.admin("a@example.com")
	logs := captureLogs(t)
	req, _ := http.NewRequest("POST", e.http.URL+"/v1/auth/login", strings.NewReader(`{"email":"a@example.com","password":"wrong-password"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-ID", "req-abc-123")
	r := e.do(req)
	wantStatus(t, r, http.StatusUnauthorized)
	if r.Header.Get("X-Request-ID") != "req-abc-123" || r.Problem(t).RequestID != "req-abc-123" {
		t.Fatalf("request id not echoed: %q", r.Header.Get("X-Request-ID"))
	}
	lines := logs.lines(t)
	if len(lines) < 2 { // the service's "login refused" line and the access line
		t.Fatalf("want at least 2 log lines, got %v", lines)
	}
	for _, l := range lines {
		if l["request_id"] != "req-abc-123" {
			t.Errorf("log line without the request id: %v", l)
		}
		if strings.Contains(strings.ToLower(l["msg"].(string)), "wrong-password") {
			t.Error("password in logs")
		}
	}
	// A malformed incoming id is replaced, not logged as is.
	req, _ = http.NewRequest("GET", e.http.URL+"/healthz", nil)
	req.Header.Set("X-Request-ID", "bad id {forged}")
	r = e.do(req)
	if got := r.Header.Get("X-Request-ID"); got == "" || strings.Contains(got, " ") {
		t.Fatalf("request id %q", got)
	}
}

func TestPanicIsRecovered(t *testing.T) {
	e := newEnv(t)
	logs := captureLogs(t)
	e.srv.Echo().GET("/test/panic", func(echo.Context) error { panic("secret internal detail") })
	r := e.call("GET", "/test/panic", "", nil)
	wantStatus(t, r, http.StatusInternalServerError)
	p := r.Problem(t)
	if strings.Contains(string(r.Body), "secret internal detail") || p.Code != "internal" {
		t.Fatalf("panic leaked: %s", r.Body)
	}
	found := false
	for _, l := range logs.lines(t) {
		if l["msg"] == "panic" && l["request_id"] == p.RequestID && strings.Contains(l["error"].(string), "secret internal detail") {
			found = true
		}
	}
	if !found {
		t.Fatal("panic not logged with its request id")
	}
	// The server goes on serving.
	wantStatus(t, e.call("GET", "/healthz", "", nil), http.StatusOK)
}

// TestSpecCheckCatchesDrift proves the response validation used by every API
// test can fail: an undocumented field and an undocumented status are caught.
func TestSpecCheckCatchesDrift(t *testing.T) {
	for name, c := range map[string]struct {
		status int
		body   string
	}{
		"extra field":         {200, `{"status":"ok","debug":"x"}`},
		"undocumented status": {418, `{"status":"ok"}`},
		"wrong type":          {200, `{"status":1}`},
		"undocumented route":  {200, `{"status":"ok"}`},
	} {
		t.Run(name, func(t *testing.T) {
			rec := &recordingTB{TB: t}
			path := "/healthz"
			if name == "undocumented route" {
				path = "/v1/secret-debug"
			}
			// Any host: the check must not depend on the test server's port.
			req := httptest.NewRequest("GET", "http://127.0.0.1:39999"+path, nil)
			res := &http.Response{StatusCode: c.status, Header: http.Header{"Content-Type": {"application/json"}}}
			checkAgainstSpec(rec, req, res, []byte(c.body))
			if !rec.failed {
				t.Fatal("spec check accepted a response the spec forbids")
			}
		})
	}
}

// TestSpecCheckCatchesDriftInComposedSchemas: the created-key answer is an
// allOf of the key's fields plus the secret; an extra field such as the
// stored hash must still be caught, and the real shape must pass.
func TestSpecCheckCatchesDriftInComposedSchemas(t *testing.T) {
	good := `{"id":"k1","name":"n","prefix":"sbk_0123","created_by":"m","created_at":"2026-01-01T00:00:00Z","revoked":false,"secret":"sbk_x"}`
	for name, c := range map[string]struct {
		body string
		fail bool
	}{
		"real shape":     {good, false},
		"leaked hash":    {strings.Replace(good, `"secret"`, `"hash":"abc","secret"`, 1), true},
		"missing secret": {strings.Replace(good, `,"secret":"sbk_x"`, ``, 1), true},
	} {
		t.Run(name, func(t *testing.T) {
			rec := &recordingTB{TB: t}
			req := httptest.NewRequest("POST", "http://localhost:8080/v1/api-keys", nil)
			res := &http.Response{StatusCode: 201, Header: http.Header{"Content-Type": {"application/json"}}}
			checkAgainstSpec(rec, req, res, []byte(c.body))
			if rec.failed != c.fail {
				t.Fatalf("spec check failed=%v, want %v", rec.failed, c.fail)
			}
		})
	}
}

type recordingTB struct {
	testing.TB
	failed bool
}

func (r *recordingTB) Errorf(string, ...any) { r.failed = true }
