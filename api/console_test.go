package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/web"
)

// With the console mounted, the server's own paths stay the API's (an
// unknown /v1/ path is a problem+json 404) and every other GET is the
// console's.
func TestConsoleBesideTheAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(_ *authConfig, o *apiOptions) { o.Console = web.New() })
	page, err := e.http.Client().Get(e.http.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != http.StatusOK || !strings.Contains(string(body), "/app.js") || page.Header.Get("Content-Security-Policy") != web.CSP {
		t.Fatalf("GET /: %d %v", page.StatusCode, page.Header)
	}
	if page.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("the console's files are revalidated, not kept from caches: %q", page.Header.Get("Cache-Control"))
	}
	r := e.call("GET", "/v1/no-such-route", "", nil)
	if r.StatusCode != http.StatusNotFound || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("GET /v1/no-such-route: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	wantStatus(t, e.call("GET", "/healthz", "", nil), http.StatusOK)
	post, err := e.http.Client().Post(e.http.URL+"/chats/x", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode == http.StatusOK {
		t.Fatal("the console answers GET only")
	}
}
