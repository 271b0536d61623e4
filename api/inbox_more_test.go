package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

func TestCountsGroupsAndBadge(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG", "queue": ids(tm.emp1, tm.emp2)})
	c1 := e.event(tm.key, b.ID, openChat("o1", "s1")).ConversationID // emp1
	c2 := e.event(tm.key, b.ID, openChat("o2", "s2")).ConversationID // emp2
	c3 := e.event(tm.key, b.ID, openChat("o3", "s3")).ConversationID // emp1
	wantStatus(t, e.call("PUT", "/v1/conversations/"+c3+"/assignee", tm.emp1.AccessToken, map[string]any{"member_id": nil}), http.StatusOK)
	e.event(tm.key, b.ID, say("m1", "s1", "unread one"))
	e.event(tm.key, b.ID, say("m2", "s2", "unread two"))
	e.event(tm.key, b.ID, say("idle", "s4", "idle chat"))
	wantStatus(t, e.call("POST", "/v1/conversations/"+c2+"/close", tm.emp2.AccessToken, nil), http.StatusOK)

	counts := func(tk tokens) map[string]int {
		r := e.call("GET", "/v1/conversations/counts", tk.AccessToken, nil)
		wantStatus(t, r, http.StatusOK)
		var m map[string]int
		r.JSON(t, &m)
		return m
	}
	got := counts(tm.emp1)
	want := map[string]int{"open": 2, "closed": 1, "all": 4, "mine": 1, "unassigned": 1, "others": 0, "badge": 3}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("emp1 %s = %d, want %d (%v)", k, got[k], v, got)
		}
	}
	if got := counts(tm.emp2); got["mine"] != 0 || got["others"] != 1 {
		t.Errorf("emp2 groups %v", got)
	}
	// The follower follows nothing yet: every count is zero.
	for k, v := range counts(tm.follower) {
		if v != 0 {
			t.Errorf("follower %s = %d", k, v)
		}
	}
	wantStatus(t, e.call("PUT", "/v1/conversations/"+c1+"/followers/"+tm.follower.Member.ID, tm.emp1.AccessToken, nil), http.StatusOK)
	if got := counts(tm.follower); got["open"] != 1 || got["badge"] != 1 || got["all"] != 1 {
		t.Errorf("follower counts %v", got)
	}
	wantStatus(t, e.call("POST", "/v1/conversations/"+c1+"/read", tm.follower.AccessToken, nil), http.StatusOK)
	if got := counts(tm.emp1); got["badge"] != 2 {
		t.Errorf("badge after read %d", got["badge"])
	}
	list := func(tk tokens, query string) []string {
		r := e.call("GET", "/v1/conversations"+query, tk.AccessToken, nil)
		wantStatus(t, r, http.StatusOK)
		var l struct{ Items []convView }
		r.JSON(t, &l)
		var out []string
		for _, c := range l.Items {
			out = append(out, c.ID)
		}
		return out
	}
	if got := list(tm.emp1, "?group=mine"); len(got) != 1 || got[0] != c1 {
		t.Errorf("mine %v", got)
	}
	if got := list(tm.emp1, "?group=unassigned"); len(got) != 1 || got[0] != c3 {
		t.Errorf("unassigned %v", got)
	}
	if got := list(tm.follower, "?tab=all"); len(got) != 1 || got[0] != c1 {
		t.Errorf("follower sees %v", got)
	}
	if got := list(tm.emp1, "?tab=all&q=sub%20s2"); len(got) != 1 || got[0] != c2 {
		t.Errorf("search %v", got)
	}
	// Newest activity first, paged by cursor.
	e.inboxClock.Advance(time.Second)
	e.event(tm.key, b.ID, say("m3", "s3", "latest"))
	r := e.call("GET", "/v1/conversations?tab=all&limit=2", tm.emp1.AccessToken, nil)
	var page struct {
		Items      []convView
		NextCursor string `json:"next_cursor"`
	}
	r.JSON(t, &page)
	if len(page.Items) != 2 || page.Items[0].ID != c3 || page.NextCursor == "" {
		t.Fatalf("first page %+v", page)
	}
	seen := map[string]bool{page.Items[0].ID: true, page.Items[1].ID: true}
	r = e.call("GET", "/v1/conversations?tab=all&limit=2&cursor="+page.NextCursor, tm.emp1.AccessToken, nil)
	wantStatus(t, r, http.StatusOK)
	page.Items = nil
	r.JSON(t, &page)
	for _, c := range page.Items {
		if seen[c.ID] {
			t.Fatalf("chat %s on two pages", c.ID)
		}
		seen[c.ID] = true
	}
	if len(seen) != 4 || page.NextCursor != "" {
		t.Fatalf("pages covered %d chats, next %q", len(seen), page.NextCursor)
	}
	for _, q := range []string{"?tab=new", "?group=all", "?channel=icq", "?cursor=nope", "?cursor=a%7Cb", "?bot_id=a%20b"} {
		wantStatus(t, e.call("GET", "/v1/conversations"+q, tm.emp1.AccessToken, nil), http.StatusBadRequest)
	}
}

