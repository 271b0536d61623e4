package api_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/fakes/viberfake"
	"github.com/switchboardhq/switchboard/models"
)

// fetchURL GETs an absolute URL without credentials, as Viber does.
func fetchURL(t *testing.T, url string) (int, []byte) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// An agent's photo and file reach Viber by a signed URL under the public
// URL, which serves the bytes, and nothing else: a changed signature, or
// the same URL after an hour, is not found.
func TestViberAgentFilesBySignedURL(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{webhooks: true})
	tm := me.team()
	b := me.viberBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp1)})
	const fay = "fAy0=="
	me.viberUser(fay, "Fay Wu")
	me.vbSays(fay, viberfake.Text("send me the photo and the invoice"))
	chat := me.chatOf(tm.emp1.AccessToken, b.ID, fay)

	photo := append(append([]byte(nil), pngHeader...), bytes.Repeat([]byte{7}, 5000)...)
	r := me.upload(tm.emp1.AccessToken, chat.ID, "parcel.png", photo)
	wantStatus(t, r, http.StatusCreated)
	var pf models.File
	r.JSON(t, &pf)
	m := me.reply(me.t, tm.emp1.AccessToken, chat.ID, map[string]any{"file_id": pf.ID, "text": "your parcel"})
	s := me.sentTo(t, 1)[0]
	media, _ := field(s.Body, "media").(string)
	if field(s.Body, "type") != "picture" || field(s.Body, "text") != "your parcel" ||
		!strings.HasPrefix(media, me.public+"/v1/media/") || field(s.Body, "sender.name") != tm.emp1.Member.Name {
		t.Fatalf("Viber received %+v, want a picture by a URL under %s", s.Body, me.public)
	}
	me.waitMsg(tm.emp1.AccessToken, chat.ID, "the photo is sent", byID(m.ID, models.DeliverySent))
	if code, got := fetchURL(t, media); code != http.StatusOK || !bytes.Equal(got, photo) {
		t.Fatalf("the media URL answered %d with %d bytes, want the photo's %d", code, len(got), len(photo))
	}

	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 2000)...)
	r = me.upload(tm.emp1.AccessToken, chat.ID, "invoice 77.pdf", pdf)
	wantStatus(t, r, http.StatusCreated)
	var df models.File
	r.JSON(t, &df)
	me.reply(me.t, tm.emp1.AccessToken, chat.ID, map[string]any{"file_id": df.ID, "text": "and the invoice"})
	sent := me.sentTo(t, 3) // the file, then its text
	fb, tb := sent[1].Body, sent[2].Body
	fileURL, _ := field(fb, "media").(string)
	if field(fb, "type") != "file" || field(fb, "file_name") != "invoice 77.pdf" || field(fb, "size") != float64(len(pdf)) ||
		!strings.HasPrefix(fileURL, me.public+"/v1/media/") {
		t.Fatalf("file sent as %+v", fb)
	}
	if field(tb, "type") != "text" || field(tb, "text") != "and the invoice" {
		t.Fatalf("the file's text sent as %+v", tb)
	}
	if code, got := fetchURL(t, fileURL); code != http.StatusOK || !bytes.Equal(got, pdf) {
		t.Fatalf("the file URL answered %d with %d bytes", code, len(got))
	}

	// A photo over the 1 MB Viber shows inline goes as a file.
	bigPhoto := append(append([]byte(nil), pngHeader...), bytes.Repeat([]byte{9}, 1<<20)...)
	r = me.upload(tm.emp1.AccessToken, chat.ID, "big.png", bigPhoto)
	wantStatus(t, r, http.StatusCreated)
	var bf models.File
	r.JSON(t, &bf)
	if m := me.reply(me.t, tm.emp1.AccessToken, chat.ID, map[string]any{"file_id": bf.ID}); m.Kind != models.KindPhoto {
		t.Fatalf("a PNG sent as %q", m.Kind)
	}
	if b := me.sentTo(t, 4)[3].Body; field(b, "type") != "file" || field(b, "file_name") != "big.png" || field(b, "size") != float64(len(bigPhoto)) {
		t.Fatalf("a photo over 1 MB sent as %+v", b)
	}

	// Another signature, another file under the same signature: not found.
	i := strings.LastIndex(media, "sig=") + 4
	flipped := media[:i] + map[bool]string{true: "1", false: "0"}[media[i] == '0'] + media[i+1:]
	for name, u := range map[string]string{
		"changed sig":  flipped,
		"other file":   strings.Replace(media, pf.ID, df.ID, 1),
		"no signature": media[:strings.Index(media, "?")],
	} {
		if code, _ := fetchURL(t, u); code != http.StatusNotFound {
			t.Fatalf("%s: %d, want 404", name, code)
		}
	}
	// An hour after it was made the URL works no more.
	me.inboxClock.Advance(time.Hour + time.Second)
	if code, _ := fetchURL(t, media); code != http.StatusNotFound {
		t.Fatalf("an expired media URL answered %d, want 404", code)
	}
}

// An inbound file over 20 MB is not kept: the chat gets a system note
// (announced by its length, or found while streaming); so does a media
// URL that is gone.
func TestViberInboundFileOverLimit(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{webhooks: true})
	tm := me.team()
	b := me.viberBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp1)})
	const gus = "gUs0=="
	me.viberUser(gus, "Gus")
	over := int64(models.MaxFileSize + 1)
	big := me.vb.AddMedia(viberfake.Media{Name: "big.zip", MimeType: "application/zip", Size: over})
	stream := me.vb.AddMedia(viberfake.Media{Name: "stream.zip", MimeType: "application/zip", Size: over, NoLength: true})
	t1 := me.vbSays(gus, viberfake.File(big, "big.zip", over))
	t2 := me.vbSays(gus, viberfake.File(stream, "stream.zip", 1000)) // Viber's size may be wrong
	gone := me.vb.BaseURL()[:len(me.vb.BaseURL())-len("/pa")] + "/media/404"
	t3 := me.vbSays(gus, viberfake.File(gone, "gone.pdf", 1000))
	chat := me.chatOf(tm.emp1.AccessToken, b.ID, gus)
	for _, c := range []struct {
		tok        int64
		name, says string
	}{{t1, "big.zip", "20 MB"}, {t2, "stream.zip", "20 MB"}, {t3, "gone.pdf", "could not be downloaded"}} {
		// Streaming 20 MB into the store before it is found too large is
		// slow under -race on the MongoDB stand-in: a patient wait.
		var m models.Message
		deadline := time.Now().Add(2 * time.Minute)
		for found := false; !found; time.Sleep(20 * time.Millisecond) {
			for _, h := range me.history(tm.emp1.AccessToken, chat.ID, "") {
				if byExternal(c.tok)(h) && h.File != nil && !h.File.Pending {
					m, found = h, true
				}
			}
			if !found && time.Now().After(deadline) {
				t.Fatalf("gave up waiting: the file %s is refused", c.name)
			}
		}
		if m.File.URL != "" {
			t.Fatalf("%s was kept: %+v", c.name, m.File)
		}
		note := me.waitMsg(tm.emp1.AccessToken, chat.ID, "the system note", func(n models.Message) bool {
			return n.Kind == models.KindEvent && n.Event == "file_refused" && n.ReplyTo == m.ID
		})
		if note.Sender != models.SenderSystem || !strings.Contains(note.Text, c.name) || !strings.Contains(note.Text, c.says) {
			t.Fatalf("note %+v", note)
		}
	}
}
