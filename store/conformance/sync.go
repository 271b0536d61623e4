package conformance

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// RunSync checks models.SyncStore: the change feed delta-sync reads
// (Changes within its bounds, by rising sequence, none skipped, typed
// records, tombstones, creations), the listings a first sync pages
// through, its cursors and pushes, the purge horizon, and that every
// read stays in its workspace.
func RunSync(t *testing.T, open Open) { runSync(t, newFixture(t, open)) }

// syncRecord is a synced record's stamp.
type syncRecord interface{ Stamps() models.Stamp }

// changeSeqs lists the sequences of changes.
func changeSeqs(changes []models.Change) []int64 {
	out := make([]int64, len(changes))
	for i, c := range changes {
		out[i] = c.Seq
	}
	return out
}

// recordIDs lists the ids of synced records (any of the models' types).
func recordIDs(recs []any) []string {
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		switch v := r.(type) {
		case *models.Note:
			out = append(out, v.ID)
		case *models.Bot:
			out = append(out, v.ID)
		case *models.Member:
			out = append(out, v.ID)
		case *models.Pipeline:
			out = append(out, v.ID)
		case *models.Deal:
			out = append(out, v.ID)
		case *models.Subscriber:
			out = append(out, v.ID)
		case *models.Message:
			out = append(out, v.ID)
		default:
			out = append(out, "?")
		}
	}
	return out
}

