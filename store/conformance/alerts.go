package conformance

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// alertAt is a pending alert of ws created and due at due, with one
// delivery to member m1.
func alertAt(ws string, due time.Time) *models.Alert {
	return &models.Alert{ID: "al-" + models.NewID(), WS: ws, Event: models.EventNewChat, ConversationID: "c1", Source: "msg-1",
		ActorID: "m0", SubscriberName: "Sam", Channel: models.ChannelTelegram, BotName: "Support", Preview: "hello",
		State: models.AlertPending, CreatedAt: due, ExpiresAt: due.Add(6 * time.Hour), DueAt: due,
		Deliveries: []models.Delivery{{DeviceID: "d1", MemberID: "m1", Kind: "fcm", Event: models.EventNewChat, State: models.DeliveryPending}}}
}

func alertIDs(list []*models.Alert) string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.ID
	}
	return fmt.Sprint(out)
}

// mine keeps the alerts of list whose id is in ids, in list's order (the
// due listing is shared by every workspace of the store).
func mine(list []*models.Alert, of ...*models.Alert) []*models.Alert {
	want := map[string]bool{}
	for _, a := range of {
		want[a.ID] = true
	}
	var out []*models.Alert
	for _, a := range list {
		if want[a.ID] {
			out = append(out, a)
		}
	}
	return out
}

// sameAlert fails t unless got holds what want stored (Claims aside).
func sameAlert(t *testing.T, got, want *models.Alert, what string) {
	t.Helper()
	g, w := *got, *want
	g.Claims, w.Claims = 0, 0
	if !sameDeliveries(g.Deliveries, w.Deliveries) || g.ID != w.ID || g.WS != w.WS || g.Event != w.Event ||
		g.ConversationID != w.ConversationID || g.Source != w.Source || g.ActorID != w.ActorID || g.SubscriberName != w.SubscriberName ||
		g.Channel != w.Channel || g.BotName != w.BotName || g.Preview != w.Preview || g.State != w.State ||
		!g.CreatedAt.Equal(w.CreatedAt) || !g.ExpiresAt.Equal(w.ExpiresAt) || !g.DueAt.Equal(w.DueAt) ||
		fmt.Sprint(g.TelegramRefs) != fmt.Sprint(w.TelegramRefs) {
		t.Fatalf("%s: %+v, want %+v", what, got, want)
	}
}

// sameDeliveries compares deliveries field by field, times by Equal.
func sameDeliveries(a, b []models.Delivery) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if !sameTime(x.NextAt, y.NextAt) || !sameTime(x.SentAt, y.SentAt) {
			return false
		}
		x.NextAt, x.SentAt, y.NextAt, y.SentAt = nil, nil, nil, nil
		if x != y {
			return false
		}
	}
	return true
}

