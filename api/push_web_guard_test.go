package api_test

import (
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/switchboardhq/switchboard/outbound"
	"github.com/switchboardhq/switchboard/outbound/dnsfake"
	"github.com/switchboardhq/switchboard/push"
	"github.com/switchboardhq/switchboard/push/webpush"
	"github.com/switchboardhq/switchboard/push/webpush/webpushfake"
)

// webPushEnv is a push environment whose only provider is Web Push under
// policy p. Its client resolves names through dns and trusts fake's
// certificate, so "example.com" can be made to resolve to loopback.
func webPushEnv(t *testing.T, p outbound.Policy, dns *dnsfake.Server, fake *webpushfake.Server) (*pushEnv, *webpush.Sender) {
	t.Helper()
	pub, priv, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(fake.Certificate())
	sender, err := webpush.New(webpush.Config{PublicKey: pub, PrivateKey: priv, Subject: "mailto:ops@example.com", AllowPrivate: p.AllowPrivate,
		HTTPClient: outbound.NewClient(outbound.Options{Policy: p, Resolver: dns.Resolver(), RootCAs: roots})})
	if err != nil {
		t.Fatal(err)
	}
	pe := newPushEnv(t, push.Config{}, map[push.Provider]push.Sender{push.ProviderWebPush: sender}, func(g *push.Gateway, o *apiOptions) {
		g.CheckWebPush, o.VAPIDPublicKey = sender.ValidSubscription, pub
	})
	return pe, sender
}

func subscription(endpoint string, s *webpushfake.Subscription) map[string]any {
	return map[string]any{"kind": "webpush", "subscription": map[string]any{"endpoint": endpoint,
		"keys": map[string]string{"p256dh": s.P256dh, "auth": s.Auth}}}
}

// testPush runs a device's test push and returns the answer's body.
func testPush(pe *pushEnv, token, id string) string {
	pe.t.Helper()
	r := pe.call("POST", "/v1/push/devices/"+id+"/test", token, nil)
	wantStatus(pe.t, r, http.StatusOK)
	return string(r.Body)
}

// TestWebPushEndpointsMustBePublic: with the default policy a member (a
// follower too) cannot register an endpoint on loopback, private,
// link-local or metadata addresses, and a name that resolves to loopback
// is refused when the push is sent.
func TestWebPushEndpointsMustBePublic(t *testing.T) {
	fake := webpushfake.NewTLS(t, "example.com")
	dns := dnsfake.New(t, map[string][]netip.Addr{"example.com": {netip.MustParseAddr("127.0.0.1")}})
	pe, _ := webPushEnv(t, outbound.Policy{}, dns, fake)
	tm := pe.team()
	sub := fake.Subscribe()
	loopback := webpushfake.New(t).Subscribe().Endpoint // http://127.0.0.1:port/push/id
	for _, ep := range []string{loopback, "https://127.0.0.1/push/1", "https://localhost/push/1", "https://[::1]/push/1",
		"https://[::ffff:127.0.0.1]/push/1", "https://10.0.0.8/push/1", "https://192.168.1.1/push/1", "https://[fd00::1]/push/1",
		"https://100.64.0.1/push/1", "https://169.254.169.254/latest/meta-data/", "https://[fe80::1]/push/1",
		"https://0.0.0.0/push/1", "https://2130706433/push/1", "https://[64:ff9b::a9fe:a9fe]/push/1"} {
		r := pe.call("POST", "/v1/push/devices", tm.follower.AccessToken, subscription(ep, sub))
		wantStatus(t, r, http.StatusBadRequest)
		if p := r.Problem(t); len(p.Errors) != 1 || p.Errors[0].Field != "subscription.endpoint" {
			t.Fatalf("%s: problem %+v, want one naming subscription.endpoint", ep, p)
		}
	}
	if n := len(pe.devices(tm.follower.AccessToken)); n != 0 {
		t.Fatalf("%d refused subscriptions were stored", n)
	}
	// A host name is taken; where it resolves is checked at connection,
	// so one that resolves to loopback reaches nothing.
	d := pe.device(tm.follower.AccessToken, subscription(sub.Endpoint, sub))
	body := testPush(pe, tm.follower.AccessToken, d.ID)
	if !strings.Contains(body, `"outcome":"failed"`) || !strings.Contains(body, webpush.ReasonBlocked) || strings.Contains(body, "127.0.0.1") {
		t.Fatalf("test push to a name resolving to loopback: %s", body)
	}
	if fake.Requests() != 0 || dns.Queries() == 0 {
		t.Fatalf("the loopback push service got %d requests (%d DNS queries)", fake.Requests(), dns.Queries())
	}
}

