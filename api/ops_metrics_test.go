package api_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/api"
	"github.com/switchboardhq/switchboard/models"
)

// series is one scraped sample line of switchboard_http_requests_total.
type series struct {
	labels map[string]string
	value  string
}

var (
	sampleLine = regexp.MustCompile(`^switchboard_http_requests_total\{(.*)\} (\S+)$`)
	labelPair  = regexp.MustCompile(`(\w+)="((?:[^"\\]|\\.)*)"`)
)

// requestSeries scrapes /metrics over HTTP and returns every series of
// switchboard_http_requests_total.
func (e *env) requestSeries(t *testing.T) []series {
	t.Helper()
	r := e.call("GET", "/metrics", "", nil)
	wantStatus(t, r, http.StatusOK)
	var out []series
	for _, line := range strings.Split(string(r.Body), "\n") {
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		s := series{labels: map[string]string{}, value: m[2]}
		for _, p := range labelPair.FindAllStringSubmatch(m[1], -1) {
			s.labels[p[1]] = p[2]
		}
		out = append(out, s)
	}
	return out
}

// count is the value of the series with code and url ("" when absent).
func count(all []series, code, url string) string {
	for _, s := range all {
		if s.labels["code"] == code && s.labels["url"] == url {
			return s.value
		}
	}
	return ""
}

// TestMetricsCountTheRealStatus: an answer is counted under the status the
// client received, 4xx included, whichever layer made it.
func TestMetricsCountTheRealStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk := e.admin("a@example.com")
	wantStatus(t, e.call("GET", "/v1/me", "", nil), http.StatusUnauthorized)
	wantStatus(t, e.call("GET", "/v1/members/"+models.NewID(), tk.AccessToken, nil), http.StatusNotFound)
	wantStatus(t, e.call("POST", "/v1/members", tk.AccessToken, `{"email":"not an email"}`), http.StatusBadRequest)
	req, _ := http.NewRequest("POST", e.http.URL+"/v1/members", strings.NewReader("x"))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Authorization", "Bearer "+tk.AccessToken)
	wantStatus(t, e.do(req), http.StatusUnsupportedMediaType)
	wantStatus(t, e.call("DELETE", "/healthz", "", nil), http.StatusMethodNotAllowed)
	wantStatus(t, e.call("GET", "/v1/me", tk.AccessToken, nil), http.StatusOK)

	all := e.requestSeries(t)
	for _, c := range []struct{ code, url string }{
		{"401", "/v1/me"}, {"404", "/v1/members/:id"}, {"400", "/v1/members"}, {"415", "/v1/members"},
		{"405", "/healthz"}, {"200", "/v1/me"},
	} {
		if got := count(all, c.code, c.url); got != "1" {
			t.Errorf("requests with code %s on %s: %q, want 1", c.code, c.url, got)
		}
	}
	for _, s := range all {
		if strings.HasPrefix(s.labels["code"], "5") {
			t.Errorf("a 5xx series though no request failed: %v", s.labels)
		}
	}
}

// TestMetricsLabelsAreBounded: Host headers, unknown paths and made-up
// methods of clients do not make new series.
func TestMetricsLabelsAreBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	round := func(i int) {
		for _, c := range []struct{ method, path string }{
			{"GET", "/healthz"},
			{"GET", fmt.Sprintf("/nope/%d", i)},
			{"GET", fmt.Sprintf("/v1/members-%d", i)},
			{"GET", fmt.Sprintf("/v1/bots/b%d/unknown", i)},
			{fmt.Sprintf("BREW%d", i), "/healthz"},
			{fmt.Sprintf("BREW%d", i), fmt.Sprintf("/nope/%d", i)},
		} {
			req, err := http.NewRequest(c.method, e.http.URL+c.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Host = fmt.Sprintf("client-%d.example.com", i)
			res, err := e.http.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
		}
	}
	round(0)
	before := e.requestSeries(t)
	for i := 1; i <= 20; i++ {
		round(i)
	}
	after := e.requestSeries(t)
	if len(after) != len(before) {
		t.Errorf("20 rounds of new hosts, paths and methods made %d series from %d", len(after), len(before))
	}
	for _, s := range after {
		for name, v := range s.labels {
			if strings.Contains(v, "client-") || strings.Contains(v, "nope") || strings.Contains(v, "BREW") || strings.Contains(v, "members-") {
				t.Errorf("label %s=%q comes from the client", name, v)
			}
		}
	}
	unmatched := 0.0
	for _, s := range after {
		if s.labels["code"] == "404" && s.labels["url"] == "" {
			var v float64
			fmt.Sscan(s.value, &v)
			unmatched += v
		}
	}
	if unmatched != 84 {
		t.Errorf("unmatched 404s counted %v times, want 84 (4 a round, 21 rounds)", unmatched)
	}
}

