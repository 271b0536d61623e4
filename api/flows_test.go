package api_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

type commandPage struct {
	Items []models.Command `json:"items"`
	Next  int64            `json:"next"`
}

func (e *env) commands(key, botID string, after int64, limit int) commandPage {
	e.t.Helper()
	r := e.call("GET", "/v1/bots/"+botID+"/commands?after="+strconv.FormatInt(after, 10)+"&limit="+strconv.Itoa(limit), key, nil)
	wantStatus(e.t, r, http.StatusOK)
	var p commandPage
	r.JSON(e.t, &p)
	return p
}

func TestFlowsAndTheCommandFeed(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	other := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "Other"})
	flow := map[string]any{"name": "Onboarding", "steps": []map[string]string{{"text": "Welcome"}, {"text": "Pick a size"}}}
	wantStatus(t, e.call("POST", "/v1/bots/"+b.ID+"/flows", tm.emp1.AccessToken, flow), http.StatusForbidden)
	wantStatus(t, e.call("POST", "/v1/bots/"+b.ID+"/flows", tm.admin.AccessToken, map[string]any{"name": "x", "steps": []map[string]string{{"text": ""}}}), http.StatusBadRequest)
	r := e.call("POST", "/v1/bots/"+b.ID+"/flows", tm.admin.AccessToken, flow)
	wantStatus(t, r, http.StatusCreated)
	var f models.Flow
	r.JSON(t, &f)
	r = e.call("POST", "/v1/bots/"+other.ID+"/flows", tm.admin.AccessToken, flow)
	var foreign models.Flow
	r.JSON(t, &foreign)
	wantStatus(t, e.call("GET", "/v1/bots/"+b.ID+"/flows", tm.follower.AccessToken, nil), http.StatusOK)

	res := e.event(tm.key, b.ID, say("m1", "s1", "hi"))
	sp := "/v1/subscribers/" + res.SubscriberID
	wantStatus(t, e.call("PUT", sp+"/flow", tm.emp1.AccessToken, map[string]string{"flow_id": foreign.ID}), http.StatusBadRequest)
	wantStatus(t, e.call("DELETE", sp+"/flow", tm.emp1.AccessToken, nil), http.StatusConflict)
	r = e.call("PUT", sp+"/flow", tm.emp1.AccessToken, map[string]string{"flow_id": f.ID})
	wantStatus(t, r, http.StatusOK)
	var sub models.Subscriber
	r.JSON(t, &sub)
	if sub.ActiveFlow == nil || sub.ActiveFlow.Name != "Onboarding" || len(sub.ActiveFlow.Pending) != 2 || sub.ActiveFlow.StartedBy != tm.emp1.Member.ID {
		t.Fatalf("active flow %+v", sub.ActiveFlow)
	}
	r = e.call("POST", "/v1/conversations/"+res.ConversationID+"/messages", tm.emp1.AccessToken, map[string]string{"text": "hello"})
	var sent models.Message
	r.JSON(t, &sent)
	wantStatus(t, e.call("DELETE", sp+"/flow", tm.emp1.AccessToken, nil), http.StatusOK)
	wantStatus(t, e.call("PUT", sp+"/disabled", tm.emp1.AccessToken, nil), http.StatusOK)
	wantStatus(t, e.call("PUT", sp+"/flow", tm.emp1.AccessToken, map[string]string{"flow_id": f.ID}), http.StatusConflict)

	// The engine reads the commands in order, two at a time.
	var kinds []models.CommandKind
	after := int64(0)
	for i := 0; i < 10; i++ {
		page := e.commands(tm.key, b.ID, after, 2)
		for _, c := range page.Items {
			kinds = append(kinds, c.Kind)
			if c.Kind == models.CommandSendMessage && (c.MessageID != sent.ID || c.Text != "hello" || c.By != tm.emp1.Member.ID ||
				c.PausedUntil == nil || !c.PausedUntil.Equal(sent.CreatedAt.Add(time.Hour))) {
				t.Fatalf("send command %+v", c)
			}
		}
		if len(page.Items) == 0 {
			break
		}
		after = page.Next
	}
	want := []models.CommandKind{models.CommandStartFlow, models.CommandSendMessage, models.CommandStopFlow, models.CommandDisable}
	if len(kinds) != len(want) {
		t.Fatalf("commands %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("commands %v, want %v", kinds, want)
		}
	}
	if page := e.commands(tm.key, other.ID, 0, 100); len(page.Items) != 0 {
		t.Fatalf("another bot's feed has %v", page.Items)
	}
	wantStatus(t, e.call("GET", "/v1/bots/"+b.ID+"/commands", tm.admin.AccessToken, nil), http.StatusForbidden)
	wantStatus(t, e.call("GET", "/v1/bots/"+b.ID+"/commands?after=-1", tm.key, nil), http.StatusBadRequest)
}
