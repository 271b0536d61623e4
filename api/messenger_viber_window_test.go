package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/internal/fakes/viberfake"
	"github.com/switchboardhq/switchboard/models"
)

// initiated reads the bot's chatbot_initiated statistics.
func (me *msgEnv) initiated(token, botID string) inbox.Initiated {
	me.t.Helper()
	r := me.call("GET", "/v1/bots/"+botID+"/stats", token, nil)
	wantStatus(me.t, r, http.StatusOK)
	var st struct {
		ChatbotInitiated *inbox.Initiated `json:"chatbot_initiated"`
	}
	r.JSON(me.t, &st)
	if st.ChatbotInitiated == nil {
		me.t.Fatalf("stats %s without chatbot_initiated", r.Body)
	}
	return *st.ChatbotInitiated
}

// After Viber's 24-hour window a send is allowed as a chatbot-initiated
// message, counted once sent; the one past the month's 10,000 free is
// refused naming confirm_paid until confirmed. Inside the window nothing
// is counted; WhatsApp outside its window is still refused.
func TestViberOutsideTheWindow(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{webhooks: true})
	tm := me.team()
	ctx := context.Background()
	wa := me.bot(tm.admin.AccessToken, map[string]any{"channel": "whatsapp", "name": "WA", "delivery": "engine", "queue": ids(tm.emp1)})
	waChat := me.event(tm.key, wa.ID, say("w1", "4915112345678", "hallo")).ConversationID
	me.event(tm.key, wa.ID, openChat("w2", "4915112345678"))

	// The bot has sent 9,998 chatbot-initiated messages in the month the
	// test moves into (stored as sends store them; 9,998 sends through the
	// API would take minutes), was disconnected, and is connected again
	// through the API.
	month := me.inboxClock.Now().Add(25 * time.Hour).UTC().Format("2006-01")
	creds := map[string]string{"auth_token": viberfake.Token}
	b := &models.Bot{ID: models.NewID(), Channel: models.ChannelViber, Name: "Support", Queue: ids(tm.emp1),
		Credentials: creds, CredentialsHint: inbox.Hint(creds), Delivery: models.DeliveryNative, OpenOn: models.OpenOnMessage,
		Connection: &models.Connection{State: models.ConnDisconnected}, Initiated: map[string]int{month: 9998}, Stamp: models.Stamp{WS: tm.admin.Workspace.ID}}
	if err := me.db.CreateBot(ctx, b); err != nil {
		t.Fatal(err)
	}
	r := me.call("POST", "/v1/bots/"+b.ID+"/connect", tm.admin.AccessToken, map[string]any{})
	wantStatus(t, r, http.StatusOK)

	const hal = "hAl0=="
	me.viberUser(hal, "Hal")
	me.vb.SetNow(me.inboxClock.Now) // Viber stamps callbacks with the users' time
	me.vbSays(hal, viberfake.Text("ping"))
	chat := me.chatOf(tm.emp1.AccessToken, b.ID, hal)
	eventually(t, "the chat opens", func() bool { return me.conv(tm.emp1.AccessToken, chat.ID).Status == models.StatusOpen })

	sent := 0
	// send replies, waits until Viber has it and it is marked sent.
	send := func(body map[string]any) models.Message {
		t.Helper()
		m := me.reply(me.t, tm.emp1.AccessToken, chat.ID, body)
		sent++
		me.sentTo(t, sent)
		return me.waitMsg(tm.emp1.AccessToken, chat.ID, "the reply is sent", byID(m.ID, models.DeliverySent))
	}
	before := me.initiated(tm.admin.AccessToken, b.ID)
	if m := send(map[string]any{"text": "inside the window"}); m.Tag != "" {
		t.Fatalf("a reply inside the window is tagged %q", m.Tag)
	}
	if got := me.initiated(tm.admin.AccessToken, b.ID); got != before || got.Free != 10000 {
		t.Fatalf("inside the window: %+v, then %+v: want nothing counted", before, got)
	}

	me.inboxClock.Advance(25 * time.Hour)
	if c := me.conv(tm.emp1.AccessToken, chat.ID); c.ReplyWindowOpen {
		t.Fatal("the window is still open 25 hours later")
	}
	if got := me.initiated(tm.admin.AccessToken, b.ID); got != (inbox.Initiated{Month: month, Sent: 9998, Free: 10000}) {
		t.Fatalf("stats %+v", got)
	}
	r = me.call("POST", "/v1/conversations/"+waChat+"/messages", tm.emp1.AccessToken, map[string]any{"text": "late"})
	if r.StatusCode < 400 || r.StatusCode >= 500 {
		t.Fatalf("WhatsApp outside the window: HTTP %d %s, want refused", r.StatusCode, r.Body)
	}

	m := send(map[string]any{"text": "are you still there?"})
	if m.Tag != inbox.InitiatedTag || inbox.InitiatedTag != "chatbot_initiated" {
		t.Fatalf("a reply outside the window is tagged %q", m.Tag)
	}
	eventually(t, "the chatbot-initiated message is counted", func() bool {
		return me.initiated(tm.admin.AccessToken, b.ID) == inbox.Initiated{Month: month, Sent: 9999, Free: 10000}
	})
	send(map[string]any{"text": "the last free one"}) // the 10,000th: still free
	eventually(t, "the 10,000th is counted", func() bool { return me.initiated(tm.admin.AccessToken, b.ID).Sent == 10000 })

	// A paid send that fails is not counted; its retry is a new paid send,
	// refused until confirmed like any other.
	me.vb.SetSubscribed(hal, false)
	failed := me.reply(me.t, tm.emp1.AccessToken, chat.ID, map[string]any{"text": "paid, then failed", "confirm_paid": true})
	me.waitMsg(tm.emp1.AccessToken, chat.ID, "the paid send fails", byID(failed.ID, models.DeliveryFailed))
	me.vb.SetSubscribed(hal, true)
	if got := me.initiated(tm.admin.AccessToken, b.ID); got.Sent != 10000 {
		t.Fatalf("a failed send was counted: %+v", got)
	}
	retry := "/v1/conversations/" + chat.ID + "/messages/" + failed.ID + "/retry"
	wantField(t, me.call("POST", retry, tm.emp1.AccessToken, nil), "confirm_paid", "true")
	wantField(t, me.call("POST", retry, tm.emp1.AccessToken, map[string]any{"confirm_paid": false}), "confirm_paid", "true")
	r = me.call("POST", retry, tm.emp1.AccessToken, map[string]any{"confirm_paid": true})
	wantStatus(t, r, http.StatusCreated)
	var again models.Message
	r.JSON(t, &again)
	sent++
	me.sentTo(t, sent)
	if again = me.waitMsg(tm.emp1.AccessToken, chat.ID, "the retry is sent", byID(again.ID, models.DeliverySent)); again.Tag != inbox.InitiatedTag {
		t.Fatalf("the confirmed retry is tagged %q", again.Tag)
	}
	eventually(t, "the retry is counted", func() bool { return me.initiated(tm.admin.AccessToken, b.ID).Sent == 10001 })

	r = me.call("POST", "/v1/conversations/"+chat.ID+"/messages", tm.emp1.AccessToken, map[string]any{"text": "a paid one"})
	wantField(t, r, "confirm_paid", "true")
	r = me.call("POST", "/v1/conversations/"+chat.ID+"/messages", tm.emp1.AccessToken, map[string]any{"text": "a paid one", "confirm_paid": false})
	wantField(t, r, "confirm_paid", "true")
	if n := len(me.vb.Sent()); n != sent {
		t.Fatalf("a refused send reached Viber (%d sends, want %d)", n, sent)
	}
	if m := send(map[string]any{"text": "a paid one", "confirm_paid": true}); m.Tag != inbox.InitiatedTag {
		t.Fatalf("the confirmed send is tagged %q", m.Tag)
	}
	eventually(t, "the paid one is counted", func() bool { return me.initiated(tm.admin.AccessToken, b.ID).Sent == 10002 })

	// The subscriber writes again: the window opens and nothing is counted.
	me.vbSays(hal, viberfake.Text("yes, here"))
	eventually(t, "the window reopens", func() bool { return me.conv(tm.emp1.AccessToken, chat.ID).ReplyWindowOpen })
	if m := send(map[string]any{"text": "great"}); m.Tag != "" {
		t.Fatalf("a reply in the reopened window is tagged %q", m.Tag)
	}
	if got := me.initiated(tm.admin.AccessToken, b.ID); got.Sent != 10002 {
		t.Fatalf("a reply inside the window was counted: %+v", got)
	}
}
