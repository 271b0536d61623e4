package api_test

import (
	"net/http"
	"testing"
)

// A link an event carries (avatar, file, ad) must be http(s): a
// javascript: or data: URL is refused naming the field, and nothing is
// written.
func TestEventLinksMustBeWebURLs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	for field, ev := range map[string]map[string]any{
		"subscriber.avatar_url": {"subscriber": map[string]any{"id": "s1", "avatar_url": "javascript:alert(1)"},
			"message": map[string]any{"text": "hi"}},
		"message.file.url": {"subscriber": map[string]any{"id": "s1"},
			"message": map[string]any{"kind": "file", "file": map[string]any{"name": "a.pdf", "url": "data:text/html,<script>x</script>"}}},
		"message.referral.url": {"subscriber": map[string]any{"id": "s1"},
			"message": map[string]any{"text": "hi", "referral": map[string]any{"campaign": "c", "url": "JavaScript:alert(1)"}}},
	} {
		ev["id"], ev["type"] = "ev-"+field, "message"
		r := e.call("POST", "/v1/bots/"+b.ID+"/events", tm.key, ev)
		wantStatus(t, r, http.StatusBadRequest)
		if p := r.Problem(t); len(p.Errors) == 0 || p.Errors[0].Field != field {
			t.Fatalf("%s: problem %+v", field, p)
		}
	}
	r := e.call("GET", "/v1/subscribers?bot_id="+b.ID, tm.admin.AccessToken, nil)
	wantStatus(t, r, http.StatusOK)
	var subs struct{ Items []map[string]any }
	r.JSON(t, &subs)
	if len(subs.Items) != 0 {
		t.Fatalf("a refused event wrote a subscriber: %+v", subs.Items)
	}
	ok := map[string]any{"id": "ev-ok", "type": "message", "subscriber": map[string]any{"id": "s1", "avatar_url": "https://cdn.example.com/a.jpg"},
		"message": map[string]any{"text": "hi", "referral": map[string]any{"url": "https://ads.example.com/x"}}}
	wantStatus(t, e.call("POST", "/v1/bots/"+b.ID+"/events", tm.key, ok), http.StatusOK)
}
