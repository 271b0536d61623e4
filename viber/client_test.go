package viber_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/internal/fakes/viberfake"
	"github.com/switchboardhq/switchboard/viber"
)

func setup(t *testing.T) (*viberfake.Fake, *viber.Client) {
	t.Helper()
	f := viberfake.New()
	t.Cleanup(f.Close)
	f.AddUser(viberfake.User{ID: "u1==", Name: "Olena", Subscribed: true, Language: "uk", Country: "UA", Avatar: "http://127.0.0.1/a.jpg"})
	f.AddUser(viberfake.User{ID: "gone==", Name: "Left", Subscribed: false})
	return f, viber.NewClient(f.BaseURL(), nil)
}

// status asserts err is an *APIError with Viber status want and that the
// token appears nowhere in it.
func status(t *testing.T, err error, want viber.Status) {
	t.Helper()
	var ae *viber.APIError
	if !errors.As(err, &ae) || ae.Status != want || ae.HTTPStatus != 0 {
		t.Fatalf("err = %v, want status %d (%s)", err, want, want)
	}
	if strings.Contains(err.Error(), viberfake.Token) {
		t.Fatalf("the token leaked into %q", err)
	}
}

func text(to, s string) *viber.Message {
	return &viber.Message{Receiver: to, Sender: viber.Sender{Name: "Agent"}, Type: viber.TypeText, Text: s}
}

func TestAccountInfo(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	a, err := c.AccountInfo(context.Background(), viberfake.Token)
	if err != nil || a.ID == "" || a.Name != "Switchboard Fake Bot" || a.URI != "switchboardfake" {
		t.Fatalf("account = %+v, %v", a, err)
	}
	_, err = c.AccountInfo(context.Background(), "wrong-token")
	status(t, err, viber.StatusInvalidAuthToken)
	_, err = c.AccountInfo(context.Background(), "")
	status(t, err, viber.StatusInvalidAuthToken)
	if !strings.Contains(err.Error(), "missing_auth_token") {
		t.Fatalf("missing token: %v", err)
	}
}

func TestSendMessageStatuses(t *testing.T) {
	t.Parallel()
	f, c := setup(t)
	ctx := context.Background()
	id, err := c.SendMessage(ctx, viberfake.Token, text("u1==", "Hello"))
	if err != nil {
		t.Fatal(err)
	}
	sent := f.Sent()
	if len(sent) != 1 || viberfake.TokenText(sent[0].MessageToken) != id || sent[0].Body["text"] != "Hello" {
		t.Fatalf("sent %+v, id %s", sent, id)
	}
	long := text("u1==", "x")
	long.Sender.Name = strings.Repeat("n", 29)
	_, err = c.SendMessage(ctx, viberfake.Token, long)
	status(t, err, viber.StatusBadData)
	long.Sender.Name = strings.Repeat("n", 28) // the boundary is accepted
	if _, err := c.SendMessage(ctx, viberfake.Token, long); err != nil {
		t.Fatal(err)
	}
	_, err = c.SendMessage(ctx, viberfake.Token, text("u1==", ""))
	status(t, err, viber.StatusMissingData)
	_, err = c.SendMessage(ctx, viberfake.Token, text("nobody==", "hi"))
	status(t, err, viber.StatusReceiverNotRegistered)
	_, err = c.SendMessage(ctx, viberfake.Token, text("gone==", "hi"))
	status(t, err, viber.StatusReceiverNotSubscribed)
	_, err = c.SendMessage(ctx, "revoked", text("u1==", "hi"))
	status(t, err, viber.StatusInvalidAuthToken)
	f.FailNext(int(viber.StatusTooManyRequests), 1)
	_, err = c.SendMessage(ctx, viberfake.Token, text("u1==", "hi"))
	status(t, err, viber.StatusTooManyRequests)
	f.FailHTTP(http.StatusServiceUnavailable, 1)
	_, err = c.SendMessage(ctx, viberfake.Token, text("u1==", "hi"))
	var ae *viber.APIError
	if !errors.As(err, &ae) || ae.HTTPStatus != http.StatusServiceUnavailable {
		t.Fatalf("5xx: %v", err)
	}
	if len(f.Sent()) != 2 {
		t.Fatalf("refused messages were recorded: %d", len(f.Sent()))
	}
}

