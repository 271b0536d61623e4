package viberfake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/switchboardhq/switchboard/internal/fakes/viberfake"
)

func call(t *testing.T, f *viberfake.Fake, method, body string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.BaseURL()+"/"+method, bytes.NewBufferString(body))
	req.Header.Set("X-Viber-Auth-Token", viberfake.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSetWebhookRefusals(t *testing.T) {
	t.Parallel()
	f := viberfake.New()
	defer f.Close()
	var hits atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer hook.Close()
	for body, want := range map[string]float64{
		`{}`: 4, // no url
		`{"url":"` + hook.URL + `","event_types":["message"]}`: 3, // message cannot be filtered
		`{"url":"http://10.0.0.1/hook"}`:                       1, // never called: not loopback
		`not json`:                                             3,
	} {
		if got := call(t, f, "set_webhook", body)["status"]; got != want {
			t.Errorf("%s: status %v, want %v", body, got, want)
		}
	}
	if hits.Load() != 0 || f.Webhook(viberfake.Token) != "" {
		t.Fatalf("refused calls reached the hook (%d) or registered it", hits.Load())
	}
	if got := call(t, f, "set_webhook", `{"url":"`+hook.URL+`"}`); got["status"] != float64(0) || hits.Load() != 1 {
		t.Fatalf("set: %v, %d checks", got, hits.Load())
	}
}

func TestPostOnlyToLoopback(t *testing.T) {
	t.Parallel()
	f := viberfake.New()
	defer f.Close()
	if _, err := f.Post(context.Background(), viberfake.Token, f.Subscribed("u")); err == nil {
		t.Fatal("posted without a webhook")
	}
	f.AddUser(viberfake.User{ID: "u", Name: "U", Subscribed: true})
	// Every field within its own limit, the whole over 30 KB.
	text, tracking := strings.Repeat("😀", 7000), strings.Repeat("😀", 4000)
	msg := `{"receiver":"u","sender":{"name":"A"},"type":"text","text":"` + text + `","tracking_data":"` + tracking + `"}`
	if got := call(t, f, "send_message", msg); got["status"] != float64(3) {
		t.Fatalf("a message over 30 KB: %v", got)
	}
	msg = `{"receiver":"u","sender":{"name":"A"},"type":"text","text":"` + text + `"}`
	if got := call(t, f, "send_message", msg); got["status"] != float64(0) {
		t.Fatalf("a message under 30 KB: %v", got)
	}
}
