package email

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"testing"

	gomail "github.com/wneessen/go-mail"

	"github.com/switchboardhq/switchboard/push"
)

func TestClassify(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	cases := []struct {
		name   string
		err    error
		want   push.Outcome
		reason string
	}{
		{"421 at greeting", fmt.Errorf("dial failed: %w", &textproto.Error{Code: 421, Msg: "4.3.2 Service not available"}), push.OutcomeRetry, "421 4.3.2 Service not available"},
		{"535 at AUTH", fmt.Errorf("dial failed: SMTP AUTH failed: %w", &textproto.Error{Code: 535, Msg: "5.7.8 Authentication failed"}), push.OutcomeFailed, "535 5.7.8 Authentication failed"},
		{"multi-line reply", &textproto.Error{Code: 554, Msg: "5.7.1 Rejected\nsee https://example.com"}, push.OutcomeFailed, "554 5.7.1 Rejected see https://example.com"},
		{"refused", fmt.Errorf("dial failed: %w", refused), push.OutcomeRetry, "dial failed: dial tcp: connection refused"},
		{"dropped", fmt.Errorf("send failed: %w", io.EOF), push.OutcomeRetry, "send failed: EOF"},
		{"deadline", context.DeadlineExceeded, push.OutcomeRetry, "context deadline exceeded"},
		{"connection check", fmt.Errorf("send failed: %w", &gomail.SendError{Reason: gomail.ErrConnCheck}), push.OutcomeRetry, "send failed: checking SMTP connection"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Classify(c.err)
			if r.Outcome != c.want || r.Reason != c.reason || r.Status != 0 || r.RetryAfter != 0 {
				t.Errorf("Classify = %+v, want %s %q", r, c.want, c.reason)
			}
		})
	}
}

func TestUnquote(t *testing.T) {
	cases := map[string]string{
		`451 "4.3.0 Try again later"`: "451 4.3.0 Try again later",
		`550 "a \"quoted\" word"`:     `550 a "quoted" word`,
		"451 4.3.0 plain":             "451 4.3.0 plain",
		`451 "unterminated`:           `451 "unterminated`,
		"":                            "",
	}
	for in, want := range cases {
		if got := unquote(in); got != want {
			t.Errorf("unquote(%q) = %q, want %q", in, got, want)
		}
	}
}
