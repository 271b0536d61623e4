package email

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/push"
	"github.com/switchboardhq/switchboard/push/email/smtpfake"
)

func newSender(t *testing.T, c Config) *Sender {
	t.Helper()
	if c.From == "" {
		c.From = "Switchboard <alerts@switchboard.example>"
	}
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSendThroughFake(t *testing.T) {
	fake := smtpfake.New(t, smtpfake.WithAuth("mailer", "p@ss word"))
	s := newSender(t, Config{URL: fake.URL()})
	n := alert()
	n.SubscriberName = "Bob <script>alert(1)</script>\r\nBcc: evil@example.com"
	r := s.Send(context.Background(), nil, n)
	if r.Outcome != push.OutcomeSent || r.ProviderID == "" {
		t.Fatalf("Send = %+v", r)
	}
	msgs := fake.Messages()
	if len(msgs) != 1 {
		t.Fatalf("the fake got %d messages", len(msgs))
	}
	m := msgs[0]
	subject, text, html := Compose(n)
	if m.ParseErr != nil {
		t.Fatal(m.ParseErr)
	}
	if m.From != "alerts@switchboard.example" || len(m.To) != 1 || m.To[0] != "anna@example.com" || m.User != "mailer" || m.TLS {
		t.Errorf("envelope: from %q to %q user %q tls %v", m.From, m.To, m.User, m.TLS)
	}
	if m.Subject != subject {
		t.Errorf("subject %q, want %q", m.Subject, subject)
	}
	if norm(m.Text) != norm(text) || norm(m.HTML) != norm(html) {
		t.Errorf("body differs:\ntext %q\nwant %q\nhtml %q\nwant %q", m.Text, text, m.HTML, html)
	}
	head, _, _ := strings.Cut(string(m.Data), "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n") {
		if strings.HasPrefix(strings.ToLower(line), "bcc:") {
			t.Errorf("the name injected a header: %q", line)
		}
	}
	if !strings.Contains(head, "Message-ID: "+r.ProviderID) || !strings.Contains(head, "Auto-Submitted: auto-generated") {
		t.Errorf("headers:\n%s", head)
	}
}

// norm drops the line-ending differences of the wire.
func norm(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }

func TestSendReplies(t *testing.T) {
	fake := smtpfake.New(t)
	s := newSender(t, Config{URL: fake.URL()})
	cases := []struct {
		rcpt    string
		code    int
		message string
		want    push.Outcome
	}{
		{"busy@example.com", 451, "Try again later", push.OutcomeRetry},
		{"full@example.com", 452, "Mailbox full", push.OutcomeRetry},
		{"nobody@example.com", 550, "No such user", push.OutcomeFailed},
		{"policy@example.com", 554, "Rejected by policy", push.OutcomeFailed},
	}
	for _, c := range cases {
		fake.Reject(c.rcpt, c.code, c.message)
		n := alert()
		n.Email = c.rcpt
		r := s.Send(context.Background(), nil, n)
		want := fmt.Sprintf("%d %d.0.0 %s", c.code, c.code/100, c.message)
		if r.Outcome != c.want || r.Reason != want || r.Status != 0 {
			t.Errorf("%d: Send = %+v, want %s with reason %q", c.code, r, c.want, want)
		}
	}
	if len(fake.Messages()) != 0 {
		t.Errorf("refused recipients got %d messages", len(fake.Messages()))
	}
	fake.Reject("busy@example.com", 0, "")
	n := alert()
	n.Email = "busy@example.com"
	if r := s.Send(context.Background(), nil, n); r.Outcome != push.OutcomeSent {
		t.Errorf("after the reject was lifted: %+v", r)
	}
}

func TestSendAuthFailure(t *testing.T) {
	fake := smtpfake.New(t, smtpfake.WithAuth("mailer", "right"))
	s := newSender(t, Config{URL: "smtp://mailer:wrong-secret@" + fake.Addr()})
	r := s.Send(context.Background(), nil, alert())
	if r.Outcome != push.OutcomeFailed || !strings.Contains(r.Reason, "535") || strings.Contains(r.Reason, "wrong-secret") {
		t.Errorf("Send = %+v, want failed 535", r)
	}
	if fake.AuthFailures() != 1 {
		t.Errorf("auth failures %d", fake.AuthFailures())
	}
}

func TestSendServerDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := newSender(t, Config{URL: "smtp://" + addr})
	if r := s.Send(context.Background(), nil, alert()); r.Outcome != push.OutcomeRetry || r.Reason == "" || r.Status != 0 {
		t.Errorf("Send = %+v, want retry", r)
	}
	fake := smtpfake.New(t)
	s = newSender(t, Config{URL: fake.URL()})
	fake.Close()
	if r := s.Send(context.Background(), nil, alert()); r.Outcome != push.OutcomeRetry {
		t.Errorf("closed fake: %+v, want retry", r)
	}
}

func TestSendSTARTTLS(t *testing.T) {
	fake := smtpfake.New(t, smtpfake.WithTLS(), smtpfake.WithAuth("mailer", "pw"))
	s := newSender(t, Config{URL: fake.URL() + "?tls=mandatory", TLSConfig: fake.ClientTLSConfig()})
	if r := s.Send(context.Background(), nil, alert()); r.Outcome != push.OutcomeSent {
		t.Fatalf("Send = %+v", r)
	}
	if m := fake.Messages(); len(m) != 1 || !m[0].TLS || m[0].User != "mailer" {
		t.Errorf("messages: %+v", m)
	}
	// Without the fake's CA the certificate does not verify: nothing is sent.
	s = newSender(t, Config{URL: fake.URL() + "?tls=mandatory"})
	if r := s.Send(context.Background(), nil, alert()); r.Outcome == push.OutcomeSent {
		t.Errorf("an unverified certificate was accepted: %+v", r)
	}
	// A server without STARTTLS is refused when TLS is mandatory.
	plain := smtpfake.New(t)
	s = newSender(t, Config{URL: plain.URL() + "?tls=mandatory"})
	if r := s.Send(context.Background(), nil, alert()); r.Outcome == push.OutcomeSent || len(plain.Messages()) != 0 {
		t.Errorf("sent without TLS: %+v", r)
	}
}

func TestSendBadNotification(t *testing.T) {
	fake := smtpfake.New(t)
	s := newSender(t, Config{URL: fake.URL()})
	for name, change := range map[string]func(*push.Notification){
		"no address":  func(n *push.Notification) { n.Email = "" },
		"bad address": func(n *push.Notification) { n.Email = "anna at example" },
		"silent":      func(n *push.Notification) { n.Silent = true },
	} {
		n := alert()
		change(n)
		if r := s.Send(context.Background(), nil, n); r.Outcome != push.OutcomeFailed || r.Reason == "" {
			t.Errorf("%s: %+v, want failed", name, r)
		}
	}
	if len(fake.Messages()) != 0 {
		t.Error("a bad notification was sent")
	}
}
