package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// An update's id holds a ':' (bot id and the messenger's key); a client
// that escapes it in the path (%3A, as openapi-fetch does) retries the
// same update.
func TestRetryUpdateEscapedID(t *testing.T) {
	t.Parallel()
	me, tm, b, secret := webhookBot(t)
	admin := tm.admin.AccessToken
	wantStatus(t, me.hook(tm.admin.Workspace.ID, b, secret, unparsableUpdate), http.StatusOK)
	id := me.failedUpdate(t, admin, b.ID)
	if !strings.Contains(id, ":") {
		t.Fatalf("update id %q has no ':' to escape", id)
	}
	escaped := strings.ReplaceAll(id, ":", "%3A")
	wantStatus(t, me.call("POST", "/v1/bots/"+b.ID+"/updates/"+escaped+"/retry", admin, nil), http.StatusOK)
}
