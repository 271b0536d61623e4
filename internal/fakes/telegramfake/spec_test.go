package telegramfake

import (
	"strings"
	"testing"
)

func TestCheckParams(t *testing.T) {
	sp, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	send := sp.method("sendMessage")
	tests := []struct {
		name string
		body string
		want string // substring of the first mismatch, "" for none
	}{
		{"minimal", `{"chat_id": 42, "text": "hi"}`, ""},
		{"chat id as a string", `{"chat_id": "@channel", "text": "hi"}`, ""},
		{"full inline keyboard", `{"chat_id": 42, "text": "hi", "parse_mode": "HTML",
			"link_preview_options": {"is_disabled": true},
			"reply_markup": {"inline_keyboard": [[{"text": "Open", "url": "https://x.example"}],
			[{"text": "A", "callback_data": "as:1"}]]}}`, ""},
		{"reply keyboard is another member of the union", `{"chat_id": 1, "text": "hi",
			"reply_markup": {"keyboard": [[{"text": "yes"}]], "one_time_keyboard": true}}`, ""},
		{"unknown parameter", `{"chat_id": 42, "text": "hi", "colour": "red"}`, "colour: unknown parameter"},
		{"missing required", `{"chat_id": 42}`, "text: required parameter is missing"},
		{"boolean chat id", `{"chat_id": true, "text": "hi"}`, "chat_id: must be Integer or String, got boolean"},
		{"float chat id", `{"chat_id": 4.5, "text": "hi"}`, "chat_id: must be Integer or String, got number 4.5"},
		{"number text", `{"chat_id": 1, "text": 7}`, "text: must be String, got number 7"},
		{"null is not absent", `{"chat_id": 1, "text": "hi", "parse_mode": null}`, "parse_mode: must be String, got null"},
		{"string boolean", `{"chat_id": 1, "text": "hi", "disable_notification": "true"}`, "must be Boolean, got string"},
		{"nested wrong type", `{"chat_id": 1, "text": "hi",
			"reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": 5}]]}}`,
			"reply_markup.inline_keyboard[0][0].callback_data: must be String, got number 5"},
		{"nested unknown field", `{"chat_id": 1, "text": "hi",
			"reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "x", "colour": 1}]]}}`,
			"reply_markup.inline_keyboard[0][0].colour: unknown field of InlineKeyboardButton"},
		{"nested required missing", `{"chat_id": 1, "text": "hi",
			"reply_markup": {"inline_keyboard": [[{"callback_data": "x"}]]}}`,
			"reply_markup.inline_keyboard[0][0].text: required field of InlineKeyboardButton is missing"},
		{"keyboard not an array of arrays", `{"chat_id": 1, "text": "hi",
			"reply_markup": {"inline_keyboard": [{"text": "A", "callback_data": "x"}]}}`,
			"reply_markup.inline_keyboard[0]: must be Array of InlineKeyboardButton, got object"},
		{"markup of no type", `{"chat_id": 1, "text": "hi", "reply_markup": "yes"}`,
			"reply_markup: must be InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove or ForceReply, got string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := decodeJSON([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			bad := sp.checkParams(send, v.(map[string]any))
			switch {
			case tt.want == "" && len(bad) > 0:
				t.Fatalf("unexpected mismatch: %v", bad[0])
			case tt.want != "" && len(bad) == 0:
				t.Fatalf("no mismatch, want %q", tt.want)
			case tt.want != "" && !strings.Contains(bad[0].Error(), tt.want):
				t.Fatalf("mismatch %q, want %q", bad[0].Error(), tt.want)
			}
		})
	}
}

func TestCheckArraysAndSubtypes(t *testing.T) {
	sp, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		value string
		types []string
		ok    bool
	}{
		{"array of strings", `["message", "callback_query"]`, []string{"Array of String"}, true},
		{"array with a number", `["message", 1]`, []string{"Array of String"}, false},
		{"message through its union", `{"message_id": 1, "date": 2, "chat": {"id": 3, "type": "private"}}`, []string{"MaybeInaccessibleMessage"}, true},
		{"message without chat", `{"message_id": 1, "date": 2}`, []string{"MaybeInaccessibleMessage"}, false},
		{"big integer", `9007199254740993`, []string{"Integer"}, true},
		{"integer overflow", `92233720368547758070`, []string{"Integer"}, false},
		{"float", `1.5`, []string{"Float"}, true},
		{"input file as a string", `"attach://doc"`, []string{"InputFile", "String"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := decodeJSON([]byte(tt.value))
			if err != nil {
				t.Fatal(err)
			}
			if e := sp.check("v", v, tt.types); (e == nil) != tt.ok {
				t.Fatalf("check = %v, want ok %v", e, tt.ok)
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct {
		text, mode, want, err string
	}{
		{"<b>A &amp; B</b> &lt;3 &quot;x&quot; &#128512; &#x41;", "HTML", `A & B <3 "x" 😀 A`, ""},
		{"a & b; c &nbsp; d", "HTML", "a & b; c &nbsp; d", ""},
		{`<a href="https://x.example">x</a>`, "HTML", "x", ""},
		{"<script>x</script>", "HTML", "", `Unsupported start tag "script"`},
		{"<b>x", "HTML", "", "Can't find end tag"},
		{"<b>x</i>", "HTML", "", "Unmatched end tag"},
		{"1 < 2", "HTML", "", "Unclosed start tag"},
		{"<b>raw</b>", "", "<b>raw</b>", ""},
		{"x", "BBCode", "", "unsupported parse_mode"},
	}
	for _, tt := range tests {
		got, err := plainText(tt.text, tt.mode)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("plainText(%q) error %v, want %q", tt.text, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("plainText(%q) = %q, %v; want %q", tt.text, got, err, tt.want)
		}
	}
	if n := utf16Len("a😀é"); n != 4 {
		t.Errorf("utf16Len = %d, want 4", n)
	}
}
