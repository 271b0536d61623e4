// Package web is the agent console: static files (plain ES modules, one
// stylesheet, no build step) embedded in the binary and served at "/" on
// the public REST API. The page's policy forbids inline script and any
// origin but the server's own.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var files embed.FS

// CSP is the console's Content-Security-Policy: its own scripts, styles,
// images (stored files and avatars come from the API) and API calls only;
// no inline script or style, no framing, no plugins.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; " +
	"connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"

// asset is one embedded file with its validator, and its gzip encoding
// (made once, at New) when that is smaller.
type asset struct {
	body   []byte
	etag   string
	kind   string
	gz     []byte
	gzEtag string
}

// Handler serves the console: the embedded files by path, and index.html
// for every other path (the console's own routes, such as /chats/<id>).
type Handler struct {
	assets map[string]asset
	start  time.Time
}

// New indexes the embedded files.
func New() *Handler {
	h := &Handler{assets: map[string]asset{}, start: time.Now()}
	sub, _ := fs.Sub(files, "static")
	_ = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		kind := mime.TypeByExtension(path.Ext(p))
		if kind == "" {
			kind = "application/octet-stream"
		}
		tag := hex.EncodeToString(sum[:12])
		a := asset{body: body, etag: `"` + tag + `"`, kind: kind}
		if gz := gzipped(body); len(gz) < len(body) {
			a.gz, a.gzEtag = gz, `"`+tag+`-gz"`
		}
		h.assets["/"+p] = a
		return nil
	})
	return h
}

// ServeHTTP answers GET and HEAD with the file at the path, or with the
// console's page for a path that names no file.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, ok := h.assets[r.URL.Path]
	if !ok || r.URL.Path == "/index.html" {
		if path.Ext(r.URL.Path) != "" && !strings.HasSuffix(r.URL.Path, ".html") {
			http.NotFound(w, r)
			return
		}
		a = h.assets["/index.html"]
	}
	hd := w.Header()
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Content-Type", a.kind)
	// Revalidated on every load: a new binary's files are used at once,
	// an unchanged file costs a 304.
	hd.Set("Cache-Control", "no-cache")
	body, etag := a.body, a.etag
	if a.gz != nil {
		hd.Set("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			body, etag = a.gz, a.gzEtag
			hd.Set("Content-Encoding", "gzip")
		}
	}
	hd.Set("ETag", etag)
	http.ServeContent(w, r, "", h.start, bytes.NewReader(body))
}

// gzipped is body compressed as well as gzip can.
func gzipped(body []byte) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	_, _ = zw.Write(body)
	_ = zw.Close()
	return b.Bytes()
}

// acceptsGzip tells whether the request's Accept-Encoding takes gzip
// (named, without q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
