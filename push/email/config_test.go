package email

import (
	"strings"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"
)

func TestParseURL(t *testing.T) {
	cases := []struct {
		url  string
		want server
	}{
		{"smtp://mail.example.com", server{host: "mail.example.com", port: 587, policy: gomail.TLSMandatory}},
		{"smtp://u:p@mail.example.com:25", server{host: "mail.example.com", port: 25, policy: gomail.TLSMandatory, user: "u", pass: "p", auth: gomail.SMTPAuthPlain}},
		{"smtp://127.0.0.1:2525", server{host: "127.0.0.1", port: 2525, policy: gomail.TLSOpportunistic}},
		{"smtp://localhost", server{host: "localhost", port: 587, policy: gomail.TLSOpportunistic}},
		{"smtp://[::1]:25", server{host: "::1", port: 25, policy: gomail.TLSOpportunistic}},
		{"smtp://127.0.0.1?tls=mandatory", server{host: "127.0.0.1", port: 587, policy: gomail.TLSMandatory}},
		{"smtp://mail.example.com?tls=opportunistic", server{host: "mail.example.com", port: 587, policy: gomail.TLSOpportunistic}},
		{"smtp://relay.internal?tls=none", server{host: "relay.internal", port: 587, policy: gomail.NoTLS}},
		{"smtps://u:p@mail.example.com", server{host: "mail.example.com", port: 465, ssl: true, policy: gomail.NoTLS, user: "u", pass: "p", auth: gomail.SMTPAuthPlain}},
		{"smtps://u:p@mail.example.com:2465/", server{host: "mail.example.com", port: 2465, ssl: true, policy: gomail.NoTLS, user: "u", pass: "p", auth: gomail.SMTPAuthPlain}},
		{"smtp://apikey:p%40ss%3Aw%2Frd@smtp.example.com?auth=login", server{host: "smtp.example.com", port: 587, policy: gomail.TLSMandatory, user: "apikey", pass: "p@ss:w/rd", auth: gomail.SMTPAuthLogin}},
		{"smtp://u:p@smtp.example.com?auth=cram-md5", server{host: "smtp.example.com", port: 587, policy: gomail.TLSMandatory, user: "u", pass: "p", auth: gomail.SMTPAuthCramMD5}},
		{"smtp://u:p@smtp.example.com?auth=auto", server{host: "smtp.example.com", port: 587, policy: gomail.TLSMandatory, user: "u", pass: "p", auth: gomail.SMTPAuthAutoDiscover}},
	}
	for _, c := range cases {
		got, err := parseURL(c.url)
		if err != nil || got != c.want {
			t.Errorf("parseURL(%q) = %+v, %v; want %+v", c.url, got, err, c.want)
		}
	}
}

func TestParseURLRejects(t *testing.T) {
	const secret = "Sup3rS3cret"
	cases := []struct {
		url, want string
	}{
		{"", "not a URL"},
		{"smtp://u:" + secret + "@host:port", "not a URL"},
		{"smtp://u:" + secret + "@ho st", "not a URL"},
		{"http://u:" + secret + "@mail.example.com", "scheme must be smtp or smtps"},
		{"mail.example.com:587", "scheme must be"},
		{"smtp://u:" + secret + "@:25", "no host"},
		{"smtp://u:" + secret + "@mail.example.com:0", "port must be"},
		{"smtp://u:" + secret + "@mail.example.com:70000", "port must be"},
		{"smtp://u:" + secret + "@mail.example.com/inbox", "must not have a path"},
		{"smtp://u:" + secret + "@mail.example.com?tls=yes", `tls="yes" is not`},
		{"smtps://u:" + secret + "@mail.example.com?tls=none", "tls= applies to smtp:// only"},
		{"smtp://u:" + secret + "@mail.example.com?auth=xoauth", `auth="xoauth" is not`},
		{"smtp://u:" + secret + "@mail.example.com?password=" + secret, `parameter "password" is unknown`},
		{"smtp://u@mail.example.com", "both a user and a password"},
		{"smtp://:" + secret + "@mail.example.com", "both a user and a password"},
		{"smtp://mail.example.com?auth=plain", "no user and password"},
	}
	for _, c := range cases {
		_, err := parseURL(c.url)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("parseURL(%q) = %v, want an error saying %q", c.url, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("parseURL(%q): the error %q has the password", c.url, err)
		}
	}
}

func TestNewRejects(t *testing.T) {
	const url = "smtp://u:pw@mail.example.com"
	cases := []struct {
		c    Config
		want string
	}{
		{Config{URL: url}, "From must be an address"},
		{Config{URL: url, From: "not an address"}, "From must be"},
		{Config{URL: url, From: "Switchboard <alerts@example.com>\r\nBcc: x@y"}, "From must be"},
		{Config{URL: url, From: "alerts@example.com", Timeout: -time.Second}, "Timeout must not be negative"},
		{Config{From: "alerts@example.com"}, "not a URL"},
	}
	for _, c := range cases {
		if _, err := New(c.c); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v) = %v, want an error saying %q", c.c, err, c.want)
		}
	}
	s, err := New(Config{URL: url, From: "Switchboard <alerts@example.com>"})
	if err != nil || s.timeout != DefaultTimeout || s.from.Address != "alerts@example.com" || s.tls.ServerName != "mail.example.com" {
		t.Errorf("New = %+v, %v", s, err)
	}
}
