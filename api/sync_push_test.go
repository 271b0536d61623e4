package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// push posts changes with last_pulled_at.
func (e *env) push(token string, last int64, body any) resp {
	e.t.Helper()
	return e.call("POST", fmt.Sprintf("/v1/sync?last_pulled_at=%d", last), token, body)
}

func TestSyncPushAppliesOfflineWorkOnce(t *testing.T) {
	e := newEnv(t)
	tm, b := e.shop()
	c := e.event(tm.key, b.ID, say("ev-1", "s1", "hello"))
	dev := newReplica()
	dev.sync(e, tm.emp1.AccessToken, nil)
	msgID, noteID := models.NewID(), models.NewID()
	changes := map[string]any{"changes": map[string]any{
		"messages": map[string]any{"created": []map[string]any{{"id": msgID, "conversation_id": c.ConversationID,
			"text": strings.Repeat("é", 512), "sender": "agent", "status": "queued", "_status": "created"}}, "updated": []any{}, "deleted": []any{}},
		"notes": map[string]any{"created": []map[string]any{{"id": noteID, "subscriber_id": c.SubscriberID, "text": "called back"}}},
		"conversations": map[string]any{"updated": []map[string]any{{"id": c.ConversationID, "unread": false, "tags": `["vip"]`,
			"subscriber_name": "ignored: the server's column"}}},
		"subscribers": map[string]any{"updated": []map[string]any{{"id": c.SubscriberID, "tags": []string{"lead"}, "variables": `{"city":"Lima"}`}}},
	}}
	other := newReplica()
	other.sync(e, tm.emp2.AccessToken, nil)
	dev.created(models.TableMessages, msgID)
	dev.created(models.TableNotes, noteID)
	r := e.push(tm.emp1.AccessToken, dev.last, changes)
	wantStatus(t, r, http.StatusOK)
	var out struct{ Applied int }
	r.JSON(t, &out)
	if out.Applied != 5 {
		t.Fatalf("applied %d changes, want 5 (message, note, read, tags, subscriber)", out.Applied)
	}
	hist := e.history(tm.emp1.AccessToken, c.ConversationID, "")
	if hist[0].ID != msgID || hist[0].AuthorID != tm.emp1.Member.ID || hist[0].Sender != models.SenderAgent {
		t.Fatalf("newest message %+v, want the pushed one by the pusher", hist[0])
	}
	cv := e.conv(tm.emp1.AccessToken, c.ConversationID)
	if cv.Unread || len(cv.Tags) != 1 || cv.Tags[0] != "vip" || cv.SubscriberName != "Sub s1" {
		t.Fatalf("conversation after the push: %+v", cv.Conversation)
	}
	var sub models.Subscriber
	e.call("GET", "/v1/subscribers/"+c.SubscriberID, tm.emp1.AccessToken, nil).JSON(t, &sub)
	if sub.Variables["city"] != "Lima" || len(sub.Tags) != 1 || sub.Tags[0] != "lead" {
		t.Fatalf("subscriber after the push: %+v", sub)
	}
	// The answer was lost and the app pushes again: nothing happens twice.
	r = e.push(tm.emp1.AccessToken, dev.last, changes)
	if r.StatusCode != http.StatusOK && r.StatusCode != http.StatusConflict {
		t.Fatalf("repeated push: %d %s", r.StatusCode, r.Body)
	}
	if n := len(e.history(tm.emp1.AccessToken, c.ConversationID, "")); n != len(hist) {
		t.Fatalf("history grew from %d to %d on a repeated push", len(hist), n)
	}
	var notes struct{ Items []models.Note }
	e.call("GET", "/v1/subscribers/"+c.SubscriberID+"/notes", tm.emp1.AccessToken, nil).JSON(t, &notes)
	if len(notes.Items) != 1 || notes.Items[0].ID != noteID {
		t.Fatalf("notes after a repeated push: %+v", notes.Items)
	}
	// The device pulls its own work back, with the server's columns, as
	// updates of the records it holds; another member's device gets them
	// as created (both replicas fail on any other).
	dev.sync(e, tm.emp1.AccessToken, nil)
	other.sync(e, tm.emp2.AccessToken, nil)
	if m := dev.tables[models.TableMessages][msgID]; m == nil || m["author_id"] != tm.emp1.Member.ID {
		t.Fatalf("pulled message: %v", m)
	}
	// Edit and delete the note offline.
	r = e.push(tm.emp1.AccessToken, dev.last, map[string]any{"notes": map[string]any{"updated": []map[string]any{{"id": noteID, "text": "called twice"}}}})
	wantStatus(t, r, http.StatusOK)
	dev.sync(e, tm.emp1.AccessToken, nil)
	if dev.tables[models.TableNotes][noteID]["text"] != "called twice" {
		t.Fatalf("edited note: %v", dev.tables[models.TableNotes][noteID])
	}
	for i := 0; i < 2; i++ { // deleting twice is fine
		r = e.push(tm.emp1.AccessToken, dev.last, map[string]any{"notes": map[string]any{"deleted": []string{noteID}}})
		wantStatus(t, r, http.StatusOK)
	}
	dev.sync(e, tm.emp1.AccessToken, nil)
	if _, ok := dev.tables[models.TableNotes][noteID]; ok {
		t.Fatal("the deleted note is still on the device")
	}
}

