package telegram

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/channels"
	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/models"
)

// wantError checks err is a *channels.Error of reason, permanence and
// revocation, never holding the token.
func wantError(t *testing.T, err error, reason string, permanent, revoked bool) *channels.Error {
	t.Helper()
	var ce *channels.Error
	if !errors.As(err, &ce) || ce.Reason != reason || ce.Permanent != permanent || ce.Revoked != revoked {
		t.Fatalf("error %#v, want %s permanent=%v revoked=%v", err, reason, permanent, revoked)
	}
	if strings.Contains(ce.Error(), testToken) || strings.Contains(ce.Error(), "secret_Token") {
		t.Fatalf("the error names the token: %v", ce)
	}
	return ce
}

func TestCheck(t *testing.T) {
	fake, a, creds := newAdapter(t)
	acc, err := a.Check(context.Background(), creds)
	if err != nil || acc.Username != fake.Bot().Username || acc.Name != fake.Bot().FirstName || acc.ID != "7000000001" {
		t.Fatalf("account %+v, %v", acc, err)
	}
	_, err = a.Check(context.Background(), map[string]string{CredToken: "999:WRONG"})
	ce := wantError(t, err, "unauthorized", true, true)
	if !strings.Contains(ce.Description, "refused the bot token") {
		t.Fatalf("description %q", ce.Description)
	}
	_, err = a.Check(context.Background(), map[string]string{})
	wantError(t, err, "unauthorized", true, false)
}

