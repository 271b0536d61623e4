package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// The chat's details in the side panel (started, last message, bot,
// channel, assignee, followers, tags) and links to tasks and projects:
// the admin assigns the chat and adds a link, the employee follows it
// and tags it, the follower sees it all, links as text, and no control.
func TestBrowserPanelChat(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	shop := me.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "Shop"})
	sub := map[string]any{"id": "c-1", "name": "Iris Vega"}
	chat := me.event(tm.key, shop.ID, map[string]any{"id": "c1", "type": "open_chat", "at": activeAt.Add(-2 * time.Minute), "subscriber": sub})
	me.event(tm.key, shop.ID, map[string]any{"id": "c2", "type": "message", "at": activeAt, "subscriber": sub, "message": map[string]any{"id": "cm2", "text": "where is my order?"}})
	me.follow(tm, chat.ConversationID)
	id := chat.ConversationID

	for _, r := range panelRoles(tm) {
		t.Run(r.name, func(t *testing.T) {
			tb := panelTab(t, me, r, id)
			tb.waitText(detail("started"), "3/15/26, 9:03 AM")
			tb.waitText(detail("last-message"), "3/15/26, 9:05 AM")
			tb.waitText(detail("bot"), "Shop")
			tb.waitText(detail("chat-channel"), "telegram")
			tb.waitHas(detail("followers"), label(tm.follower))

			switch r.name {
			case "admin":
				tb.waitText(detail("assignee"), "unassigned")
				tb.pick("select#assignee", tm.emp2.Member.ID)
				tb.waitText(detail("assignee"), label(tm.emp2))
				if c := me.conv(tm.admin.AccessToken, id); c.AssigneeID != tm.emp2.Member.ID {
					t.Fatalf("assignee %q on the server, want emp2", c.AssigneeID)
				}
				tb.fill("form#add-link input[name=ref]", "https://tracker.example/TASK-12")
				tb.fill("form#add-link input[name=title]", "Ship the order")
				tb.pick("form#add-link select[name=kind]", "task")
				tb.click("form#add-link button[type=submit]")
				tb.waitHas("#links", "Ship the order")
				c := me.conv(tm.admin.AccessToken, id)
				if len(c.Links) != 1 || c.Links[0] != (models.Link{Kind: "task", Ref: "https://tracker.example/TASK-12", Title: "Ship the order"}) {
					t.Fatalf("links on the server %+v", c.Links)
				}
				tb.shotAt("#links", "assigned-linked")
			case "employee":
				tb.waitText(detail("assignee"), label(tm.emp2))
				tb.waitText("button#follow", "Follow")
				tb.click("button#follow")
				tb.waitHas(detail("followers"), label(tm.emp1))
				tb.waitText("button#follow", "Unfollow")
				if c := me.conv(tm.admin.AccessToken, id); !slices.Contains(c.Followers, tm.emp1.Member.ID) {
					t.Fatalf("followers on the server %q, want emp1 among them", c.Followers)
				}
				tb.fill("input#chat-tags", "urgent, lima")
				tb.click(saveOf("chat-tags"))
				tb.waitText(detail("chat-tags"), "urgent, lima")
				if c := me.conv(tm.admin.AccessToken, id); !slices.Equal(c.Tags, []string{"urgent", "lima"}) {
					t.Fatalf("chat tags on the server %q", c.Tags)
				}
				tb.shotAt("#subscriber-panel .conv-box", "followed-tagged")
			default:
				tb.waitText(detail("assignee"), label(tm.emp2))
				tb.waitHas(detail("followers"), label(tm.emp1))
				tb.waitText(detail("chat-tags"), "urgent, lima")
				tb.absent("select#assignee", "button#follow", "input#chat-tags", "form#add-link", "#links button")
				tb.shotAt("#links", "details")
			}
			// The link is text with its reference, never an anchor.
			tb.waitHas("#links", "https://tracker.example/TASK-12")
			if tb.present("#links a") {
				t.Error("a link to a task is an anchor; it must be text")
			}
		})
	}
}

