package conformance

import (
	"fmt"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// runSyncChanges checks Changes: its bounds, order and limit with none
// skipped, the typed records it carries (creations, tombstones, secrets
// left out), and each record as its write left it.
func runSyncChanges(t *testing.T, f *fixture) {
	s := f.s
	t.Run("changes: bounds, order, limit, none skipped", func(t *testing.T) {
		w := ws()
		for _, seq := range []func() (int64, error){
			func() (int64, error) { return s.SafeSeq(ctx, w) }, func() (int64, error) { return s.ReservedSeq(ctx, w) },
			func() (int64, error) { return s.Horizon(ctx, w) }} {
			got, err := seq()
			if err != nil || got != 0 {
				t.Fatalf("a workspace without changes: sequence %d, %v; want 0", got, err)
			}
		}
		var seqs []int64 // every write's sequence, in order
		for i := 0; i < 5; i++ {
			n := note(w, models.NewID(), "sub1")
			ok(t, s.CreateNote(ctx, w, n), "create")
			seqs = append(seqs, n.Seq)
			got, err := s.UpdateNoteText(ctx, w, n.ID, "edited", f.clock.tick())
			ok(t, err, "edit")
			seqs = append(seqs, got.Seq)
		}
		safe, err := s.SafeSeq(ctx, w)
		ok(t, err, "safe")
		reserved, err := s.ReservedSeq(ctx, w)
		ok(t, err, "reserved")
		last := seqs[len(seqs)-1]
		if safe != last || reserved < safe {
			t.Fatalf("safe %d, reserved %d after the last write %d; want safe = %d <= reserved", safe, reserved, last, last)
		}
		all := allChanges(t, s, w, 0)
		if sprint(changeSeqs(all)) != sprint(seqs) {
			t.Fatalf("changes %v, want every write's sequence %v", changeSeqs(all), seqs)
		}
		// Bounds: after < seq <= upTo, at most limit, the lowest first.
		got, err := s.Changes(ctx, w, seqs[2], seqs[6], 100)
		ok(t, err, "range")
		if sprint(changeSeqs(got)) != sprint(seqs[3:7]) {
			t.Fatalf("changes in (%d, %d]: %v, want %v", seqs[2], seqs[6], changeSeqs(got), seqs[3:7])
		}
		got, err = s.Changes(ctx, w, seqs[2], seqs[6], 3)
		ok(t, err, "limited")
		if sprint(changeSeqs(got)) != sprint(seqs[3:6]) {
			t.Fatalf("changes in (%d, %d] limit 3: %v, want %v", seqs[2], seqs[6], changeSeqs(got), seqs[3:6])
		}
		for _, c := range []struct {
			after, upTo int64
			limit       int
		}{{0, safe, 0}, {0, safe, -1}, {safe, safe, 10}, {safe, safe + 5, 10}, {seqs[4], seqs[3], 10}} {
			got, err := s.Changes(ctx, w, c.after, c.upTo, c.limit)
			if err != nil || got == nil || len(got) != 0 {
				t.Fatalf("changes in (%d, %d] limit %d: %v, %v; want an empty list", c.after, c.upTo, c.limit, got, err)
			}
		}
		// Paging one at a time from each page's last sequence skips nothing.
		var paged []int64
		for after := int64(0); ; {
			page, err := s.Changes(ctx, w, after, safe, 1)
			ok(t, err, "page")
			if len(page) == 0 {
				break
			}
			paged = append(paged, page[0].Seq)
			after = page[0].Seq
		}
		if sprint(paged) != sprint(seqs) {
			t.Fatalf("paged changes %v, want %v", paged, seqs)
		}
		other, err := s.Changes(ctx, ws(), 0, safe, 100)
		if err != nil || len(other) != 0 {
			t.Fatalf("another workspace's changes: %v, %v; want none", other, err)
		}
	})

	t.Run("changes: typed records, creations, tombstones, secrets left out", func(t *testing.T) {
		w := ws()
		m := member(w, email())
		m.PasswordHash = "secret-hash"
		ok(t, s.CreateMember(ctx, m), "member")
		b := bot(w, models.NewID(), "Support")
		ok(t, s.CreateBot(ctx, b), "bot")
		p := pipeline(w, models.NewID(), "Sales")
		ok(t, s.CreatePipeline(ctx, p), "pipeline")
		sub, created, err := s.EnsureSubscriber(ctx, subscriber(w, b.ID, "42", "Bob"))
		if err != nil || !created {
			t.Fatalf("subscriber: %v, created %v", err, created)
		}
		msg := message(models.NewID(), "c1", "hello")
		ok(t, s.CreateMessage(ctx, w, msg), "message")
		n := note(w, models.NewID(), sub.ID)
		ok(t, s.CreateNote(ctx, w, n), "note")
		d := deal(w, models.NewID(), p.ID)
		ok(t, s.CreateDeal(ctx, d), "deal")
		f.clock.tick()
		edited, err := s.UpdateNoteText(ctx, w, n.ID, "edited", f.clock.Now())
		ok(t, err, "edit")
		ok(t, s.DeleteBot(ctx, w, b.ID), "delete bot")

		list := allChanges(t, s, w, 0)
		type want struct {
			table, id string
			created   bool
			rec       any
		}
		wants := []want{{models.TableMembers, m.ID, true, &models.Member{}}, {models.TableBots, b.ID, true, &models.Bot{}},
			{models.TablePipelines, p.ID, true, &models.Pipeline{}}, {models.TableSubscribers, sub.ID, true, &models.Subscriber{}},
			{models.TableMessages, msg.ID, true, &models.Message{}}, {models.TableNotes, n.ID, true, &models.Note{}},
			{models.TableDeals, d.ID, true, &models.Deal{}}, {models.TableNotes, n.ID, false, &models.Note{}},
			{models.TableBots, b.ID, false, &models.Bot{}}}
		if len(list) != len(wants) {
			t.Fatalf("%d changes, want %d: %+v", len(list), len(wants), list)
		}
		for i, c := range list {
			wt := wants[i]
			if c.Table != wt.table || c.ID != wt.id || c.Created != wt.created || c.Record == nil ||
				typeName(c.Record) != typeName(wt.rec) || recordIDs([]any{c.Record})[0] != wt.id {
				t.Fatalf("change %d: %s/%s created %v record %T, want %s/%s created %v record %T",
					c.Seq, c.Table, c.ID, c.Created, c.Record, wt.table, wt.id, wt.created, wt.rec)
			}
			if st := c.Record.(syncRecord).Stamps(); st.WS != w || st.Seq < c.Seq {
				t.Fatalf("change %d: record stamp %+v, want workspace %s and a sequence of at least %d", c.Seq, st, w, c.Seq)
			}
		}
		// A record's last change carries the record as it is now.
		if got := list[7].Record.(*models.Note); got.Text != "edited" || got.Seq != edited.Seq || got.Tombstone() {
			t.Fatalf("the edit's record %+v, want the edited note at sequence %d", got, edited.Seq)
		}
		if got := list[8].Record.(*models.Bot); !got.Tombstone() || got.Name != "Support" {
			t.Fatalf("the delete's record %+v, want the bot's tombstone", got)
		}
		// Secrets stay on the server.
		for _, c := range list {
			switch r := c.Record.(type) {
			case *models.Member:
				if r.PasswordHash != "" || r.InviteHash != "" {
					t.Fatalf("change %d carries a member's secrets: %+v", c.Seq, r)
				}
			case *models.Bot:
				if len(r.Credentials) != 0 {
					t.Fatalf("change %d carries a bot's credentials: %+v", c.Seq, r)
				}
			}
		}
	})

	t.Run("changes: each carries its record as that write left it", func(t *testing.T) {
		// A record changed at two sequences: a read stopping between them
		// carries the first state only, one past both carries each state
		// at its own change. A later state in an earlier change would give
		// a pull that stops there a state it must not hold yet (a role's
		// scope, a chat's followers), with a sequence it has not reached.
		w := ws()
		want := map[int64]string{} // each write's record, as the write returned it
		state := func(rec any) string {
			switch r := rec.(type) {
			case *models.Member:
				return fmt.Sprintf("member %s seq %d role %s scope %d", r.ID, r.Seq, r.Role, r.ScopeSeq)
			case *models.Conversation:
				return fmt.Sprintf("chat %s seq %d followers %v follow seqs %v", r.ID, r.Seq, r.Followers, r.FollowSeq)
			case *models.Note:
				return fmt.Sprintf("note %s seq %d text %q", r.ID, r.Seq, r.Text)
			}
			return fmt.Sprintf("%T", rec)
		}
		m := member(w, email())
		ok(t, s.CreateMember(ctx, m), "member")
		want[m.Seq] = state(m)
		c, _, err := s.EnsureConversation(ctx, chat(w, "1", "Ann"))
		ok(t, err, "chat")
		want[c.Seq] = state(c)
		n := note(w, models.NewID(), "sub1")
		ok(t, s.CreateNote(ctx, w, n), "note")
		want[n.Seq] = state(n)
		for i, role := range []models.Role{models.RoleAdmin, models.RoleFollower} {
			got, err := s.UpdateMember(ctx, w, m.ID, models.MemberUpdate{Role: ptr(role)})
			ok(t, err, "role change")
			if got.ScopeSeq != got.Seq {
				t.Fatalf("role change %d: scope sequence %d, want the change's %d", i, got.ScopeSeq, got.Seq)
			}
			want[got.Seq] = state(got)
			for _, upd := range []models.ConversationUpdate{{AddFollower: m.ID}, {RemoveFollower: m.ID}} {
				got, err := s.UpdateConversation(ctx, w, c.ID, upd)
				ok(t, err, "follower change")
				want[got.Seq] = state(got)
			}
			got2, err := s.UpdateNoteText(ctx, w, n.ID, fmt.Sprintf("edit %d", i), f.clock.tick())
			ok(t, err, "edit")
			want[got2.Seq] = state(got2)
		}
		if len(want) != 11 {
			t.Fatalf("%d distinct sequences for 11 writes", len(want))
		}
		safe, err := s.SafeSeq(ctx, w)
		ok(t, err, "safe")
		for upTo := int64(1); upTo <= safe; upTo++ {
			list, err := s.Changes(ctx, w, 0, upTo, 100)
			ok(t, err, "changes")
			if int64(len(list)) != upTo-m.Seq+1 {
				t.Fatalf("changes up to %d: %d entries, want %d", upTo, len(list), upTo-m.Seq+1)
			}
			for _, ch := range list {
				if got := state(ch.Record); got != want[ch.Seq] {
					t.Fatalf("change %d read up to %d carries %s;\nwant the state its write left: %s", ch.Seq, upTo, got, want[ch.Seq])
				}
			}
		}
	})
}

// changeSeqs lists the sequences of changes.
func changeSeqs(changes []models.Change) []int64 {
	out := make([]int64, len(changes))
	for i, c := range changes {
		out[i] = c.Seq
	}
	return out
}

// typeName is the dynamic type of v.
func typeName(v any) string { return fmt.Sprintf("%T", v) }
