package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/models"
)

// A webhook Telegram cannot deliver to shows in the bot's health: the
// messenger's last error, read from getWebhookInfo.
func TestTelegramFailingWebhookShowsInHealth(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{webhooks: true})
	tm := me.team()
	b := me.telegramBot(tm.admin.AccessToken, nil)
	eventually(t, "the first webhook check", func() bool { return me.tg.Calls("getWebhookInfo") > 0 })
	me.front.Close() // the public address stops answering
	me.tg.UserSends(6001, telegramfake.User{ID: 6001, FirstName: "Lu"}, "hola")
	bot := func() models.Bot {
		r := me.call("GET", "/v1/bots/"+b.ID, tm.admin.AccessToken, nil)
		wantStatus(t, r, http.StatusOK)
		var got models.Bot
		r.JSON(t, &got)
		return got
	}
	eventually(t, "Telegram's delivery fails", func() bool {
		me.inboxClock.Advance(6 * time.Minute) // the next check is due
		c := bot().Connection
		return c != nil && strings.HasPrefix(c.LastError, "webhook: ") && c.LastErrorAt != nil
	})
	if c := bot().Connection; c.State != models.ConnConnected {
		t.Fatalf("a failing webhook is not a broken token: %+v", c)
	}
}
