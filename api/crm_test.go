package api_test

import (
	"net/http"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

func TestCRMPipelinesDealsAndAutoDeal(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	pipeline := map[string]any{"name": "Sales", "stages": []map[string]string{{"name": "New"}, {"name": "Won"}}}
	wantStatus(t, e.call("POST", "/v1/pipelines", tm.emp1.AccessToken, pipeline), http.StatusForbidden)
	wantStatus(t, e.call("POST", "/v1/pipelines", tm.admin.AccessToken, map[string]any{"name": "Empty", "stages": []any{}}), http.StatusBadRequest)
	r := e.call("POST", "/v1/pipelines", tm.admin.AccessToken, pipeline)
	wantStatus(t, r, http.StatusCreated)
	var pl models.Pipeline
	r.JSON(t, &pl)
	if len(pl.Stages) != 2 || pl.Stages[0].ID == "" {
		t.Fatalf("pipeline %+v", pl)
	}
	won := pl.Stages[1].ID

	// A bot's pipeline and stage must exist.
	wantStatus(t, e.call("POST", "/v1/bots", tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "X", "pipeline_id": "nope"}), http.StatusBadRequest)
	wantStatus(t, e.call("POST", "/v1/bots", tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "X", "pipeline_id": pl.ID, "stage_id": "nope"}), http.StatusBadRequest)
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG", "pipeline_id": pl.ID})
	if b.StageID != pl.Stages[0].ID {
		t.Fatalf("bot stage %q, want the first stage", b.StageID)
	}

	// The first opening creates one deal in the bot's pipeline; reopening does not.
	res := e.event(tm.key, b.ID, openChat("o1", "s1"))
	wantStatus(t, e.call("POST", "/v1/conversations/"+res.ConversationID+"/close", tm.emp1.AccessToken, nil), http.StatusOK)
	e.event(tm.key, b.ID, openChat("o2", "s1"))
	r = e.call("GET", "/v1/deals?conversation_id="+res.ConversationID, tm.emp1.AccessToken, nil)
	wantStatus(t, r, http.StatusOK)
	var deals struct{ Items []models.Deal }
	r.JSON(t, &deals)
	if len(deals.Items) != 1 || deals.Items[0].SubscriberID != res.SubscriberID || deals.Items[0].StageID != pl.Stages[0].ID || deals.Items[0].Name != "Sub s1" {
		t.Fatalf("auto deals %+v", deals.Items)
	}
	auto := deals.Items[0]

	// Employees work deals; bad input is refused field by field.
	for name, c := range map[string]struct {
		body  map[string]any
		field string
	}{
		"unknown pipeline": {map[string]any{"pipeline_id": "nope", "name": "X"}, "pipeline_id"},
		"foreign stage":    {map[string]any{"pipeline_id": pl.ID, "stage_id": "nope", "name": "X"}, "stage_id"},
		"bad currency":     {map[string]any{"pipeline_id": pl.ID, "name": "X", "currency": "EURO"}, "currency"},
		"negative amount":  {map[string]any{"pipeline_id": pl.ID, "name": "X", "amount": -1}, "amount"},
		"missing name":     {map[string]any{"pipeline_id": pl.ID}, "name"},
	} {
		t.Run(name, func(t *testing.T) {
			r := e.call("POST", "/v1/deals", tm.emp1.AccessToken, c.body)
			wantStatus(t, r, http.StatusBadRequest)
			if p := r.Problem(t); p.Errors[0].Field != c.field {
				t.Fatalf("field %q, want %q", p.Errors[0].Field, c.field)
			}
		})
	}
	r = e.call("POST", "/v1/deals", tm.emp1.AccessToken, map[string]any{"pipeline_id": pl.ID, "name": "Upsell", "amount": 120.5,
		"currency": "eur", "conversation_id": res.ConversationID})
	wantStatus(t, r, http.StatusCreated)
	var d models.Deal
	r.JSON(t, &d)
	if d.Currency != "EUR" || d.SubscriberID != res.SubscriberID || d.Amount != 120.5 {
		t.Fatalf("deal %+v", d)
	}
	r = e.call("PATCH", "/v1/deals/"+auto.ID, tm.emp2.AccessToken, map[string]any{"stage_id": won, "amount": 99, "name": "First order"})
	wantStatus(t, r, http.StatusOK)
	r.JSON(t, &d)
	if d.StageID != won || d.Amount != 99 {
		t.Fatalf("updated %+v", d)
	}
	wantStatus(t, e.call("PATCH", "/v1/deals/"+auto.ID, tm.emp2.AccessToken, map[string]any{"stage_id": "nope"}), http.StatusBadRequest)

	// Followers: read-only, and only for chats they follow.
	wantStatus(t, e.call("GET", "/v1/deals/"+auto.ID, tm.follower.AccessToken, nil), http.StatusNotFound)
	wantStatus(t, e.call("GET", "/v1/deals", tm.follower.AccessToken, nil), http.StatusBadRequest)
	wantStatus(t, e.call("PUT", "/v1/conversations/"+res.ConversationID+"/followers/"+tm.follower.Member.ID, tm.emp1.AccessToken, nil), http.StatusOK)
	wantStatus(t, e.call("GET", "/v1/deals/"+auto.ID, tm.follower.AccessToken, nil), http.StatusOK)
	wantStatus(t, e.call("GET", "/v1/deals?subscriber_id="+res.SubscriberID, tm.follower.AccessToken, nil), http.StatusOK)
	wantStatus(t, e.call("PATCH", "/v1/deals/"+auto.ID, tm.follower.AccessToken, map[string]any{"name": "x"}), http.StatusForbidden)
	wantStatus(t, e.call("DELETE", "/v1/deals/"+auto.ID, tm.follower.AccessToken, nil), http.StatusForbidden)
	wantStatus(t, e.call("DELETE", "/v1/deals/"+auto.ID, tm.emp1.AccessToken, nil), http.StatusNoContent)

	// Links to external tasks and projects.
	r = e.call("PUT", "/v1/conversations/"+res.ConversationID+"/links", tm.emp1.AccessToken, map[string]any{"links": []map[string]string{{"kind": "task", "ref": "JIRA-12", "title": "Refund"}}})
	wantStatus(t, r, http.StatusOK)
	var c convView
	r.JSON(t, &c)
	if len(c.Links) != 1 || c.Links[0].Ref != "JIRA-12" {
		t.Fatalf("links %+v", c.Links)
	}
	wantStatus(t, e.call("PUT", "/v1/conversations/"+res.ConversationID+"/links", tm.emp1.AccessToken, map[string]any{"links": []map[string]string{{"kind": "bug", "ref": "x"}}}), http.StatusBadRequest)
	wantStatus(t, e.call("PUT", "/v1/conversations/"+res.ConversationID+"/links", tm.follower.AccessToken, map[string]any{"links": []any{}}), http.StatusForbidden)
}
