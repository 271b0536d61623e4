package conformance

import (
	"sort"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// runSyncRecords checks the listings a first sync pages through:
// Records, RecordsAfter, RecordIDs, RecordOwner and RecentMessages.
func runSyncRecords(t *testing.T, f *fixture) {
	s := f.s
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
}
