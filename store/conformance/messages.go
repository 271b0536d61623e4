package conformance

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

func message(id, conv, text string) *models.Message {
	return &models.Message{ID: id, ConversationID: conv, SubscriberID: "sub-" + conv, BotID: "bot1",
		Sender: models.SenderSubscriber, Kind: models.KindText, Text: text}
}

// msgIDs lists the ids of msgs in order.
func msgIDs(msgs []*models.Message) string {
	return ids(msgs, func(m *models.Message) string { return m.ID })
}

// RunMessages checks models.MessageStore.
func RunMessages(t *testing.T, open Open) { runMessages(t, newFixture(t, open)) }

func runMessages(t *testing.T, f *fixture) {
	s := f.s

	// page checks that the history filter lists want (ids, newest first).
	page := func(t *testing.T, w string, flt models.MessageFilter, want string) {
		t.Helper()
		got, err := s.Messages(ctx, w, flt)
		ok(t, err, "history")
		if got == nil || msgIDs(got) != want {
			t.Fatalf("history %+v: %s (nil %v), want %s", flt, msgIDs(got), got == nil, want)
		}
	}

	t.Run("create stamps and reads back", func(t *testing.T) {
		w := ws()
		m := message(models.NewID(), "c1", "Hello")
		m.AuthorID, m.Opening, m.RequestHash, m.Status = "m1", true, "h1", models.DeliveryQueued
		m.File = &models.Attachment{Name: "a.pdf", MimeType: "application/pdf", Size: 10}
		m.Referral = &models.Referral{Campaign: "spring"}
		m.Stamp = models.Stamp{Seq: 99, Deleted: true}
		at := f.clock.tick()
		ok(t, s.CreateMessage(ctx, w, m), "create")
		stamped(t, m.Stamp, w, at, false, "create")
		if !m.CreatedAt.Equal(at) || m.Reactions == nil || m.Pos == "" || m.TextKey != "hello" {
			t.Fatalf("created %+v: want created at %v, reactions [], a position, text key hello", m, at)
		}
		f.inserted(t, w, models.TableMessages, m.ID, m.Seq)
		got, err := s.Message(ctx, w, m.ID)
		ok(t, err, "read")
		if got.ConversationID != "c1" || got.SubscriberID != "sub-c1" || got.BotID != "bot1" || got.Sender != m.Sender ||
			got.Kind != m.Kind || got.Text != "Hello" || got.TextKey != "hello" || got.AuthorID != "m1" || !got.Opening ||
			got.RequestHash != "h1" || got.Status != models.DeliveryQueued || got.File == nil || *got.File != *m.File ||
			got.Referral == nil || got.Referral.Campaign != "spring" || got.Reactions == nil || len(got.Reactions) != 0 ||
			!got.CreatedAt.Equal(at) || got.Pos != m.Pos || got.Stamp.Seq != m.Seq || got.Stamp.WS != w || got.Deleted ||
			!got.UpdatedAt.Equal(at) {
			t.Fatalf("read %+v, want %+v", got, m)
		}
		// A given creation time is kept, at millisecond precision.
		old := message(models.NewID(), "c1", "")
		old.CreatedAt = start.Add(-time.Hour + 1500*time.Microsecond)
		ok(t, s.CreateMessage(ctx, w, old), "create with a time")
		got, err = s.Message(ctx, w, old.ID)
		ok(t, err, "read")
		if want := start.Add(-time.Hour + time.Millisecond); !got.CreatedAt.Equal(want) || !old.CreatedAt.Equal(want) {
			t.Fatalf("created at %v (returned %v), want %v", got.CreatedAt, old.CreatedAt, want)
		}
		wantCode(t, s.CreateMessage(ctx, w, message(m.ID, "c2", "again")), models.CodeConflict, "duplicate id")
		other := ws()
		wantCode(t, s.CreateMessage(ctx, other, message(m.ID, "c2", "again")), models.CodeConflict, "duplicate id in another workspace")
		f.highest(t, w, old.Seq)
		none, err := s.Message(ctx, other, m.ID)
		notFound(t, none, err, "other workspace")
		none, err = s.Message(ctx, w, models.NewID())
		notFound(t, none, err, "unknown message")
	})

	t.Run("history newest first, equal times in insertion order, paged", func(t *testing.T) {
		w := ws()
		t0 := f.clock.tick()
		early := message("m-early", "c1", "first")
		early.CreatedAt = t0.Add(-time.Minute)
		// Inserted after the others of the chat, it still sorts by its time.
		var seqs []int64
		for _, id := range []string{"m-b", "m-a", "m-c"} { // one time: insertion order, not id order
			m := message(id, "c1", "same time")
			m.CreatedAt = t0
			ok(t, s.CreateMessage(ctx, w, m), "create")
			seqs = append(seqs, m.Seq)
		}
		rises(t, seqs[0], seqs[1], "second insert")
		rises(t, seqs[1], seqs[2], "third insert")
		ok(t, s.CreateMessage(ctx, w, early), "create early")
		late := message("m-late", "c1", "last")
		late.CreatedAt = t0.Add(time.Millisecond)
		ok(t, s.CreateMessage(ctx, w, late), "create late")
		ok(t, s.CreateMessage(ctx, w, message("m-gone", "c1", "deleted")), "create")
		ok(t, s.DeleteMessage(ctx, w, "m-gone"), "delete")
		ok(t, s.CreateMessage(ctx, w, message("m-other", "c2", "other chat")), "other chat")
		other := ws()
		ok(t, s.CreateMessage(ctx, other, message("m-x", "c1", "other workspace")), "other workspace")

		all := "[m-late m-c m-a m-b m-early]"
		page(t, w, models.MessageFilter{ConversationID: "c1", Limit: 50}, all)
		page(t, w, models.MessageFilter{ConversationID: "c1"}, all) // no limit
		page(t, w, models.MessageFilter{ConversationID: "c1", Limit: 5}, all)
		page(t, w, models.MessageFilter{ConversationID: "c1", Limit: 4}, "[m-late m-c m-a m-b]")
		page(t, w, models.MessageFilter{ConversationID: "c1", Limit: 1}, "[m-late]")
		page(t, w, models.MessageFilter{ConversationID: "c1", Before: "m-c", Limit: 2}, "[m-a m-b]")
		page(t, w, models.MessageFilter{ConversationID: "c1", Before: "m-b", Limit: 2}, "[m-early]")
		page(t, w, models.MessageFilter{ConversationID: "c1", Before: "m-early", Limit: 2}, "[]")
		// After: the oldest after the anchor, still newest first.
		page(t, w, models.MessageFilter{ConversationID: "c1", After: "m-early", Limit: 2}, "[m-a m-b]")
		page(t, w, models.MessageFilter{ConversationID: "c1", After: "m-b", Limit: 3}, "[m-late m-c m-a]")
		page(t, w, models.MessageFilter{ConversationID: "c1", After: "m-late", Limit: 2}, "[]")
		// Before wins over After.
		page(t, w, models.MessageFilter{ConversationID: "c1", Before: "m-a", After: "m-b", Limit: 5}, "[m-b m-early]")
		page(t, w, models.MessageFilter{ConversationID: "c2", Limit: 5}, "[m-other]")
		page(t, w, models.MessageFilter{ConversationID: "nochat", Limit: 5}, "[]")
		page(t, other, models.MessageFilter{ConversationID: "c1", Limit: 5}, "[m-x]")

		for _, flt := range []models.MessageFilter{
			{ConversationID: "c1", Before: "unknown", Limit: 5},
			{ConversationID: "c1", After: "unknown", Limit: 5},
			{ConversationID: "c1", Before: "m-gone", Limit: 5},  // a tombstone
			{ConversationID: "c1", Before: "m-other", Limit: 5}, // another chat's
			{ConversationID: "c1", After: "m-x", Limit: 5},      // another workspace's
		} {
			got, err := s.Messages(ctx, w, flt)
			if !models.IsNotFound(err) || got != nil {
				t.Fatalf("history %+v: %v, %v; want the typed not-found", flt, msgIDs(got), err)
			}
		}
	})

	t.Run("search in one chat", func(t *testing.T) {
		w := ws()
		texts := []struct{ id, text string }{
			{"s1", "Hello World"}, {"s2", "say hello again"}, {"s3", "Goodbye"},
			{"s4", `100% "sure" a_b`}, {"s5", "ÄRGER im Büro"}, {"s6", ""},
		}
		for _, x := range texts {
			f.clock.tick()
			ok(t, s.CreateMessage(ctx, w, message(x.id, "c1", x.text)), "create")
		}
		f.clock.tick()
		ok(t, s.CreateMessage(ctx, w, message("s-gone", "c1", "hello deleted")), "create")
		ok(t, s.DeleteMessage(ctx, w, "s-gone"), "delete")
		ok(t, s.CreateMessage(ctx, w, message("s-other", "c2", "hello other chat")), "other chat")
		other := ws()
		ok(t, s.CreateMessage(ctx, other, message("s-x", "c1", "hello other workspace")), "other workspace")

		for _, c := range []struct{ q, want string }{
			{"hello", "[s2 s1]"},
			{"HELLO", "[s2 s1]"},        // any case
			{"lo wo", "[s1]"},           // across words, a substring
			{"llo", "[s2 s1]"},          // three characters: the shortest trigram query
			{"lo", "[s2 s1]"},           // two: below the trigram index
			{"O", "[s5 s3 s2 s1]"},      // one, in any case
			{"ärger", "[s5]"},           // non-ASCII case
			{"bü", "[s5]"},              // non-ASCII, short
			{`% "sure"`, "[s4]"},        // quotes and % are plain characters
			{"a_b", "[s4]"},             // as is _
			{"_", "[s4]"},               // short
			{"100%x", "[]"},             // a miss
			{"hellos", "[]"},            // a longer word misses
			{"xy", "[]"},                // a short miss
			{"deleted", "[]"},           // tombstones are not found
			{"other", "[]"},             // nor other chats' or workspaces' messages
			{"hello world again", "[]"}, // the whole query, not its words
		} {
			page(t, w, models.MessageFilter{ConversationID: "c1", Query: c.q, Limit: 50}, c.want)
		}
		page(t, w, models.MessageFilter{ConversationID: "c1", Query: "hello", Limit: 1}, "[s2]")
		page(t, w, models.MessageFilter{ConversationID: "c1", Query: "o", Limit: 2}, "[s5 s3]")
		page(t, w, models.MessageFilter{ConversationID: "c1", Query: "hello", Before: "s2", Limit: 50}, "[s1]")
		page(t, w, models.MessageFilter{ConversationID: "c1", Query: "lo", Before: "s2", Limit: 50}, "[s1]")
		page(t, w, models.MessageFilter{ConversationID: "c1", Query: "hello", After: "s1", Limit: 50}, "[s2]")
		page(t, w, models.MessageFilter{ConversationID: "c1", Query: "o", After: "s1", Limit: 1}, "[s2]")
		page(t, other, models.MessageFilter{ConversationID: "c1", Query: "hello", Limit: 50}, "[s-x]")
	})

	t.Run("update stamps and logs", func(t *testing.T) {
		w := ws()
		m := message(models.NewID(), "c1", "out")
		m.Sender, m.Status = models.SenderAgent, models.DeliveryQueued
		ok(t, s.CreateMessage(ctx, w, m), "create")
		prev := m.Seq
		for _, step := range []struct {
			name string
			upd  models.MessageUpdate
			test func(*models.Message) bool
		}{
			{"status", models.MessageUpdate{Status: ptr(models.DeliverySent)},
				func(g *models.Message) bool { return g.Status == models.DeliverySent && g.ExternalID == "" }},
			{"external id", models.MessageUpdate{ExternalID: ptr("tg-42")},
				func(g *models.Message) bool { return g.ExternalID == "tg-42" && g.Status == models.DeliverySent }},
			{"reactions", models.MessageUpdate{Reactions: ptr([]string{"👍", "❤"})},
				func(g *models.Message) bool { return sprint(g.Reactions) == "[👍 ❤]" && g.ExternalID == "tg-42" }},
		} {
			at := f.clock.tick()
			got, err := s.UpdateMessage(ctx, w, m.ID, step.upd)
			ok(t, err, step.name)
			rises(t, prev, got.Seq, step.name)
			stamped(t, got.Stamp, w, at, false, step.name)
			if !step.test(got) || got.Text != "out" || !got.CreatedAt.Equal(m.CreatedAt) || got.Pos != m.Pos || got.CSeq != m.CSeq {
				t.Fatalf("%s: updated %+v", step.name, got)
			}
			f.logged(t, w, models.TableMessages, m.ID, got.Seq, false)
			f.highest(t, w, got.Seq)
			read, err := s.Message(ctx, w, m.ID)
			ok(t, err, "read")
			if !step.test(read) || read.Stamp != got.Stamp {
				t.Fatalf("%s: read %+v after the update %+v", step.name, read, got)
			}
			prev = got.Seq
		}
		// Reactions set to none read back as an empty list, never null.
		cleared, err := s.UpdateMessage(ctx, w, m.ID, models.MessageUpdate{Reactions: ptr([]string(nil))})
		ok(t, err, "clear reactions")
		read, err := s.Message(ctx, w, m.ID)
		ok(t, err, "read")
		if cleared.Reactions == nil || len(cleared.Reactions) != 0 || read.Reactions == nil || len(read.Reactions) != 0 {
			t.Fatalf("reactions cleared to %#v, read back %#v; want an empty list", cleared.Reactions, read.Reactions)
		}
		got, err := s.MessageByExternalID(ctx, w, "bot1", "tg-42")
		ok(t, err, "by external id")
		if got.ID != m.ID {
			t.Fatalf("by external id: %s, want %s", got.ID, m.ID)
		}
		got, err = s.MessageByExternalID(ctx, w, "bot2", "tg-42")
		notFound(t, got, err, "by external id of another bot")
		got, err = s.MessageByExternalID(ctx, ws(), "bot1", "tg-42")
		notFound(t, got, err, "by external id in another workspace")
		ok(t, s.CreateMessage(ctx, w, message(models.NewID(), "c1", "no external id")), "create")
		got, err = s.MessageByExternalID(ctx, w, "bot1", "")
		notFound(t, got, err, "by an empty external id")
		last, err := s.Messages(ctx, w, models.MessageFilter{ConversationID: "c1", Limit: 1})
		ok(t, err, "history")
		hw := last[0].Seq
		none, err := s.UpdateMessage(ctx, ws(), m.ID, models.MessageUpdate{Status: ptr(models.DeliveryRead)})
		notFound(t, none, err, "update from another workspace")
		none, err = s.UpdateMessage(ctx, w, models.NewID(), models.MessageUpdate{Status: ptr(models.DeliveryRead)})
		notFound(t, none, err, "update of an unknown message")
		f.highest(t, w, hw)
	})

	t.Run("delete leaves a logged tombstone", func(t *testing.T) {
		w := ws()
		m := message(models.NewID(), "c1", "to delete")
		m.ExternalID = "ext-1"
		ok(t, s.CreateMessage(ctx, w, m), "create")
		wantCode(t, s.DeleteMessage(ctx, ws(), m.ID), models.CodeNotFound, "delete from another workspace")
		f.highest(t, w, m.Seq)
		ok(t, s.DeleteMessage(ctx, w, m.ID), "delete")
		f.deletion(t, w, models.TableMessages, m.ID, m.Seq)
		got, err := s.Message(ctx, w, m.ID)
		notFound(t, got, err, "deleted message")
		got, err = s.MessageByExternalID(ctx, w, "bot1", "ext-1")
		notFound(t, got, err, "deleted message by external id")
		page(t, w, models.MessageFilter{ConversationID: "c1", Limit: 5}, "[]")
		page(t, w, models.MessageFilter{ConversationID: "c1", Query: "delete", Limit: 5}, "[]")
		wantCode(t, s.DeleteMessage(ctx, w, m.ID), models.CodeNotFound, "delete again")
		got, err = s.UpdateMessage(ctx, w, m.ID, models.MessageUpdate{Status: ptr(models.DeliveryRead)})
		notFound(t, got, err, "update a deleted message")
		wantCode(t, s.DeleteMessage(ctx, w, models.NewID()), models.CodeNotFound, "delete an unknown message")
		wantCode(t, s.CreateMessage(ctx, w, message(m.ID, "c1", "revived")), models.CodeConflict, "create over a tombstone")
		f.deletion(t, w, models.TableMessages, m.ID, m.Seq)
	})
}
