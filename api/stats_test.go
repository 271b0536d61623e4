package api_test

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

type botStats struct {
	Totals struct{ Sent, Received, Subscribers int64 }
	Days   []struct {
		Day            string
		Sent, Received int64
		NewSubscribers int64 `json:"new_subscribers"`
	}
}

func TestBotStatistics(t *testing.T) {
	t.Parallel() // independent and long: overlaps the rest of the package
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG", "greeting": "Hi"})
	day1 := e.inboxClock.Now().UTC().Format("2006-01-02")
	// Concurrent subscriber messages: no count is lost.
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id := string(rune('a' + i))
			r := e.call("POST", "/v1/bots/"+b.ID+"/events", tm.key, say("m-"+id, "s-"+id, "hello"))
			if r.StatusCode != http.StatusOK {
				t.Errorf("event: %d %s", r.StatusCode, r.Body)
			}
		}(i)
	}
	wg.Wait()
	e.event(tm.key, b.ID, say("m-a", "s-a", "hello")) // a redelivery counts nothing
	res := e.event(tm.key, b.ID, say("m-a2", "s-a", "again"))
	e.inboxClock.Advance(24 * time.Hour)
	day2 := e.inboxClock.Now().UTC().Format("2006-01-02")
	wantStatus(t, e.call("POST", "/v1/conversations/"+res.ConversationID+"/messages", tm.emp1.AccessToken, map[string]string{"text": "hi"}), http.StatusCreated)
	wantStatus(t, e.call("DELETE", "/v1/subscribers/"+res.SubscriberID, tm.emp1.AccessToken, nil), http.StatusNoContent)

	r := e.call("GET", "/v1/bots/"+b.ID+"/stats", tm.follower.AccessToken, nil)
	wantStatus(t, r, http.StatusOK)
	var st botStats
	r.JSON(t, &st)
	// Day 1: 9 received, 8 greetings sent, 8 new subscribers. Day 2: 1 agent message.
	if st.Totals.Received != 9 || st.Totals.Sent != 9 || st.Totals.Subscribers != 7 {
		t.Fatalf("totals %+v", st.Totals)
	}
	if len(st.Days) != 2 || st.Days[0].Day != day1 || st.Days[0].Received != 9 || st.Days[0].Sent != 8 || st.Days[0].NewSubscribers != 8 ||
		st.Days[1].Day != day2 || st.Days[1].Sent != 1 {
		t.Fatalf("days %+v", st.Days)
	}
	r = e.call("GET", "/v1/bots/"+b.ID+"/stats?from="+day2+"&to="+day2, tm.key, nil)
	st = botStats{}
	r.JSON(t, &st)
	if len(st.Days) != 1 || st.Days[0].Day != day2 {
		t.Fatalf("one day %+v", st.Days)
	}
	for _, q := range []string{"?from=yesterday", "?from=2026-01-02&to=2026-01-01", "?from=2020-01-01&to=2026-01-01"} {
		wantStatus(t, e.call("GET", "/v1/bots/"+b.ID+"/stats"+q, tm.admin.AccessToken, nil), http.StatusBadRequest)
	}
}