// Notes: the employee adds one of 2,000 characters (emoji counted as the
// server counts them), is refused one of 2,001 before anything is sent,
// sees the author and time, edits and deletes their own note and cannot
// change the admin's; the admin deletes the employee's note; the follower
// reads notes and gets no control.
func TestBrowserPanelNotes(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	shop := me.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "Shop"})
	chat := me.event(tm.key, shop.ID, openChat("n1", "n-1"))
	me.follow(tm, chat.ConversationID)
	sub := chat.SubscriberID
	adminNote := me.addNote(tm.admin.AccessToken, sub, "Called on Monday")
	// 1,990 letters and 10 emoji: 2,000 characters, 2,010 UTF-16 units.
	longest := strings.Repeat("a", 1990) + strings.Repeat("👋", 10)

	for _, r := range panelRoles(tm) {
		t.Run(r.name, func(t *testing.T) {
			tb := panelTab(t, me, r, chat.ConversationID)
			tb.waitFor("the admin's note", textIs(noteSel(adminNote.ID)+" .note-text", "Called on Monday"))
			tb.waitText(noteSel(adminNote.ID)+" .who", label(tm.admin))
			if got := eval[string](tb, fmt.Sprintf(`document.querySelector(%s).getAttribute('datetime')`, jsString(noteSel(adminNote.ID)+" time"))); got != adminNote.raw {
				t.Errorf("the note's time is %q, want its created_at %q", got, adminNote.raw)
			}
			switch r.name {
			case "employee":
				tb.absent(noteSel(adminNote.ID)+" .edit-note", noteSel(adminNote.ID)+" .delete-note")
				tb.fill("textarea#note-text", longest+"b")
				tb.click("button#add-note")
				tb.waitText("#note-error", "A note can have at most 2000 characters; this one has 2001.")
				tb.shotAt("#note-error", "note-too-long")
				if n := len(me.notes(tm.admin.AccessToken, sub)); n != 1 {
					t.Fatalf("%d notes on the server after a refused one, want 1", n)
				}
				tb.fill("textarea#note-text", longest)
				tb.waitFor("the error goes at 2,000 characters", `document.querySelector('#note-error').hidden`)
				tb.click("button#add-note")
				var mine storedNote
				eventually(t, "the 2,000-character note is stored", func() bool {
					for _, n := range me.notes(tm.admin.AccessToken, sub) {
						if n.AuthorID == tm.emp1.Member.ID {
							mine = n
							return true
						}
					}
					return false
				})
				if mine.Text != longest {
					t.Fatalf("stored a note of %d characters, want the 2,000 typed", len([]rune(mine.Text)))
				}
				tb.waitText(noteSel(mine.ID)+" .note-text", longest)
				tb.waitText(noteSel(mine.ID)+" .who", label(tm.emp1))
				tb.shotAt(noteSel(mine.ID), "note-added")

				tb.click(noteSel(mine.ID) + " .edit-note")
				// The edit has the same limit, checked before sending too.
				tb.fill(noteSel(mine.ID)+" textarea.note-edit", longest+"c")
				tb.click(noteSel(mine.ID) + " .save-note")
				tb.waitText(noteSel(mine.ID)+" .note-error", "A note can have at most 2000 characters; this one has 2001.")
				if n := me.note(tm.admin.AccessToken, sub, mine.ID); n.Text != longest || n.EditedAt != nil {
					t.Fatalf("a refused edit reached the server: %+v", n)
				}
				tb.fill(noteSel(mine.ID)+" textarea.note-edit", "Prefers WhatsApp")
				tb.click(noteSel(mine.ID) + " .save-note")
				tb.waitText(noteSel(mine.ID)+" .note-text", "Prefers WhatsApp")
				tb.wait(noteSel(mine.ID) + " .edited")
				if n := me.note(tm.admin.AccessToken, sub, mine.ID); n.Text != "Prefers WhatsApp" || n.EditedAt == nil {
					t.Fatalf("after the edit the server has %+v", n)
				}
				tb.shotAt(noteSel(mine.ID), "note-edited")

				tb.click(noteSel(mine.ID) + " .delete-note")
				tb.click(noteSel(mine.ID) + " .confirm-delete-note")
				tb.waitFor("the note goes", fmt.Sprintf(`document.querySelector(%s) === null`, jsString(noteSel(mine.ID))))
				if n := me.note(tm.admin.AccessToken, sub, mine.ID); n.ID != "" {
					t.Fatalf("the deleted note is still listed: %+v", n)
				}
				// Another note by the employee, for the admin and the follower.
				me.addNote(tm.emp1.AccessToken, sub, "Asked for an invoice")
			case "admin":
				// Nothing by the employee yet: the admin may change their own.
				tb.wait(noteSel(adminNote.ID) + " .edit-note")
				tb.shotAt("#notes", "notes")
			default:
				tb.waitHas("#notes", "Asked for an invoice")
				tb.absent("textarea#note-text", "button#add-note", ".edit-note", ".delete-note")
				tb.shotAt("#notes", "notes")
			}
		})
	}
	// The admin may delete the employee's note.
	t.Run("admin-deletes", func(t *testing.T) {
		var emp storedNote
		for _, n := range me.notes(tm.admin.AccessToken, sub) {
			if n.AuthorID == tm.emp1.Member.ID {
				emp = n
			}
		}
		if emp.ID == "" {
			t.Fatal("no note by the employee")
		}
		tb := panelTab(t, me, panelRoles(tm)[0], chat.ConversationID)
		tb.click(noteSel(emp.ID) + " .delete-note")
		tb.click(noteSel(emp.ID) + " .confirm-delete-note")
		tb.waitFor("the employee's note goes", fmt.Sprintf(`document.querySelector(%s) === null`, jsString(noteSel(emp.ID))))
		if n := me.note(tm.admin.AccessToken, sub, emp.ID); n.ID != "" {
			t.Fatalf("the note is still stored: %+v", n)
		}
	})
}

