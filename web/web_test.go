package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/web"
)

func get(t *testing.T, h http.Handler, path string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// The console's page and files are served with the strict policy; a
// path that names no file gets the page (the console's own routes), a
// missing asset a 404; an unchanged file costs a 304.
func TestConsoleFiles(t *testing.T) {
	t.Parallel()
	h := web.New()
	for _, p := range []string{"/", "/index.html", "/chats/abc123", "/settings"} {
		w := get(t, h, p, nil)
		if w.Code != 200 || !strings.Contains(w.Body.String(), `<script type="module" src="/app.js">`) {
			t.Fatalf("GET %s: %d %q", p, w.Code, w.Body.String())
		}
		if got := w.Header().Get("Content-Security-Policy"); got != web.CSP || !strings.Contains(got, "script-src 'self'") || strings.Contains(got, "unsafe") {
			t.Fatalf("GET %s: CSP %q", p, got)
		}
		if w.Header().Get("Content-Type") != "text/html; charset=utf-8" || w.Header().Get("X-Frame-Options") != "DENY" {
			t.Fatalf("GET %s: headers %v", p, w.Header())
		}
	}
	js := get(t, h, "/app.js", nil)
	if js.Code != 200 || !strings.HasPrefix(js.Header().Get("Content-Type"), "text/javascript") {
		t.Fatalf("app.js: %d %v", js.Code, js.Header())
	}
	if w := get(t, h, "/app.js", map[string]string{"If-None-Match": js.Header().Get("ETag")}); w.Code != http.StatusNotModified {
		t.Fatalf("revalidation: %d", w.Code)
	}
	if w := get(t, h, "/nothing-here.js", nil); w.Code != http.StatusNotFound {
		t.Fatalf("a missing asset: %d", w.Code)
	}
}

// No file the console ships runs inline script, and none pulls anything
// from another origin: what the page loads is the binary's.
func TestConsoleShipsNoInlineScriptOrForeignAsset(t *testing.T) {
	t.Parallel()
	page := get(t, web.New(), "/", nil).Body.String()
	for _, bad := range []string{"<script>", "onload=", "onclick=", "style=", "http://", "https://"} {
		if strings.Contains(page, bad) {
			t.Fatalf("index.html holds %q", bad)
		}
	}
}
