package api_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// TestRoleMatrix calls every inbox route as admin (A), employee (E),
// follower (F, following the chat used) and API key (K): the roles a route
// allows must not get 401/403, the others must get 403. The table must
// name every route the server has under those prefixes.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()                              // independent and long: overlaps the rest of the package
	e := newMessengerEnv(t, msgOptions{}).env // the native connections' routes answer too
	tm := e.team()
	pr := e.call("POST", "/v1/pipelines", tm.admin.AccessToken, map[string]any{"name": "P", "stages": []map[string]string{{"name": "S"}}})
	var pl models.Pipeline
	pr.JSON(t, &pl)
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	res := e.event(tm.key, b.ID, openChat("o1", "s1"))
	e.event(tm.key, b.ID, map[string]any{"id": "bm", "type": "bot_message", "subscriber": map[string]any{"id": "s1"}, "message": map[string]any{"id": "x1", "text": "bot"}})
	wantStatus(t, e.call("PUT", "/v1/conversations/"+res.ConversationID+"/followers/"+tm.follower.Member.ID, tm.admin.AccessToken, nil), http.StatusOK)
	var note models.Note
	e.call("POST", "/v1/subscribers/"+res.SubscriberID+"/notes", tm.emp1.AccessToken, map[string]string{"text": "n"}).JSON(t, &note)
	var deal models.Deal
	e.call("POST", "/v1/deals", tm.emp1.AccessToken, map[string]any{"pipeline_id": pl.ID, "name": "D", "subscriber_id": res.SubscriberID}).JSON(t, &deal)
	var flow models.Flow
	e.call("POST", "/v1/bots/"+b.ID+"/flows", tm.admin.AccessToken, map[string]any{"name": "F", "steps": []map[string]string{{"text": "hi"}}}).JSON(t, &flow)
	var file models.File
	e.upload(tm.emp1.AccessToken, res.ConversationID, "a.png", pngHeader).JSON(t, &file)
	msgs := e.history(tm.admin.AccessToken, res.ConversationID, "")
	botMsg := ""
	for _, m := range msgs {
		if m.Sender == models.SenderBot {
			botMsg = m.ID
		}
	}

	c, s := "/v1/conversations/"+res.ConversationID, "/v1/subscribers/"+res.SubscriberID
	type route struct {
		method, path string
		body         any
		allowed      string
	}
	routes := []route{
		{"GET", "/v1/bots", nil, "AEFK"},
		{"GET", "/v1/bots/" + b.ID, nil, "AEFK"},
		{"POST", "/v1/bots", map[string]any{"channel": "viber", "name": "V"}, "A"},
		{"PATCH", "/v1/bots/" + b.ID, map[string]any{"greeting": "Hello"}, "A"},
		{"POST", "/v1/bots/" + b.ID + "/events", say("ev-x", "s9", "hi"), "K"},
		{"GET", "/v1/bots/" + b.ID + "/commands", nil, "K"},
		{"GET", "/v1/bots/" + b.ID + "/stats", nil, "AEFK"},
		{"POST", "/v1/bots/" + b.ID + "/connect", map[string]any{}, "A"},
		{"POST", "/v1/bots/" + b.ID + "/disconnect", nil, "A"},
		{"GET", "/v1/bots/" + b.ID + "/updates", nil, "A"},
		{"POST", "/v1/bots/" + b.ID + "/updates/u-1/retry", nil, "A"},
		{"GET", "/v1/bots/" + b.ID + "/flows", nil, "AEF"},
		{"POST", "/v1/bots/" + b.ID + "/flows", map[string]any{"name": "G", "steps": []map[string]string{{"text": "x"}}}, "A"},
		{"PATCH", "/v1/flows/" + flow.ID, map[string]any{"name": "F2"}, "A"},
		{"GET", "/v1/conversations", nil, "AEF"},
		{"GET", "/v1/conversations/counts", nil, "AEF"},
		{"POST", "/v1/conversations", map[string]string{"subscriber_id": res.SubscriberID}, "AE"},
		{"GET", c, nil, "AEF"},
		{"POST", c + "/read", nil, "AEF"},
		{"PUT", c + "/mute", nil, "AEF"},
		{"DELETE", c + "/mute", nil, "AEF"},
		{"PUT", c + "/tags", map[string]any{"tags": []string{"t"}}, "AE"},
		{"PUT", c + "/links", map[string]any{"links": []any{}}, "AE"},
		{"PUT", c + "/assignee", map[string]any{"member_id": tm.emp1.Member.ID}, "AE"},
		{"PUT", c + "/followers/" + tm.emp2.Member.ID, nil, "AE"},
		{"DELETE", c + "/followers/" + tm.emp2.Member.ID, nil, "AE"},
		{"GET", c + "/messages", nil, "AEF"},
		{"POST", c + "/messages", map[string]string{"text": "hi"}, "AE"},
		{"POST", c + "/files", nil, "AE"},
		{"GET", "/v1/files/" + file.ID, nil, "AEF"},
		{"POST", c + "/close", nil, "AE"},
		{"POST", c + "/reopen", nil, "AE"},
		{"POST", c + "/messages/" + botMsg + "/retry", nil, "AE"},
		{"DELETE", c + "/messages/" + botMsg, nil, "AE"},
		{"GET", "/v1/subscribers", nil, "AEF"},
		{"GET", s, nil, "AEF"},
		{"PATCH", s, map[string]any{"tags": []string{"vip"}}, "AE"},
		{"POST", s + "/automation", map[string]string{"action": "extend"}, "AE"},
		{"PUT", s + "/flow", map[string]string{"flow_id": flow.ID}, "AE"},
		{"DELETE", s + "/flow", nil, "AE"},
		{"GET", s + "/notes", nil, "AEF"},
		{"POST", s + "/notes", map[string]string{"text": "x"}, "AE"},
		{"PATCH", "/v1/notes/" + note.ID, map[string]string{"text": "y"}, "AE"},
		{"GET", "/v1/pipelines", nil, "AEF"},
		{"GET", "/v1/pipelines/" + pl.ID, nil, "AEF"},
		{"POST", "/v1/pipelines", map[string]any{"name": "Q", "stages": []map[string]string{{"name": "S"}}}, "A"},
		{"PATCH", "/v1/pipelines/" + pl.ID, map[string]any{"name": "P2"}, "A"},
		{"GET", "/v1/deals?subscriber_id=" + res.SubscriberID, nil, "AEF"},
		{"GET", "/v1/deals/" + deal.ID, nil, "AEF"},
		{"POST", "/v1/deals", map[string]any{"pipeline_id": pl.ID, "name": "D2"}, "AE"},
		{"PATCH", "/v1/deals/" + deal.ID, map[string]any{"name": "D3"}, "AE"},
		// Deletions last, so the objects above exist while they are used.
		{"PUT", s + "/disabled", nil, "AE"},
		{"DELETE", s + "/disabled", nil, "AE"},
		{"DELETE", "/v1/notes/" + note.ID, nil, "AE"},
		{"DELETE", "/v1/deals/" + deal.ID, nil, "AE"},
		{"DELETE", "/v1/flows/" + flow.ID, nil, "A"},
		{"DELETE", "/v1/pipelines/" + pl.ID, nil, "A"},
		{"DELETE", s, nil, "AE"},
		{"DELETE", "/v1/bots/" + b.ID, nil, "A"},
	}
	callers := map[byte]string{'A': tm.admin.AccessToken, 'E': tm.emp1.AccessToken, 'F': tm.follower.AccessToken, 'K': tm.key}
	covered := map[string]bool{}
	for _, r := range routes {
		path, _, _ := strings.Cut(r.path, "?")
		covered[r.method+" "+templateOf(path, res, b, note, deal, flow, pl, file, botMsg, tm)] = true
		call := func(who byte) resp {
			if r.path == c+"/files" {
				return e.upload(callers[who], res.ConversationID, "b.png", pngHeader)
			}
			return e.call(r.method, r.path, callers[who], r.body)
		}
		// Refused callers first, so a refused write cannot hide behind an allowed one.
		for _, who := range []byte("KFEA") {
			allowed := strings.IndexByte(r.allowed, who) >= 0
			if allowed {
				continue
			}
			got := call(who)
			if got.StatusCode != http.StatusForbidden {
				t.Errorf("%c %s %s: %d, want 403 (%s)", who, r.method, r.path, got.StatusCode, got.Body)
			}
		}
		for _, who := range []byte(r.allowed) {
			got := call(who)
			if got.StatusCode == http.StatusUnauthorized || got.StatusCode == http.StatusForbidden {
				t.Errorf("%c %s %s: %d, want it allowed (%s)", who, r.method, r.path, got.StatusCode, got.Body)
			}
		}
	}
	var missing []string
	for _, rt := range e.srv.Echo().Routes() {
		p := echoParam.ReplaceAllString(rt.Path, "{$1}")
		inbox := false
		for _, prefix := range []string{"/v1/bots", "/v1/conversations", "/v1/subscribers", "/v1/notes", "/v1/pipelines", "/v1/deals", "/v1/flows", "/v1/files"} {
			inbox = inbox || strings.HasPrefix(p, prefix)
		}
		if inbox && !covered[rt.Method+" "+p] {
			missing = append(missing, rt.Method+" "+p)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("routes missing from the role matrix: %v", missing)
	}
}

// templateOf turns a concrete path back into its route template.
func templateOf(path string, res eventResult, b models.Bot, n models.Note, d models.Deal, f models.Flow, p models.Pipeline, file models.File, msg string, tm team) string {
	r := strings.NewReplacer(
		"/followers/"+tm.emp2.Member.ID, "/followers/{member_id}",
		"/messages/"+msg, "/messages/{message_id}",
		"/updates/u-1/", "/updates/{update_id}/",
		res.ConversationID, "{id}", res.SubscriberID, "{id}", b.ID, "{id}", n.ID, "{id}", d.ID, "{id}",
		f.ID, "{id}", p.ID, "{id}", file.ID, "{id}")
	return r.Replace(path)
}