// TestWebhookRoundTrip registers a webhook; the fake delivers updates
// (reactions included, which it sends only when asked for) with the
// secret, which Verify accepts and a forged or missing one fails.
func TestWebhookRoundTrip(t *testing.T) {
	fake, a, creds := newAdapter(t)
	ctx := context.Background()
	got := make(chan []channels.RawUpdate, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !a.Verify(creds, "s3cret-Secret_1", r.Header, body) {
			t.Errorf("a genuine delivery failed verification")
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		ups, err := a.Split(body)
		if err != nil {
			t.Errorf("split: %v", err)
		}
		got <- ups
	}))
	defer hook.Close()
	if err := a.SetWebhook(ctx, creds, hook.URL+"/hook", "s3cret-Secret_1"); err != nil {
		t.Fatal(err)
	}
	ann := telegramfake.User{ID: 42, FirstName: "Ann"}
	u := fake.UserSends(42, ann, "hi")
	r := fake.UserReacts(42, ann, u.Message.MessageID, "❤")
	for _, want := range []int64{u.UpdateID, r.UpdateID} {
		select {
		case ups := <-got:
			if len(ups) != 1 || ups[0].Key != itoa(want) {
				t.Fatalf("delivered %+v, want key %d", ups, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no delivery")
		}
	}
	// Polling is refused while the webhook is set, and works after.
	_, err := a.Poll(ctx, creds, 0, 0)
	wantError(t, err, "unavailable", false, false)
	if err := a.DeleteWebhook(ctx, creds); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Poll(ctx, creds, 0, 0); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestVerify(t *testing.T) {
	a := New(Config{})
	h := func(v string) http.Header {
		hh := http.Header{}
		if v != "" {
			hh.Set("X-Telegram-Bot-Api-Secret-Token", v)
		}
		return hh
	}
	tests := []struct {
		name, secret, header string
		ok                   bool
	}{
		{"genuine", "abc_DEF-123", "abc_DEF-123", true},
		{"forged", "abc_DEF-123", "abc_DEF-124", false},
		{"prefix", "abc_DEF-123", "abc_DEF-12", false},
		{"missing", "abc_DEF-123", "", false},
		{"no secret configured", "", "", false},
		{"no secret configured, any header", "", "x", false},
	}
	for _, tt := range tests {
		if ok := a.Verify(nil, tt.secret, h(tt.header), []byte(`{"update_id":1}`)); ok != tt.ok {
			t.Errorf("%s: %v", tt.name, ok)
		}
	}
}

func TestSplit(t *testing.T) {
	a := New(Config{})
	ups, err := a.Split([]byte(`{"update_id":123456789,"message":{"message_id":1}}`))
	if err != nil || len(ups) != 1 || ups[0].Key != "123456789" || string(ups[0].Raw) != `{"update_id":123456789,"message":{"message_id":1}}` {
		t.Fatalf("%+v %v", ups, err)
	}
	for _, bad := range []string{``, `nope`, `[]`, `{"message":{}}`, `{"update_id":"1"}`, `{"update_id":1.5}`} {
		if _, err := a.Split([]byte(bad)); err == nil {
			t.Errorf("%q split", bad)
		}
	}
}

// TestSendErrorClasses maps every refusal to its class.
func TestSendErrorClasses(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tests := []struct {
		name      string
		setup     func(f *telegramfake.Server)
		base      string
		file      bool
		reason    string
		permanent bool
		revoked   bool
		retry     time.Duration
	}{
		{"blocked", func(f *telegramfake.Server) { f.Block(42) }, "", false, "bot_blocked", true, false, 0},
		{"removed from the group", func(f *telegramfake.Server) {
			f.Group(42, "G", false, 3, "") // the fake takes any id for a group
			f.BotRemovedFromGroup(42, telegramfake.User{ID: 1, FirstName: "A"})
		}, "", false, "bot_blocked", true, false, 0},
		{"chat not found", func(f *telegramfake.Server) { f.ChatNotFound(42) }, "", false, "chat_not_found", true, false, 0},
		{"other bad request", func(f *telegramfake.Server) { f.Fail(42, 400, 1) }, "", false, "bad_request", true, false, 0},
		{"rate limited", func(f *telegramfake.Server) { f.RateLimit(42, 17, 1) }, "", false, "rate_limited", false, false, 17 * time.Second},
		{"server error", func(f *telegramfake.Server) { f.Fail(42, 500, 1) }, "", false, "unavailable", false, false, 0},
		{"bad gateway", func(f *telegramfake.Server) { f.Fail(42, 502, 1) }, "", false, "unavailable", false, false, 0},
		{"network", nil, closed.URL, false, "unavailable", false, false, 0},
		{"revoked", func(f *telegramfake.Server) { f.Revoke(testToken) }, "", false, "unauthorized", true, true, 0},
		{"file too big", func(f *telegramfake.Server) { f.SetUploadLimit(100) }, "", true, "too_large", true, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, a, creds := newAdapter(t)
			if tt.setup != nil {
				tt.setup(fake)
			}
			if tt.base != "" {
				a = New(Config{BaseURL: tt.base})
			}
			out := channels.Outgoing{ChatID: "42", Text: "hello"}
			if tt.file {
				out.File = &channels.OutgoingFile{Name: "a.bin", Size: 1000, Open: opener(make([]byte, 1000))}
			}
			_, err := a.Send(context.Background(), creds, out)
			ce := wantError(t, err, tt.reason, tt.permanent, tt.revoked)
			if ce.RetryAfter != tt.retry {
				t.Fatalf("retry after %v", ce.RetryAfter)
			}
			if len(fake.Sent(42)) != 0 {
				t.Fatal("a refused message was recorded")
			}
		})
	}
}

func opener(data []byte) func(context.Context) (io.ReadCloser, error) {
	return func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
}

// TestSendAndDelete: texts with quotes, photos and documents uploaded
// intact, ids of the form chat:message, deletes within 48 hours.
func TestSendAndDelete(t *testing.T) {
	fake, a, creds := newAdapter(t)
	ctx := context.Background()
	now := time.Now()
	fake.SetClock(func() time.Time { return now })
	in := fake.UserSends(42, telegramfake.User{ID: 42, FirstName: "Ann"}, "hi")
	id, err := a.Send(ctx, creds, channels.Outgoing{ChatID: "42", Text: "hello <b>", ReplyTo: "42:1"})
	if err != nil || id != "42:2" {
		t.Fatalf("send: %q %v", id, err)
	}
	if _, err := a.Send(ctx, creds, channels.Outgoing{ChatID: "42", Text: "quote gone", ReplyTo: "42:999"}); err != nil {
		t.Fatalf("reply to a deleted message: %v", err)
	}
	photo := make([]byte, 2<<20)
	_, _ = rand.Read(photo)
	pid, err := a.Send(ctx, creds, channels.Outgoing{ChatID: "42", Text: "the photo", ReplyTo: "42:1",
		File: &channels.OutgoingFile{Name: "p.jpg", MimeType: "image/jpeg", Size: int64(len(photo)), Photo: true, Open: opener(photo)}})
	if err != nil {
		t.Fatal(err)
	}
	did, err := a.Send(ctx, creds, channels.Outgoing{ChatID: "42",
		File: &channels.OutgoingFile{Name: "list.csv", MimeType: "text/csv", Size: 4, Open: opener([]byte("a,b\n"))}})
	if err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent(42)
	if len(sent) != 4 || sent[0].Plain != "hello <b>" || sent[0].ParseMode != "" || sent[0].ReplyTo != in.Message.MessageID || sent[1].ReplyTo != 999 {
		t.Fatalf("texts %+v", sent)
	}
	if f := sent[2].File; pid != "42:4" || f.Field != "photo" || !bytes.Equal(f.Data, photo) || sent[2].Plain != "the photo" || sent[2].ReplyTo != 1 {
		t.Fatalf("photo %q %+v", pid, sent[2])
	}
	if f := sent[3].File; did != "42:5" || f.Field != "document" || string(f.Data) != "a,b\n" || f.Name != "list.csv" || f.MimeType != "text/csv" {
		t.Fatalf("document %q %+v", did, sent[3])
	}
	if err := a.Delete(ctx, creds, "42", id); err != nil {
		t.Fatal(err)
	}
	if !fake.Sent(42)[0].Deleted {
		t.Fatal("not deleted")
	}
	now = now.Add(48*time.Hour + time.Second)
	wantError(t, a.Delete(ctx, creds, "42", pid), "bad_request", true, false)
	wantError(t, a.Delete(ctx, creds, "42", "43:5"), "bad_request", true, false)
	_, err = a.Send(ctx, creds, channels.Outgoing{ChatID: "42", Text: strings.Repeat("x", 4097)})
	wantError(t, err, "bad_request", true, false)
	_, err = a.Send(ctx, creds, channels.Outgoing{ChatID: "@chan", Text: "x"})
	wantError(t, err, "chat_not_found", true, false)
}

// TestFetch downloads an inbound file; Telegram's refusal of one over
// 20 MB is too_large.
func TestFetch(t *testing.T) {
	fake, a, creds := newAdapter(t)
	ctx := context.Background()
	u := fake.UserSendsMessage(42, telegramfake.User{ID: 42, FirstName: "Ann"},
		telegramfake.Inbound{Document: &telegramfake.FileSpec{Name: "a.pdf", MimeType: "application/pdf", Data: []byte("%PDF-1.7")}})
	d, err := a.Fetch(ctx, creds, u.Message.Document.FileID)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(d.Body)
	d.Body.Close()
	if err != nil || string(data) != "%PDF-1.7" || d.Size != 8 {
		t.Fatalf("fetched %q (%d) %v", data, d.Size, err)
	}
	at := fake.AddFile("documents", telegramfake.FileSpec{Name: "max.bin", Size: models.MaxFileSize, Chunked: true})
	d, err = a.Fetch(ctx, creds, at.FileID)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, d.Body)
	d.Body.Close()
	if err != nil || n != models.MaxFileSize {
		t.Fatalf("20 MB: %d bytes, %v", n, err)
	}
	big := fake.UserSendsMessage(42, telegramfake.User{ID: 42, FirstName: "Ann"},
		telegramfake.Inbound{Video: &telegramfake.FileSpec{Name: "v.mp4", Size: models.MaxFileSize + 1}})
	_, err = a.Fetch(ctx, creds, big.Message.Video.FileID)
	wantError(t, err, "too_large", true, false)
	_, err = a.Fetch(ctx, creds, "nope")
	wantError(t, err, "bad_request", true, false)
	fake.Revoke(testToken)
	_, err = a.Fetch(ctx, creds, u.Message.Document.FileID)
	wantError(t, err, "unauthorized", true, true)
}

