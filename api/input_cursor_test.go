package api_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

// TestConversationCursorPositionIsChecked: a cursor of the conversations
// list whose position inside is not what the list hands out (an id that
// is not an id: stray bytes, NUL, 65 characters) is a 400 naming cursor,
// as on the other lists, not an empty page; an id of 64 characters is one.
func TestConversationCursorPositionIsChecked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tm, b := e.shop()
	e.event(tm.key, b.ID, openChat("open-1", "s1"))
	wrap := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	cursor := func(pos string) string { return wrap("conversations:" + wrap(pos)) }
	r := e.call("GET", "/v1/conversations?cursor="+cursor("1|"+strings.Repeat("a", 64)), tm.admin.AccessToken, nil)
	wantStatus(t, r, http.StatusOK)
	for _, pos := range []string{"123|\xff\xfe", "1|\x00", "1|" + strings.Repeat("a", 65), "1|a.b", "|a", "x|a"} {
		r := e.call("GET", "/v1/conversations?cursor="+cursor(pos), tm.admin.AccessToken, nil)
		if r.StatusCode != http.StatusBadRequest {
			t.Errorf("position %q: %d, want 400; %.200s", pos, r.StatusCode, r.Body)
			continue
		}
		if p := r.Problem(t); len(p.Errors) == 0 || p.Errors[0].Field != "cursor" {
			t.Errorf("position %q: errors %+v", pos, p.Errors)
		}
	}
}
