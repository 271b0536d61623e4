package api_test

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// A subscriber's last inbound time is the exact time of their last
// message, in REST and in sync, even for messages seconds apart; an older
// message delivered late does not move it back.
func TestSubscriberLastInboundIsExact(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	t0 := e.inboxClock.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	at := func(ev map[string]any, d time.Duration) map[string]any {
		ev["at"] = t0.Add(d).Format(time.RFC3339Nano)
		return ev
	}
	sub := e.event(tm.key, b.ID, at(say("in-1", "s1", "first"), 0)).SubscriberID
	e.event(tm.key, b.ID, at(say("in-2", "s1", "second"), 10*time.Second+123*time.Millisecond))
	e.event(tm.key, b.ID, at(say("in-0", "s1", "late, older"), 5*time.Second))
	want := t0.Add(10*time.Second + 123*time.Millisecond)

	var got models.Subscriber
	e.call("GET", "/v1/subscribers/"+sub, tm.admin.AccessToken, nil).JSON(t, &got)
	if got.LastInboundAt == nil || !got.LastInboundAt.Equal(want) {
		t.Fatalf("REST last_inbound_at %v, want %v", got.LastInboundAt, want)
	}
	a := e.pull(tm.admin.AccessToken, 0, nil)
	for _, r := range a.Changes["subscribers"].Created {
		if r["id"] == sub {
			if ms, _ := r["last_inbound_at"].(float64); int64(ms) != want.UnixMilli() {
				t.Fatalf("synced last_inbound_at %v, want %d", r["last_inbound_at"], want.UnixMilli())
			}
			return
		}
	}
	t.Fatalf("the first sync holds no subscriber %s", sub)
}
