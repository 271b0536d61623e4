package telegramfake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const token = "123456:TEST-token_abc"

// answer is a decoded Bot API answer.
type answer struct {
	status      int
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

func post(t *testing.T, rawURL, contentType, body string) answer {
	t.Helper()
	var resp *http.Response
	var err error
	if contentType == "" {
		resp, err = http.Get(rawURL)
	} else {
		resp, err = http.Post(rawURL, contentType, strings.NewReader(body))
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var a answer
	if err := json.Unmarshal(data, &a); err != nil {
		t.Fatalf("answer %q is not JSON: %v", data, err)
	}
	a.status = resp.StatusCode
	return a
}

func callJSON(t *testing.T, s *Server, method, body string) answer {
	t.Helper()
	return post(t, s.URL()+"/bot"+token+"/"+method, "application/json", body)
}

func TestTokenAndMethod(t *testing.T) {
	s := New(t, token)
	a := post(t, s.URL()+"/bot123456:wrong/getMe", "application/json", "{}")
	if a.status != 401 || a.OK || a.ErrorCode != 401 || a.Description != "Unauthorized" {
		t.Fatalf("wrong token: %+v", a)
	}
	a = callJSON(t, s, "sendMessages", `{}`)
	if a.status != 404 || a.Description != "Not Found" {
		t.Fatalf("unknown method: %+v", a)
	}
	a = post(t, s.URL()+"/bot"+token+"/GETME", "", "") // names are case-insensitive; GET with no body
	var me User
	if a.status != 200 || json.Unmarshal(a.Result, &me) != nil || !me.IsBot || me.Username == "" {
		t.Fatalf("getMe: %+v", a)
	}
	if s.Calls("getMe") != 1 || s.Calls("sendMessage") != 0 {
		t.Fatalf("calls: getMe %d, sendMessage %d", s.Calls("getMe"), s.Calls("sendMessage"))
	}
}

func TestViolationsAreAnswered400AndRecorded(t *testing.T) {
	s := New(t, token)
	s.ExpectViolations()
	a := callJSON(t, s, "sendMessage", `{"chat_id": 1, "text": 5}`)
	if a.status != 400 || !strings.Contains(a.Description, `parameter "text"`) {
		t.Fatalf("wrong type: %+v", a)
	}
	a = post(t, s.URL()+"/bot"+token+"/getMe?verbose=1", "", "")
	if a.status != 400 || !strings.Contains(a.Description, `"verbose"`) {
		t.Fatalf("unknown query parameter: %+v", a)
	}
	a = post(t, s.URL()+"/bot"+token+"/sendMessage", "text/plain", "hi")
	if a.status != 400 {
		t.Fatalf("unsupported body: %+v", a)
	}
	v := s.Violations()
	if len(v) != 3 || v[0].Param != "text" || v[1].Param != "verbose" || v[2].Param != "" {
		t.Fatalf("violations: %v", v)
	}
	if len(s.Sent(1)) != 0 {
		t.Fatal("a refused call was recorded as sent")
	}
}

// tbRecorder stands in for a test to see what the fake reports.
type tbRecorder struct {
	testing.TB
	errors   []string
	cleanups []func()
}

func (r *tbRecorder) Helper()                        {}
func (r *tbRecorder) Cleanup(f func())               { r.cleanups = append(r.cleanups, f) }
func (r *tbRecorder) Errorf(format string, _ ...any) { r.errors = append(r.errors, format) }

func (r *tbRecorder) finish() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

func TestUnexpectedViolationFailsTheTest(t *testing.T) {
	rec := &tbRecorder{TB: t}
	s := New(rec, token)
	callJSON(t, s, "deleteWebhook", `{"drop_pending_updates": "yes"}`)
	rec.finish()
	if len(rec.errors) == 0 {
		t.Fatal("an unexpected violation did not fail the test")
	}

	rec = &tbRecorder{TB: t}
	s = New(rec, token)
	callJSON(t, s, "deleteWebhook", `{"drop_pending_updates": true}`)
	rec.finish()
	if len(rec.errors) != 0 {
		t.Fatalf("a good call failed the test: %v", rec.errors)
	}
}

func TestFormAndQueryParameters(t *testing.T) {
	s := New(t, token)
	form := url.Values{"chat_id": {"42"}, "text": {"<b>hi</b> &amp; bye"}, "parse_mode": {"HTML"},
		"reply_markup": {`{"inline_keyboard":[[{"text":"A","callback_data":"as:1"}]]}`}}
	a := post(t, s.URL()+"/bot"+token+"/sendMessage", "application/x-www-form-urlencoded", form.Encode())
	var m Message
	if a.status != 200 || json.Unmarshal(a.Result, &m) != nil {
		t.Fatalf("form sendMessage: %+v", a)
	}
	if m.MessageID != 1 || m.Chat.ID != 42 || m.Text != "hi & bye" || m.ReplyMarkup == nil {
		t.Fatalf("message: %+v", m)
	}
	a = post(t, s.URL()+"/bot"+token+"/sendMessage?chat_id=42&text=again", "", "")
	if a.status != 200 || json.Unmarshal(a.Result, &m) != nil || m.MessageID != 2 {
		t.Fatalf("query sendMessage: %+v", a)
	}
	sent := s.Sent(42)
	if len(sent) != 2 || sent[0].Text != "<b>hi</b> &amp; bye" || sent[0].Plain != "hi & bye" ||
		sent[0].ReplyMarkup.InlineKeyboard[0][0].CallbackData != "as:1" {
		t.Fatalf("sent: %+v", sent)
	}
}

func TestSemanticChecks(t *testing.T) {
	s := New(t, token)
	long := strings.Repeat("😀", 2048) // 4096 UTF-16 code units
	tests := []struct {
		name, body, want string
	}{
		{"at the limit", `{"chat_id": 1, "text": "` + long + `"}`, ""},
		{"entities do not count", `{"chat_id": 1, "parse_mode": "HTML", "text": "<b>&amp;&amp;</b>` + long[4:] + `"}`, ""},
		{"over the limit", `{"chat_id": 1, "text": "` + long + `x"}`, "message is too long"},
		{"empty", `{"chat_id": 1, "text": "  "}`, "message text is empty"},
		{"bad HTML", `{"chat_id": 1, "parse_mode": "HTML", "text": "a <b"}`, "can't parse entities"},
		{"long callback data", `{"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "` +
			strings.Repeat("d", 65) + `"}]]}}`, "BUTTON_DATA_INVALID"},
		{"localhost URL", `{"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "A", "url": "http://localhost:8080/x"}]]}}`, "BUTTON_URL_INVALID"},
		{"two kinds", `{"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "A", "url": "https://a.example", "callback_data": "x"}]]}}`, "exactly one"},
		{"reply to nothing", `{"chat_id": 1, "text": "x", "reply_parameters": {"message_id": 99}}`, "message to be replied not found"},
		{"username chat", `{"chat_id": "@someone", "text": "x"}`, "chat not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := callJSON(t, s, "sendMessage", tt.body)
			if tt.want == "" && a.status != 200 {
				t.Fatalf("refused: %+v", a)
			}
			if tt.want != "" && (a.status != 400 || !strings.Contains(a.Description, tt.want)) {
				t.Fatalf("answer %d %q, want 400 %q", a.status, a.Description, tt.want)
			}
		})
	}
	if len(s.Violations()) != 0 {
		t.Fatalf("semantic errors were recorded as spec violations: %v", s.Violations())
	}
}