func TestAssignmentRules(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	c := e.event(tm.key, b.ID, openChat("o1", "s1")).ConversationID
	assign := func(tk tokens, member any) resp {
		return e.call("PUT", "/v1/conversations/"+c+"/assignee", tk.AccessToken, map[string]any{"member_id": member})
	}
	r := assign(tm.admin, tm.follower.Member.ID)
	wantStatus(t, r, http.StatusBadRequest)
	if p := r.Problem(t); p.Errors[0].Field != "member_id" {
		t.Fatalf("field %q", p.Errors[0].Field)
	}
	wantStatus(t, assign(tm.admin, "no-such-member"), http.StatusBadRequest)
	wantStatus(t, assign(tm.follower, tm.emp1.Member.ID), http.StatusForbidden)
	wantStatus(t, assign(tm.emp2, tm.emp1.Member.ID), http.StatusOK)
	wantStatus(t, assign(tm.emp1, nil), http.StatusOK)
	msgs := e.history(tm.admin.AccessToken, c, "")
	if got := strings.Join(events(msgs), ","); got != "opened,assigned,unassigned" {
		t.Fatalf("timeline %s", got)
	}
	if msgs[0].Event != "unassigned" || msgs[0].AuthorID != tm.emp1.Member.ID || msgs[0].Target != tm.emp1.Member.ID {
		t.Fatalf("unassign event %+v", msgs[0])
	}
}

func TestFollowerIsReadOnly(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	followed := e.event(tm.key, b.ID, openChat("o1", "s1"))
	other := e.event(tm.key, b.ID, openChat("o2", "s2"))
	wantStatus(t, e.call("PUT", "/v1/conversations/"+followed.ConversationID+"/followers/"+tm.follower.Member.ID, tm.admin.AccessToken, nil), http.StatusOK)
	note := e.call("POST", "/v1/subscribers/"+followed.SubscriberID+"/notes", tm.emp1.AccessToken, map[string]string{"text": "VIP"})
	wantStatus(t, note, http.StatusCreated)
	var n models.Note
	note.JSON(t, &n)
	before := e.conv(tm.admin.AccessToken, followed.ConversationID)

	fol := tm.follower.AccessToken
	wantStatus(t, e.call("GET", "/v1/conversations/"+followed.ConversationID, fol, nil), http.StatusOK)
	wantStatus(t, e.call("GET", "/v1/conversations/"+followed.ConversationID+"/messages", fol, nil), http.StatusOK)
	wantStatus(t, e.call("GET", "/v1/subscribers/"+followed.SubscriberID+"/notes", fol, nil), http.StatusOK)
	wantStatus(t, e.call("GET", "/v1/subscribers/"+followed.SubscriberID, fol, nil), http.StatusOK)
	// Chats the follower does not follow do not exist for them.
	wantStatus(t, e.call("GET", "/v1/conversations/"+other.ConversationID, fol, nil), http.StatusNotFound)
	wantStatus(t, e.call("GET", "/v1/conversations/"+other.ConversationID+"/messages", fol, nil), http.StatusNotFound)
	wantStatus(t, e.call("GET", "/v1/subscribers/"+other.SubscriberID, fol, nil), http.StatusNotFound)

	cp := "/v1/conversations/" + followed.ConversationID
	sp := "/v1/subscribers/" + followed.SubscriberID
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/v1/conversations", map[string]string{"subscriber_id": followed.SubscriberID}},
		{"POST", cp + "/close", nil},
		{"POST", cp + "/reopen", nil},
		{"PUT", cp + "/assignee", map[string]any{"member_id": tm.emp1.Member.ID}},
		{"PUT", cp + "/followers/" + tm.emp1.Member.ID, nil},
		{"DELETE", cp + "/followers/" + tm.follower.Member.ID, nil},
		{"PUT", cp + "/tags", map[string]any{"tags": []string{"x"}}},
		{"POST", cp + "/messages", map[string]string{"text": "hi"}},
		{"PATCH", sp, map[string]string{"first_name": "X"}},
		{"DELETE", sp, nil},
		{"POST", sp + "/automation", map[string]string{"action": "resume"}},
		{"PUT", sp + "/disabled", nil},
		{"DELETE", sp + "/disabled", nil},
		{"POST", sp + "/notes", map[string]string{"text": "mine"}},
		{"PATCH", "/v1/notes/" + n.ID, map[string]string{"text": "changed"}},
		{"DELETE", "/v1/notes/" + n.ID, nil},
		{"POST", "/v1/bots", map[string]string{"channel": "viber", "name": "x"}},
		{"POST", "/v1/bots/" + b.ID + "/events", say("x", "s9", "hi")},
	} {
		r := e.call(c.method, c.path, fol, c.body)
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("follower %s %s: %d, want 403", c.method, c.path, r.StatusCode)
		}
	}
	after := e.conv(tm.admin.AccessToken, followed.ConversationID)
	if after.Seq != before.Seq {
		t.Fatalf("refused writes changed the chat: seq %d -> %d", before.Seq, after.Seq)
	}
	r := e.call("GET", "/v1/subscribers/"+followed.SubscriberID+"/notes", tm.admin.AccessToken, nil)
	var notes struct{ Items []models.Note }
	r.JSON(t, &notes)
	if len(notes.Items) != 1 || notes.Items[0].Text != "VIP" {
		t.Fatalf("notes %+v", notes.Items)
	}
	// Muting is the follower's own setting, so it is allowed.
	r = e.call("PUT", cp+"/mute", fol, nil)
	wantStatus(t, r, http.StatusOK)
	var muted convView
	r.JSON(t, &muted)
	if !muted.Muted {
		t.Fatal("mute not shown to the follower")
	}
	if e.conv(tm.admin.AccessToken, followed.ConversationID).Muted {
		t.Fatal("one member's mute shows for another")
	}
}

