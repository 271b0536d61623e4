package smtpfake

import (
	"net/smtp"
	"strings"
	"testing"
)

func TestParseNestedMultipart(t *testing.T) {
	raw := "Subject: =?UTF-8?q?Hall=C3=B6?= =?UTF-8?q?_there?=\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=outer\r\n\r\n" +
		"--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n" +
		"--inner\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		"SGVsbG8s\r\nIHdvcmxk\r\n" +
		"--inner\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"<p>caf=C3=A9 =\r\nbar</p>\r\n" +
		"--inner--\r\n--outer--\r\n"
	subject, text, html, err := parse([]byte(raw))
	if err != nil || subject != "Hallö there" || text != "Hello, world" || html != "<p>café bar</p>" {
		t.Errorf("parse = %q, %q, %q, %v", subject, text, html, err)
	}
	if _, text, _, err := parse([]byte("Subject: x\r\n\r\nplain body")); err != nil || text != "plain body" {
		t.Errorf("single part: %q, %v", text, err)
	}
}

func TestServerWithNetSMTP(t *testing.T) {
	s := New(t, WithAuth("u", "pw"))
	auth := smtp.PlainAuth("", "u", "pw", "127.0.0.1")
	msg := "Subject: hi\r\n\r\nbody\r\n"
	if err := smtp.SendMail(s.Addr(), auth, "a@example.com", []string{"b@example.com"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := smtp.SendMail(s.Addr(), nil, "a@example.com", []string{"b@example.com"}, []byte(msg)); err == nil {
		t.Error("MAIL without AUTH was accepted")
	}
	bad := smtp.PlainAuth("", "u", "nope", "127.0.0.1")
	if err := smtp.SendMail(s.Addr(), bad, "a@example.com", []string{"b@example.com"}, []byte(msg)); err == nil || s.AuthFailures() != 1 {
		t.Errorf("a wrong password: %v, failures %d", err, s.AuthFailures())
	}
	s.Reject("B@example.com", 550, "No such user")
	err := smtp.SendMail(s.Addr(), auth, "a@example.com", []string{"b@example.com"}, []byte(msg))
	if err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("rejected recipient: %v", err)
	}
	m := s.Messages()
	if len(m) != 1 || m[0].User != "u" || m[0].Subject != "hi" || strings.TrimSpace(m[0].Text) != "body" || m[0].To[0] != "b@example.com" {
		t.Errorf("messages: %+v", m)
	}
	if !strings.HasPrefix(s.URL(), "smtp://u:pw@127.0.0.1:") {
		t.Errorf("URL = %q", s.URL())
	}
	s.Close()
	s.Close()
	if err := smtp.SendMail(s.Addr(), auth, "a@example.com", []string{"b@example.com"}, []byte(msg)); err == nil {
		t.Error("a closed server accepted a message")
	}
}
