package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// Deals in the side panel: the admin adds one with pipeline, stage, name,
// amount and currency; the employee edits it and the contact's name and
// phone; the follower sees the deal and the contact and no control.
func TestBrowserPanelDeals(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	shop := me.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "Shop"})
	r := me.call("POST", "/v1/pipelines", tm.admin.AccessToken, map[string]any{"name": "Sales", "stages": []map[string]string{{"name": "New"}, {"name": "Won"}}})
	wantStatus(t, r, http.StatusCreated)
	var sales models.Pipeline
	r.JSON(t, &sales)
	won := sales.Stages[1].ID
	chat := me.event(tm.key, shop.ID, openChat("d1", "d-1"))
	me.follow(tm, chat.ConversationID)
	sub := chat.SubscriberID
	var deal models.Deal

	for _, r := range panelRoles(tm) {
		t.Run(r.name, func(t *testing.T) {
			tb := panelTab(t, me, r, chat.ConversationID)
			tb.wait("#deals")
			switch r.name {
			case "admin":
				tb.waitHas("#deals", "No deals.")
				tb.pick("form#add-deal select[name=pipeline]", sales.ID)
				tb.pick("form#add-deal select[name=stage]", won)
				tb.fill("form#add-deal input[name=name]", "Order 1001")
				tb.fill("form#add-deal input[name=amount]", "1500")
				tb.fill("form#add-deal input[name=currency]", "eur")
				tb.click("form#add-deal button[type=submit]")
				tb.waitFor("the deal is listed", `document.querySelector('#deals [data-deal-id]') !== null`)
				deals := me.deals(tm.admin.AccessToken, sub)
				if len(deals) != 1 {
					t.Fatalf("%d deals on the server, want 1", len(deals))
				}
				deal = deals[0]
				if deal.PipelineID != sales.ID || deal.StageID != won || deal.Name != "Order 1001" || deal.Amount != 1500 || deal.Currency != "EUR" ||
					deal.ConversationID != chat.ConversationID {
					t.Fatalf("stored deal %+v", deal)
				}
				tb.waitText(dealSel(deal.ID)+" .deal-name", "Order 1001")
				tb.waitText(dealSel(deal.ID)+" .deal-amount", "€1,500.00")
				tb.waitText(dealSel(deal.ID)+" .deal-stage", "Sales → Won")
				tb.shotAt("#deals", "deal-added")
			case "employee":
				tb.click(dealSel(deal.ID) + " .edit-deal")
				tb.fill(dealSel(deal.ID)+" form.deal-edit input[name=name]", "Order 1001 (paid)")
				tb.fill(dealSel(deal.ID)+" form.deal-edit input[name=amount]", "1750.5")
				tb.pick(dealSel(deal.ID)+" form.deal-edit select[name=stage]", sales.Stages[0].ID)
				tb.shotAt(dealSel(deal.ID), "deal-editing")
				tb.click(dealSel(deal.ID) + " form.deal-edit button[type=submit]")
				tb.waitText(dealSel(deal.ID)+" .deal-name", "Order 1001 (paid)")
				tb.waitText(dealSel(deal.ID)+" .deal-amount", "€1,750.50")
				tb.waitText(dealSel(deal.ID)+" .deal-stage", "Sales → New")
				if d := me.deals(tm.admin.AccessToken, sub); len(d) != 1 || d[0].Name != "Order 1001 (paid)" || d[0].Amount != 1750.5 || d[0].StageID != sales.Stages[0].ID {
					t.Fatalf("after the edit the server has %+v", d)
				}

				// The deal's contact: name and phone.
				tb.fill("input#contact-first-name", "Marta")
				tb.click(saveOf("contact-first-name"))
				tb.waitText(detail("contact-name"), "Marta")
				tb.fill("input#contact-last-name", "Gil")
				tb.click(saveOf("contact-last-name"))
				tb.waitText(detail("contact-name"), "Marta Gil")
				tb.fill("input#subscriber-phone", "+51 999 111 222")
				tb.click(saveOf("subscriber-phone"))
				tb.waitText(detail("phone"), "+51 999 111 222")
				if s := me.subscriber(tm.admin.AccessToken, sub); s.FirstName != "Marta" || s.LastName != "Gil" || s.Phone != "+51 999 111 222" {
					t.Fatalf("the contact on the server: %q %q, %q", s.FirstName, s.LastName, s.Phone)
				}
				tb.shotAt("input#contact-first-name", "contact")
			default:
				tb.waitText(dealSel(deal.ID)+" .deal-name", "Order 1001 (paid)")
				tb.waitText(detail("contact-name"), "Marta Gil")
				tb.waitText(detail("phone"), "+51 999 111 222")
				tb.absent("form#add-deal", ".edit-deal", "input#contact-first-name", "input#contact-last-name", "input#subscriber-phone")
				tb.shotAt("#deals", "deals")
			}
		})
	}
}