// TestClientAbortIsNotAServerError: a client that gives up on a long-poll
// pull, or on a request waiting for the store, is logged at info level
// with status 499 and counted as 499: no ERROR line, no 5xx.
func TestClientAbortIsNotAServerError(t *testing.T) {
	logs := captureLogs(t)
	e := newEnv(t)
	tk := e.admin("a@example.com")
	first := e.pull(tk.AccessToken, 0, nil)
	// The first pull's own access line (a 200) is not one of the aborts:
	// the lines up to it are left out (it may be written just after the
	// answer reached the client).
	skip := 0
	waitUntil(t, "the first pull's access line", func() bool {
		for i, l := range logs.lines(t) {
			if l["msg"] == "request" && l["route"] == "/v1/sync" {
				skip = i + 1
				return true
			}
		}
		return false
	})

	// A handler that waits for the store while its client leaves.
	entered := make(chan struct{})
	e.srv.Echo().GET("/test/store-wait", func(c echo.Context) error {
		close(entered)
		<-c.Request().Context().Done()
		_, err := e.db.Workspace(c.Request().Context(), models.NewID())
		return err
	})

	abort := func(path string, started func() bool) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, "GET", e.http.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tk.AccessToken)
		done := make(chan error, 1)
		go func() {
			res, err := e.http.Client().Do(req)
			if err == nil {
				res.Body.Close()
			}
			done <- err
		}()
		waitUntil(t, path+" to be served", started)
		cancel()
		if err := <-done; err == nil {
			t.Fatalf("%s answered though its client canceled", path)
		}
	}
	abort(fmt.Sprintf("/v1/sync?last_pulled_at=%d&wait=30", first.Timestamp), func() bool { n, _ := e.hub.Waiting(); return n == 1 })
	abort("/test/store-wait", func() bool {
		select {
		case <-entered:
			return true
		default:
			return false
		}
	})

	// The access line is written once the handler has seen the abort.
	access := map[string]map[string]any{}
	waitUntil(t, "both access log lines", func() bool {
		for _, l := range logs.lines(t)[skip:] {
			if l["msg"] == "request" {
				access[fmt.Sprint(l["route"])] = l
			}
		}
		return access["/v1/sync"] != nil && access["/test/store-wait"] != nil
	})
	for route, l := range access {
		if route != "/v1/sync" && route != "/test/store-wait" {
			continue
		}
		if l["status"] != float64(api.StatusClientClosed) || l["level"] != "INFO" {
			t.Errorf("%s: access line %v, want status %d at INFO", route, l, api.StatusClientClosed)
		}
	}
	for _, l := range logs.lines(t) {
		if l["level"] == "ERROR" || l["level"] == "WARN" {
			t.Errorf("a client abort was logged as a failure: %v", l)
		}
	}
	all := e.requestSeries(t)
	for _, url := range []string{"/v1/sync", "/test/store-wait"} {
		if got := count(all, "499", url); got != "1" {
			t.Errorf("aborts of %s counted %q times as 499, want 1", url, got)
		}
	}
	for _, s := range all {
		if strings.HasPrefix(s.labels["code"], "5") {
			t.Errorf("a client abort was counted as a server error: %v", s.labels)
		}
	}
	// The server goes on answering.
	wantStatus(t, e.call("GET", "/healthz", "", nil), http.StatusOK)
}

// waitUntil polls cond until it holds; it fails the test after a generous
// limit, which only a hang reaches.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