func TestProfile(t *testing.T) {
	fake, a, creds := newAdapter(t)
	ctx := context.Background()
	fake.Group(-100777, "Fans", true, 31, "https://t.me/+fans")
	p, ref, err := a.Profile(ctx, creds, "-100777")
	if err != nil || ref != "" || p.TelegramGroup == nil || *p.TelegramGroup != (models.TelegramGroup{MembersCount: 31, InviteLink: "https://t.me/+fans"}) || p.Name != "Fans" {
		t.Fatalf("group %+v %q %v", p, ref, err)
	}
	fake.UserSends(43, telegramfake.User{ID: 43, FirstName: "Bo"}, "hi")
	_, ref, err = a.Profile(ctx, creds, "43")
	if err != nil || ref != "" {
		t.Fatalf("no photo: %q %v", ref, err)
	}
	sizes := fake.SetProfilePhotos(43, telegramfake.FileSpec{Size: 5000}, telegramfake.FileSpec{Size: 9000})
	_, ref, err = a.Profile(ctx, creds, "43")
	if err != nil || ref != sizes[0][2].FileID {
		t.Fatalf("avatar %q %v", ref, err)
	}
	d, err := a.Fetch(ctx, creds, ref)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, d.Body)
	d.Body.Close()
	if n != 5000 {
		t.Fatalf("avatar of %d bytes", n)
	}
	_, _, err = a.Profile(ctx, creds, "-1")
	wantError(t, err, "chat_not_found", true, false)
}