// TestWebPushPrivateTargetsWhenAllowed: with the setting on, the same
// loopback endpoints work (link-local and metadata addresses stay
// refused), and the test push still answers in Web Push's terms only:
// no redirect is followed and nothing the endpoint sent comes back.
func TestWebPushPrivateTargetsWhenAllowed(t *testing.T) {
	fake := webpushfake.NewTLS(t, "example.com")
	dns := dnsfake.New(t, map[string][]netip.Addr{"example.com": {netip.MustParseAddr("127.0.0.1")}})
	pe, _ := webPushEnv(t, outbound.Policy{AllowPrivate: true}, dns, fake)
	tm := pe.team()
	tok := tm.emp1.AccessToken
	sub := fake.Subscribe()
	d := pe.device(tok, subscription(sub.Endpoint, sub))
	if body := testPush(pe, tok, d.ID); !strings.Contains(body, `"outcome":"sent"`) || len(fake.Messages()) != 1 {
		t.Fatalf("test push with private targets allowed: %s; rejections %v", body, fake.Rejections())
	}
	for _, ep := range []string{"https://169.254.169.254/latest/meta-data/", "https://[fe80::1]/push/1", "https://0.0.0.0/push/1"} {
		r := pe.call("POST", "/v1/push/devices", tok, subscription(ep, sub))
		wantStatus(t, r, http.StatusBadRequest)
		if p := r.Problem(t); len(p.Errors) != 1 || p.Errors[0].Field != "subscription.endpoint" {
			t.Fatalf("%s: problem %+v", ep, p)
		}
	}
	// An endpoint that answers with its own body, headers and status.
	var redirects atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			redirects.Add(1)
			http.Redirect(w, r, sub.Endpoint, http.StatusTemporaryRedirect)
			return
		}
		w.Header().Set("Location", "http://169.254.169.254/internal-location")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"internal-secret-body","admin_password":"hunter2"}`))
	}))
	defer target.Close()
	d = pe.device(tok, subscription(target.URL+"/answer", sub))
	body := testPush(pe, tok, d.ID)
	if !strings.Contains(body, `"outcome":"failed"`) || !strings.Contains(body, webpush.ReasonBadRequest) ||
		strings.Contains(body, "internal") || strings.Contains(body, "hunter2") || strings.Contains(body, `"status"`) {
		t.Fatalf("the test push reflects the endpoint's answer: %s", body)
	}
	if r := pe.call("GET", "/v1/push/devices", tok, nil); strings.Contains(string(r.Body), "internal") || !strings.Contains(string(r.Body), webpush.ReasonBadRequest) {
		t.Fatalf("the device's last outcome reflects the endpoint's answer: %s", r.Body)
	}
	d = pe.device(tok, subscription(target.URL+"/redirect", sub))
	body = testPush(pe, tok, d.ID)
	if !strings.Contains(body, `"outcome":"failed"`) || !strings.Contains(body, webpush.ReasonRedirect) || redirects.Load() != 1 || len(fake.Messages()) != 1 || fake.Requests() != 1 {
		t.Fatalf("a 307 was followed (%d requests at the push service) or misreported: %s", fake.Requests(), body)
	}
}