// dealSel is the rendered deal id.
func dealSel(id string) string { return fmt.Sprintf(`#deals [data-deal-id=%s]`, jsString(id)) }

// deals lists a subscriber's deals through the API.
func (me *msgEnv) deals(token, sub string) []models.Deal {
	me.t.Helper()
	r := me.call("GET", "/v1/deals?subscriber_id="+sub, token, nil)
	wantStatus(me.t, r, http.StatusOK)
	var l struct{ Items []models.Deal }
	r.JSON(me.t, &l)
	return l.Items
}

// Flows in the side panel: the admin and the employee start a flow of
// the chat's bot, see it active with its pending messages, and stop it
// (the employee leaves it running); the follower sees the running flow
// and no control.
func TestBrowserPanelFlows(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	shop := me.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "Shop"})
	r := me.call("POST", "/v1/bots/"+shop.ID+"/flows", tm.admin.AccessToken,
		map[string]any{"name": "Onboarding", "steps": []map[string]string{{"text": "Welcome!"}, {"text": "Here is our catalogue"}}})
	wantStatus(t, r, http.StatusCreated)
	var flow models.Flow
	r.JSON(t, &flow)
	chat := me.event(tm.key, shop.ID, openChat("f1", "f-1"))
	me.follow(tm, chat.ConversationID)
	sub := chat.SubscriberID
	pending := `[...document.querySelectorAll('#flow .pending-steps li')].map(l => l.textContent).join('|') === "Welcome!|Here is our catalogue"`

	for _, r := range panelRoles(tm) {
		t.Run(r.name, func(t *testing.T) {
			tb := panelTab(t, me, r, chat.ConversationID)
			tb.wait("#flow")
			if !r.writes {
				tb.waitHas("#flow", "“Onboarding” running since")
				tb.waitFor("the pending messages", pending)
				tb.absent("select#flow-pick", "button#start-flow", "button#stop-flow")
				tb.shotAt("#flow", "flow")
				return
			}
			tb.waitHas("#flow", "No flow running.")
			tb.pick("select#flow-pick", flow.ID)
			tb.click("button#start-flow")
			tb.waitHas("#flow", "“Onboarding” running since")
			tb.waitFor("the pending messages", pending)
			a := me.subscriber(tm.admin.AccessToken, sub).ActiveFlow
			if a == nil || a.FlowID != flow.ID || a.StartedBy != r.tk.Member.ID || len(a.Pending) != 2 {
				t.Fatalf("active flow on the server %+v", a)
			}
			tb.shotAt("#flow", "flow-running")
			if r.name == "employee" {
				return // left running for the follower
			}
			tb.click("button#stop-flow")
			tb.waitHas("#flow", "No flow running.")
			if a := me.subscriber(tm.admin.AccessToken, sub).ActiveFlow; a != nil {
				t.Fatalf("the flow still runs on the server: %+v", a)
			}
			tb.shotAt("#flow", "flow-stopped")
		})
	}
}
