// Package email sends alert emails through an SMTP server, with
// github.com/wneessen/go-mail.
package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
)

// Sender emails notifications to members. It is safe for concurrent use;
// each email is sent on its own connection.
type Sender struct {
	srv     server
	from    *mail.Address
	timeout time.Duration
	tls     *tls.Config
}

var _ push.Sender = (*Sender)(nil)

// New checks c (see Config) and returns its Sender. Its errors never
// contain the password.
func New(c Config) (*Sender, error) {
	srv, err := parseURL(c.URL)
	if err != nil {
		return nil, err
	}
	from, err := parseFrom(c.From)
	if err != nil {
		return nil, err
	}
	if c.Timeout < 0 {
		return nil, errors.New("email: Timeout must not be negative")
	}
	s := &Sender{srv: srv, from: from, timeout: c.Timeout}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	if c.TLSConfig != nil {
		s.tls = c.TLSConfig.Clone()
	} else {
		s.tls = &tls.Config{}
	}
	s.tls.ServerName = srv.host
	if s.tls.MinVersion < tls.VersionTLS12 {
		s.tls.MinVersion = tls.VersionTLS12
	}
	if _, err := s.client(); err != nil {
		return nil, fmt.Errorf("email: %w", err)
	}
	return s, nil
}

// client is a go-mail client for one send.
func (s *Sender) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.srv.port), gomail.WithTimeout(s.timeout), gomail.WithTLSConfig(s.tls)}
	if s.srv.ssl {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(s.srv.policy))
	}
	if s.srv.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(s.srv.auth), gomail.WithUsername(s.srv.user), gomail.WithPassword(s.srv.pass))
	}
	return gomail.NewClient(s.srv.host, opts...)
}

// Send emails Compose(n) to n.Email; d is ignored. SMTP 4xx answers and
// connection failures are retried, 5xx answers fail; Reason is the
// server's reply ("451 4.3.0 Try again later") or the network error, and
// ProviderID the Message-ID of a sent email.
func (s *Sender) Send(ctx context.Context, _ *models.Device, n *push.Notification) push.Result {
	if n.Silent {
		return push.Result{Outcome: push.OutcomeFailed, Reason: "a silent update is not emailed"}
	}
	to, err := mail.ParseAddress(n.Email)
	if err != nil {
		return push.Result{Outcome: push.OutcomeFailed, Reason: "the member's email address is not valid"}
	}
	m, err := s.message(n, to.Address)
	if err != nil {
		return push.Result{Outcome: push.OutcomeFailed, Reason: err.Error()}
	}
	c, err := s.client()
	if err != nil {
		return push.Result{Outcome: push.OutcomeFailed, Reason: err.Error()}
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return Classify(err)
	}
	return push.Result{Outcome: push.OutcomeSent, ProviderID: m.GetMessageID()}
}

// message is the email of n to addr.
func (s *Sender) message(n *push.Notification, addr string) (*gomail.Msg, error) {
	subject, text, html := Compose(n)
	m := gomail.NewMsg()
	m.FromMailAddress(s.from)
	m.ToMailAddress(&mail.Address{Name: oneLine(n.MemberName, maxName), Address: addr})
	if _, err := m.GetRecipients(); err != nil {
		return nil, errors.New("the member's email address is not valid")
	}
	m.Subject(subject)
	m.SetMessageID()
	m.SetDate()
	m.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	m.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	m.SetBodyString(gomail.TypeTextPlain, text)
	m.AddAlternativeString(gomail.TypeTextHTML, html)
	return m, nil
}

// Classify turns a failed send into a Result: an SMTP reply of 4xx is
// retried and of 5xx failed; an error with no reply (refused connection,
// timeout, dropped connection, TLS failure) is retried. nil is sent.
func Classify(err error) push.Result {
	if err == nil {
		return push.Result{Outcome: push.OutcomeSent}
	}
	code, reply := smtpReply(err)
	r := push.Result{Outcome: push.OutcomeRetry, Reason: reply}
	switch {
	case code >= 500:
		r.Outcome = push.OutcomeFailed
	case code == 0:
		r.Reason = err.Error()
	}
	return r
}

// smtpReply finds the SMTP reply in a go-mail error: its code and its
// text, without the recipient go-mail appends. 0 when there is none.
func smtpReply(err error) (int, string) {
	var se *gomail.SendError
	if errors.As(err, &se) {
		if c := se.ErrorCode(); c >= 400 && c < 600 {
			msg := se.Error()
			if i := strings.Index(msg, ", affected "); i >= 0 {
				msg = msg[:i]
			}
			if _, after, ok := strings.Cut(msg, ": "); ok {
				msg = after
			}
			return c, unquote(msg)
		}
		if se.IsTemp() {
			return 400, se.Error()
		}
	}
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 400 && te.Code < 600 {
		return te.Code, oneLine(fmt.Sprintf("%03d %s", te.Code, te.Msg), maxReply)
	}
	return 0, ""
}

// maxReply bounds the reply kept in a Reason.
const maxReply = 300

// unquote undoes the quoting of textproto.Error since Go 1.26
// (451 "4.3.0 Try again") and makes the reply one line.
func unquote(reply string) string {
	if code, text, ok := strings.Cut(reply, " "); ok && len(code) == 3 && strings.HasPrefix(text, `"`) {
		if s, err := strconv.Unquote(text); err == nil {
			reply = code + " " + s
		}
	}
	return oneLine(reply, maxReply)
}
