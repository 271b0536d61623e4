package api_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/switchboardhq/switchboard/internal/fakes/viberfake"
	"github.com/switchboardhq/switchboard/models"
)

// A callback whose X-Viber-Content-Signature is forged, missing or of
// another body is refused 401 and leaves nothing; a redelivered callback
// (the same message_token) creates one message.
func TestViberCallbackSignatures(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{webhooks: true})
	tm := me.team()
	b := me.viberBot(tm.admin.AccessToken, nil)
	const eve = "eVe0=="
	me.viberUser(eve, "Eve Stone")
	body, tok := me.vb.Message(eve, viberfake.Text("refund me"))
	changed := bytes.Replace(body, []byte("refund me"), []byte("refund me twice"), 1)
	for name, r := range map[string]resp{
		"forged":               me.vbRaw(body, viberfake.Sign("4a5f1c0de0a1b2c3-an0other0token-0d1e2f3a4b5c6d7e", body)),
		"missing":              me.vbRaw(body, ""),
		"changed after signed": me.vbRaw(changed, viberfake.Sign(viberfake.Token, body)),
		"not hex":              me.vbRaw(body, "not-a-signature"),
	} {
		if r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s: HTTP %d %s, want 401", name, r.StatusCode, r.Body)
		}
		if p := r.Problem(t); p.Code != models.CodeUnauthorized {
			t.Fatalf("%s: problem %+v", name, p)
		}
	}
	me.updatesDone(tm.admin.AccessToken, b.ID, 0)
	if subs := me.subscribers(tm.admin.AccessToken, b.ID); len(subs) != 0 {
		t.Fatalf("refused callbacks stored %+v", subs)
	}

	// Viber retries a callback it got no 200 for: the same body, twice.
	me.vbPost(body)
	me.vbPost(body)
	me.updatesDone(tm.admin.AccessToken, b.ID, 1)
	chat := me.chatOf(tm.admin.AccessToken, b.ID, eve)
	me.waitMsg(tm.admin.AccessToken, chat.ID, "the message", byExternal(tok))
	n := 0
	for _, m := range me.history(tm.admin.AccessToken, chat.ID, "") {
		if m.Sender == models.SenderSubscriber {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("a redelivered callback made %d messages, want 1", n)
	}
}