func TestSyncPushConflictAppliesNothing(t *testing.T) {
	e := newEnv(t)
	tm, b := e.shop()
	c := e.event(tm.key, b.ID, say("ev-1", "s1", "hello"))
	var note models.Note
	e.call("POST", "/v1/subscribers/"+c.SubscriberID+"/notes", tm.emp1.AccessToken, map[string]string{"text": "v1"}).JSON(t, &note)
	dev := newReplica()
	dev.sync(e, tm.emp1.AccessToken, nil)
	// Meanwhile on the server: the note is edited and the subscriber writes again.
	wantStatus(t, e.call("PATCH", "/v1/notes/"+note.ID, tm.emp1.AccessToken, map[string]string{"text": "v2 from the web"}), http.StatusOK)
	e.event(tm.key, b.ID, say("ev-2", "s1", "are you there?"))
	msgID := models.NewID()
	r := e.push(tm.emp1.AccessToken, dev.last, map[string]any{
		"messages":      map[string]any{"created": []map[string]any{{"id": msgID, "conversation_id": c.ConversationID, "text": "offline reply"}}},
		"notes":         map[string]any{"updated": []map[string]any{{"id": note.ID, "text": "v2 from the phone"}}},
		"conversations": map[string]any{"updated": []map[string]any{{"id": c.ConversationID, "unread": false}}},
	})
	wantStatus(t, r, http.StatusConflict)
	p := r.Problem(t)
	got := map[string]bool{}
	for _, f := range p.Errors {
		got[f.Field] = true
	}
	if !got["changes.notes.updated[0]"] || !got["changes.conversations.updated[0]"] || len(p.Errors) != 2 {
		t.Fatalf("conflicts %+v, want the note and the chat", p.Errors)
	}
	// Nothing applied: not the message, which had no conflict, either.
	for _, m := range e.history(tm.emp1.AccessToken, c.ConversationID, "") {
		if m.ID == msgID {
			t.Fatal("the message of a refused push was applied")
		}
	}
	if cv := e.conv(tm.emp1.AccessToken, c.ConversationID); !cv.Unread {
		t.Fatal("the read mark of a refused push was applied")
	}
	// Pull, then push again: accepted.
	dev.sync(e, tm.emp1.AccessToken, nil)
	r = e.push(tm.emp1.AccessToken, dev.last, map[string]any{
		"messages":      map[string]any{"created": []map[string]any{{"id": msgID, "conversation_id": c.ConversationID, "text": "offline reply"}}},
		"notes":         map[string]any{"updated": []map[string]any{{"id": note.ID, "text": "v2 from the phone"}}},
		"conversations": map[string]any{"updated": []map[string]any{{"id": c.ConversationID, "unread": false}}},
	})
	wantStatus(t, r, http.StatusOK)
}

// A message written offline and pushed after the reply window closed is
// refused by a rule no pull changes: it is rejected alone, the rest of the
// push is applied, and the device's later pushes go through.
func TestSyncPushAfterTheReplyWindowRejectsTheMessageOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "whatsapp", "name": "Shop"})
	ev := say("ev-1", "s1", "hello")
	ev["at"] = e.inboxClock.Now().Add(-25 * time.Hour).UTC().Format(time.RFC3339)
	c := e.event(tm.key, b.ID, ev)
	dev := newReplica()
	dev.sync(e, tm.emp1.AccessToken, nil)
	late, noteID := models.NewID(), models.NewID()
	dev.created(models.TableMessages, late)
	dev.created(models.TableNotes, noteID)
	r := e.push(tm.emp1.AccessToken, dev.last, map[string]any{
		"messages": map[string]any{"created": []any{map[string]any{"id": late, "conversation_id": c.ConversationID, "text": "sorry, late"}}},
		"notes":    map[string]any{"created": []any{map[string]any{"id": noteID, "subscriber_id": c.SubscriberID, "text": "call back"}}},
	})
	wantStatus(t, r, http.StatusOK)
	var res struct {
		Applied  int                 `json:"applied"`
		Rejected map[string][]string `json:"experimentalRejectedIds"`
	}
	r.JSON(t, &res)
	if res.Applied != 1 || fmt.Sprint(res.Rejected) != "map[messages:["+late+"]]" {
		t.Fatalf("push answer %+v, want the note applied and the late message rejected", res)
	}
	dev.sync(e, tm.emp1.AccessToken, nil)
	if dev.tables[models.TableNotes][noteID]["text"] != "call back" {
		t.Fatal("the note did not land")
	}
	for _, m := range e.history(tm.emp1.AccessToken, c.ConversationID, "") {
		if m.ID == late {
			t.Fatal("the rejected message landed")
		}
	}
}

// WatermelonDB pushes after every page of a pull, so a device that created
// a note, pushed it, and edited it again pushes the edit before its pulls
// reach the note's creation: that creation is the device's own, not a
// conflict. An edit by someone else meanwhile still is.
func TestSyncPushEditOfOwnPushedNoteBeforeCatchingUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tm, b := e.shop()
	c := e.event(tm.key, b.ID, say("ev-1", "s1", "hello"))
	dev := newReplica()
	dev.sync(e, tm.emp1.AccessToken, nil)
	noteID := models.NewID()
	dev.created(models.TableNotes, noteID)
	wantStatus(t, e.push(tm.emp1.AccessToken, dev.last, map[string]any{"notes": map[string]any{"created": []any{
		map[string]any{"id": noteID, "subscriber_id": c.SubscriberID, "text": "first"}}}}), http.StatusOK)
	edit := func(text string) resp {
		return e.push(tm.emp1.AccessToken, dev.last, map[string]any{"notes": map[string]any{"updated": []any{
			map[string]any{"id": noteID, "subscriber_id": c.SubscriberID, "text": text}}}})
	}
	wantStatus(t, edit("second"), http.StatusOK)
	wantStatus(t, e.call("PATCH", "/v1/notes/"+noteID, tm.admin.AccessToken, map[string]string{"text": "the admin's"}), http.StatusOK)
	wantStatus(t, edit("third"), http.StatusConflict)
}