func TestNotes(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	sub := e.event(tm.key, b.ID, say("m1", "s1", "hi")).SubscriberID
	path := "/v1/subscribers/" + sub + "/notes"
	wantStatus(t, e.call("POST", path, tm.emp1.AccessToken, map[string]string{"text": ""}), http.StatusBadRequest)
	r := e.call("POST", path, tm.emp1.AccessToken, map[string]string{"text": strings.Repeat("é", 2001)})
	wantStatus(t, r, http.StatusBadRequest)
	if p := r.Problem(t); p.Errors[0].Field != "text" {
		t.Fatalf("field %q", p.Errors[0].Field)
	}
	r = e.call("POST", path, tm.emp1.AccessToken, map[string]string{"text": strings.Repeat("🙂", 2000)})
	wantStatus(t, r, http.StatusCreated)
	var n models.Note
	r.JSON(t, &n)
	if n.AuthorID != tm.emp1.Member.ID || n.CreatedAt.IsZero() {
		t.Fatalf("note %+v", n)
	}
	wantStatus(t, e.call("PATCH", "/v1/notes/"+n.ID, tm.emp2.AccessToken, map[string]string{"text": "not mine"}), http.StatusForbidden)
	r = e.call("PATCH", "/v1/notes/"+n.ID, tm.emp1.AccessToken, map[string]string{"text": "edited"})
	wantStatus(t, r, http.StatusOK)
	r.JSON(t, &n)
	if n.Text != "edited" || n.EditedAt == nil {
		t.Fatalf("edited %+v", n)
	}
	wantStatus(t, e.call("DELETE", "/v1/notes/"+n.ID, tm.emp2.AccessToken, nil), http.StatusForbidden)
	wantStatus(t, e.call("DELETE", "/v1/notes/"+n.ID, tm.admin.AccessToken, nil), http.StatusNoContent)
	wantStatus(t, e.call("DELETE", "/v1/notes/"+n.ID, tm.admin.AccessToken, nil), http.StatusNotFound)
	// Notes are never part of the chat the subscriber sees.
	for _, m := range e.history(tm.admin.AccessToken, e.event(tm.key, b.ID, say("m2", "s1", "again")).ConversationID, "") {
		if strings.Contains(m.Text, "edited") {
			t.Fatal("a note reached the chat history")
		}
	}
}

