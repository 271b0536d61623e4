package viber_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/channels"
	"github.com/switchboardhq/switchboard/channels/viber"
	"github.com/switchboardhq/switchboard/internal/fakes/viberfake"
	api "github.com/switchboardhq/switchboard/viber"
)

func chErr(t *testing.T, err error) *channels.Error {
	t.Helper()
	var ce *channels.Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v (%T), want *channels.Error", err, err)
	}
	if strings.Contains(ce.Error(), viberfake.Token) {
		t.Fatalf("the token leaked into %q", ce)
	}
	return ce
}

func TestCheck(t *testing.T) {
	t.Parallel()
	f, a := setup(t)
	acc, err := a.Check(context.Background(), creds)
	if err != nil || acc.ID == "" || acc.Name != "Switchboard Fake Bot" || acc.Username != "switchboardfake" {
		t.Fatalf("account %+v, %v", acc, err)
	}
	f.RevokeToken(viberfake.Token)
	_, err = a.Check(context.Background(), creds)
	if ce := chErr(t, err); ce.Reason != "unauthorized" || !ce.Permanent || !ce.Revoked {
		t.Fatalf("revoked: %+v", ce)
	}
	_, err = a.Check(context.Background(), map[string]string{})
	if ce := chErr(t, err); ce.Reason != "unauthorized" || !ce.Permanent {
		t.Fatalf("no token: %+v", ce)
	}
}

func TestSetAndDeleteWebhook(t *testing.T) {
	t.Parallel()
	f, a := setup(t)
	h := newHook(t, a)
	if err := a.SetWebhook(context.Background(), creds, h.URL, "ignored"); err != nil {
		t.Fatal(err)
	}
	if h.checks != 1 || len(h.got()) != 0 {
		t.Fatalf("the webhook check gave %d checks, %d updates", h.checks, len(h.got()))
	}
	if f.Webhook(viberfake.Token) != h.URL || !slices.Equal(f.EventTypes(viberfake.Token), viber.EventTypes) {
		t.Fatalf("registered %q %v", f.Webhook(viberfake.Token), f.EventTypes(viberfake.Token))
	}
	if err := a.DeleteWebhook(context.Background(), creds); err != nil || f.Webhook(viberfake.Token) != "" {
		t.Fatalf("delete: %v", err)
	}
	// A webhook that refuses the check is refused: the hook verifies with
	// the first token, so a second account's signed check gets 403.
	f.AddAccount("t2", "pa:2", "Two", "two")
	err := a.SetWebhook(context.Background(), map[string]string{viber.CredAuthToken: "t2"}, h.URL, "")
	if ce := chErr(t, err); ce.Reason != "bad_request" || !ce.Permanent {
		t.Fatalf("a webhook answering 403: %+v", ce)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	f, a := setup(t)
	body, _ := f.Message("u1==", viberfake.Text("hi"))
	h := http.Header{}
	h.Set(api.SignatureHeader, viberfake.Sign(viberfake.Token, body))
	if !a.Verify(creds, "", h, body) {
		t.Fatal("a signed body does not verify")
	}
	changed := []byte(strings.Replace(string(body), `"hi"`, `"hj"`, 1))
	forged := http.Header{}
	forged.Set(api.SignatureHeader, viberfake.Sign("another-token", body))
	for name, ok := range map[string]bool{
		"body changed by one byte": a.Verify(creds, "", h, changed),
		"forged":                   a.Verify(creds, "", forged, body),
		"missing":                  a.Verify(creds, "", http.Header{}, body),
		"no credentials":           a.Verify(map[string]string{}, "", h, body),
	} {
		if ok {
			t.Errorf("%s: verified", name)
		}
	}
}

func TestSplit(t *testing.T) {
	t.Parallel()
	f, a := setup(t)
	msg, tok := f.Message("u1==", viberfake.Text("hi"))
	ups, err := a.Split(msg)
	if err != nil || len(ups) != 1 || ups[0].Key != viberfake.TokenText(tok) || string(ups[0].Raw) != string(msg) {
		t.Fatalf("message: %+v, %v", ups, err)
	}
	d, _ := a.Split(f.Receipt("delivered", 5491623847362514999, "u1=="))
	s, _ := a.Split(f.Receipt("seen", 5491623847362514999, "u1=="))
	if len(d) != 1 || len(s) != 1 || d[0].Key != "5491623847362514999:delivered" || s[0].Key == d[0].Key {
		t.Fatalf("receipts of one message share a key: %+v %+v", d, s)
	}
	if ups, err := a.Split([]byte(`{"event":"webhook","timestamp":1,"message_token":1}`)); err != nil || len(ups) != 0 {
		t.Fatalf("webhook check: %+v, %v", ups, err)
	}
	for _, bad := range []string{`not json`, `[]`, `{"timestamp":1}`, `{"event":"message"}`} {
		if _, err := a.Split([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestWebhookEndToEnd(t *testing.T) {
	t.Parallel()
	f, a := setup(t)
	h := newHook(t, a)
	if err := a.SetWebhook(context.Background(), creds, h.URL, ""); err != nil {
		t.Fatal(err)
	}
	body, tok := f.Message("u1==", viberfake.Text("Привіт"))
	if code, err := f.Post(context.Background(), viberfake.Token, body); err != nil || code != http.StatusOK {
		t.Fatalf("post: %d %v", code, err)
	}
	ups := h.got()
	if len(ups) != 1 {
		t.Fatalf("updates %+v", ups)
	}
	p, err := a.Parse(nil, update(ups[0].Key, ups[0].Raw))
	if err != nil || len(p.Events) != 1 || p.Events[0].Message.Text != "Привіт" || p.Events[0].Message.ExternalID != viberfake.TokenText(tok) {
		t.Fatalf("parsed %+v, %v", p, err)
	}
}
