package push

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

func TestBotBreakIsOneEventPerConnection(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := t0.Add(d); return &x }
	bot := func(seq int64, st models.ConnectionState, connected, broke *time.Time, name string, deleted bool) models.Change {
		b := &models.Bot{ID: "b1", Name: name, Channel: models.ChannelViber,
			Connection: &models.Connection{State: st, ConnectedAt: connected, LastError: "x", LastErrorAt: broke}}
		b.Deleted = deleted
		return models.Change{Seq: seq, Table: models.TableBots, ID: "b1", Record: b}
	}
	c1 := at(1500 * time.Microsecond) // 1 ms at the stores' precision
	evs := eventsOf([]models.Change{
		bot(1, models.ConnConnected, c1, nil, "A", false),
		bot(2, models.ConnBroken, c1, nil, "A", false), // no break time
		bot(3, models.ConnBroken, c1, at(time.Minute), "A", false),
		// The same refusal recorded again by another job, and a rename: the same break.
		bot(4, models.ConnBroken, at(time.Millisecond), at(2*time.Minute), "Renamed", false),
		bot(5, models.ConnDisconnected, c1, at(time.Minute), "A", false),
		bot(6, models.ConnBroken, at(time.Hour), at(time.Hour), "A", true), // deleted
		{Seq: 7, Table: models.TableBots, ID: "b2", Record: &models.Bot{ID: "b2"}},
	})
	if len(evs) != 1 || evs[0].kind != models.EventBotBroken || evs[0].seq != 3 || evs[0].source != "b1@connected:1796544000001" || !evs[0].at.Equal(*at(time.Minute)) {
		t.Fatalf("events %+v", evs)
	}
	// A reconnect then a new break: a new source.
	again := eventsOf([]models.Change{bot(9, models.ConnBroken, at(time.Hour), at(2*time.Hour), "A", false)})
	if len(again) != 1 || again[0].source != "b1@connected:1796547600000" {
		t.Fatalf("a new break made %+v", again)
	}
	// Without a connection time, breaks are told apart by their time.
	x, y := eventsOf([]models.Change{bot(10, models.ConnBroken, nil, at(time.Minute), "A", false)}), eventsOf([]models.Change{bot(11, models.ConnBroken, nil, at(time.Hour), "A", false)})
	if len(x) != 1 || len(y) != 1 || x[0].source != "b1@broke:1796544060000" || y[0].source == x[0].source {
		t.Fatalf("breaks without a connection time: %+v, %+v", x, y)
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