func TestHistoryStatusesAndReactions(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "whatsapp", "name": "WA"})
	var last eventResult
	for i := 0; i < 5; i++ {
		e.inboxClock.Advance(time.Second)
		last = e.event(tm.key, b.ID, say("m"+string(rune('0'+i)), "s1", "message number "+string(rune('0'+i))))
	}
	c := last.ConversationID
	all := e.history(tm.admin.AccessToken, c, "")
	if len(all) != 5 || all[0].Text != "message number 4" {
		t.Fatalf("history %v", all)
	}
	page := e.history(tm.admin.AccessToken, c, "?limit=2&before="+all[1].ID)
	if len(page) != 2 || page[0].ID != all[2].ID || page[1].ID != all[3].ID {
		t.Fatalf("before page %v", page)
	}
	page = e.history(tm.admin.AccessToken, c, "?limit=2&after="+all[3].ID)
	if len(page) != 2 || page[0].ID != all[1].ID || page[1].ID != all[2].ID {
		t.Fatalf("after page %v", page)
	}
	if found := e.history(tm.admin.AccessToken, c, "?q=NUMBER%203"); len(found) != 1 || found[0].ID != all[1].ID {
		t.Fatalf("search %v", found)
	}
	wantStatus(t, e.call("GET", "/v1/conversations/"+c+"/messages?before=x&after=y", tm.admin.AccessToken, nil), http.StatusBadRequest)

	// Agent message: statuses only move forward; reactions replace.
	r := e.call("POST", "/v1/conversations/"+c+"/messages", tm.emp1.AccessToken, map[string]string{"text": "hello", "reply_to": all[0].ID})
	wantStatus(t, r, http.StatusCreated)
	var sent models.Message
	r.JSON(t, &sent)
	status := func(id, st string) {
		e.event(tm.key, b.ID, map[string]any{"id": id, "type": "status", "subscriber": map[string]any{"id": "s1"},
			"status": map[string]any{"message_id": sent.ID, "status": st}})
	}
	status("st1", "delivered")
	status("st2", "read")
	status("st3", "delivered")
	e.event(tm.key, b.ID, map[string]any{"id": "re1", "type": "reaction", "subscriber": map[string]any{"id": "s1"},
		"reaction": map[string]any{"message_id": sent.ID, "emoji": "👍"}})
	got := e.history(tm.admin.AccessToken, c, "?limit=1")[0]
	if got.Status != models.DeliveryRead || len(got.Reactions) != 1 || got.Reactions[0] != "👍" || got.ReplyTo != all[0].ID {
		t.Fatalf("after statuses and reaction: %+v", got)
	}
	r = e.call("POST", "/v1/bots/"+b.ID+"/events", tm.key, map[string]any{"id": "st9", "type": "status", "subscriber": map[string]any{"id": "s1"},
		"status": map[string]any{"external_id": "unknown", "status": "read"}})
	wantStatus(t, r, http.StatusNotFound)
}