func runSync(t *testing.T, f *fixture) {
	s := f.s
	// changes reads ws's whole change log up to its mark.
	changes := func(t *testing.T, w string, after int64) []models.Change {
		t.Helper()
		safe, err := s.SafeSeq(ctx, w)
		ok(t, err, "safe sequence")
		list, err := s.Changes(ctx, w, after, safe, 10000)
		ok(t, err, "changes")
		return list
	}

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
		all := changes(t, w, 0)
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

		list := changes(t, w, 0)
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

	t.Run("records: live, filtered, paged by id, creation sequence", func(t *testing.T) {
		w := ws()
		var made []*models.Note
		for _, id := range []string{"n3", "n1", "n5", "n2", "n4"} {
			n := note(w, id, "sub1")
			ok(t, s.CreateNote(ctx, w, n), "create")
			made = append(made, n)
		}
		ok(t, s.CreateNote(ctx, w, note(w, "n0", "sub2")), "other subscriber")
		ok(t, s.CreateNote(ctx, w, note(w, "n9", "sub1")), "to delete")
		ok(t, s.DeleteNote(ctx, w, "n9"), "delete")
		other := ws()
		ok(t, s.CreateNote(ctx, other, note(other, "n6", "sub1")), "other workspace")

		recs, err := s.Records(ctx, w, models.TableNotes, "subscriber_id", []string{"sub1"})
		ok(t, err, "records")
		got := recordIDs(recs)
		sort.Strings(got)
		if sprint(got) != "[n1 n2 n3 n4 n5]" {
			t.Fatalf("records of sub1: %v, want the live notes n1 to n5", got)
		}
		for _, r := range recs {
			n := r.(*models.Note)
			for _, m := range made {
				if m.ID == n.ID && (n.CSeq != m.Seq || n.Seq != m.Seq || n.WS != w) {
					t.Fatalf("record %s stamp %+v, want created (CSeq) and last changed at %d", n.ID, n.Stamp, m.Seq)
				}
			}
		}
		recs, err = s.Records(ctx, w, models.TableNotes, "", nil)
		ok(t, err, "all records")
		if got := recordIDs(recs); len(got) != 6 {
			t.Fatalf("every live note: %v, want 6", got)
		}
		recs, err = s.Records(ctx, w, models.TableNotes, "_id", []string{"n2", "n9", "n6", "nx"})
		ok(t, err, "by id")
		if got := recordIDs(recs); sprint(got) != "[n2]" {
			t.Fatalf("records by id: %v, want [n2] (n9 deleted, n6 another workspace's)", got)
		}
		recs, err = s.Records(ctx, w, models.TableNotes, "subscriber_id", []string{})
		if err != nil || len(recs) != 0 {
			t.Fatalf("records of no subscriber: %v, %v; want none", recordIDs(recs), err)
		}

		var paged []string
		for after := ""; ; {
			page, err := s.RecordsAfter(ctx, w, models.TableNotes, "subscriber_id", []string{"sub1"}, after, 2)
			ok(t, err, "page")
			if len(page) == 0 {
				break
			}
			if len(page) > 2 {
				t.Fatalf("page after %q: %v, more than the limit 2", after, recordIDs(page))
			}
			ids := recordIDs(page)
			paged = append(paged, ids...)
			after = ids[len(ids)-1]
		}
		if sprint(paged) != "[n1 n2 n3 n4 n5]" {
			t.Fatalf("paged records %v, want n1 to n5 by rising id", paged)
		}
		page, err := s.RecordsAfter(ctx, w, models.TableNotes, "_id", []string{"n1", "n2", "n4", "n9"}, "n1", 10)
		ok(t, err, "page by id")
		if got := recordIDs(page); sprint(got) != "[n2 n4]" {
			t.Fatalf("page of ids after n1: %v, want [n2 n4]", got)
		}
		page, err = s.RecordsAfter(ctx, w, models.TableNotes, "", nil, "n4", 10)
		ok(t, err, "page of all")
		if got := recordIDs(page); sprint(got) != "[n5]" {
			t.Fatalf("page of all after n4: %v, want [n5]", got)
		}
		for _, limit := range []int{0, -1} {
			page, err := s.RecordsAfter(ctx, w, models.TableNotes, "", nil, "", limit)
			if err != nil || len(page) != 0 {
				t.Fatalf("page with limit %d: %v, %v; want none", limit, recordIDs(page), err)
			}
		}

		idList, err := s.RecordIDs(ctx, w, models.TableNotes, "subscriber_id", []string{"sub1"})
		ok(t, err, "record ids")
		sort.Strings(idList)
		if sprint(idList) != "[n1 n2 n3 n4 n5 n9]" {
			t.Fatalf("record ids of sub1: %v, want n1 to n5 and the tombstone n9", idList)
		}
		for id, want := range map[string]string{"n9": w, "n1": w, "n6": other} {
			owner, err := s.RecordOwner(ctx, models.TableNotes, id)
			if err != nil || owner != want {
				t.Fatalf("owner of %s: %q, %v; want %s", id, owner, err, want)
			}
		}
		_, err = s.RecordOwner(ctx, models.TableNotes, "nx")
		wantCode(t, err, models.CodeNotFound, "owner of an unknown record")
		_, err = s.RecordOwner(ctx, models.TableBots, "n1")
		wantCode(t, err, models.CodeNotFound, "owner in another table")
	})

	t.Run("recent messages: per chat, newest first, bounded", func(t *testing.T) {
		w := ws()
		t0 := f.clock.tick()
		for i, id := range []string{"a1", "a2", "a3"} {
			m := message(id, "ca", "text")
			m.CreatedAt = t0.Add(time.Duration(i) * time.Second)
			ok(t, s.CreateMessage(ctx, w, m), "create")
		}
		ok(t, s.CreateMessage(ctx, w, message("b1", "cb", "text")), "create")
		ok(t, s.CreateMessage(ctx, w, message("c1", "cc", "text")), "create")
		ok(t, s.CreateMessage(ctx, w, message("a4", "ca", "gone")), "create")
		ok(t, s.DeleteMessage(ctx, w, "a4"), "delete")
		other := ws()
		ok(t, s.CreateMessage(ctx, other, message("x1", "ca", "text")), "other workspace")
		for _, c := range []struct {
			chats []string
			b     models.HistoryBound
			want  string
		}{
			{[]string{"cb", "ca"}, models.HistoryBound{}, "[a3 a2 a1 b1]"},
			{[]string{"cb", "ca"}, models.HistoryBound{PerChat: 2}, "[a3 a2 b1]"},
			{[]string{"ca"}, models.HistoryBound{PerChat: 1}, "[a3]"},
			{[]string{"ca"}, models.HistoryBound{Since: t0.Add(time.Second)}, "[a3 a2]"},
			{nil, models.HistoryBound{PerChat: 2}, "[a3 a2 b1 c1]"},
			{[]string{}, models.HistoryBound{}, "[]"},
		} {
			got, err := s.RecentMessages(ctx, w, c.chats, c.b)
			ok(t, err, "recent")
			if msgIDs(got) != c.want {
				t.Fatalf("recent messages of %v within %+v: %s, want %s", c.chats, c.b, msgIDs(got), c.want)
			}
		}
	})

	t.Run("cursors and pushes: save, load, purge", func(t *testing.T) {
		w := ws()
		at := f.clock.tick()
		c := &models.SyncCursor{ID: "cur-" + models.NewID(), WS: w, MemberID: "m1", Base: 7, Table: 2, After: "n5"}
		ok(t, s.SaveSyncCursor(ctx, c), "save")
		if !c.CreatedAt.Equal(at) {
			t.Fatalf("cursor created at %v, want now %v", c.CreatedAt, at)
		}
		got, err := s.SyncCursor(ctx, c.ID)
		ok(t, err, "load")
		if *got != *c {
			t.Fatalf("loaded %+v, want %+v", got, c)
		}
		wantCode(t, s.SaveSyncCursor(ctx, &models.SyncCursor{ID: c.ID, WS: w}), models.CodeConflict, "cursor id in use")
		got, err = s.SyncCursor(ctx, "cur-unknown")
		notFound(t, got, err, "unknown cursor")

		ok(t, s.SavePushed(ctx, w, "m1", 5, []string{"notes a", "messages b"}), "push at 5")
		ok(t, s.SavePushed(ctx, w, "m1", 7, []string{"notes c"}), "push at 7")
		ok(t, s.SavePushed(ctx, w, "m1", 8, nil), "push of nothing")
		ok(t, s.SavePushed(ctx, w, "m2", 5, []string{"notes d"}), "another member's")
		other := ws()
		ok(t, s.SavePushed(ctx, other, "m1", 5, []string{"notes e"}), "another workspace's")
		for _, c := range []struct {
			ws, member string
			upTo       int64
			want       []string
		}{{w, "m1", 4, nil}, {w, "m1", 5, []string{"messages b", "notes a"}}, {w, "m1", 7, []string{"messages b", "notes a", "notes c"}},
			{w, "m2", 7, []string{"notes d"}}, {w, "m3", 7, nil}, {other, "m1", 7, []string{"notes e"}}} {
			got, err := s.Pushed(ctx, c.ws, c.member, c.upTo)
			ok(t, err, "pushed")
			var keys []string
			for k, v := range got {
				if v {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			if got == nil || sprint(keys) != sprint(c.want) {
				t.Fatalf("pushed by %s up to %d: %v, want %v", c.member, c.upTo, got, c.want)
			}
		}

		// Purged when created before the cutoff, kept when created at it.
		ok(t, s.PurgeSyncCursors(ctx, at), "purge at the creation time")
		_, err = s.SyncCursor(ctx, c.ID)
		ok(t, err, "a cursor created at the cutoff stays")
		if p, err := s.Pushed(ctx, w, "m1", 7); err != nil || len(p) != 3 {
			t.Fatalf("pushes created at the cutoff: %v, %v; want kept", p, err)
		}
		ok(t, s.PurgeSyncCursors(ctx, f.clock.tick()), "purge")
		got, err = s.SyncCursor(ctx, c.ID)
		notFound(t, got, err, "purged cursor")
		if p, err := s.Pushed(ctx, w, "m1", 7); err != nil || len(p) != 0 {
			t.Fatalf("pushes after the purge: %v, %v; want none", p, err)
		}
	})

	t.Run("purge: tombstones and log before the cutoff, horizon", func(t *testing.T) {
		w := ws()
		t1 := f.clock.tick()
		keep := note(w, "keep", "sub1")
		ok(t, s.CreateNote(ctx, w, keep), "create kept")
		ok(t, s.CreateNote(ctx, w, note(w, "gone", "sub1")), "create gone")
		f.clock.tick()
		ok(t, s.DeleteNote(ctx, w, "gone"), "delete gone")
		delSeq, err := s.SafeSeq(ctx, w)
		ok(t, err, "safe")
		t3 := f.clock.tick()
		ok(t, s.CreateNote(ctx, w, note(w, "late", "sub1")), "create late")
		ok(t, s.DeleteNote(ctx, w, "late"), "delete late")
		safe, err := s.SafeSeq(ctx, w)
		ok(t, err, "safe")

		h, err := s.PurgeTombstones(ctx, w, t1)
		if err != nil || h != 0 {
			t.Fatalf("purge before any change: horizon %d, %v; want 0", h, err)
		}
		h, err = s.PurgeTombstones(ctx, w, t3)
		if err != nil || h != delSeq {
			t.Fatalf("purge before %v: horizon %d, %v; want %d, the last change before it", t3, h, err, delSeq)
		}
		if got, err := s.Horizon(ctx, w); err != nil || got != delSeq {
			t.Fatalf("horizon %d, %v; want %d", got, err, delSeq)
		}
		if got, err := s.SafeSeq(ctx, w); err != nil || got != safe {
			t.Fatalf("safe sequence after the purge %d, %v; want %d unchanged", got, err, safe)
		}
		list := changes(t, w, 0)
		for _, c := range list {
			if c.Seq <= delSeq {
				t.Fatalf("change %d at or below the horizon %d was kept", c.Seq, delSeq)
			}
		}
		if len(list) != 2 || list[1].Record == nil || !list[1].Record.(syncRecord).Stamps().Deleted {
			t.Fatalf("changes after the purge: %+v; want the creation and the delete of late", list)
		}
		ids, err := s.RecordIDs(ctx, w, models.TableNotes, "subscriber_id", []string{"sub1"})
		ok(t, err, "record ids")
		sort.Strings(ids)
		if sprint(ids) != "[keep late]" {
			t.Fatalf("records after the purge: %v, want the live keep and the recent tombstone late", ids)
		}
		_, err = s.RecordOwner(ctx, models.TableNotes, "gone")
		wantCode(t, err, models.CodeNotFound, "owner of a purged tombstone")
		if got, err := s.Note(ctx, w, "keep"); err != nil || got.Seq != keep.Seq {
			t.Fatalf("a live record older than the cutoff: %+v, %v; want kept", got, err)
		}
		again, err := s.PurgeTombstones(ctx, w, t3)
		if err != nil || again != delSeq {
			t.Fatalf("purge again: horizon %d, %v; want %d unchanged", again, err, delSeq)
		}
		if h, err := s.PurgeTombstones(ctx, ws(), f.clock.tick()); err != nil || h != 0 {
			t.Fatalf("purge of a workspace without changes: %d, %v; want 0", h, err)
		}
		h, err = s.PurgeTombstones(ctx, w, f.clock.tick())
		if err != nil || h != safe {
			t.Fatalf("purge of everything: horizon %d, %v; want %d", h, err, safe)
		}
		ids, err = s.RecordIDs(ctx, w, models.TableNotes, "subscriber_id", []string{"sub1"})
		if err != nil || sprint(ids) != "[keep]" {
			t.Fatalf("records after purging everything: %v, %v; want [keep]", ids, err)
		}
		if list := changes(t, w, 0); len(list) != 0 {
			t.Fatalf("changes after purging everything: %+v", list)
		}
	})

	t.Run("workspace ids", func(t *testing.T) {
		a, b := ws(), ws()
		for _, id := range []string{a, b} {
			ok(t, s.CreateWorkspace(ctx, &models.Workspace{ID: id, Name: "Acme"}), "create workspace")
		}
		list, err := s.WorkspaceIDs(ctx)
		ok(t, err, "list")
		found := 0
		for _, id := range list {
			if id == a || id == b {
				found++
			}
		}
		if found != 2 {
			t.Fatalf("workspace ids %v lack %s or %s", list, a, b)
		}
	})
}

// typeName is the dynamic type of v.
func typeName(v any) string { return fmt.Sprintf("%T", v) }
