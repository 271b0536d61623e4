package email

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// DefaultTimeout bounds connecting and each SMTP exchange when
// Config.Timeout is 0.
const DefaultTimeout = 15 * time.Second

// Config is the SMTP server alert emails are sent through.
type Config struct {
	// URL is the server, smtp://user:password@host:port or smtps://...
	// (user and password URL-encoded; both optional, together).
	//
	// smtps:// speaks TLS from the first byte; its port defaults to 465.
	// smtp:// upgrades with STARTTLS; its port defaults to 587. STARTTLS is
	// mandatory (the send fails when the server does not offer it) unless
	// the host is loopback (localhost, 127.0.0.0/8, ::1), where it is used
	// when offered. The query can set this: tls=mandatory, tls=opportunistic
	// (STARTTLS when offered) or tls=none (never; only for a trusted
	// network). Certificates are always verified.
	//
	// With a user the client authenticates, by default with AUTH PLAIN;
	// auth=login, auth=cram-md5 or auth=auto (the strongest the server
	// offers) choose otherwise. PLAIN and LOGIN refuse to send the password
	// over an unencrypted connection except to a loopback host.
	URL string
	// From is the sender, "Switchboard <alerts@example.com>" or a bare address.
	From string
	// Timeout bounds connecting and each SMTP exchange; 0 is DefaultTimeout.
	Timeout time.Duration
	// TLSConfig, when set, verifies the server (for example with a private
	// CA); ServerName is always the URL's host.
	TLSConfig *tls.Config
}

// server is a parsed Config.URL.
type server struct {
	host       string
	port       int
	ssl        bool
	policy     gomail.TLSPolicy
	user, pass string
	auth       gomail.SMTPAuthType
}

// authTypes maps the auth= values to go-mail's mechanisms.
var authTypes = map[string]gomail.SMTPAuthType{
	"plain": gomail.SMTPAuthPlain, "login": gomail.SMTPAuthLogin,
	"cram-md5": gomail.SMTPAuthCramMD5, "auto": gomail.SMTPAuthAutoDiscover,
}

// parseURL reads an SMTP URL (see Config.URL). Its errors never contain
// the URL, which may hold a password.
func parseURL(raw string) (server, error) {
	var s server
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || raw == "" {
		return s, errors.New("email: the SMTP URL is not a URL (smtp://user:password@host:port)")
	}
	switch u.Scheme {
	case "smtp":
		s.port = gomail.DefaultPortTLS
	case "smtps":
		s.ssl, s.port = true, gomail.DefaultPortSSL
	default:
		return s, errors.New("email: the SMTP URL's scheme must be smtp or smtps")
	}
	if s.host = u.Hostname(); s.host == "" {
		return s, errors.New("email: the SMTP URL has no host")
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil || s.port < 1 || s.port > 65535 {
			return s, errors.New("email: the SMTP URL's port must be a number from 1 to 65535")
		}
	}
	if u.Path != "" && u.Path != "/" {
		return s, errors.New("email: the SMTP URL must not have a path")
	}
	q := u.Query()
	for k := range q {
		if k != "tls" && k != "auth" {
			return s, fmt.Errorf("email: the SMTP URL's parameter %q is unknown (tls, auth)", k)
		}
	}
	if s.policy, err = tlsPolicy(q.Get("tls"), s); err != nil {
		return s, err
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		if s.user == "" || s.pass == "" {
			return s, errors.New("email: the SMTP URL needs both a user and a password, or neither")
		}
		a := q.Get("auth")
		if a == "" {
			a = "plain"
		}
		if s.auth = authTypes[a]; s.auth == "" {
			return s, fmt.Errorf("email: the SMTP URL's auth=%q is not plain, login, cram-md5 or auto", a)
		}
	} else if q.Has("auth") {
		return s, errors.New("email: the SMTP URL has auth= but no user and password")
	}
	return s, nil
}

// tlsPolicy is the STARTTLS policy named by tls= for s.
func tlsPolicy(v string, s server) (gomail.TLSPolicy, error) {
	if s.ssl {
		if v != "" {
			return 0, errors.New("email: tls= applies to smtp:// only (smtps:// always uses TLS)")
		}
		return gomail.NoTLS, nil // no STARTTLS inside TLS
	}
	switch v {
	case "":
		if isLoopback(s.host) {
			return gomail.TLSOpportunistic, nil
		}
		return gomail.TLSMandatory, nil
	case "mandatory":
		return gomail.TLSMandatory, nil
	case "opportunistic":
		return gomail.TLSOpportunistic, nil
	case "none":
		return gomail.NoTLS, nil
	}
	return 0, fmt.Errorf("email: the SMTP URL's tls=%q is not mandatory, opportunistic or none", v)
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// parseFrom checks the sender address.
func parseFrom(from string) (*mail.Address, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(from))
	if err != nil {
		return nil, errors.New(`email: From must be an address, "Name <alerts@example.com>" or "alerts@example.com"`)
	}
	return a, nil
}
