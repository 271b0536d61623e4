package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// statEvent is an event of the bot engine at a given time: the
// subscriber (sub) or the bot (bot_message) writes text.
func statEvent(id, typ, sub, text string, at time.Time) map[string]any {
	return map[string]any{"id": id, "type": typ, "at": at.UTC().Format(time.RFC3339Nano),
		"subscriber": map[string]any{"id": sub, "name": "Sub " + sub}, "message": map[string]any{"id": "m-" + id, "text": text}}
}

// barJS reads the chart's bar of series on day: its data-value and
// height, or null when there is none.
func barJS(series, day string) string {
	return fmt.Sprintf(`(() => { const b = document.querySelector(%s);
  return b ? {value: Number(b.dataset.value), height: Number(b.getAttribute('height'))} : null; })()`,
		jsString(fmt.Sprintf(`#stats-body rect.bar[data-series=%s][data-day=%s]`, jsString(series), jsString(day))))
}

type bar struct {
	Value  int64   `json:"value"`
	Height float64 `json:"height"`
}

// Statistics per bot, as each role: the totals, and a chart with one
// bar per series and day for 30 days whose bars show the messages
// received and sent and the new subscribers the bot engine reported on
// two days, as the API counts them (heights in proportion); picking the
// other bot shows its own, on days up to the server's today when the
// server's clock is ahead of the browser's.
func TestBrowserStatsPerBot(t *testing.T) {
	t.Parallel()
	cp := newConsolePushEnv(t)
	tm := cp.team()
	admin := tm.admin.AccessToken
	shop := cp.bot(admin, map[string]any{"channel": "telegram", "name": "Shop"})
	store := cp.bot(admin, map[string]any{"channel": "telegram", "name": "Store"})
	now := cp.inboxClock.Now().UTC()
	yesterday, tomorrow := now.Add(-24*time.Hour), now.Add(24*time.Hour)
	day := func(t time.Time) string { return t.Format("2006-01-02") }
	for _, ev := range []map[string]any{
		// Shop, yesterday: one new subscriber, two received, one sent.
		statEvent("y1", "message", "s1", "hola", yesterday),
		statEvent("y2", "message", "s1", "¿precio?", yesterday.Add(time.Minute)),
		statEvent("y3", "bot_message", "s1", "10 €", yesterday.Add(2*time.Minute)),
		// Shop, today: two new subscribers, two received, three sent.
		statEvent("t1", "message", "s2", "hi", now),
		statEvent("t2", "message", "s3", "hey", now),
		statEvent("t3", "bot_message", "s2", "welcome", now),
		statEvent("t4", "bot_message", "s3", "welcome", now),
		statEvent("t5", "bot_message", "s3", "anything else?", now),
	} {
		cp.event(tm.key, shop.ID, ev)
	}
	// The server's clock moves a day ahead of the browser's: Store's
	// activity is on the server's today, the browser's tomorrow, and the
	// chart still ends on it.
	cp.inboxClock.Advance(24 * time.Hour)
	for i := range 4 {
		cp.event(tm.key, store.ID, statEvent(fmt.Sprint("u", i), "message", "s9", fmt.Sprint(i), tomorrow))
	}
	type counts = map[string][2]int64 // series -> on the two days
	want := map[string]struct {
		days   [2]string
		counts counts
		totals map[string]int64
	}{
		shop.ID: {[2]string{day(yesterday), day(now)}, counts{"received": {2, 2}, "sent": {1, 3}, "new_subscribers": {1, 2}},
			map[string]int64{"sent": 4, "received": 4, "subscribers": 3}},
		store.ID: {[2]string{day(now), day(tomorrow)}, counts{"received": {0, 4}, "sent": {0, 0}, "new_subscribers": {0, 1}},
			map[string]int64{"sent": 0, "received": 4, "subscribers": 1}},
	}
	// The API counts them so.
	for id, w := range want {
		r := cp.call("GET", "/v1/bots/"+id+"/stats", admin, nil)
		wantStatus(t, r, http.StatusOK)
		var s struct{ Days []models.BotDayStats }
		r.JSON(t, &s)
		got := counts{}
		for _, d := range s.Days {
			for i, day := range w.days {
				if d.Day == day {
					for k, v := range map[string]int64{"received": d.Received, "sent": d.Sent, "new_subscribers": d.NewSubscribers} {
						x := got[k]
						x[i] = v
						got[k] = x
					}
				}
			}
		}
		for k, v := range w.counts {
			if got[k] != v {
				t.Fatalf("the API counts %s of bot %s as %v, want %v", k, id, got[k], v)
			}
		}
	}

	for _, role := range consoleRoles(tm) {
		t.Run(role.name, func(t *testing.T) {
			tb := openTab(t, cp.http.URL, role.name)
			tb.signIn(role.tok.Member.Email, role.password)
			tb.open("/stats")
			tb.wait("select#stats-bot")
			for _, b := range []models.Bot{shop, store} {
				tb.choose("select#stats-bot", b.ID)
				tb.waitFor("the chart of "+b.Name, fmt.Sprintf(`(document.querySelector('#stats-body') || {dataset: {}}).dataset.botId === %s`, jsString(b.ID)))
				if n := eval[int](tb, `document.querySelectorAll('#stats-body rect.bar').length`); n != 3*30 {
					t.Errorf("%s's chart has %d bars, want 3 series × 30 days", b.Name, n)
				}
				// Heights are in proportion to the values.
				w := want[b.ID]
				for k, v := range w.totals {
					if got := tb.text(fmt.Sprintf(`#stats-body [data-total=%s] dd`, jsString(k))); got != fmt.Sprint(v) {
						t.Errorf("%s's total %s shows %q, want %d", b.Name, k, got, v)
					}
				}
				var unit float64
				for series, c := range w.counts {
					for i, day := range w.days {
						got := eval[*bar](tb, barJS(series, day))
						if got == nil {
							t.Fatalf("%s's chart has no %s bar on %s", b.Name, series, day)
						}
						if got.Value != c[i] {
							t.Errorf("%s's %s bar on %s shows %d, want %d", b.Name, series, day, got.Value, c[i])
						}
						if c[i] == 0 {
							if got.Height != 0 {
								t.Errorf("%s's %s bar on %s is %v high for 0", b.Name, series, day, got.Height)
							}
							continue
						}
						per := got.Height / float64(c[i])
						if unit == 0 {
							unit = per
						}
						if per <= 0 || per < unit*0.999 || per > unit*1.001 {
							t.Errorf("%s's %s bar on %s is %v high for %d (%v per message elsewhere)", b.Name, series, day, got.Height, c[i], unit)
						}
					}
				}
				tb.shot("stats-" + b.Name)
			}
		})
	}
}
