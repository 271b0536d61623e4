// Package fcmfake is a loopback stand-in for Google's OAuth token endpoint
// and the FCM HTTP v1 API, for tests. It issues access tokens only for
// JWT assertions signed by the service accounts it made, accepts sends
// only with those tokens, records what it accepted and answers with the
// errors a test programs, in FCM's own format.
package fcmfake

import (
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/switchboardhq/switchboard/push/internal/fakeanswer"
)

// Server is a fake of Google's token endpoint and FCM HTTP v1. It is safe
// for concurrent use.
type Server struct {
	srv *httptest.Server

	mu       sync.Mutex
	accounts map[string]*account     // by client_email
	tokens   map[string]string       // access token -> project id
	answers  fakeanswer.Book[Answer] // by registration token
	received []Received
	tokenN   int
	sendN    int
	nextID   int
}

// account is a service account the fake made.
type account struct {
	projectID string
	keyID     string
	public    *rsa.PublicKey
}

// New starts a fake on a loopback port; it is closed when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		accounts: map[string]*account{},
		tokens:   map[string]string{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", s.handleToken)
	mux.HandleFunc("POST /v1/projects/{project}/messages:send", s.handleSend)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the messaging endpoint to pass as fcm.Config.Endpoint: the base
// that "/projects/<id>/messages:send" is appended to.
func (s *Server) URL() string { return s.srv.URL + "/v1" }

// TokenURL is the OAuth token endpoint named by the service accounts'
// token_uri.
func (s *Server) TokenURL() string { return s.srv.URL + "/token" }

// Close stops the server now, so a test can see a network error; it is
// also closed when the test ends.
func (s *Server) Close() { s.srv.Close() }

// TokenRequests counts the token exchanges asked for, good or bad.
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenN
}

// SendRequests counts the send requests received, accepted or not.
func (s *Server) SendRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sendN
}

// Messages returns a copy of the messages accepted so far, in order.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Answer makes the fake answer sends to the registration token with a
// (see Answer); it replaces the token's earlier answer.
func (s *Server) Answer(token string, a Answer) { s.answers.Set(token, a, a.Times) }

// takeAnswer uses token's programmed answer once, nil for a success.
func (s *Server) takeAnswer(token string) *Answer {
	if a, ok := s.answers.Take(token); ok {
		return &a
	}
	return nil
}
