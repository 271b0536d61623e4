package outbound_test

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/switchboardhq/switchboard/outbound"
	"github.com/switchboardhq/switchboard/outbound/dnsfake"
)

// counting is a loopback server that counts the requests it gets.
func counting(t *testing.T, tls bool, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	f := func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if h != nil {
			h(w, r)
		}
	}
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(http.HandlerFunc(f))
	} else {
		srv = httptest.NewServer(http.HandlerFunc(f))
	}
	t.Cleanup(srv.Close)
	return srv, &n
}

func get(c *http.Client, url string) (*http.Response, error) {
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	return resp, err
}

func TestClientRefusesLoopbackAtConnect(t *testing.T) {
	t.Parallel()
	srv, hits := counting(t, true, nil)
	port := srv.URL[strings.LastIndexByte(srv.URL, ':'):]
	// example.com is a name the test certificate holds; here it resolves
	// to loopback, as a rebinding attacker's name would.
	dns := dnsfake.New(t, map[string][]netip.Addr{"example.com": {netip.MustParseAddr("127.0.0.1")}})
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	strict := outbound.NewClient(outbound.Options{Resolver: dns.Resolver(), RootCAs: roots})
	for _, u := range []string{srv.URL, "https://example.com" + port, "https://localhost" + port, "https://[::ffff:127.0.0.1]" + port} {
		_, err := get(strict, u+"/x")
		var be *outbound.BlockedError
		if !errors.Is(err, outbound.ErrBlocked) || !errors.As(err, &be) || be.Class != "loopback" {
			t.Errorf("GET %s: %v, want a refused loopback address", u, err)
		}
	}
	if dns.Queries() == 0 {
		t.Error("the name was not resolved through the test's DNS server")
	}
	if hits.Load() != 0 {
		t.Fatalf("the loopback server got %d requests", hits.Load())
	}
	// The same requests pass when private targets are allowed.
	open := outbound.NewClient(outbound.Options{Policy: outbound.Policy{AllowPrivate: true}, Resolver: dns.Resolver(), RootCAs: roots})
	for _, u := range []string{srv.URL, "https://example.com" + port} {
		if resp, err := get(open, u+"/x"); err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s with AllowPrivate: %v", u, err)
		}
	}
	if hits.Load() != 2 {
		t.Errorf("the server got %d requests, want 2", hits.Load())
	}
}

func TestClientFollowsNoRedirect(t *testing.T) {
	t.Parallel()
	target, hits := counting(t, false, nil)
	c := outbound.NewClient(outbound.Options{Policy: outbound.Policy{AllowPrivate: true}})
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		from, _ := counting(t, false, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+"/internal", status)
		})
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, from.URL+"/push", strings.NewReader("payload"))
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%d: %v", status, err)
		}
		resp.Body.Close()
		if resp.StatusCode != status || resp.Header.Get("Location") == "" {
			t.Errorf("%d: got %d, want the redirect itself", status, resp.StatusCode)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("a redirect was followed %d times", hits.Load())
	}
}

func TestClientBoundsTheBody(t *testing.T) {
	t.Parallel()
	const max = 1000
	srv, _ := counting(t, false, func(w http.ResponseWriter, r *http.Request) {
		n := max
		if r.URL.Path == "/over" {
			n++
		}
		_, _ = w.Write([]byte(strings.Repeat("x", n)))
	})
	c := outbound.NewClient(outbound.Options{Policy: outbound.Policy{AllowPrivate: true}, MaxBody: max})
	read := func(path string) (int, error) {
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return len(b), err
	}
	if n, err := read("/at"); n != max || err != nil {
		t.Errorf("a body of exactly MaxBody: %d bytes, %v", n, err)
	}
	if _, err := read("/over"); !errors.Is(err, outbound.ErrBodyTooLarge) {
		t.Errorf("a body one byte over MaxBody: %v, want ErrBodyTooLarge", err)
	}
}
