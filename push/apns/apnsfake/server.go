// Package apnsfake is a loopback stand-in for the APNs provider API, for
// tests: HTTP/2 over TLS, token (JWT) or certificate authentication,
// Apple's request checks and answers, programmable per-token errors and a
// record of every accepted notification.
package apnsfake

import (
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/push/internal/fakeanswer"
)

// Server is a fake APNs. It is safe for concurrent use.
type Server struct {
	srv *httptest.Server

	// token auth: the key that must sign provider tokens, its id and team
	keyID, teamID string
	public        *ecdsa.PublicKey

	mu       sync.Mutex
	answers  fakeanswer.Book[Answer] // by device token
	received []Received
	requests int
}

// Received is one notification the fake accepted.
type Received struct {
	Token  string
	Header http.Header
	// Raw is the payload as sent; Payload is it decoded.
	Raw     []byte
	Payload map[string]any
}

// NewToken starts a fake in token-auth mode: every request needs
// "authorization: bearer <JWT>", ES256-signed by public's private key,
// with header kid keyID, claim iss teamID and an iat within the last hour.
// It is closed when the test ends.
func NewToken(t testing.TB, public *ecdsa.PublicKey, keyID, teamID string) *Server {
	t.Helper()
	s := &Server{keyID: keyID, teamID: teamID, public: public}
	s.start(t, nil)
	return s
}

// NewCert starts a fake in certificate-auth mode: the TLS handshake needs
// a client certificate issued by one of clientCAs. It is closed when the
// test ends.
func NewCert(t testing.TB, clientCAs *x509.CertPool) *Server {
	t.Helper()
	s := &Server{}
	s.start(t, &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clientCAs})
	return s
}

// start serves HTTP/2 over TLS on a loopback port.
func (s *Server) start(t testing.TB, cfg *tls.Config) {
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.handle))
	s.srv.EnableHTTP2 = true
	s.srv.TLS = cfg
	// Refused handshakes (certificate mode) are answers, not news.
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.srv.StartTLS()
	t.Cleanup(s.srv.Close)
}

// URL is the server's base URL, "https://127.0.0.1:<port>": the Host to
// give the client.
func (s *Server) URL() string { return s.srv.URL }

// CertPool trusts the server's certificate.
func (s *Server) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.srv.Certificate())
	return p
}

// Close stops the server now, so a test can see a network error; it is
// also closed when the test ends.
func (s *Server) Close() { s.srv.Close() }

// Requests counts the requests received, accepted or not.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Notifications returns a copy of the notifications accepted so far, in
// order.
func (s *Server) Notifications() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Answer makes the fake answer pushes to the device token with a (see
// Answer), after the request passed its checks; it replaces the token's
// earlier answer.
func (s *Server) Answer(token string, a Answer) { s.answers.Set(token, a, a.Times) }

// takeAnswer uses token's programmed answer once, nil for a success.
func (s *Server) takeAnswer(token string) *Answer {
	if a, ok := s.answers.Take(token); ok {
		return &a
	}
	return nil
}

// Answer is a programmed APNs error answer.
type Answer struct {
	Status int
	Reason string
	// Timestamp is sent with a 410: when the token stopped being valid.
	Timestamp time.Time
	// RetryAfter, when positive, is sent as Retry-After in seconds.
	RetryAfter time.Duration
	// Times is how many pushes get this answer before the token succeeds
	// again; 0 means every push.
	Times int
}

// The answers APNs gives for a device or for load.
var (
	BadDeviceToken         = Answer{Status: http.StatusBadRequest, Reason: "BadDeviceToken"}
	DeviceTokenNotForTopic = Answer{Status: http.StatusBadRequest, Reason: "DeviceTokenNotForTopic"}
	TooManyRequests        = Answer{Status: http.StatusTooManyRequests, Reason: "TooManyRequests"}
	InternalServerError    = Answer{Status: http.StatusInternalServerError, Reason: "InternalServerError"}
	ServiceUnavailable     = Answer{Status: http.StatusServiceUnavailable, Reason: "ServiceUnavailable"}
)

// Unregistered is APNs's 410: the token has not been valid since at.
func Unregistered(at time.Time) Answer {
	return Answer{Status: http.StatusGone, Reason: "Unregistered", Timestamp: at}
}

// write sends a in Apple's format: {"reason": ...} (and "timestamp" in
// milliseconds for a 410), with the apns-id header.
func (a *Answer) write(w http.ResponseWriter, apnsID string) {
	body := map[string]any{"reason": a.Reason}
	if a.Status == http.StatusGone && !a.Timestamp.IsZero() {
		body["timestamp"] = a.Timestamp.UnixMilli()
	}
	if a.RetryAfter > 0 {
		w.Header().Set("Retry-After", itoa(int64(a.RetryAfter/time.Second)))
	}
	w.Header().Set("apns-id", apnsID)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(a.Status)
	_ = json.NewEncoder(w).Encode(body)
}
