package push

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard/models"
)

// BotBrokenTitle heads the notification of a bot's break, where a chat
// alert names the subscriber.
const BotBrokenTitle = "Bot disconnected"

// maxBotError bounds the runes of the messenger's refusal an alert quotes.
const maxBotError = 200

// botBreak is the bot_broken event of bot r as one write left it: a live
// bot whose connection is broken, with the time it broke. A break ends
// one connection, so its source names the bot and the time that
// connection was made (to the millisecond, as both stores keep it):
// every write of the bot while it stays broken makes the same alert,
// however many of the bot's jobs and pollers record the refusal (each
// with its own time), and a new break after a reconnect (a new
// connection time) makes a new one. A connection without its time is
// told apart by the time it broke instead; a broken connection with
// neither makes no alert, since one break could not be told from the
// next.
func botBreak(r *models.Bot, seq int64) (event, bool) {
	c := r.Connection
	if r.Deleted || c == nil || c.State != models.ConnBroken || c.LastErrorAt == nil {
		return event{}, false
	}
	src := r.ID + "@broke:" + strconv.FormatInt(c.LastErrorAt.UnixMilli(), 10)
	if c.ConnectedAt != nil {
		src = r.ID + "@connected:" + strconv.FormatInt(c.ConnectedAt.UnixMilli(), 10)
	}
	return event{kind: models.EventBotBroken, source: src, at: *c.LastErrorAt, seq: seq, bot: r}, true
}

// botAlert makes the alert of a bot's break: to every active admin, on
// each route their preferences allow for bot_broken, email included
// whatever the hourly email bound of chat alerts (a break is told once,
// and takes no chat email's slot). It has no chat.
func (g *Gateway) botAlert(ctx context.Context, ws string, b *batch, e event, now time.Time) (*models.Alert, error) {
	aud := map[string]models.AlertEvent{}
	for id, m := range b.members {
		if m.Status == models.MemberActive && m.Role == models.RoleAdmin {
			aud[id] = models.EventBotBroken
		}
	}
	dels := Deliveries(aud, b.devices, b.prefs, g.enabled)
	if g.enabled(ProviderEmail) {
		for id := range aud {
			if b.members[id].Email != "" && b.prefs[id].Enabled(models.EventBotBroken, models.RouteEmail) {
				dels = append(dels, EmailDelivery(id, models.EventBotBroken))
			}
		}
	}
	if len(dels) == 0 {
		return nil, nil
	}
	sort.SliceStable(dels, func(i, j int) bool { return dels[i].MemberID < dels[j].MemberID })
	bot := e.bot
	return &models.Alert{ID: AlertID(ws, e.kind, e.source), WS: ws, Event: e.kind, BotID: bot.ID, Source: e.source,
		Channel: bot.Channel, BotName: bot.Name, Preview: BotBrokenText(bot), State: models.AlertPending, Deliveries: dels,
		CreatedAt: now, ExpiresAt: now.Add(g.cfg.TTL), DueAt: now}, nil
}

// channelNames are the channels as people write them.
var channelNames = map[models.Channel]string{
	models.ChannelTelegram: "Telegram", models.ChannelWhatsApp: "WhatsApp", models.ChannelInstagram: "Instagram",
	models.ChannelMessenger: "Messenger", models.ChannelViber: "Viber", models.ChannelLiveChat: "Live chat",
}

// credentialNames are what each messenger calls a bot's credentials.
var credentialNames = map[models.Channel]string{models.ChannelTelegram: "token", models.ChannelViber: "auth token"}

// BotBrokenText is what an alert says of broken bot b: "Bot Shop is
// disconnected: Telegram refused its token (Unauthorized). Reconnect it
// in Settings → Bots." The messenger's refusal is quoted on one line,
// cut to 200 characters.
func BotBrokenText(b *models.Bot) string {
	platform := channelNames[b.Channel]
	if platform == "" {
		platform = string(b.Channel)
	}
	cred := credentialNames[b.Channel]
	if cred == "" {
		cred = "credentials"
	}
	s := "Bot " + oneLine(b.Name, maxBotError) + " is disconnected: " + platform + " refused its " + cred
	if b.Connection != nil {
		if why := oneLine(b.Connection.LastError, maxBotError); why != "" {
			s += " (" + why + ")"
		}
	}
	return s + ". Reconnect it in Settings → Bots."
}

// oneLine is s on one line (runs of white space as one space, invalid
// UTF-8 replaced), cut to limit runes with an ellipsis.
func oneLine(s string, limit int) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return strings.TrimRight(string([]rune(s)[:limit-1]), " ") + Ellipsis
}
