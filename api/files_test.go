package api_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// upload sends name with content as multipart/form-data.
func (e *env) upload(token, convID, name string, content []byte) resp {
	e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("file", name)
	_, _ = part.Write(content)
	_ = w.Close()
	req, _ := http.NewRequest("POST", e.http.URL+"/v1/conversations/"+convID+"/files", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return e.do(req)
}

var pngHeader = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")

func TestFilesUploadScreenSendDownload(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	res := e.event(tm.key, b.ID, say("m1", "s1", "hi"))
	c := res.ConversationID

	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 200)...)
	copy(exe[0x3c:], []byte{0x80, 0, 0, 0})
	copy(exe[0x80:], []byte("PE\x00\x00"))
	elf := append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 100)...)
	for name, c2 := range map[string]struct {
		name    string
		content []byte
	}{
		"exe renamed png":  {"holiday.png", exe},
		"elf renamed pdf":  {"invoice.pdf", elf},
		"script as text":   {"notes.txt", []byte("#!/bin/sh\nrm -rf /\n")},
		"exe by extension": {"setup.EXE", []byte("just text")},
		"apk by extension": {"app.apk", []byte("PK\x03\x04")},
		"empty file":       {"empty.txt", nil},
	} {
		t.Run(name, func(t *testing.T) {
			r := e.upload(tm.emp1.AccessToken, c, c2.name, c2.content)
			wantStatus(t, r, http.StatusBadRequest)
			if p := r.Problem(t); p.Errors[0].Field != "file" {
				t.Fatalf("field %q", p.Errors[0].Field)
			}
		})
	}
	wantStatus(t, e.upload(tm.follower.AccessToken, c, "a.png", pngHeader), http.StatusForbidden)

	r := e.upload(tm.emp1.AccessToken, c, "photo.png", append(pngHeader, make([]byte, 1000)...))
	wantStatus(t, r, http.StatusCreated)
	var f models.File
	r.JSON(t, &f)
	if f.MimeType != "image/png" || f.Size != int64(len(pngHeader)+1000) {
		t.Fatalf("file %+v", f)
	}
	r = e.call("POST", "/v1/conversations/"+c+"/messages", tm.emp1.AccessToken, map[string]string{"file_id": f.ID})
	wantStatus(t, r, http.StatusCreated)
	var m models.Message
	r.JSON(t, &m)
	if m.Kind != models.KindPhoto || m.File == nil || m.File.URL != "/v1/files/"+f.ID {
		t.Fatalf("file message %+v", m)
	}
	other := e.event(tm.key, b.ID, say("m2", "s2", "hi")).ConversationID
	wantStatus(t, e.call("POST", "/v1/conversations/"+other+"/messages", tm.emp1.AccessToken, map[string]string{"file_id": f.ID}), http.StatusBadRequest)

	get := func(token string) *http.Response {
		req, _ := http.NewRequest("GET", e.http.URL+"/v1/files/"+f.ID, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := e.http.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res2 := get(tm.emp2.AccessToken)
	got, _ := io.ReadAll(res2.Body)
	res2.Body.Close()
	if res2.StatusCode != 200 || !bytes.Equal(got, append(pngHeader, make([]byte, 1000)...)) || res2.Header.Get("Content-Type") != "image/png" ||
		!strings.Contains(res2.Header.Get("Content-Disposition"), "photo.png") {
		t.Fatalf("download %d %v", res2.StatusCode, res2.Header)
	}
	if res := get(tm.follower.AccessToken); res.StatusCode != http.StatusNotFound {
		t.Fatalf("a follower of other chats downloaded: %d", res.StatusCode)
	}
	if res := get("nope"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous download: %d", res.StatusCode)
	}
}

func TestFileSizeLimit(t *testing.T) {
	t.Parallel() // independent and long: overlaps the rest of the package
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	c := e.event(tm.key, b.ID, say("m1", "s1", "hi")).ConversationID
	exact := make([]byte, models.MaxFileSize)
	copy(exact, "%PDF-1.4\n")
	r := e.upload(tm.emp1.AccessToken, c, "big.pdf", exact)
	wantStatus(t, r, http.StatusCreated)
	r = e.upload(tm.emp1.AccessToken, c, "bigger.pdf", append(exact, 'x'))
	wantStatus(t, r, http.StatusRequestEntityTooLarge)
	if p := r.Problem(t); p.Code != models.CodeTooLarge {
		t.Fatalf("code %q", p.Code)
	}
}