// TestAnswer answers a button press once; other updates need nothing.
func TestAnswer(t *testing.T) {
	fake, a, creds := newAdapter(t)
	ctx := context.Background()
	ann := telegramfake.User{ID: 42, FirstName: "Ann"}
	m := fake.UserSends(42, ann, "hi")
	q := fake.UserPresses(42, ann, m.Message.MessageID, "x")
	raws, err := a.Poll(ctx, creds, 0, 0)
	if err != nil || len(raws) != 2 {
		t.Fatalf("%d %v", len(raws), err)
	}
	for _, r := range raws {
		if err := a.Answer(ctx, creds, &models.InboundUpdate{Key: r.Key, Raw: r.Raw}); err != nil {
			t.Fatal(err)
		}
	}
	if ans := fake.Answers(); len(ans) != 1 || ans[0].CallbackQueryID != q.CallbackQuery.ID {
		t.Fatalf("answers %+v", ans)
	}
	if err := a.Answer(ctx, creds, &models.InboundUpdate{Raw: raws[1].Raw}); err != nil {
		t.Fatalf("a second answer: %v", err)
	}
	if fake.Calls("answerCallbackQuery") != 2 {
		t.Fatalf("%d calls", fake.Calls("answerCallbackQuery"))
	}
}

// TestClientPerToken: two bots on one base URL get their own clients,
// and a revoked token fails alone.
func TestClientPerToken(t *testing.T) {
	fake, a, creds := newAdapter(t)
	other := fake.AddBot("777:OTHER-bot", telegramfake.User{ID: 777, IsBot: true, FirstName: "Shop", Username: "shop_bot"})
	otherCreds := map[string]string{CredToken: "777:OTHER-bot"}
	acc, err := a.Check(context.Background(), otherCreds)
	if err != nil || acc.Username != "shop_bot" {
		t.Fatalf("%+v %v", acc, err)
	}
	fake.Revoke(testToken)
	_, err = a.Check(context.Background(), creds)
	wantError(t, err, "unauthorized", true, true)
	if _, err := a.Send(context.Background(), otherCreds, channels.Outgoing{ChatID: "5", Text: "hi"}); err != nil || len(other.Sent(5)) != 1 {
		t.Fatalf("the other bot: %v", err)
	}
	c1, _ := a.client(otherCreds)
	c2, _ := a.client(otherCreds)
	if c1 != c2 || len(a.clients) != 2 {
		t.Fatal("clients are not cached per token")
	}
}

// TestFetchGoneLink: a download link that is gone (404) is retried, not
// taken for a refused token.
func TestFetchGoneLink(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/getFile") {
			_, _ = io.WriteString(w, `{"ok":true,"result":{"file_id":"f","file_unique_id":"u","file_size":3,"file_path":"documents/file_1.txt"}}`)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"ok":false,"error_code":404,"description":"Not Found"}`)
	}))
	defer api.Close()
	a := New(Config{BaseURL: api.URL})
	_, err := a.Fetch(context.Background(), map[string]string{CredToken: testToken}, "f")
	wantError(t, err, "unavailable", false, false)
}

// TestFetchBound: a file Telegram announces over 20 MB is refused before
// any download; one it does not announce is cut after 20 MB + 1 byte.
func TestFetchBound(t *testing.T) {
	var downloads atomic.Int32
	var size string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getFile") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok":true,"result":{"file_id":"f","file_unique_id":"u",`+size+`"file_path":"videos/file_1.mp4"}}`)
			return
		}
		downloads.Add(1)
		w.WriteHeader(http.StatusOK) // no Content-Length: chunked
		_, _ = io.Copy(w, io.LimitReader(telegramfake.Pattern(models.MaxFileSize+1<<20), models.MaxFileSize+1<<20))
	}))
	defer api.Close()
	a := New(Config{BaseURL: api.URL})
	creds := map[string]string{CredToken: testToken}
	size = `"file_size":` + strconv.Itoa(models.MaxFileSize+1) + `,`
	_, err := a.Fetch(context.Background(), creds, "f")
	wantError(t, err, "too_large", true, false)
	if downloads.Load() != 0 {
		t.Fatal("a file announced over the bound was downloaded")
	}
	size = ""
	d, err := a.Fetch(context.Background(), creds, "f")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, d.Body)
	d.Body.Close()
	if n != models.MaxFileSize || d.Size != -1 {
		t.Fatalf("%d bytes read, size %d", n, d.Size)
	}
	wantError(t, err, "too_large", true, false)
}
