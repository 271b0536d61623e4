package api_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
)

// recordingSender stands in for a messenger adapter, which the messengers
// work provides: it records what it is asked to deliver.
type recordingSender struct {
	mu   sync.Mutex
	sent []string
	fail bool
}

func (r *recordingSender) Send(_ context.Context, bot *models.Bot, sub *models.Subscriber, m *models.Message) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return "", errors.New("channel down")
	}
	r.sent = append(r.sent, bot.ID+"|"+sub.ExternalID+"|"+m.Text)
	return "tg-msg-42", nil
}

func TestChannelSenderDeliversAgentMessages(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	tg := &recordingSender{}
	e.srv.Inbox().(*inbox.Service).WithSenders(map[models.Channel]models.ChannelSender{models.ChannelTelegram: tg})
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	res := e.event(tm.key, b.ID, say("m1", "tg-user", "hi"))
	r := e.call("POST", "/v1/conversations/"+res.ConversationID+"/messages", tm.emp1.AccessToken, map[string]string{"text": "hello"})
	wantStatus(t, r, http.StatusCreated)
	var m models.Message
	r.JSON(t, &m)
	if m.Status != models.DeliverySent || m.ExternalID != "tg-msg-42" || len(tg.sent) != 1 || tg.sent[0] != b.ID+"|tg-user|hello" {
		t.Fatalf("delivered %+v via %v", m, tg.sent)
	}
	// A failing channel leaves the message queued for the engine; the send still succeeds.
	tg.mu.Lock()
	tg.fail = true
	tg.mu.Unlock()
	r = e.call("POST", "/v1/conversations/"+res.ConversationID+"/messages", tm.emp1.AccessToken, map[string]string{"text": "again"})
	wantStatus(t, r, http.StatusCreated)
	r.JSON(t, &m)
	if m.Status != models.DeliveryQueued {
		t.Fatalf("after a failed send: %s", m.Status)
	}
	// Channels without a sender keep their messages queued.
	wa := e.bot(tm.admin.AccessToken, map[string]any{"channel": "whatsapp", "name": "WA"})
	wres := e.event(tm.key, wa.ID, say("w1", "wa-user", "hi"))
	r = e.call("POST", "/v1/conversations/"+wres.ConversationID+"/messages", tm.emp1.AccessToken, map[string]string{"text": "hola"})
	r.JSON(t, &m)
	if m.Status != models.DeliveryQueued {
		t.Fatalf("no sender: %s", m.Status)
	}
}