// noteSel is the rendered note id.
func noteSel(id string) string { return fmt.Sprintf(`#notes [data-note-id=%s]`, jsString(id)) }

// storedNote is a note as the API returns it, with created_at as sent.
type storedNote struct {
	models.Note
	raw string
}

// notes lists a subscriber's notes through the API.
func (me *msgEnv) notes(token, sub string) []storedNote {
	me.t.Helper()
	r := me.call("GET", "/v1/subscribers/"+sub+"/notes", token, nil)
	wantStatus(me.t, r, http.StatusOK)
	var l struct{ Items []models.Note }
	r.JSON(me.t, &l)
	var raw struct {
		Items []struct {
			CreatedAt string `json:"created_at"`
		}
	}
	r.JSON(me.t, &raw)
	out := make([]storedNote, len(l.Items))
	for i, n := range l.Items {
		out[i] = storedNote{Note: n, raw: raw.Items[i].CreatedAt}
	}
	return out
}

// note finds note id among the subscriber's notes (zero when gone).
func (me *msgEnv) note(token, sub, id string) storedNote {
	me.t.Helper()
	for _, n := range me.notes(token, sub) {
		if n.ID == id {
			return n
		}
	}
	return storedNote{}
}

// addNote adds a note through the API.
func (me *msgEnv) addNote(token, sub, text string) storedNote {
	me.t.Helper()
	r := me.call("POST", "/v1/subscribers/"+sub+"/notes", token, map[string]string{"text": text})
	wantStatus(me.t, r, http.StatusCreated)
	var n models.Note
	r.JSON(me.t, &n)
	return me.note(token, sub, n.ID)
}
