package conformance

import (
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

func bot(ws, id, name string) *models.Bot {
	return &models.Bot{ID: id, Channel: models.ChannelTelegram, Name: name, Credentials: map[string]string{"token": "secret"},
		CredentialsHint: map[string]string{"token": "…cret"}, Queue: []string{"m1", "m2"}, Greeting: "Hi", Stamp: models.Stamp{WS: ws}}
}

func botID(b *models.Bot) string { return b.ID }

// RunBots checks models.BotStore.
func RunBots(t *testing.T, open Open) { runBots(t, newFixture(t, open)) }

func runBots(t *testing.T, f *fixture) {
	s := f.s

	t.Run("create, read, list, update, delete", func(t *testing.T) {
		w := ws()
		b := bot(w, models.NewID(), "Support")
		b.Stamp.Seq, b.Stamp.Deleted = 99, true
		at := f.clock.tick()
		ok(t, s.CreateBot(ctx, b), "create")
		stamped(t, b.Stamp, w, at, false, "create")
		if !b.CreatedAt.Equal(at) {
			t.Fatalf("created at %v, want %v", b.CreatedAt, at)
		}
		f.inserted(t, w, models.TableBots, b.ID, b.Seq)
		got, err := s.Bot(ctx, w, b.ID)
		ok(t, err, "read")
		if got.ID != b.ID || got.Channel != models.ChannelTelegram || got.Name != "Support" || sprint(got.Credentials) != sprint(b.Credentials) ||
			sprint(got.CredentialsHint) != sprint(b.CredentialsHint) || sprint(got.Queue) != "[m1 m2]" || got.Greeting != "Hi" ||
			got.QueueNext != 0 || got.QueueMoves != 0 || !got.CreatedAt.Equal(at) || got.Stamp != b.Stamp {
			t.Fatalf("read %+v, want %+v", got, b)
		}
		wantCode(t, s.CreateBot(ctx, bot(w, b.ID, "Dup")), models.CodeConflict, "duplicate id")
		f.highest(t, w, b.Seq)
		got, err = s.Bot(ctx, ws(), b.ID)
		notFound(t, got, err, "other workspace")
		got, err = s.Bot(ctx, w, models.NewID())
		notFound(t, got, err, "unknown")

		for _, x := range []*models.Bot{bot(w, "b-b", "Alpha"), bot(w, "b-a", "Alpha"), bot(w, "b-gone", "Beta")} {
			ok(t, s.CreateBot(ctx, x), "create")
		}
		ok(t, s.DeleteBot(ctx, w, "b-gone"), "delete")
		other := ws()
		ok(t, s.CreateBot(ctx, bot(other, "b-x", "A")), "other workspace")
		list, err := s.Bots(ctx, w)
		ok(t, err, "list")
		if got, want := ids(list, botID), sprint([]string{"b-a", "b-b", b.ID}); got != want {
			t.Fatalf("listed %s, want %s (live ones, by name, then id)", got, want)
		}
		none, err := s.Bots(ctx, ws())
		ok(t, err, "list none")
		if none == nil || len(none) != 0 {
			t.Fatalf("no bots listed as %#v", none)
		}

		at = f.clock.tick()
		up, err := s.UpdateBot(ctx, w, b.ID, models.BotUpdate{Name: ptr("Sales"), Greeting: ptr("Hello"), StageID: ptr("st1")})
		ok(t, err, "update")
		rises(t, b.Seq, up.Seq, "update")
		stamped(t, up.Stamp, w, at, false, "update")
		if up.Name != "Sales" || up.Greeting != "Hello" || up.StageID != "st1" || sprint(up.Queue) != "[m1 m2]" ||
			sprint(up.Credentials) != sprint(b.Credentials) || !up.CreatedAt.Equal(b.CreatedAt) {
			t.Fatalf("updated %+v", up)
		}
		f.logged(t, w, models.TableBots, b.ID, up.Seq, false)
		cred := map[string]string{"token": "new"}
		up2, err := s.UpdateBot(ctx, w, b.ID, models.BotUpdate{Credentials: cred, CredentialsHint: map[string]string{"token": "…new"}})
		ok(t, err, "new credentials")
		rises(t, up.Seq, up2.Seq, "new credentials")
		if sprint(up2.Credentials) != "map[token:new]" || sprint(up2.CredentialsHint) != "map[token:…new]" || up2.Name != "Sales" {
			t.Fatalf("after new credentials %+v", up2)
		}
		nf, err := s.UpdateBot(ctx, other, b.ID, models.BotUpdate{Name: ptr("x")})
		notFound(t, nf, err, "update from another workspace")

		wantCode(t, s.DeleteBot(ctx, other, b.ID), models.CodeNotFound, "delete from another workspace")
		ok(t, s.DeleteBot(ctx, w, b.ID), "delete")
		f.deletion(t, w, models.TableBots, b.ID, up2.Seq)
		got, err = s.Bot(ctx, w, b.ID)
		notFound(t, got, err, "deleted")
		wantCode(t, s.DeleteBot(ctx, w, b.ID), models.CodeNotFound, "delete again")
		nf, err = s.UpdateBot(ctx, w, b.ID, models.BotUpdate{Name: ptr("x")})
		notFound(t, nf, err, "update a deleted bot")
		nf, err = s.UpdateBot(ctx, w, b.ID, models.BotUpdate{QueueNext: ptr(1)})
		notFound(t, nf, err, "move a deleted bot's queue")
	})

	// The round-robin position alone is the server's, never synced: it is
	// written without a sequence or change-log entry, counting the move;
	// with QueueMoved only from that count. A new queue is a change of the
	// bot and counts a move too, so an opening under way moves it no more.
	t.Run("queue moves", func(t *testing.T) {
		w := ws()
		b := bot(w, models.NewID(), "Support")
		ok(t, s.CreateBot(ctx, b), "create")
		f.clock.tick()
		moved, err := s.UpdateBot(ctx, w, b.ID, models.BotUpdate{QueueNext: ptr(1)})
		ok(t, err, "move")
		if moved.QueueNext != 1 || moved.QueueMoves != 1 || moved.Stamp != b.Stamp {
			t.Fatalf("moved %+v, want position 1, one move, the stamp of the create %+v", moved, b.Stamp)
		}
		f.highest(t, w, b.Seq)
		got, err := s.Bot(ctx, w, b.ID)
		ok(t, err, "read")
		if got.QueueNext != 1 || got.QueueMoves != 1 || got.Stamp != b.Stamp {
			t.Fatalf("read after the move %+v", got)
		}
		nf, err := s.UpdateBot(ctx, w, b.ID, models.BotUpdate{QueueNext: ptr(0), QueueMoved: ptr(int64(0))})
		notFound(t, nf, err, "move from a count already passed")
		moved, err = s.UpdateBot(ctx, w, b.ID, models.BotUpdate{QueueNext: ptr(0), QueueMoved: ptr(int64(1))})
		ok(t, err, "move from the current count")
		if moved.QueueNext != 0 || moved.QueueMoves != 2 {
			t.Fatalf("moved %+v, want position 0, two moves", moved)
		}
		nf, err = s.UpdateBot(ctx, w, b.ID, models.BotUpdate{QueueNext: ptr(1), QueueMoved: ptr(int64(1))})
		notFound(t, nf, err, "the same opening moving it again")
		nf, err = s.UpdateBot(ctx, ws(), b.ID, models.BotUpdate{QueueNext: ptr(1)})
		notFound(t, nf, err, "move from another workspace")
		f.highest(t, w, b.Seq)

		at := f.clock.tick()
		up, err := s.UpdateBot(ctx, w, b.ID, models.BotUpdate{Queue: &[]string{"m3"}, QueueNext: ptr(0)})
		ok(t, err, "new queue")
		rises(t, b.Seq, up.Seq, "new queue")
		stamped(t, up.Stamp, w, at, false, "new queue")
		if sprint(up.Queue) != "[m3]" || up.QueueNext != 0 || up.QueueMoves != 3 {
			t.Fatalf("after a new queue %+v, want [m3] at 0, three moves", up)
		}
		f.logged(t, w, models.TableBots, b.ID, up.Seq, false)
		nf, err = s.UpdateBot(ctx, w, b.ID, models.BotUpdate{QueueNext: ptr(0), QueueMoved: ptr(int64(2))})
		notFound(t, nf, err, "an opening begun before the new queue")
	})
}
