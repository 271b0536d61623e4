package conformance

import (
	"slices"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// runConversationPending checks the crash-recovery markers: begun once,
// kept whole, cleared without a sequence, found by the recovery pass.
func runConversationPending(t *testing.T, f *fixture) {
	s := f.s
	t.Run("pending operations", func(t *testing.T) {
		w := ws()
		c, _, err := s.EnsureConversation(ctx, chat(w, "1", "Ann"))
		ok(t, err, "ensure")
		at := f.clock.tick()
		msg := message("m-1", c.ID, "hello")
		msg.Opening, msg.RequestHash, msg.Pos = true, "h1", "p1"
		op := &models.PendingOp{ID: "op1", Kind: models.OpMessage, Actor: "m1", At: at.Add(123456), Event: "ev1", Reopen: true, Message: msg}
		up, err := s.UpdateConversation(ctx, w, c.ID, models.ConversationUpdate{AddPending: op, AddUnread: true})
		ok(t, err, "begin")
		rises(t, c.Seq, up.Seq, "begin")
		f.logged(t, w, models.TableConversations, c.ID, up.Seq, false)
		got := read(t, s, w, c.ID)
		p := got.Pending["op1"]
		if got.PendingN != 1 || len(got.Pending) != 1 || p == nil || p.Kind != models.OpMessage || p.Actor != "m1" || p.Event != "ev1" ||
			!p.Reopen || !p.At.Equal(at) || p.Message == nil || p.Message.ID != "m-1" || p.Message.Text != "hello" ||
			!p.Message.Opening || p.Message.RequestHash != "h1" || p.Message.Pos != "p1" || !got.Unread {
			t.Fatalf("after beginning: %+v, operation %+v; want it recorded whole, its time to the millisecond", got, p)
		}
		// Begun once: a second beginning is refused and changes nothing.
		again, err := s.UpdateConversation(ctx, w, c.ID, models.ConversationUpdate{AddPending: &models.PendingOp{ID: "op1", Kind: models.OpOpen},
			Status: ptr(models.StatusOpen)})
		notFound(t, again, err, "begin again")
		f.highest(t, w, up.Seq)
		if got := read(t, s, w, c.ID); got.Status != models.StatusIdle || got.Pending["op1"].Kind != models.OpMessage {
			t.Fatalf("after a refused beginning %+v", got)
		}
		two, err := s.UpdateConversation(ctx, w, c.ID, models.ConversationUpdate{AddPending: &models.PendingOp{ID: "op2", Kind: models.OpClose, At: at}})
		ok(t, err, "begin another")
		if two.PendingN != 2 {
			t.Fatalf("two operations, pending count %d", two.PendingN)
		}
		// Ending an operation alone takes no sequence and logs nothing.
		cleared, err := s.UpdateConversation(ctx, w, c.ID, models.ConversationUpdate{ClearPending: "op1"})
		ok(t, err, "end")
		f.highest(t, w, two.Seq)
		got = read(t, s, w, c.ID)
		if cleared.Seq != two.Seq || got.Seq != two.Seq || !got.UpdatedAt.Equal(two.UpdatedAt) || got.PendingN != 1 ||
			got.Pending["op1"] != nil || got.Pending["op2"] == nil || cleared.Pending["op1"] != nil {
			t.Fatalf("after ending op1: returned %+v, read %+v; want op2 left, the sequence %d kept", cleared, got, two.Seq)
		}
		ended, err := s.UpdateConversation(ctx, w, c.ID, models.ConversationUpdate{ClearPending: "op1"})
		notFound(t, ended, err, "end again")
		ended, err = s.UpdateConversation(ctx, w, c.ID, models.ConversationUpdate{ClearPending: "op1", Status: ptr(models.StatusOpen)})
		notFound(t, ended, err, "end again with a change")
		ended, err = s.UpdateConversation(ctx, ws(), c.ID, models.ConversationUpdate{ClearPending: "op2"})
		notFound(t, ended, err, "end from another workspace")
		f.highest(t, w, two.Seq)
		// Ending with a change is a change: it takes a sequence.
		last, err := s.UpdateConversation(ctx, w, c.ID, models.ConversationUpdate{ClearPending: "op2", Status: ptr(models.StatusClosed)})
		ok(t, err, "end with a change")
		rises(t, two.Seq, last.Seq, "end with a change")
		f.logged(t, w, models.TableConversations, c.ID, last.Seq, false)
		if last.PendingN != 0 || len(last.Pending) != 0 || last.Status != models.StatusClosed {
			t.Fatalf("after ending op2 %+v", last)
		}
	})

	t.Run("pending chats by id", func(t *testing.T) {
		w := ws()
		var want []string
		for _, ext := range []string{"1", "2", "3", "4"} {
			c, _, err := s.EnsureConversation(ctx, chat(w, ext, "A"))
			ok(t, err, "ensure")
			if ext == "4" {
				continue // nothing pending
			}
			_, err = s.UpdateConversation(ctx, w, c.ID, models.ConversationUpdate{AddPending: &models.PendingOp{ID: "op", Kind: models.OpWelcome}})
			ok(t, err, "begin")
			want = append(want, c.ID)
		}
		slices.Sort(want)
		// Walk every pending chat of the store, one at a time.
		var mine []string
		after := ""
		for range 1000 {
			page, err := s.PendingConversations(ctx, after, 1)
			ok(t, err, "pending page")
			if len(page) == 0 {
				break
			}
			if len(page) > 1 || page[0].ID <= after || page[0].PendingN == 0 {
				t.Fatalf("page after %q: %s", after, ids(page, convID))
			}
			if page[0].WS == w {
				mine = append(mine, page[0].ID)
			}
			after = page[0].ID
		}
		if sprint(mine) != sprint(want) {
			t.Fatalf("pending chats of the workspace %v, want %v", mine, want)
		}
		page, err := s.PendingConversations(ctx, want[0], 0)
		ok(t, err, "limit 0")
		if page == nil || len(page) != 0 {
			t.Fatalf("limit 0: %s", ids(page, convID))
		}
	})
}