func TestSubscriberControls(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "instagram", "name": "IG", "greeting": "Hi"})
	res := e.event(tm.key, b.ID, map[string]any{"id": "e1", "type": "message", "subscriber": map[string]any{"id": "ig-1",
		"name": "Ana", "username": "ana.ig", "instagram": map[string]bool{"follows_business": true, "business_follows": false},
		"variables": map[string]string{"city": "Madrid"}}, "message": map[string]any{"kind": "story_mention", "text": "@shop",
		"referral": map[string]string{"campaign": "Spring"}}})
	sp := "/v1/subscribers/" + res.SubscriberID
	r := e.call("GET", sp, tm.emp1.AccessToken, nil)
	var s models.Subscriber
	r.JSON(t, &s)
	if s.Username != "ana.ig" || s.Instagram == nil || !s.Instagram.FollowsBusiness || s.Variables["city"] != "Madrid" || s.Referral == nil || s.Referral.Campaign != "Spring" {
		t.Fatalf("subscriber %+v", s)
	}
	r = e.call("PATCH", sp, tm.emp1.AccessToken, map[string]any{"first_name": "Ana", "last_name": "Gil", "phone": "+34600000000",
		"variables": map[string]string{"size": "M"}, "tags": []string{"vip"}})
	wantStatus(t, r, http.StatusOK)
	r.JSON(t, &s)
	if s.LastName != "Gil" || s.Variables["city"] != "Madrid" || s.Variables["size"] != "M" || len(s.Tags) != 1 {
		t.Fatalf("edited %+v", s)
	}
	wantStatus(t, e.call("PATCH", sp, tm.emp1.AccessToken, map[string]any{"variables": map[string]string{"a.b": "x"}}), http.StatusBadRequest)

	now := e.inboxClock.Now()
	r = e.call("POST", sp+"/automation", tm.emp1.AccessToken, map[string]string{"action": "extend"})
	wantStatus(t, r, http.StatusOK)
	r.JSON(t, &s)
	if s.AutomationPausedUntil == nil || !s.AutomationPausedUntil.Equal(now.Add(time.Hour).Truncate(time.Millisecond)) {
		t.Fatalf("+60 min from no pause: %v", s.AutomationPausedUntil)
	}
	r = e.call("POST", sp+"/automation", tm.emp1.AccessToken, map[string]string{"action": "extend"})
	r.JSON(t, &s)
	if !s.AutomationPausedUntil.Equal(now.Add(2 * time.Hour).Truncate(time.Millisecond)) {
		t.Fatalf("+60 min twice: %v", s.AutomationPausedUntil)
	}
	r = e.call("POST", sp+"/automation", tm.emp1.AccessToken, map[string]string{"action": "resume"})
	s = models.Subscriber{}
	r.JSON(t, &s)
	if s.AutomationPausedUntil != nil {
		t.Fatalf("resume left %v", s.AutomationPausedUntil)
	}
	wantStatus(t, e.call("POST", sp+"/automation", tm.emp1.AccessToken, map[string]string{"action": "stop"}), http.StatusBadRequest)

	r = e.call("PUT", sp+"/disabled", tm.emp1.AccessToken, nil)
	r.JSON(t, &s)
	if !s.Disabled {
		t.Fatal("not disabled")
	}
	// A deleted subscriber who writes again comes back as new (greeted, enabled, untagged).
	wantStatus(t, e.call("DELETE", sp, tm.emp1.AccessToken, nil), http.StatusNoContent)
	wantStatus(t, e.call("GET", sp, tm.emp1.AccessToken, nil), http.StatusNotFound)
	back := e.event(tm.key, b.ID, say("e2", "ig-1", "hello again"))
	if back.SubscriberID != res.SubscriberID || len(back.Replies) != 1 {
		t.Fatalf("returning subscriber %+v", back)
	}
	s = models.Subscriber{}
	e.call("GET", sp, tm.emp1.AccessToken, nil).JSON(t, &s)
	if s.Disabled || len(s.Tags) != 0 || s.LastName != "" {
		t.Fatalf("returning subscriber kept the old team data: %+v", s)
	}
	r = e.call("GET", "/v1/subscribers?q=SUB%20IG", tm.emp1.AccessToken, nil)
	var list struct{ Items []models.Subscriber }
	r.JSON(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("search %+v", list.Items)
	}
	// The chat list follows the subscriber's new name.
	if c := e.conv(tm.emp1.AccessToken, back.ConversationID); c.SubscriberName != "Sub ig-1" {
		t.Fatalf("chat name %q", c.SubscriberName)
	}
}

// TestFollowerListShowsEachChatsPause: the list's per-chat fields come
// from the chats on the page, not from whichever followed chats come first.
func TestFollowerListShowsEachChatsPause(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	for _, s := range []string{"s1", "s2", "s3"} {
		c := e.event(tm.key, b.ID, openChat("o-"+s, s)).ConversationID
		wantStatus(t, e.call("PUT", "/v1/conversations/"+c+"/followers/"+tm.follower.Member.ID, tm.emp1.AccessToken, nil), http.StatusOK)
		wantStatus(t, e.call("POST", "/v1/conversations/"+c+"/messages", tm.emp1.AccessToken, map[string]string{"text": "hi"}), http.StatusCreated)
		e.inboxClock.Advance(time.Second)
	}
	cursor, seen := "", 0
	for i := 0; i < 3; i++ {
		r := e.call("GET", "/v1/conversations?tab=all&limit=1&cursor="+cursor, tm.follower.AccessToken, nil)
		wantStatus(t, r, http.StatusOK)
		var page struct {
			Items      []convView
			NextCursor string `json:"next_cursor"`
		}
		r.JSON(t, &page)
		for _, c := range page.Items {
			seen++
			if c.AutomationPausedUntil == nil {
				t.Fatalf("chat %s lost its pause in the follower's list", c.ID)
			}
		}
		cursor = page.NextCursor
	}
	if seen != 3 {
		t.Fatalf("follower saw %d chats, want 3", seen)
	}
}
