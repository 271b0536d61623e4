package api_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// uploadNamed sends content in a part whose Content-Disposition carries
// name percent-encoded (RFC 2231 filename*), so that any byte, NUL and
// line breaks included, reaches the server as the file name.
func (e *env) uploadNamed(token, convID, name string, content []byte) resp {
	e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename*=UTF-8''`+url.PathEscape(name))
	h.Set("Content-Type", "application/octet-stream")
	part, _ := w.CreatePart(h)
	_, _ = part.Write(content)
	_ = w.Close()
	req, _ := http.NewRequest("POST", e.http.URL+"/v1/conversations/"+convID+"/files", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return e.do(req)
}

// TestUploadedFileNamesAreSafe: whatever name an upload claims, the file is
// stored and served under a plain base name, never a path or dots only.
func TestUploadedFileNamesAreSafe(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	c := e.event(tm.key, b.ID, say("m1", "s1", "hi")).ConversationID
	longest := "x" + strings.Repeat("é", 124) + "ab.txt" // 255 bytes
	for sent, want := range map[string]string{
		"..":                      "file",
		".":                       "file",
		"":                        "file",
		"....":                    "file",
		"a/..":                    "file",
		"../x.txt":                "x.txt",
		"../../etc/passwd":        "passwd",
		`..\..\windows\win.ini`:   "win.ini",
		"dir\\sub/report.pdf.txt": "report.pdf.txt",
		"evil\x00name.txt":        "evilname.txt",
		"line\r\nbreak\t.txt":     "linebreak.txt",
		"  spaced.txt  ":          "spaced.txt",
		"notes.txt. . .":          "notes.txt",
		"photo\u202Etxt.png":      "phototxt.png",
		"Отчёт 2026.txt":          "Отчёт 2026.txt",
		longest:                   longest,
	} {
		t.Run(want, func(t *testing.T) {
			r := e.uploadNamed(tm.emp1.AccessToken, c, sent, []byte("hello"))
			wantStatus(t, r, http.StatusCreated)
			var f models.File
			r.JSON(t, &f)
			if f.Name != want {
				t.Fatalf("sent %q, stored %q, want %q", sent, f.Name, want)
			}
			req, _ := http.NewRequest("GET", e.http.URL+"/v1/files/"+f.ID, nil)
			req.Header.Set("Authorization", "Bearer "+tm.emp1.AccessToken)
			res, err := e.http.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			_, params, err := mime.ParseMediaType(res.Header.Get("Content-Disposition"))
			if err != nil || params["filename"] != want {
				t.Fatalf("served as %q (%v), want filename %q", res.Header.Get("Content-Disposition"), err, want)
			}
		})
	}
	r := e.uploadNamed(tm.emp1.AccessToken, c, "y"+longest, []byte("hello")) // 256 bytes
	wantStatus(t, r, http.StatusBadRequest)
	if p := r.Problem(t); len(p.Errors) != 1 || p.Errors[0].Field != "file" {
		t.Fatalf("problem %+v", p)
	}
	// A trailing dot, dropped by Windows when saving, does not hide an executable.
	wantStatus(t, e.uploadNamed(tm.emp1.AccessToken, c, "setup.exe.", []byte("hello")), http.StatusBadRequest)
}
