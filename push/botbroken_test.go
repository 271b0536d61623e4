package push

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

func TestBotBreakIsOneEventPerBreak(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	t1 := t0.Add(1500 * time.Microsecond) // the same millisecond as t0+1ms
	bot := func(seq int64, st models.ConnectionState, at *time.Time, name string, deleted bool) models.Change {
		b := &models.Bot{ID: "b1", Name: name, Channel: models.ChannelViber, Connection: &models.Connection{State: st, LastError: "x", LastErrorAt: at}}
		b.Deleted = deleted
		return models.Change{Seq: seq, Table: models.TableBots, ID: "b1", Record: b}
	}
	t0ms, t1b := t0.Add(time.Millisecond), t1
	evs := eventsOf([]models.Change{
		bot(1, models.ConnConnected, nil, "A", false),
		bot(2, models.ConnBroken, nil, "A", false), // no break time: cannot tell breaks apart
		bot(3, models.ConnBroken, &t0ms, "A", false),
		bot(4, models.ConnBroken, &t1b, "Renamed", false), // the same break, at the stores' precision
		bot(5, models.ConnDisconnected, &t0ms, "A", false),
		bot(6, models.ConnBroken, &t0ms, "A", true), // deleted
		{Seq: 7, Table: models.TableBots, ID: "b2", Record: &models.Bot{ID: "b2"}},
	})
	if len(evs) != 1 || evs[0].kind != models.EventBotBroken || evs[0].seq != 3 || evs[0].source != "b1@"+"1796544000001" || !evs[0].at.Equal(t0ms) {
		t.Fatalf("events %+v", evs)
	}
	later := t0.Add(time.Hour)
	again := eventsOf([]models.Change{bot(9, models.ConnBroken, &later, "A", false)})
	if len(again) != 1 || again[0].source == evs[0].source {
		t.Fatalf("a new break made %+v", again)
	}
}

func TestBotBrokenTextNamesThePlatformAndItsWords(t *testing.T) {
	for _, c := range []struct {
		ch        models.Channel
		name, why string
		want      string
	}{
		{models.ChannelTelegram, "Shop", "Unauthorized", "Bot Shop is disconnected: Telegram refused its token (Unauthorized). Reconnect it in Settings → Bots."},
		{models.ChannelViber, "Help\ndesk", "", "Bot Help desk is disconnected: Viber refused its auth token. Reconnect it in Settings → Bots."},
		{models.ChannelWhatsApp, "W", " Invalid  OAuth\taccess token ", "Bot W is disconnected: WhatsApp refused its credentials (Invalid OAuth access token). Reconnect it in Settings → Bots."},
	} {
		got := BotBrokenText(&models.Bot{Name: c.name, Channel: c.ch, Connection: &models.Connection{State: models.ConnBroken, LastError: c.why}})
		if got != c.want {
			t.Errorf("%s: %q, want %q", c.ch, got, c.want)
		}
	}
	long := BotBrokenText(&models.Bot{Name: "B", Channel: models.ChannelTelegram, Connection: &models.Connection{LastError: strings.Repeat("é", 201)}})
	if !strings.Contains(long, "("+strings.Repeat("é", 199)+Ellipsis+")") {
		t.Fatalf("a long refusal is quoted as %q", long)
	}
}