func sameTime(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

// RunAlerts checks models.AlertStore.
func RunAlerts(t *testing.T, open Open) { runAlerts(t, newFixture(t, open)) }

func runAlerts(t *testing.T, f *fixture) {
	s := f.s
	// Each case works at times of its own, far from the others', since
	// the due listing and the purge span every workspace of the store.
	base := start.Add(24 * time.Hour)
	epoch := func(n int) time.Time { return base.Add(time.Duration(n) * 24 * time.Hour) }
	due := func(t *testing.T, now time.Time, of ...*models.Alert) []*models.Alert {
		t.Helper()
		list, err := s.DueAlerts(ctx, now, 0, nil)
		ok(t, err, "list due")
		return mine(list, of...)
	}

	t.Run("create is idempotent by id and reads back every field", func(t *testing.T) {
		w, now := ws(), epoch(0)
		a, b := alertAt(w, now), alertAt(w, now)
		b.State, b.Deliveries = models.AlertDone, nil
		created, err := s.CreateAlerts(ctx, []*models.Alert{a, b})
		ok(t, err, "create")
		if fmt.Sprint(created) != "[true true]" {
			t.Fatalf("created %v, want [true true]", created)
		}
		repeat := *a
		repeat.Preview = "changed"
		created, err = s.CreateAlerts(ctx, []*models.Alert{&repeat, alertAt(w, now)})
		ok(t, err, "create again")
		if fmt.Sprint(created) != "[false true]" {
			t.Fatalf("created %v, want [false true]", created)
		}
		got, err := s.Alert(ctx, w, a.ID)
		ok(t, err, "read")
		sameAlert(t, got, a, "read after a repeat")
		got, err = s.Alert(ctx, w, b.ID)
		ok(t, err, "read")
		if got.Deliveries == nil || len(got.Deliveries) != 0 || got.State != models.AlertDone {
			t.Fatalf("alert without deliveries read as %+v", got)
		}
		got, err = s.Alert(ctx, ws(), a.ID)
		notFound(t, got, err, "alert of another workspace")
		got, err = s.Alert(ctx, w, "al-unknown")
		notFound(t, got, err, "unknown alert")
		created, err = s.CreateAlerts(ctx, nil)
		if err != nil || len(created) != 0 {
			t.Fatalf("create nothing: %v, %v", created, err)
		}
	})

	t.Run("list newest first, by chat, by member, limited", func(t *testing.T) {
		w, now := ws(), epoch(1)
		var all []*models.Alert
		for i := range 4 {
			a := alertAt(w, now.Add(time.Duration(i)*time.Millisecond))
			if i%2 == 1 {
				a.ConversationID = "c2"
				a.Deliveries = append(a.Deliveries, models.Delivery{DeviceID: "d2", MemberID: "m2", Kind: "apns", State: models.DeliveryPending})
			}
			all = append(all, a)
		}
		_, err := s.CreateAlerts(ctx, append(all, alertAt(ws(), now)))
		ok(t, err, "create")
		rev := func(list ...*models.Alert) string {
			out := make([]*models.Alert, len(list))
			for i, a := range list {
				out[len(list)-1-i] = a
			}
			return alertIDs(out)
		}
		for _, c := range []struct {
			f    models.AlertFilter
			want string
		}{
			{models.AlertFilter{}, rev(all...)},
			{models.AlertFilter{Limit: 3}, rev(all[1:]...)},
			{models.AlertFilter{ConversationID: "c2"}, rev(all[1], all[3])},
			{models.AlertFilter{MemberID: "m2"}, rev(all[1], all[3])},
			{models.AlertFilter{MemberID: "m1", ConversationID: "c1", Limit: 1}, rev(all[2])},
			{models.AlertFilter{MemberID: "m9"}, "[]"},
		} {
			got, err := s.Alerts(ctx, w, c.f)
			ok(t, err, "list")
			if got == nil || alertIDs(got) != c.want {
				t.Fatalf("alerts %+v: %s, want %s", c.f, alertIDs(got), c.want)
			}
		}
	})

	t.Run("due: pending alerts due at or before now, soonest first", func(t *testing.T) {
		// Earlier than every other alert due in the store, so that the
		// limit counts this case's alerts only.
		w, now := ws(), start.Add(-500*time.Hour)
		a := alertAt(w, now.Add(2*time.Millisecond))
		b := alertAt(w, now)
		c := alertAt(w, now.Add(time.Millisecond))
		done := alertAt(w, now)
		done.State = models.AlertDone
		_, err := s.CreateAlerts(ctx, []*models.Alert{a, b, c, done})
		ok(t, err, "create")
		if got := due(t, now.Add(-time.Millisecond), a, b, c, done); len(got) != 0 {
			t.Fatalf("due a millisecond early: %s", alertIDs(got))
		}
		if got := due(t, now.Add(time.Millisecond), a, b, c, done); alertIDs(got) != alertIDs([]*models.Alert{b, c}) {
			t.Fatalf("due %s, want %s", alertIDs(got), alertIDs([]*models.Alert{b, c}))
		}
		got := due(t, now.Add(time.Hour), a, b, c, done)
		if alertIDs(got) != alertIDs([]*models.Alert{b, c, a}) {
			t.Fatalf("due %s, want %s", alertIDs(got), alertIDs([]*models.Alert{b, c, a}))
		}
		sameAlert(t, got[0], b, "listed")
		list, err := s.DueAlerts(ctx, now.Add(time.Hour), 0, func(id string) bool { return id == c.ID })
		ok(t, err, "list skipping one")
		if got := mine(list, a, b, c); alertIDs(got) != alertIDs([]*models.Alert{b, a}) {
			t.Fatalf("due skipping %s: %s", c.ID, alertIDs(got))
		}
		list, err = s.DueAlerts(ctx, now.Add(time.Hour), 2, nil)
		ok(t, err, "list two")
		if alertIDs(list) != alertIDs([]*models.Alert{b, c}) {
			t.Fatalf("first two due: %s", alertIDs(list))
		}
	})

	t.Run("a claim is one worker's until its lease ends", func(t *testing.T) {
		w, now := ws(), epoch(3)
		a := alertAt(w, now)
		_, err := s.CreateAlerts(ctx, []*models.Alert{a})
		ok(t, err, "create")
		listed := due(t, now, a)
		if len(listed) != 1 {
			t.Fatalf("due %s, want %s", alertIDs(listed), a.ID)
		}
		lease := time.Minute
		held, err := s.ClaimAlerts(ctx, listed, now, lease)
		ok(t, err, "claim")
		if len(held) != 1 || held[0].Claims <= listed[0].Claims {
			t.Fatalf("claimed %+v, want %s with a claim above %d", held, a.ID, listed[0].Claims)
		}
		sameAlert(t, held[0], a, "claimed")
		if again, err := s.ClaimAlerts(ctx, listed, now.Add(lease-time.Millisecond), lease); err != nil || len(again) != 0 {
			t.Fatalf("claimed %s, %v a millisecond before the lease ended", alertIDs(again), err)
		}
		// The worker died: at the lease's end the alert is due and claimable again.
		relisted := due(t, now.Add(lease), a)
		if len(relisted) != 1 {
			t.Fatalf("due at the lease's end: %s, want %s", alertIDs(relisted), a.ID)
		}
		next, err := s.ClaimAlerts(ctx, relisted, now.Add(lease), lease)
		ok(t, err, "claim after the lease")
		if len(next) != 1 || next[0].Claims <= held[0].Claims {
			t.Fatalf("claimed %+v after the lease, want a claim above %d", next, held[0].Claims)
		}
	})

	t.Run("one of concurrent claimers wins", func(t *testing.T) {
		w, now := ws(), epoch(4)
		a := alertAt(w, now)
		_, err := s.CreateAlerts(ctx, []*models.Alert{a})
		ok(t, err, "create")
		const n = 6
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				listed, err := s.DueAlerts(ctx, now, 0, nil)
				if err != nil {
					errs[i] = err
					return
				}
				held, err := s.ClaimAlerts(ctx, mine(listed, a), now, time.Minute)
				switch {
				case err != nil:
					errs[i] = err
				case len(held) == 0:
					errs[i] = models.Errorf(models.CodeConflict, "held by another worker")
				}
			}()
		}
		wg.Wait()
		oneWinner(t, errs, "claims of one alert")
	})

	t.Run("finishing writes the attempt and ends the claim", func(t *testing.T) {
		w, now := ws(), epoch(5)
		retry, sent := alertAt(w, now), alertAt(w, now)
		_, err := s.CreateAlerts(ctx, []*models.Alert{retry, sent})
		ok(t, err, "create")
		held, err := s.ClaimAlerts(ctx, due(t, now, retry, sent), now, time.Hour)
		ok(t, err, "claim")
		if len(held) != 2 {
			t.Fatalf("claimed %s", alertIDs(held))
		}
		byID := map[string]*models.Alert{held[0].ID: held[0], held[1].ID: held[1]}
		at, next := now.Add(time.Second), now.Add(10*time.Minute)
		r := byID[retry.ID]
		r.Deliveries[0].Attempts, r.Deliveries[0].Reason, r.Deliveries[0].NextAt = 1, "UNAVAILABLE", &next
		r.DueAt = next
		d := byID[sent.ID]
		d.State, d.TelegramRefs = models.AlertDone, []string{"d1:42"}
		d.Deliveries[0].State, d.Deliveries[0].Attempts, d.Deliveries[0].SentAt, d.Deliveries[0].ProviderID = models.DeliveryDone, 1, &at, "p-1"
		ok(t, s.FinishAttempts(ctx, held), "finish")
		for _, x := range held {
			got, err := s.Alert(ctx, w, x.ID)
			ok(t, err, "read")
			sameAlert(t, got, x, "after the attempt")
		}
		// The retry is due at its time, not before, and claimable at once
		// (its lease ended with the attempt); the sent alert is never due.
		if got := due(t, next.Add(-time.Millisecond), retry, sent); len(got) != 0 {
			t.Fatalf("due before the retry: %s", alertIDs(got))
		}
		listed := due(t, next.Add(24*time.Hour), retry, sent)
		if alertIDs(listed) != fmt.Sprint([]string{retry.ID}) {
			t.Fatalf("due %s, want only %s", alertIDs(listed), retry.ID)
		}
		again, err := s.ClaimAlerts(ctx, listed, next, time.Hour)
		ok(t, err, "claim the retry")
		if len(again) != 1 || again[0].Claims <= r.Claims || again[0].Deliveries[0].Attempts != 1 {
			t.Fatalf("claimed %+v, want the retry as written, under a later claim", again)
		}
		found, err := s.AlertByTelegramRef(ctx, w, "d1:42")
		ok(t, err, "find by Telegram message")
		if found.ID != sent.ID {
			t.Fatalf("found %s, want %s", found.ID, sent.ID)
		}
		found, err = s.AlertByTelegramRef(ctx, ws(), "d1:42")
		notFound(t, found, err, "Telegram message of another workspace")
		found, err = s.AlertByTelegramRef(ctx, w, "d1:43")
		notFound(t, found, err, "unknown Telegram message")
	})

	t.Run("requeue leaves queued alerts as they are", func(t *testing.T) {
		w, now := ws(), epoch(6)
		a := alertAt(w, now)
		_, err := s.CreateAlerts(ctx, []*models.Alert{a})
		ok(t, err, "create")
		n, err := s.RequeuePending(ctx)
		ok(t, err, "requeue")
		if n != 0 {
			t.Fatalf("requeued %d, want 0: every pending alert is queued", n)
		}
		if got := due(t, now, a); len(got) != 1 {
			t.Fatalf("due after the requeue: %s", alertIDs(got))
		}
	})

	t.Run("purge: finished or expired alerts created before the cutoff", func(t *testing.T) {
		w := ws()
		cutoff := start.Add(-1000 * time.Hour) // before every other alert of the suite
		old := func(created time.Time, state models.AlertState, expires time.Time) *models.Alert {
			a := alertAt(w, created)
			a.State, a.ExpiresAt = state, expires
			return a
		}
		gone := []*models.Alert{
			old(cutoff.Add(-time.Millisecond), models.AlertDone, cutoff.Add(time.Hour)),
			old(cutoff.Add(-time.Hour), models.AlertPending, cutoff.Add(-time.Millisecond)),
		}
		kept := []*models.Alert{
			old(cutoff, models.AlertDone, cutoff.Add(time.Hour)),                           // created at the cutoff
			old(cutoff.Add(-time.Hour), models.AlertPending, cutoff),                       // expires at the cutoff
			old(cutoff.Add(-time.Hour), models.AlertPending, cutoff.Add(time.Millisecond)), // still live
		}
		_, err := s.CreateAlerts(ctx, append(append([]*models.Alert{}, gone...), kept...))
		ok(t, err, "create")
		n, err := s.PurgeAlerts(ctx, cutoff)
		ok(t, err, "purge")
		if n != len(gone) {
			t.Fatalf("purged %d, want %d", n, len(gone))
		}
		for _, a := range gone {
			got, err := s.Alert(ctx, w, a.ID)
			notFound(t, got, err, "purged alert")
		}
		for _, a := range kept {
			_, err := s.Alert(ctx, w, a.ID)
			ok(t, err, "kept alert")
		}
		if got := due(t, cutoff, gone...); len(got) != 0 {
			t.Fatalf("purged alerts still due: %s", alertIDs(got))
		}
	})
}
