package viber_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/channels"
	"github.com/switchboardhq/switchboard/channels/viber"
	"github.com/switchboardhq/switchboard/internal/fakes/viberfake"
)

func TestSendKinds(t *testing.T) {
	t.Parallel()
	f, a := setup(t)
	ctx := context.Background()
	id, err := a.Send(ctx, creds, channels.Outgoing{ChatID: "u1==", Text: "Hello", SenderName: strings.Repeat("Я", 29)})
	if err != nil {
		t.Fatal(err)
	}
	sent := f.Sent()
	if viberfake.TokenText(sent[0].MessageToken) != id || sent[0].Body["type"] != "text" || sent[0].Body["text"] != "Hello" {
		t.Fatalf("text: %s %+v", id, sent[0].Body)
	}
	if name := sent[0].Body["sender"].(map[string]any)["name"]; name != strings.Repeat("Я", 28) {
		t.Fatalf("sender name %q", name)
	}
	if _, err := a.Send(ctx, creds, channels.Outgoing{ChatID: "u1==", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if name := f.Sent()[1].Body["sender"].(map[string]any)["name"]; name != viber.DefaultSenderName {
		t.Fatalf("default sender %q", name)
	}

	photo := &channels.OutgoingFile{Name: "p.jpg", MimeType: "image/jpeg", Size: 1 << 20, Photo: true, URL: "https://sb.example/f/1?sig=x"}
	if _, err := a.Send(ctx, creds, channels.Outgoing{ChatID: "u1==", Text: "caption", File: photo}); err != nil {
		t.Fatal(err)
	}
	b := f.Sent()[2].Body
	if b["type"] != "picture" || b["media"] != photo.URL || b["text"] != "caption" {
		t.Fatalf("photo: %+v", b)
	}
	_, err = a.Send(ctx, creds, channels.Outgoing{ChatID: "u1==", Text: strings.Repeat("c", 769), File: photo})
	if ce := chErr(t, err); ce.Reason != "bad_request" || !ce.Permanent {
		t.Fatalf("long caption: %+v", ce)
	}
	big := *photo
	big.Size = 1<<20 + 1 // over what Viber shows inline: sent as a file
	doc := &channels.OutgoingFile{Name: strings.Repeat("n", 300) + ".pdf", MimeType: "application/pdf", Size: 20 << 20, URL: "https://sb.example/f/2"}
	for _, file := range []*channels.OutgoingFile{&big, doc} {
		n := len(f.Sent())
		id, err := a.Send(ctx, creds, channels.Outgoing{ChatID: "u1==", Text: "see this", File: file})
		if err != nil {
			t.Fatal(err)
		}
		s := f.Sent()[n:]
		if len(s) != 2 || viberfake.TokenText(s[0].MessageToken) != id || s[0].Body["type"] != "file" || s[0].Body["media"] != file.URL ||
			s[0].Body["size"] != float64(file.Size) || s[1].Body["type"] != "text" || s[1].Body["text"] != "see this" {
			t.Fatalf("file: %+v", s)
		}
		if name := s[0].Body["file_name"].(string); len([]rune(name)) > 256 || !strings.HasSuffix(name, ".pdf") && !strings.HasSuffix(name, ".jpg") {
			t.Fatalf("file_name %q", name)
		}
	}
	if err := a.Delete(ctx, creds, "u1==", id); chErr(t, err).Reason != "not_supported" || !chErr(t, err).Permanent {
		t.Fatalf("delete: %v", err)
	}
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	f, a := setup(t)
	ctx := context.Background()
	send := func(to, text string) error {
		_, err := a.Send(ctx, creds, channels.Outgoing{ChatID: to, Text: text, SenderName: "Ann"})
		return err
	}
	cases := []struct {
		name      string
		arm       func()
		to, text  string
		reason    string
		permanent bool
		revoked   bool
	}{
		{"not registered", nil, "nobody==", "hi", "chat_not_found", true, false},
		{"unsubscribed", nil, "gone==", "hi", "bot_blocked", true, false},
		{"text of 7001", nil, "u1==", strings.Repeat("a", 7001), "bad_request", true, false},
		{"too many requests", func() { f.FailNext(12, 1) }, "u1==", "hi", "rate_limited", false, false},
		{"bad data", func() { f.FailNext(3, 1) }, "u1==", "hi", "bad_request", true, false},
		{"missing data", func() { f.FailNext(4, 1) }, "u1==", "hi", "bad_request", true, false},
		{"account blocked", func() { f.FailNext(7, 1) }, "u1==", "hi", "account_blocked", true, true},
		{"HTTP 503", func() { f.FailHTTP(http.StatusServiceUnavailable, 1) }, "u1==", "hi", "unavailable", false, false},
		{"HTTP 500", func() { f.FailHTTP(http.StatusInternalServerError, 1) }, "u1==", "hi", "unavailable", false, false},
	}
	for _, c := range cases {
		if c.arm != nil {
			c.arm()
		}
		ce := chErr(t, send(c.to, c.text))
		if ce.Reason != c.reason || ce.Permanent != c.permanent || ce.Revoked != c.revoked {
			t.Errorf("%s: %+v", c.name, ce)
		}
	}
	if err := send("u1==", strings.Repeat("a", 7000)); err != nil {
		t.Fatalf("text of 7000: %v", err)
	}
	f.RevokeToken(viberfake.Token)
	if ce := chErr(t, send("u1==", "hi")); ce.Reason != "unauthorized" || !ce.Permanent || !ce.Revoked {
		t.Fatalf("revoked: %+v", ce)
	}
	f.Close() // the network fails
	if ce := chErr(t, send("u1==", "hi")); ce.Reason != "unavailable" || ce.Permanent {
		t.Fatalf("network: %+v", ce)
	}
}
