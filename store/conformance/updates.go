package conformance

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// RunUpdates checks models.UpdateStore.
func RunUpdates(t *testing.T, open Open) { runUpdates(t, newFixture(t, open)) }

func inbound(w, botID, key string, at time.Time) *models.InboundUpdate {
	return &models.InboundUpdate{ID: models.UpdateID(botID, key), WS: w, BotID: botID, Channel: models.ChannelTelegram,
		Key: key, Raw: []byte(`{"update_id":` + key + `}`), ReceivedAt: at}
}

func updateIDs(us []*models.InboundUpdate) string {
	return ids(us, func(u *models.InboundUpdate) string { return u.Key })
}

func runUpdates(t *testing.T, f *fixture) {
	s := f.s
	// queued reports whether update id's job is due at now.
	queued := func(t *testing.T, id string, now time.Time) bool {
		t.Helper()
		jobs, err := s.DueJobs(ctx, models.JobUpdate, now, 10000)
		ok(t, err, "due updates")
		for _, j := range jobs {
			if j.ID == id {
				return true
			}
		}
		return false
	}
	// finish claims and finishes update id's job.
	finish := func(t *testing.T, id string, now time.Time) {
		t.Helper()
		j, won, err := s.ClaimJob(ctx, models.JobUpdate, id, now, now.Add(time.Minute))
		if err != nil || !won {
			t.Fatalf("claim of update %s: %v %v", id, won, err)
		}
		ok(t, s.FinishJob(ctx, models.JobUpdate, id, j.Claims), "finish")
	}

	t.Run("save, read, duplicate, requeue", func(t *testing.T) {
		w, botID := ws(), models.NewID()
		now := f.clock.tick()
		u := inbound(w, botID, "100", time.Time{})
		u.State, u.Attempts = models.UpdateDone, 0 // saved pending whatever it says
		created, err := s.SaveUpdate(ctx, u)
		ok(t, err, "save")
		if !created || !u.ReceivedAt.Equal(now) || u.State != models.UpdatePending {
			t.Fatalf("save: created %v, %+v; want created, received now (%v), pending", created, u, now)
		}
		if !queued(t, u.ID, now) {
			t.Fatal("a saved update's job is not due at once")
		}
		got, err := s.InboundUpdate(ctx, w, u.ID)
		ok(t, err, "read")
		if got.ID != u.ID || got.WS != w || got.BotID != botID || got.Channel != models.ChannelTelegram || got.Key != "100" ||
			string(got.Raw) != `{"update_id":100}` || got.State != models.UpdatePending || got.Error != "" || got.Attempts != 0 ||
			!got.ReceivedAt.Equal(now) || got.ProcessedAt != nil {
			t.Fatalf("read %+v, want %+v", got, u)
		}
		got, err = s.InboundUpdate(ctx, ws(), u.ID)
		notFound(t, got, err, "other workspace")
		got, err = s.InboundUpdate(ctx, w, models.UpdateID(botID, "nope"))
		notFound(t, got, err, "unknown")

		// A redelivery while pending: left as it is, queued again (the
		// job finished here stands for a crash between the two writes).
		finish(t, u.ID, now)
		if queued(t, u.ID, now.Add(time.Hour)) {
			t.Fatal("finished job still due")
		}
		again := inbound(w, botID, "100", now.Add(time.Second))
		again.Raw = []byte(`{"other":1}`)
		created, err = s.SaveUpdate(ctx, again)
		ok(t, err, "save again")
		if created {
			t.Fatal("a redelivery was created anew")
		}
		if !queued(t, u.ID, f.clock.Now()) {
			t.Fatal("a pending redelivery was not queued again")
		}
		got, err = s.InboundUpdate(ctx, w, u.ID)
		ok(t, err, "read")
		if string(got.Raw) != `{"update_id":100}` || !got.ReceivedAt.Equal(now) {
			t.Fatalf("a redelivery changed the update: %+v", got)
		}

		// Done: a redelivery queues nothing.
		done := f.clock.tick()
		got, err = s.SetUpdateOutcome(ctx, w, u.ID, models.UpdateOutcome{State: models.UpdateDone, Attempts: 1, At: done})
		ok(t, err, "done")
		if got.State != models.UpdateDone || got.Attempts != 1 || got.ProcessedAt == nil || !got.ProcessedAt.Equal(done) {
			t.Fatalf("outcome %+v, want done after 1 attempt at %v", got, done)
		}
		finish(t, u.ID, done)
		created, err = s.SaveUpdate(ctx, inbound(w, botID, "100", time.Time{}))
		ok(t, err, "save done again")
		if created || queued(t, u.ID, f.clock.Now().Add(time.Hour)) {
			t.Fatalf("a redelivery of a done update: created %v or queued", created)
		}
	})

	t.Run("outcomes", func(t *testing.T) {
		w, botID := ws(), models.NewID()
		u := inbound(w, botID, "7", time.Time{})
		_, err := s.SaveUpdate(ctx, u)
		ok(t, err, "save")
		finish(t, u.ID, f.clock.Now())
		at := f.clock.tick()
		got, err := s.SetUpdateOutcome(ctx, w, u.ID, models.UpdateOutcome{State: models.UpdateFailed, Error: "no such chat", Attempts: 5, At: at})
		ok(t, err, "failed")
		if got.State != models.UpdateFailed || got.Error != "no such chat" || got.Attempts != 5 || !got.ProcessedAt.Equal(at) {
			t.Fatalf("outcome %+v", got)
		}
		if queued(t, u.ID, at.Add(time.Hour)) {
			t.Fatal("a failed update is queued")
		}
		read, err := s.InboundUpdate(ctx, w, u.ID)
		ok(t, err, "read")
		if read.State != models.UpdateFailed || read.Error != "no such chat" || read.Attempts != 5 {
			t.Fatalf("read %+v", read)
		}
		// An admin's retry: pending again, due at once.
		got, err = s.SetUpdateOutcome(ctx, w, u.ID, models.UpdateOutcome{State: models.UpdatePending, Attempts: 5, At: f.clock.tick()})
		ok(t, err, "retry")
		if got.State != models.UpdatePending || got.Error != "" {
			t.Fatalf("retry %+v, want pending with no error", got)
		}
		if !queued(t, u.ID, f.clock.Now()) {
			t.Fatal("a retried update is not due at once")
		}
		got, err = s.SetUpdateOutcome(ctx, ws(), u.ID, models.UpdateOutcome{State: models.UpdateDone, At: at})
		notFound(t, got, err, "other workspace")
		got, err = s.SetUpdateOutcome(ctx, w, models.UpdateID(botID, "nope"), models.UpdateOutcome{State: models.UpdateDone, At: at})
		notFound(t, got, err, "unknown")
	})

	t.Run("list newest first, by bot and state", func(t *testing.T) {
		w, b1, b2 := ws(), models.NewID(), models.NewID()
		base := f.clock.Now()
		for i, k := range []string{"1", "2", "3"} {
			_, err := s.SaveUpdate(ctx, inbound(w, b1, k, base.Add(time.Duration(i)*time.Second)))
			ok(t, err, "save")
		}
		_, err := s.SaveUpdate(ctx, inbound(w, b1, "4", base.Add(time.Second))) // same time as 2: by id, descending
		ok(t, err, "save")
		_, err = s.SaveUpdate(ctx, inbound(w, b2, "9", base))
		ok(t, err, "save")
		_, err = s.SaveUpdate(ctx, inbound(ws(), b1, "8", base))
		ok(t, err, "save")
		_, err = s.SetUpdateOutcome(ctx, w, models.UpdateID(b1, "2"), models.UpdateOutcome{State: models.UpdateFailed, Error: "x", Attempts: 1, At: base})
		ok(t, err, "fail 2")
		for _, c := range []struct {
			f    models.UpdateFilter
			want string
		}{
			{models.UpdateFilter{BotID: b1}, "[3 4 2 1]"},
			{models.UpdateFilter{BotID: b1, Limit: 2}, "[3 4]"},
			{models.UpdateFilter{BotID: b1, State: models.UpdateFailed}, "[2]"},
			{models.UpdateFilter{BotID: b1, State: models.UpdatePending}, "[3 4 1]"},
			{models.UpdateFilter{BotID: b1, State: models.UpdateDone}, "[]"},
			{models.UpdateFilter{BotID: b2}, "[9]"},
			{models.UpdateFilter{BotID: models.NewID()}, "[]"},
		} {
			got, err := s.InboundUpdates(ctx, w, c.f)
			ok(t, err, "list")
			if got == nil || updateIDs(got) != c.want {
				t.Fatalf("list %+v: %s, want %s", c.f, updateIDs(got), c.want)
			}
		}
	})

	t.Run("purge done updates before the cutoff", func(t *testing.T) {
		w, botID := ws(), models.NewID()
		old := start.Add(-48 * time.Hour) // before every other part's updates
		for _, c := range []struct {
			key   string
			at    time.Time
			state models.UpdateState
		}{
			{"1", old, models.UpdateDone}, {"2", old, models.UpdatePending}, {"3", old, models.UpdateFailed},
			{"4", old.Add(24 * time.Hour), models.UpdateDone}, // at the cutoff: kept
		} {
			_, err := s.SaveUpdate(ctx, inbound(w, botID, c.key, c.at))
			ok(t, err, "save")
			if c.state != models.UpdatePending {
				_, err = s.SetUpdateOutcome(ctx, w, models.UpdateID(botID, c.key), models.UpdateOutcome{State: c.state, Attempts: 1, At: c.at})
				ok(t, err, "outcome")
			}
		}
		n, err := s.PurgeUpdates(ctx, old.Add(24*time.Hour))
		ok(t, err, "purge")
		if n != 1 {
			t.Fatalf("purged %d, want 1", n)
		}
		got, err := s.InboundUpdates(ctx, w, models.UpdateFilter{BotID: botID})
		ok(t, err, "list")
		if updateIDs(got) != "[4 3 2]" {
			t.Fatalf("after the purge: %s, want [4 3 2]", updateIDs(got))
		}
	})
}
