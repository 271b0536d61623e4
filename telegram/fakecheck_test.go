package telegram

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestFakeRejectsOffSpecCalls proves the fake's spec checks bite: calls a
// careless client could make are refused and recorded, so that the other
// tests' clean runs mean something.
func TestFakeRejectsOffSpecCalls(t *testing.T) {
	fake, c := newTest(t)
	fake.ExpectViolations()
	tests := []struct {
		name   string
		method string
		params any
		param  string
	}{
		{"chat id of the wrong type", "sendMessage", map[string]any{"chat_id": true, "text": "hi"}, "chat_id"},
		{"text of the wrong type", "sendMessage", map[string]any{"chat_id": 1, "text": 42}, "text"},
		{"unknown parameter", "sendMessage", map[string]any{"chat_id": 1, "text": "hi", "parse": "HTML"}, "parse"},
		{"missing parameter", "sendMessage", map[string]any{"text": "hi"}, "chat_id"},
		{"button field misspelled", "sendMessage", map[string]any{"chat_id": 1, "text": "hi",
			"reply_markup": map[string]any{"inline_keyboard": [][]map[string]any{{{"text": "A", "callback": "x"}}}}}, "reply_markup"},
		{"nil slice sent as null", "getUpdates", struct {
			AllowedUpdates []string `json:"allowed_updates"`
		}{}, "allowed_updates"},
		{"offset as a string", "getUpdates", map[string]any{"offset": "5"}, "offset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(fake.Violations())
			err := c.call(context.Background(), tt.method, tt.params, nil)
			var api *APIError
			if !errors.As(err, &api) || api.Code != 400 || !strings.Contains(api.Description, `"`+tt.param+`"`) {
				t.Fatalf("answer %v, want 400 naming %q", err, tt.param)
			}
			v := fake.Violations()
			if len(v) != before+1 || v[before].Method != tt.method || v[before].Param != tt.param {
				t.Fatalf("violations %v", v[before:])
			}
		})
	}
	if len(fake.Sent(1)) != 0 {
		t.Fatal("a refused message was recorded as sent")
	}
}
