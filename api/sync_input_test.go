package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

func TestSyncBadInput(t *testing.T) {
	e := newEnv(t)
	tm, b := e.shop()
	c := e.event(tm.key, b.ID, say("ev-1", "s1", "hello"))
	dev := newReplica()
	dev.sync(e, tm.emp1.AccessToken, nil)
	future := dev.last + 1000<<tsShift

	pulls := []struct{ query, field string }{
		{"last_pulled_at=abc", "last_pulled_at"},
		{"last_pulled_at=-1", "last_pulled_at"},
		{"last_pulled_at=1.5", "last_pulled_at"},
		{fmt.Sprintf("last_pulled_at=%d", future), "last_pulled_at"},
		{"last_pulled_at=9007199254740992", "last_pulled_at"},
		{"limit=0", "limit"},
		{"limit=-3", "limit"},
		{"limit=5001", "limit"},
		{"limit=99999999999999999999", "limit"},
		{"wait=31", "wait"},
		{"wait=-1", "wait"},
		{"wait=soon", "wait"},
	}
	for _, p := range pulls {
		r := e.call("GET", "/v1/sync?"+p.query, tm.emp1.AccessToken, nil)
		wantStatus(t, r, http.StatusBadRequest)
		if pr := r.Problem(t); len(pr.Errors) == 0 || pr.Errors[0].Field != p.field {
			t.Errorf("%s: errors %+v, want field %s", p.query, pr.Errors, p.field)
		}
	}
	// The boundaries themselves are fine.
	for _, q := range []string{"limit=1", "limit=5000", "wait=0", "last_pulled_at=null", "last_pulled_at=0"} {
		wantStatus(t, e.call("GET", "/v1/sync?"+q, tm.emp1.AccessToken, nil), http.StatusOK)
	}
	wantStatus(t, e.call("GET", "/v1/sync?last_pulled_at=1&wait=30", tm.emp1.AccessToken, nil), http.StatusOK) // changes after 1: no wait
	// API keys do not sync.
	wantStatus(t, e.call("GET", "/v1/sync", tm.key, nil), http.StatusForbidden)

	// A second workspace's chat.
	other := e.admin("other@example.com")
	ob := e.bot(other.AccessToken, map[string]any{"channel": "telegram", "name": "Other"})
	r := e.call("POST", "/v1/api-keys", other.AccessToken, map[string]string{"name": "k"})
	var k struct{ Secret string }
	r.JSON(t, &k)
	oc := e.event(k.Secret, ob.ID, say("ev-o", "so", "hi"))

	msg := func(fields map[string]any) map[string]any {
		rec := map[string]any{"id": models.NewID(), "conversation_id": c.ConversationID, "text": "hi"}
		for k, v := range fields {
			if v == nil {
				delete(rec, k)
			} else {
				rec[k] = v
			}
		}
		return map[string]any{"messages": map[string]any{"created": []any{rec}}}
	}
	pushes := []struct {
		name   string
		token  string
		last   int64
		body   any
		status int
		field  string
	}{
		{"unknown table", tm.emp1.AccessToken, dev.last, map[string]any{"widgets": map[string]any{"created": []any{}}}, 400, "changes.widgets"},
		{"not an object", tm.emp1.AccessToken, dev.last, `[1,2]`, 400, "changes"},
		{"unknown op", tm.emp1.AccessToken, dev.last, map[string]any{"notes": map[string]any{"upserted": []any{}}}, 400, "changes.notes"},
		{"missing id", tm.emp1.AccessToken, dev.last, msg(map[string]any{"id": nil}), 400, "changes.messages.created[0].id"},
		{"bad id", tm.emp1.AccessToken, dev.last, msg(map[string]any{"id": "a/b"}), 400, "changes.messages.created[0].id"},
		{"messages cannot be updated", tm.emp1.AccessToken, dev.last, map[string]any{"messages": map[string]any{"updated": []any{map[string]any{"id": c.MessageID, "text": "x"}}}}, 400, "changes.messages.updated"},
		{"bots are read-only", tm.admin.AccessToken, dev.last, map[string]any{"bots": map[string]any{"updated": []any{map[string]any{"id": b.ID, "name": "x"}}}}, 400, "changes.bots.updated"},
		{"no last_pulled_at", tm.emp1.AccessToken, 0, msg(nil), 400, "last_pulled_at"},
		{"future last_pulled_at", tm.emp1.AccessToken, future, msg(nil), 400, "last_pulled_at"},
		{"too many records", tm.emp1.AccessToken, dev.last, map[string]any{"notes": map[string]any{"deleted": make([]string, 1001)}}, 400, "changes"},
	}
	for _, p := range pushes {
		// A good record rides along in each bad push: it must not be applied.
		body := p.body
		r := e.call("POST", fmt.Sprintf("/v1/sync?last_pulled_at=%d", p.last), p.token, body)
		if r.StatusCode != p.status {
			t.Errorf("%s: status %d, want %d; %s", p.name, r.StatusCode, p.status, r.Body)
			continue
		}
		pr := r.Problem(t)
		if p.field != "" {
			found := false
			for _, f := range pr.Errors {
				found = found || f.Field == p.field
			}
			if !found {
				t.Errorf("%s: errors %+v, want field %s", p.name, pr.Errors, p.field)
			}
		}
	}
	// A record the rules refuse is rejected alone, as WatermelonDB expects
	// (experimentalRejectedIds), so that it cannot block the device's
	// later pushes: the answer is 200 naming it, and nothing of it lands.
	note := func(text string) map[string]any {
		return map[string]any{"notes": map[string]any{"created": []any{map[string]any{"id": models.NewID(), "subscriber_id": c.SubscriberID, "text": text}}}}
	}
	convUpd := func(col string, v any) map[string]any {
		return map[string]any{"conversations": map[string]any{"updated": []any{map[string]any{"id": c.ConversationID, col: v}}}}
	}
	rejects := []struct {
		name, token string
		body        map[string]any
		table       string
	}{
		{"missing chat", tm.emp1.AccessToken, msg(map[string]any{"conversation_id": nil}), "messages"},
		{"another workspace's chat", tm.emp1.AccessToken, msg(map[string]any{"conversation_id": oc.ConversationID}), "messages"},
		{"another workspace's message id", tm.emp1.AccessToken, msg(map[string]any{"id": oc.MessageID}), "messages"},
		{"513 characters", tm.emp1.AccessToken, msg(map[string]any{"text": strings.Repeat("😀", 513)}), "messages"},
		{"empty text", tm.emp1.AccessToken, msg(map[string]any{"text": ""}), "messages"},
		{"text not a string", tm.emp1.AccessToken, msg(map[string]any{"text": 5}), "messages"},
		{"a follower pushing a message", tm.follower.AccessToken, msg(nil), "messages"},
		{"2001-character note", tm.emp1.AccessToken, note(strings.Repeat("n", 2001)), "notes"},
		{"51 tags", tm.emp1.AccessToken, convUpd("tags", make([]string, 51)), "conversations"},
		{"unread not a boolean", tm.emp1.AccessToken, convUpd("unread", "no"), "conversations"},
		{"variable name with a dot", tm.emp1.AccessToken, map[string]any{"subscribers": map[string]any{"updated": []any{map[string]any{"id": c.SubscriberID, "variables": map[string]string{"a.b": "x"}}}}}, "subscribers"},
	}
	for _, p := range rejects {
		ops := p.body[p.table].(map[string]any)
		var id string
		for _, recs := range ops {
			id = recs.([]any)[0].(map[string]any)["id"].(string)
		}
		r := e.push(p.token, dev.last, p.body)
		var res struct {
			Applied  int                 `json:"applied"`
			Rejected map[string][]string `json:"experimentalRejectedIds"`
		}
		if r.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d, want 200 rejecting the record; %s", p.name, r.StatusCode, r.Body)
			continue
		}
		r.JSON(t, &res)
		if res.Applied != 0 || len(res.Rejected) != 1 || fmt.Sprint(res.Rejected[p.table]) != "["+id+"]" {
			t.Errorf("%s: %s, want %s %s rejected and nothing applied", p.name, r.Body, p.table, id)
		}
	}
	// Nothing of it landed.
	a := e.pull(tm.emp1.AccessToken, dev.last, nil)
	for tab, ch := range a.Changes {
		if len(ch.Created)+len(ch.Updated)+len(ch.Deleted) > 0 {
			t.Fatalf("bad pushes changed %s: %+v", tab, ch)
		}
	}
	// A good record beside a refused one: the good one is applied, the
	// other rejected; beside a malformed one (no id): neither is applied.
	good, bad := models.NewID(), models.NewID()
	r = e.push(tm.emp1.AccessToken, dev.last, map[string]any{"messages": map[string]any{"created": []any{
		map[string]any{"id": good, "conversation_id": c.ConversationID, "text": strings.Repeat("😀", 512)},
		map[string]any{"id": bad, "conversation_id": c.ConversationID, "text": strings.Repeat("😀", 513)},
	}}})
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), `"applied":1,"experimentalRejectedIds":{"messages":["`+bad+`"]}`) {
		t.Fatalf("push answer %s, want the good record applied and the bad one rejected", r.Body)
	}
	held := map[string]bool{}
	for _, m := range e.history(tm.emp1.AccessToken, c.ConversationID, "") {
		held[m.ID] = true
	}
	if !held[good] || held[bad] {
		t.Fatalf("after the push the chat holds good %v, bad %v", held[good], held[bad])
	}
	another := models.NewID()
	r = e.push(tm.emp1.AccessToken, dev.last, map[string]any{"messages": map[string]any{"created": []any{
		map[string]any{"id": another, "conversation_id": c.ConversationID, "text": "fine"},
		map[string]any{"conversation_id": c.ConversationID, "text": "no id"},
	}}})
	wantStatus(t, r, http.StatusBadRequest)
	if f := r.Problem(t).Errors; len(f) != 1 || f[0].Field != "changes.messages.created[1].id" {
		t.Fatalf("errors %+v, want only the second record's id", f)
	}
	for _, m := range e.history(tm.emp1.AccessToken, c.ConversationID, "") {
		if m.ID == another {
			t.Fatal("the good record of a refused push was applied")
		}
	}
}
