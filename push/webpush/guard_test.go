package webpush

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/switchboardhq/switchboard/outbound"
	"github.com/switchboardhq/switchboard/outbound/dnsfake"
	"github.com/switchboardhq/switchboard/push"
	"github.com/switchboardhq/switchboard/push/webpush/webpushfake"
)

// TestSendRefusesANameResolvingToLoopback: a subscription on a public
// looking name passes registration; where the name resolves is checked
// when the connection is made, so a name that resolves to loopback (DNS
// rebinding) reaches nothing unless private targets are allowed.
func TestSendRefusesANameResolvingToLoopback(t *testing.T) {
	t.Parallel()
	fake := webpushfake.NewTLS(t, "example.com")
	dns := dnsfake.New(t, map[string][]netip.Addr{"example.com": {netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")}})
	roots := x509.NewCertPool()
	roots.AddCert(fake.Certificate())
	strict := newSenderWith(t, Config{HTTPClient: outbound.NewClient(outbound.Options{Resolver: dns.Resolver(), RootCAs: roots})})
	sub := fake.Subscribe()
	if err := strict.ValidSubscription(sub.Endpoint, sub.P256dh, sub.Auth); err != nil {
		t.Fatalf("the subscription on a host name was refused at registration: %v", err)
	}
	r := strict.Send(context.Background(), sub.Device(), sendNote())
	if r.Outcome != push.OutcomeFailed || r.Reason != ReasonBlocked || fake.Requests() != 0 {
		t.Fatalf("Send = %+v, the push service got %d requests; want failed, %q, none", r, fake.Requests(), ReasonBlocked)
	}
	open := newSenderWith(t, Config{AllowPrivate: true,
		HTTPClient: outbound.NewClient(outbound.Options{Policy: outbound.Policy{AllowPrivate: true}, Resolver: dns.Resolver(), RootCAs: roots})})
	if r := open.Send(context.Background(), sub.Device(), sendNote()); r.Outcome != push.OutcomeSent || len(fake.Messages()) != 1 {
		t.Fatalf("with private targets allowed: %+v; rejections %v", r, fake.Rejections())
	}
	if !strings.HasPrefix(fake.Messages()[0].Location, "https://example.com:") {
		t.Errorf("message URL %q", fake.Messages()[0].Location)
	}
}

// TestNewGuardsByDefault: a sender without a client of its own uses the
// guarded one, which refuses loopback before connecting.
func TestNewGuardsByDefault(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	s := newSenderWith(t, Config{})
	_, err := s.client.Post(srv.URL+"/push/x", "application/octet-stream", strings.NewReader("x"))
	if !errors.Is(err, outbound.ErrBlocked) || hits.Load() != 0 {
		t.Fatalf("POST to loopback: %v, %d requests; want refused before connecting", err, hits.Load())
	}
}

func TestSendFollowsNoRedirect(t *testing.T) {
	t.Parallel()
	fake := webpushfake.New(t)
	s := newSender(t)
	sub := fake.Subscribe()
	for _, status := range []int{301, 302, 303, 307, 308} {
		from := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, sub.Endpoint, status)
		}))
		d := sub.Device()
		d.Endpoint = from.URL + "/push/elsewhere"
		r := s.Send(context.Background(), d, sendNote())
		from.Close()
		if r.Outcome != push.OutcomeFailed || r.Reason != ReasonRedirect {
			t.Errorf("%d: %+v, want failed, %q", status, r, ReasonRedirect)
		}
	}
	if fake.Requests() != 0 {
		t.Fatalf("a redirect was followed to the push service %d times", fake.Requests())
	}
}

// TestSendReasonNeverQuotesTheEndpoint: what an endpoint answers (its
// body, status text, headers, or a banner that is not HTTP) never reaches
// a Reason.
func TestSendReasonNeverQuotesTheEndpoint(t *testing.T) {
	t.Parallel()
	fake := webpushfake.New(t)
	s := newSender(t)
	d := fake.Subscribe().Device()
	for _, status := range []int{200, 400, 403, 404, 418, 500} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Internal", "internal-header")
			w.Header().Set("Location", "http://169.254.169.254/internal-location")
			w.WriteHeader(status)
			_, _ = w.Write([]byte("internal-secret-body: db password hunter2"))
		}))
		d.Endpoint = srv.URL + "/push/x"
		r := s.Send(context.Background(), d, sendNote())
		srv.Close()
		if strings.Contains(r.Reason+r.ProviderID, "internal") || strings.Contains(r.Reason, "hunter2") {
			t.Errorf("%d: the result quotes the endpoint: %+v", status, r)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	defer func() { ln.Close(); <-done }()
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.6 internal-banner\r\n"))
			c.Close()
		}
	}()
	d.Endpoint = "http://" + ln.Addr().String() + "/push/x"
	if r := s.Send(context.Background(), d, sendNote()); r.Outcome != push.OutcomeRetry || r.Reason != ReasonUnreachable {
		t.Errorf("a non-HTTP banner: %+v, want retry, %q", r, ReasonUnreachable)
	}
}
