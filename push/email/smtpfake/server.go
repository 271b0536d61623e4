// Package smtpfake is a loopback SMTP server for tests, built on
// github.com/emersion/go-smtp: it records the messages it receives (with
// their subject and text and HTML parts decoded), can require AUTH PLAIN
// and offer STARTTLS, and can be told to refuse a recipient with a given
// reply.
package smtpfake

import (
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Server is a running fake SMTP server, closed when its test ends.
type Server struct {
	t          testing.TB
	srv        *smtp.Server
	addr       string
	listener   net.Listener
	user, pass string
	clientTLS  *tls.Config
	done       chan struct{}

	mu      sync.Mutex
	msgs    []Message
	rejects map[string]*smtp.SMTPError
	authErr int
	closed  bool
}

// Message is one message the fake accepted.
type Message struct {
	From string
	To   []string
	// Data is the message as received, headers and body.
	Data []byte
	// User is the authenticated user, "" without AUTH; TLS reports
	// whether the message came over STARTTLS.
	User string
	TLS  bool
	// Subject, Text and HTML are decoded from Data: the subject's encoded
	// words, and the text/plain and text/html parts' transfer encoding.
	Subject string
	Text    string
	HTML    string
	// ParseErr is why Data could not be parsed, nil when it could.
	ParseErr error
}

// Option configures a Server.
type Option func(*Server)

// WithAuth makes the server offer AUTH PLAIN and require it, with this
// user and password, before MAIL FROM. Plain-text AUTH is allowed, as
// the server is on loopback.
func WithAuth(user, password string) Option {
	return func(s *Server) { s.user, s.pass = user, password }
}

// WithTLS makes the server offer STARTTLS with a certificate for
// 127.0.0.1 and localhost made for this test; ClientTLSConfig trusts it.
func WithTLS() Option {
	return func(s *Server) {
		srv, client, err := selfSigned()
		if err != nil {
			s.t.Fatalf("smtpfake: %v", err)
		}
		s.srv.TLSConfig, s.clientTLS = srv, client
	}
}

// New starts a fake SMTP server on 127.0.0.1 and a free port.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{t: t, rejects: map[string]*smtp.SMTPError{}, done: make(chan struct{})}
	s.srv = smtp.NewServer(smtp.BackendFunc(s.newSession))
	s.srv.Domain = "smtpfake.localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.MaxMessageBytes = 4 << 20
	s.srv.ReadTimeout, s.srv.WriteTimeout = time.Minute, time.Minute
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	for _, o := range opts {
		o(s)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtpfake: %v", err)
	}
	s.addr, s.listener = l.Addr().String(), l
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(l)
	}()
	t.Cleanup(s.Close)
	return s
}

// Addr is the host:port the server listens on.
func (s *Server) Addr() string { return s.addr }

// URL is the smtp:// URL of the server, with the WithAuth credentials.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.addr}
	if s.user != "" {
		u.User = url.UserPassword(s.user, s.pass)
	}
	return u.String()
}

// ClientTLSConfig trusts the WithTLS certificate; nil without WithTLS.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.clientTLS == nil {
		return nil
	}
	return s.clientTLS.Clone()
}

// Reject makes the server answer RCPT TO:<rcpt> with code and message
// (the enhanced status code is the code's class, as in 451 4.0.0); a code
// of 0 accepts rcpt again.
func (s *Server) Reject(rcpt string, code int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(rcpt)
	if code == 0 {
		delete(s.rejects, key)
		return
	}
	s.rejects[key] = &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: message}
}

// Messages are the messages accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// AuthFailures counts refused AUTH attempts.
func (s *Server) AuthFailures() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authErr
}

// Close stops the server and drops its connections; later connections
// are refused. It is called when the test ends.
func (s *Server) Close() {
	s.mu.Lock()
	closed := s.closed
	s.closed = true
	s.mu.Unlock()
	if closed {
		return
	}
	_ = s.srv.Close()
	_ = s.listener.Close() // Serve may not have registered it yet
	<-s.done
}

// newSession starts the session of a connection.
func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: s, conn: c}, nil
}

// session is one SMTP connection's state.
type session struct {
	s    *Server
	conn *smtp.Conn
	user string
	from string
	to   []string
}

// AuthMechanisms offers PLAIN when the server has credentials.
func (se *session) AuthMechanisms() []string {
	if se.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

// Auth checks PLAIN credentials.
func (se *session) Auth(mech string) (sasl.Server, error) {
	if se.s.user == "" || mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if (identity != "" && identity != user) || user != se.s.user || pass != se.s.pass {
			se.s.mu.Lock()
			se.s.authErr++
			se.s.mu.Unlock()
			return smtp.ErrAuthFailed
		}
		se.user = user
		return nil
	}), nil
}

// Mail starts a message; with WithAuth only after AUTH.
func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.s.user != "" && se.user == "" {
		return smtp.ErrAuthRequired
	}
	se.from, se.to = from, nil
	return nil
}

// Rcpt adds a recipient unless Reject refuses it.
func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.s.mu.Lock()
	rej := se.s.rejects[strings.ToLower(to)]
	se.s.mu.Unlock()
	if rej != nil {
		return rej
	}
	se.to = append(se.to, to)
	return nil
}

// Data records the message.
func (se *session) Data(r io.Reader) error {
	if se.from == "" || len(se.to) == 0 {
		return errors.New("smtpfake: DATA without MAIL FROM and RCPT TO")
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := se.conn.TLSConnectionState()
	m := Message{From: se.from, To: se.to, Data: data, User: se.user, TLS: isTLS}
	m.Subject, m.Text, m.HTML, m.ParseErr = parse(data)
	se.s.mu.Lock()
	se.s.msgs = append(se.s.msgs, m)
	se.s.mu.Unlock()
	return nil
}

// Reset drops the message being made.
func (se *session) Reset() { se.from, se.to = "", nil }

// Logout ends the session.
func (se *session) Logout() error { return nil }