func TestSendMessageTypeChecks(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	ctx := context.Background()
	base := func(typ string) *viber.Message {
		return &viber.Message{Receiver: "u1==", Sender: viber.Sender{Name: "A"}, Type: typ}
	}
	cases := []struct {
		name string
		m    func() *viber.Message
		want viber.Status
	}{
		{"text at 7000", func() *viber.Message { return text("u1==", strings.Repeat("é", 7000)) }, viber.StatusOK},
		{"text at 7001", func() *viber.Message { return text("u1==", strings.Repeat("a", 7001)) }, viber.StatusBadData},
		{"picture without media", func() *viber.Message { return base(viber.TypePicture) }, viber.StatusMissingData},
		{"picture media not a URL", func() *viber.Message { m := base(viber.TypePicture); m.Media = "/tmp/x.jpg"; return m }, viber.StatusBadData},
		{"picture caption 768", func() *viber.Message {
			m := base(viber.TypePicture)
			m.Media, m.Text = "https://x.test/p.jpg", strings.Repeat("c", 768)
			return m
		}, viber.StatusOK},
		{"picture caption 769", func() *viber.Message {
			m := base(viber.TypePicture)
			m.Media, m.Text = "https://x.test/p.jpg", strings.Repeat("c", 769)
			return m
		}, viber.StatusBadData},
		{"file without name", func() *viber.Message { m := base(viber.TypeFile); m.Media, m.Size = "https://x.test/f", 10; return m }, viber.StatusMissingData},
		{"file of 50 MB", func() *viber.Message {
			m := base(viber.TypeFile)
			m.Media, m.Size, m.FileName = "https://x.test/f.pdf", 50<<20, "f.pdf"
			return m
		}, viber.StatusOK},
		{"file over 50 MB", func() *viber.Message {
			m := base(viber.TypeFile)
			m.Media, m.Size, m.FileName = "https://x.test/f.pdf", 50<<20+1, "f.pdf"
			return m
		}, viber.StatusBadData},
		{"file .exe", func() *viber.Message {
			m := base(viber.TypeFile)
			m.Media, m.Size, m.FileName = "https://x.test/f", 10, "setup.EXE"
			return m
		}, viber.StatusBadData},
		{"video without size", func() *viber.Message { m := base(viber.TypeVideo); m.Media = "https://x.test/v.mp4"; return m }, viber.StatusMissingData},
		{"unknown type", func() *viber.Message { return base("carousel") }, viber.StatusBadData},
		{"no sender name", func() *viber.Message { m := text("u1==", "x"); m.Sender.Name = ""; return m }, viber.StatusMissingData},
	}
	for _, tc := range cases {
		_, err := c.SendMessage(ctx, viberfake.Token, tc.m())
		if tc.want == viber.StatusOK {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var ae *viber.APIError
		if !errors.As(err, &ae) || ae.Status != tc.want {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want)
		}
	}
}

func TestSetWebhookCallsBack(t *testing.T) {
	t.Parallel()
	f, c := setup(t)
	ctx := context.Background()
	var got []byte
	var sig string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		sig = r.Header.Get(viber.SignatureHeader)
	}))
	defer hook.Close()
	req := viber.WebhookRequest{URL: hook.URL, EventTypes: []string{"delivered", "seen"}, SendName: true, SendPhoto: true}
	if err := c.SetWebhook(ctx, viberfake.Token, req); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), `"event":"webhook"`) || !viber.VerifySignature(viberfake.Token, sig, got) {
		t.Fatalf("check callback %s signed %q", got, sig)
	}
	if f.Webhook(viberfake.Token) != hook.URL || len(f.EventTypes(viberfake.Token)) != 2 {
		t.Fatalf("webhook not recorded")
	}
	if err := c.SetWebhook(ctx, viberfake.Token, viber.WebhookRequest{URL: ""}); err != nil || f.Webhook(viberfake.Token) != "" {
		t.Fatalf("remove: %v", err)
	}

	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
	}))
	defer refusing.Close()
	status(t, c.SetWebhook(ctx, viberfake.Token, viber.WebhookRequest{URL: refusing.URL}), viber.StatusInvalidURL)
	status(t, c.SetWebhook(ctx, viberfake.Token, viber.WebhookRequest{URL: "https://example.com/hook"}), viber.StatusInvalidURL)
	if f.Webhook(viberfake.Token) != "" {
		t.Fatal("a refused webhook was registered")
	}
}

func TestUserDetails(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	u, err := c.UserDetails(context.Background(), viberfake.Token, "u1==")
	if err != nil || u.Name != "Olena" || u.Language != "uk" || u.Avatar == "" {
		t.Fatalf("user = %+v, %v", u, err)
	}
	_, err = c.UserDetails(context.Background(), viberfake.Token, "nobody==")
	status(t, err, viber.StatusReceiverNotRegistered)
}

func TestSignature(t *testing.T) {
	t.Parallel()
	body := []byte(`{"event":"seen","timestamp":1457764197627,"message_token":4912661846655238145,"user_id":"u1=="}`)
	sig := viberfake.Sign("tok", body) // the fake's own implementation
	if viber.Sign("tok", body) != sig || !viber.VerifySignature("tok", sig, body) {
		t.Fatal("a valid signature does not verify")
	}
	changed := append([]byte(nil), body...)
	changed[len(changed)-3] ^= 1
	forged := viberfake.Sign("other", body)
	for name, ok := range map[string]bool{
		"forged":       viber.VerifySignature("tok", forged, body),
		"missing":      viber.VerifySignature("tok", "", body),
		"body changed": viber.VerifySignature("tok", sig, changed),
		"no token":     viber.VerifySignature("", viber.Sign("", body), body),
		"upper hex":    viber.VerifySignature("tok", strings.ToUpper(sig), body),
	} {
		if ok {
			t.Errorf("%s: verified", name)
		}
	}
}
