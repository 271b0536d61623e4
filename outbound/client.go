package outbound

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"time"
)

// Defaults of Options.
const (
	DefaultTimeout = 30 * time.Second
	DefaultMaxBody = 1 << 20
	// dialTimeout and handshakeTimeout bound the connection's set-up;
	// headerTimeout the wait for the answer's header once a request is
	// written; maxHeader the answer's header.
	dialTimeout      = 10 * time.Second
	handshakeTimeout = 10 * time.Second
	headerTimeout    = 20 * time.Second
	maxHeader        = 64 << 10
)

// ErrBodyTooLarge is the read error of an answer's body past
// Options.MaxBody.
var ErrBodyTooLarge = errors.New("outbound: answer body too large")

// Options configure NewClient.
type Options struct {
	// Policy is checked on every connection.
	Policy
	// Timeout bounds a whole request, body included; 0 is DefaultTimeout.
	Timeout time.Duration
	// MaxBody bounds the body read of an answer; reading past it fails
	// with ErrBodyTooLarge. 0 is DefaultMaxBody.
	MaxBody int64
	// Resolver resolves host names; nil is the system's. (Tests point it
	// at a loopback DNS server.)
	Resolver *net.Resolver
	// RootCAs are the TLS roots; nil is the system's.
	RootCAs *x509.CertPool
}

// NewClient returns the guarded client: every connection it opens is
// checked by o.Policy's Control after name resolution (so a DNS name, a
// second address of a name, or a redirect cannot bypass it); it follows
// no redirect (the 3xx answer is returned as it is); it ignores the
// HTTP_PROXY family of variables (a proxy would make the check see only
// the proxy's address); connection set-up, the answer's header and the
// whole request have time limits, the header a size limit and the body
// o.MaxBody.
func NewClient(o Options) *http.Client {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second, Control: o.Policy.Control, Resolver: o.Resolver}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    handshakeTimeout,
		ResponseHeaderTimeout:  headerTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    10,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: maxHeader,
	}
	return &http.Client{
		Transport:     &bounded{rt: tr, max: o.MaxBody},
		Timeout:       o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// bounded limits the bodies of the answers rt gives.
type bounded struct {
	rt  http.RoundTripper
	max int64
}

// RoundTrip sends req through the guarded transport.
func (b *bounded) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := b.rt.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &limitedBody{rc: resp.Body, left: b.max}
	return resp, nil
}

// CloseIdleConnections closes the transport's idle connections.
func (b *bounded) CloseIdleConnections() {
	if c, ok := b.rt.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// limitedBody reads at most left bytes and fails with ErrBodyTooLarge
// when the body has more.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		if n, err := l.rc.Read(one[:]); n > 0 {
			return 0, ErrBodyTooLarge
		} else if err != nil {
			return 0, err
		}
		return 0, nil
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	return n, err
}

func (l *limitedBody) Close() error { return l.rc.Close() }
