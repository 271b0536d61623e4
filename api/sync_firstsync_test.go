package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	syncsvc "github.com/switchboardhq/switchboard/sync"
)

// sameReplicas fails unless a and b hold the same records of every table.
func sameReplicas(t *testing.T, what string, a, b *replica) {
	t.Helper()
	for _, r := range []*replica{a, b} {
		if len(r.problems) > 0 {
			t.Fatalf("%s: the device would log server bugs: %v", what, r.problems)
		}
	}
	for _, tab := range models.SyncTables {
		wantIDs(t, what+": "+tab, a.ids(tab), b.ids(tab))
		for id, rec := range a.tables[tab] {
			if fmt.Sprint(rec) != fmt.Sprint(b.tables[tab][id]) {
				t.Fatalf("%s: %s %s differs:\n%v\n%v", what, tab, id, rec, b.tables[tab][id])
			}
		}
	}
}

func TestSyncFirstSyncIsPagedByLimit(t *testing.T) {
	t.Parallel() // independent and long: overlaps the rest of the package
	e := newEnv(t)
	tm, b := e.shop()
	var chats []eventResult
	for i := 0; i < 4; i++ {
		s := fmt.Sprintf("s%d", i)
		chats = append(chats, e.event(tm.key, b.ID, openChat("ev-o"+s, s)))
		e.event(tm.key, b.ID, say("ev-m"+s, s, "hello"))
	}
	wantStatus(t, e.call("PUT", "/v1/conversations/"+chats[1].ConversationID+"/followers/"+tm.follower.Member.ID, tm.admin.AccessToken, nil), http.StatusOK)
	for _, tk := range []tokens{tm.emp1, tm.follower} {
		whole := newReplica()
		whole.apply(e.pull(tk.AccessToken, 0, url.Values{"limit": {"5000"}}))
		paged := newReplica()
		pages := 0
		for {
			a := e.pull(tk.AccessToken, paged.last, url.Values{"limit": {"3"}})
			n := 0
			for _, c := range a.Changes {
				n += len(c.Created) + len(c.Updated) + len(c.Deleted)
			}
			if a.HasMore && !isContinuation(a.Timestamp) {
				t.Fatalf("a first-sync page continues at %d, not a continuation", a.Timestamp)
			}
			paged.apply(a)
			pages++
			if !a.HasMore {
				if a.Timestamp != whole.last {
					t.Fatalf("last page's timestamp %d, want the start's mark %d", a.Timestamp, whole.last)
				}
				break
			}
		}
		if pages < 3 {
			t.Fatalf("%s: %d pages of 3 records, want several", tk.Member.Role, pages)
		}
		sameReplicas(t, string(tk.Member.Role)+" paged", paged, whole)
	}
}

func TestSyncChangesDuringAPagedFirstSyncArriveAfterIt(t *testing.T) {
	e := newEnv(t)
	tm, b := e.shop()
	c := e.event(tm.key, b.ID, openChat("ev-1", "s1"))
	var note models.Note
	e.call("POST", "/v1/subscribers/"+c.SubscriberID+"/notes", tm.emp1.AccessToken, map[string]string{"text": "n1"}).JSON(t, &note)
	dev := newReplica()
	a := e.pull(tm.emp1.AccessToken, 0, url.Values{"limit": {"1"}})
	dev.apply(a)
	if !a.HasMore {
		t.Fatal("one record per page: the first page should not be the last")
	}
	// While the device pages: a record it may already hold is deleted, one
	// is changed and one is created.
	wantStatus(t, e.call("DELETE", "/v1/notes/"+note.ID, tm.emp1.AccessToken, nil), http.StatusNoContent)
	wantStatus(t, e.call("PATCH", "/v1/bots/"+b.ID, tm.admin.AccessToken, map[string]any{"greeting": "Hola"}), http.StatusOK)
	e.event(tm.key, b.ID, say("ev-2", "s2", "new chat"))
	// A push between pages dates from the start of the first sync.
	r := e.push(tm.emp1.AccessToken, dev.last, map[string]any{"conversations": map[string]any{"updated": []any{map[string]any{"id": c.ConversationID, "tags": []string{"x"}}}}})
	wantStatus(t, r, http.StatusOK)
	dev.sync(e, tm.emp1.AccessToken, url.Values{"limit": {"1"}})
	fresh := newReplica()
	fresh.apply(e.pull(tm.emp1.AccessToken, 0, nil))
	sameReplicas(t, "after paging and catching up", dev, fresh)
}

func TestSyncExpiredFirstSyncContinuationReplaces(t *testing.T) {
	e := newEnv(t)
	tm, b := e.shop()
	e.event(tm.key, b.ID, openChat("ev-1", "s1"))
	a := e.pull(tm.emp1.AccessToken, 0, url.Values{"limit": {"1"}})
	if !a.HasMore {
		t.Fatal("expected a continuation")
	}
	later := func() time.Time { return time.Now().Add(syncsvc.CursorLifetime + time.Minute) }
	syncsvc.NewRunner(e.db, testSync, later, nil).Purge(context.Background())
	next := e.pull(tm.emp1.AccessToken, a.Timestamp, url.Values{"limit": {"1"}})
	if next.Strategy != "replacement" || next.HasMore {
		t.Fatalf("expired continuation: strategy %q has_more %v", next.Strategy, next.HasMore)
	}
	// Another member cannot continue someone's first sync either.
	a = e.pull(tm.emp1.AccessToken, 0, url.Values{"limit": {"1"}})
	if other := e.pull(tm.emp2.AccessToken, a.Timestamp, nil); other.Strategy != "replacement" {
		t.Fatalf("a foreign continuation: strategy %q", other.Strategy)
	}
	// A push with an expired continuation is a conflict: pull first.
	syncsvc.NewRunner(e.db, testSync, later, nil).Purge(context.Background())
	wantStatus(t, e.push(tm.emp1.AccessToken, a.Timestamp, map[string]any{"notes": map[string]any{"deleted": []string{}}}), http.StatusConflict)
}
