package telegram

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
)

// countingTransport counts the response bytes read from the network.
type countingTransport struct{ n atomic.Int64 }

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &t.n}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// TestDownloadBound: a 20 MB file downloads whole under a 20 MB bound;
// under a bound one byte smaller the body fails after reading one byte
// past it, or at once when the size is announced.
func TestDownloadBound(t *testing.T) {
	fake, _ := newTest(t)
	ct := &countingTransport{}
	c := New(Config{Token: testToken, BaseURL: fake.URL(), HTTPClient: &http.Client{Transport: ct}})
	ctx := context.Background()
	want, _ := io.ReadAll(telegramfake.Pattern(MaxDownload))
	for _, chunked := range []bool{false, true} {
		sf := fake.AddFile("documents", telegramfake.FileSpec{Name: "big.bin", Size: MaxDownload, Chunked: chunked})
		f, err := c.GetFile(ctx, sf.FileID)
		if err != nil || f.FileSize != MaxDownload || f.FilePath == "" {
			t.Fatalf("getFile: %+v %v", f, err)
		}
		if chunked { // the whole file, at the bound
			body, err := c.Download(ctx, f.FilePath, MaxDownload)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(body)
			body.Close()
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("read %d bytes, %v", len(got), err)
			}
		}

		ct.n.Store(0)
		body, err := c.Download(ctx, f.FilePath, MaxDownload-1)
		var tl *TooLargeError
		if !chunked {
			if !errors.As(err, &tl) || tl.Max != MaxDownload-1 {
				t.Fatalf("announced size over the bound: %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, body)
		body.Close()
		if !errors.As(err, &tl) || n != MaxDownload-1 {
			t.Fatalf("unannounced size over the bound: %d bytes, %v", n, err)
		}
		if read := ct.n.Load(); read != MaxDownload {
			t.Fatalf("%d bytes read from the network, want the bound + 1", read)
		}
	}
	sf := fake.AddFile("documents", telegramfake.FileSpec{Name: "huge.bin", Size: MaxDownload + 1})
	var api *APIError
	if _, err := c.GetFile(ctx, sf.FileID); !errors.As(err, &api) || api.Code != 400 || api.Description != "Bad Request: file is too big" {
		t.Fatalf("getFile over 20 MB: %v", err)
	}
	if _, err := c.Download(ctx, "documents/none", MaxDownload); !errors.As(err, &api) || api.Code != 404 {
		t.Fatalf("unknown path: %v", err)
	}
}

// TestUploads sends a photo and a document as multipart: the fake
// receives the bytes, names, types, captions and quotes intact.
func TestUploads(t *testing.T) {
	fake, c := newTest(t)
	ctx := context.Background()
	first, err := c.SendMessage(ctx, SendMessageParams{ChatID: 42, Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 3<<20)
	_, _ = rand.Read(data)
	m, err := c.SendPhoto(ctx, SendFileParams{ChatID: 42, Body: bytes.NewReader(data), Name: "cat.jpg", MimeType: "image/jpeg",
		Caption: "A \"cat\" & co", ReplyParameters: &ReplyParameters{MessageID: first.MessageID, AllowSendingWithoutReply: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Photo) != 3 || m.Caption != `A "cat" & co` || m.ReplyToMessage == nil || m.ReplyToMessage.MessageID != first.MessageID {
		t.Fatalf("photo message %+v", m)
	}
	d, err := c.SendDocument(ctx, SendFileParams{ChatID: 42, Body: strings.NewReader("a,b\n1,2\n"), Name: `report "q1".csv`, MimeType: "text/csv"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Document == nil || d.Document.FileName != `report "q1".csv` || d.Document.FileSize != 8 {
		t.Fatalf("document message %+v", d)
	}
	sent := fake.Sent(42)
	if len(sent) != 3 {
		t.Fatalf("sent %d", len(sent))
	}
	p, doc := sent[1].File, sent[2].File
	if p.Field != "photo" || !bytes.Equal(p.Data, data) || p.Name != "cat.jpg" || p.MimeType != "image/jpeg" || sent[1].ReplyTo != first.MessageID {
		t.Fatalf("photo received as %s %q %s %d bytes, reply to %d", p.Field, p.Name, p.MimeType, len(p.Data), sent[1].ReplyTo)
	}
	if doc.Field != "document" || string(doc.Data) != "a,b\n1,2\n" || doc.Name != `report "q1".csv` || doc.MimeType != "text/csv" {
		t.Fatalf("document received as %+v", doc)
	}
	// A file too large for the API: 413, and the sending goroutine ends.
	fake.SetUploadLimit(1 << 20)
	var api *APIError
	if _, err := c.SendDocument(ctx, SendFileParams{ChatID: 42, Body: bytes.NewReader(data), Name: "big.bin"}); !errors.As(err, &api) || api.Code != 413 {
		t.Fatalf("upload over the limit: %v", err)
	}
	// A reader that fails stops the upload (the fake sees a truncated
	// body, which it records as a bad call).
	fake.ExpectViolations()
	boom := errors.New("disk gone")
	if _, err := c.SendDocument(ctx, SendFileParams{ChatID: 42, Body: io.MultiReader(strings.NewReader("x"), errReader{boom}), Name: "x"}); err == nil {
		t.Fatal("a failed read was sent")
	}
	if len(fake.Sent(42)) != 3 {
		t.Fatal("a failed upload was recorded")
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestChatsAndDeletes covers deleteMessage (48 hours), getChat,
// getChatMemberCount and getUserProfilePhotos.
func TestChatsAndDeletes(t *testing.T) {
	fake, c := newTest(t)
	ctx := context.Background()
	now := time.Now()
	fake.SetClock(func() time.Time { return now })
	m, err := c.SendMessage(ctx, SendMessageParams{ChatID: 42, Text: "oops"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteMessage(ctx, 42, m.MessageID); err != nil {
		t.Fatal(err)
	}
	m2, _ := c.SendMessage(ctx, SendMessageParams{ChatID: 42, Text: "old"})
	now = now.Add(48*time.Hour + time.Second)
	var api *APIError
	if err := c.DeleteMessage(ctx, 42, m2.MessageID); !errors.As(err, &api) || api.Code != 400 {
		t.Fatalf("delete after 48 h: %v", err)
	}
	fake.Group(-100777, "Fans", true, 31, "https://t.me/+fans")
	ch, err := c.GetChat(ctx, -100777)
	if err != nil || ch.Type != "supergroup" || ch.Title != "Fans" || ch.InviteLink != "https://t.me/+fans" {
		t.Fatalf("getChat %+v %v", ch, err)
	}
	if n, err := c.GetChatMemberCount(ctx, -100777); err != nil || n != 31 {
		t.Fatalf("members %d %v", n, err)
	}
	fake.UserSends(43, telegramfake.User{ID: 43, FirstName: "Bo"}, "hi")
	sizes := fake.SetProfilePhotos(43, telegramfake.FileSpec{Size: 5000}, telegramfake.FileSpec{Size: 9000})
	ph, err := c.GetUserProfilePhotos(ctx, 43, 1)
	if err != nil || ph.TotalCount != 2 || len(ph.Photos) != 1 || ph.Photos[0][2].FileID != sizes[0][2].FileID {
		t.Fatalf("photos %+v %v", ph, err)
	}
	if _, err := c.GetChat(ctx, -1); !errors.As(err, &api) || api.Description != "Bad Request: chat not found" {
		t.Fatalf("unknown chat: %v", err)
	}
}

// TestNewCallsNeverLeakTheToken: downloads and uploads fail without the
// token in their errors, whatever the failure; a revoked token is 401.
func TestNewCallsNeverLeakTheToken(t *testing.T) {
	fake, _ := newTest(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	ctx := context.Background()
	sf := fake.AddFile("documents", telegramfake.FileSpec{Name: "a.txt", Data: []byte("hi")})
	for _, base := range []string{closed.URL, "http://[::1", fake.URL()} {
		c := New(Config{Token: testToken, BaseURL: base})
		if base == fake.URL() {
			fake.Revoke(testToken)
		}
		_, err1 := c.Download(ctx, sf.FilePath, 10)
		_, err2 := c.SendDocument(ctx, SendFileParams{ChatID: 1, Body: strings.NewReader("x"), Name: "x"})
		_, err3 := c.GetFile(ctx, sf.FileID)
		for _, err := range []error{err1, err2, err3} {
			if err == nil || strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "secret_Token") {
				t.Fatalf("%s: %v", base, err)
			}
			var api *APIError
			if base == fake.URL() && (!errors.As(err, &api) || api.Code != 401) {
				t.Fatalf("revoked token: %v", err)
			}
		}
	}
}
