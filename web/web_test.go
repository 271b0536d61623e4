package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
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

// A browser that takes gzip gets each file compressed (made once, at
// start) under its own ETag, and the same bytes once decompressed; one
// that does not, or refuses it with q=0, gets the file as it is.
func TestConsoleFilesGzip(t *testing.T) {
	t.Parallel()
	h := web.New()
	plain := get(t, h, "/chat.js", nil)
	for _, ae := range []string{"gzip", "gzip, deflate, br, zstd", "br;q=1.0, GZIP;q=0.5"} {
		w := get(t, h, "/chat.js", map[string]string{"Accept-Encoding": ae})
		if w.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(w.Header().Get("Vary"), "Accept-Encoding") {
			t.Fatalf("Accept-Encoding %q: headers %v", ae, w.Header())
		}
		if w.Body.Len() >= plain.Body.Len()/2 {
			t.Fatalf("Accept-Encoding %q: %d bytes of %d", ae, w.Body.Len(), plain.Body.Len())
		}
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, plain.Body.Bytes()) {
			t.Fatalf("Accept-Encoding %q: the decompressed file differs (%v)", ae, err)
		}
		etag := w.Header().Get("ETag")
		if etag == plain.Header().Get("ETag") {
			t.Fatal("the gzip encoding shares the file's ETag")
		}
		if r := get(t, h, "/chat.js", map[string]string{"Accept-Encoding": ae, "If-None-Match": etag}); r.Code != http.StatusNotModified {
			t.Fatalf("revalidating the gzip encoding: %d", r.Code)
		}
	}
	for _, ae := range []string{"", "identity", "gzip;q=0", "br, gzip; q=0"} {
		w := get(t, h, "/chat.js", map[string]string{"Accept-Encoding": ae})
		if w.Header().Get("Content-Encoding") != "" || !bytes.Equal(w.Body.Bytes(), plain.Body.Bytes()) {
			t.Fatalf("Accept-Encoding %q: got an encoding %q", ae, w.Header().Get("Content-Encoding"))
		}
	}
}
