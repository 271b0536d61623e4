package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/models"
)

// Passwords of the team's members (see env.admin and env.member).
const (
	adminPassword  = "admin-password"
	memberPassword = "member-password"
)

// submitLogin opens the console and submits the sign-in form.
func (tb *tab) submitLogin(email, password string) {
	tb.t.Helper()
	tb.open("/")
	tb.need("form#login", "sign-in form")
	tb.wait("form#login input[name=email]")
	tb.shot("login")
	tb.fill("form#login input[name=email]", email)
	tb.fill("form#login input[name=password]", password)
	tb.click("form#login button[type=submit]")
	tb.waitFor("the inbox (or the password change) after signing in",
		`document.querySelector('#inbox-list') !== null || document.querySelector('form#password-change') !== null`)
}

// changePassword fills the password change form.
func (tb *tab) changePassword(current, next string) {
	tb.t.Helper()
	tb.fill("form#password-change input[name=current]", current)
	tb.fill("form#password-change input[name=next]", next)
	tb.click("form#password-change button[type=submit]")
	tb.waitFor("the inbox after the password change", `document.querySelector('#inbox-list') !== null`)
}

// signIn signs in through the console's form (changing the password if
// the console asks to) and waits for the inbox.
func (tb *tab) signIn(email, password string) {
	tb.t.Helper()
	tb.submitLogin(email, password)
	if tb.present("form#password-change") {
		tb.changePassword(password, password+"-changed")
	}
}

// rowSel is the inbox row of conversation id.
func rowSel(id string) string { return fmt.Sprintf(`#inbox-list [data-chat-id=%s]`, jsString(id)) }

// msgSel is the rendered message id.
func msgSel(id string) string { return fmt.Sprintf(`[data-message-id=%s]`, jsString(id)) }

// openChatIn clicks conversation id's row and waits for its chat.
func (tb *tab) openChatIn(id string) {
	tb.t.Helper()
	tb.click(rowSel(id))
	tb.need("#chat", "chat view")
	tb.waitFor("chat "+id+" opens", fmt.Sprintf(`(document.querySelector('#chat') || {dataset: {}}).dataset.chatId === %s`, jsString(id)))
}

// subscriberMessage is the first message of the conversation's history
// that the subscriber sent.
func subscriberMessage(t *testing.T, hist []models.Message) models.Message {
	t.Helper()
	for i := len(hist) - 1; i >= 0; i-- {
		if hist[i].Sender == models.SenderSubscriber {
			return hist[i]
		}
	}
	t.Fatalf("no subscriber message in %+v", hist)
	return models.Message{}
}

// A subscriber writes to a native Telegram bot; each role signs in to
// the console and finds the chat in the inbox with the subscriber's
// text in its history. The admin and the employee reply: the counter
// counts code points as the server does, the Telegram fake receives the
// reply and the message's status becomes sent. The follower (who
// follows the chat) sees it with no write controls.
func TestBrowserSignInOpenChatReply(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	b := me.telegramBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp1)})
	ana := telegramfake.User{ID: 5001, FirstName: "Ana", LastName: "Ruiz", Username: "anaruiz"}
	chat, _ := me.openTelegramChat(t, tm.emp1, b, ana, "Hola, ¿tienen envío a Lima?")
	inbound := subscriberMessage(t, me.history(tm.admin.AccessToken, chat.ID, ""))
	wantStatus(t, me.call("PUT", "/v1/conversations/"+chat.ID+"/followers/"+tm.follower.Member.ID, tm.admin.AccessToken, nil), http.StatusOK)
	// A chat the follower does not follow.
	other, _ := me.openTelegramChat(t, tm.emp1, b, tgUser(5002, "Otto"), "another chat")

	for _, role := range []struct {
		name, email, password string
		writes                bool
	}{
		{"admin", tm.admin.Member.Email, adminPassword, true},
		{"employee", tm.emp1.Member.Email, memberPassword, true},
		{"follower", tm.follower.Member.Email, memberPassword, false},
	} {
		t.Run(role.name, func(t *testing.T) {
			tb := openTab(t, me.http.URL, role.name)
			tb.signIn(role.email, role.password)
			tb.need(rowSel(chat.ID), "inbox rows")
			tb.waitFor("the row names the subscriber",
				fmt.Sprintf(`(document.querySelector(%s) || {textContent: ''}).textContent.trim() === "Ana Ruiz"`, jsString(rowSel(chat.ID)+" .chat-name")))
			if !role.writes && tb.present(rowSel(other.ID)) {
				t.Errorf("the follower's inbox lists a chat they do not follow")
			}
			if role.writes {
				tb.waitFor("the other chat is listed", fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(rowSel(other.ID))))
			}
			tb.shot("inbox")

			tb.openChatIn(chat.ID)
			tb.waitFor("the subscriber's message in the history",
				fmt.Sprintf(`(document.querySelector(%s) || {textContent: ''}).textContent === "Hola, ¿tienen envío a Lima?"`, jsString("#chat "+msgSel(inbound.ID)+" .text")))
			if got := eval[string](tb, fmt.Sprintf(`document.querySelector(%s).dataset.sender || ''`, jsString(msgSel(inbound.ID)))); got != string(models.SenderSubscriber) {
				t.Errorf("the subscriber's message has data-sender %q, want subscriber", got)
			}
			tb.shot("chat")

			if !role.writes {
				for _, sel := range []string{"textarea#reply", "button#send", "input#attach", "textarea#note-text", "button#add-note"} {
					if tb.present(sel) {
						t.Errorf("a follower sees the write control %s", sel)
					}
				}
				return
			}
			tb.need("textarea#reply", "reply box")
			// 13 code points; 18 UTF-16 units, 8 graphemes: only the
			// server's count gives 13.
			text := "Sí 👋🏽 " + role.name[:1] + " 👨‍👩‍👧"
			tb.fill("textarea#reply", text)
			want := fmt.Sprintf("%d/512", utf8.RuneCountInString(text))
			tb.need("#reply-counter", "reply counter")
			if !tb.until(fmt.Sprintf(`document.querySelector('#reply-counter').textContent.trim() === %s`, jsString(want)), featureWait) {
				t.Errorf("#reply-counter shows %q, want %q", tb.text("#reply-counter"), want)
			}
			tb.click("button#send")
			eventually(t, "Telegram receives the reply", func() bool {
				return slices.ContainsFunc(me.tg.Sent(ana.ID), func(s telegramfake.SentMessage) bool { return s.Plain == text })
			})
			var reply models.Message
			for _, m := range me.history(tm.admin.AccessToken, chat.ID, "") {
				if m.Sender == models.SenderAgent && m.Text == text {
					reply = m
				}
			}
			if reply.ID == "" {
				t.Fatalf("the reply %q is not in the history", text)
			}
			if reply.AuthorID != "" && reply.AuthorID != tokenOf(tm, role.name).Member.ID {
				t.Errorf("reply by %q, want %s's", reply.AuthorID, role.name)
			}
			tb.waitFor("the reply shows as sent",
				fmt.Sprintf(`((document.querySelector(%s) || {dataset: {}}).dataset.status) === "sent"`, jsString(msgSel(reply.ID)+" .status")))
			tb.shot("sent")
		})
	}
}

// tokenOf is the team member playing role.
func tokenOf(tm team, role string) tokens {
	switch role {
	case "admin":
		return tm.admin
	case "employee":
		return tm.emp1
	}
	return tm.follower
}

// A new subscriber writes while the inbox is open: the chat appears in
// the list without a reload, told by the console's long-poll of the sync
// feed.
func TestBrowserLiveInbox(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	b := me.telegramBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp1)})
	first, _ := me.openTelegramChat(t, tm.emp1, b, tgUser(6001, "Bea"), "first")

	tb := openTab(t, me.http.URL, "admin")
	tb.signIn(tm.admin.Member.Email, adminPassword)
	tb.need(rowSel(first.ID), "inbox rows")
	eval[any](tb, `window.__sameDocument = true`)
	// The console listens on the sync feed: a pull of its waits on the
	// server for the next change.
	for deadline := time.Now().Add(browserWait); ; time.Sleep(20 * time.Millisecond) {
		if n, _ := me.hub.Waiting(); n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the console holds no long-poll of the sync feed (no pull waits on the server)")
		}
	}

	second, _ := me.openTelegramChat(t, tm.emp1, b, tgUser(6002, "Caro"), "second")
	if !tb.until(fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(rowSel(second.ID))), browserWait) {
		tb.shot("not-live")
		if eval[bool](tb, `window.__sameDocument === true`) {
			t.Fatal("the inbox did not update live: the new chat did not appear without a reload")
		}
		t.Fatal("the page reloaded, and the new chat is still not listed")
	}
	if !eval[bool](tb, `window.__sameDocument === true`) {
		t.Fatal("the page reloaded to show the new chat")
	}
	tb.waitFor("the new row names the subscriber",
		fmt.Sprintf(`(document.querySelector(%s) || {textContent: ''}).textContent.includes("Caro")`, jsString(rowSel(second.ID)+" .chat-name")))
	tb.shot("inbox-live")

	// In an open chat, the subscriber's next message appears; a message in
	// another chat moves the header's count and the tab title.
	tb.openChatIn(first.ID)
	tb.waitFor("the open chat is read", `document.querySelector('#unread-count').textContent === '1'`)
	me.tg.UserSends(6001, tgUser(6001, "Bea"), "¿me oyes?")
	tb.waitFor("the new message in the open chat",
		`[...document.querySelectorAll('#chat [data-sender=subscriber] .text')].some(e => e.textContent.includes('¿me oyes?'))`)
	me.tg.UserSends(6003, tgUser(6003, "Dani"), "third")
	tb.waitFor("the count of chats with new messages and the title",
		`document.querySelector('#unread-count').textContent === '2' && document.title.startsWith('(2)')`)
	if !eval[bool](tb, `window.__sameDocument === true`) {
		t.Fatal("the page reloaded")
	}
	tb.shot("chat-live")
}

// The side panel names the subscriber, a note added there is listed, and
// another member's note appears live.
func TestBrowserSidePanelNotes(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	b := me.telegramBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp1)})
	chat, _ := me.openTelegramChat(t, tm.emp1, b, telegramfake.User{ID: 7001, FirstName: "Dora", LastName: "Paz"}, "hola")

	tb := openTab(t, me.http.URL, "employee")
	tb.signIn(tm.emp1.Member.Email, memberPassword)
	tb.need(rowSel(chat.ID), "inbox rows")
	tb.openChatIn(chat.ID)
	tb.need("#subscriber-panel", "subscriber side panel")
	tb.waitFor("the panel names the subscriber",
		`(document.querySelector('#subscriber-panel .subscriber-name') || {textContent: ''}).textContent.trim() === "Dora Paz"`)
	tb.shot("side-panel")
	tb.need("textarea#note-text", "notes")
	note := "Wants delivery to Lima ✈️"
	tb.fill("textarea#note-text", note)
	tb.click("button#add-note")
	tb.waitFor("the note is listed", fmt.Sprintf(`(document.querySelector('#notes') || {textContent: ''}).textContent.includes(%s)`, jsString(note)))
	r := me.call("GET", "/v1/subscribers/"+chat.SubscriberID+"/notes", tm.emp1.AccessToken, nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), "Wants delivery to Lima") {
		t.Fatalf("the note is not stored: %s", r.Body)
	}
	tb.shot("notes")

	// Another member's note appears in the open panel without a reload.
	eval[any](tb, `window.__sameDocument = true`)
	me.addNote(tm.admin.AccessToken, chat.SubscriberID, "Admin: VIP, reply first")
	tb.waitFor("the admin's note, live", `(document.querySelector('#notes') || {textContent: ''}).textContent.includes("Admin: VIP, reply first")`)
	if !eval[bool](tb, `window.__sameDocument === true`) {
		t.Fatal("the page reloaded to show the note")
	}
}

// A member whose password an admin set signs in, must change it first,
// then signs out: the sign-in form is back, and stays after a reload.
func TestBrowserPasswordChangeSignOut(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	wantStatus(t, me.call("POST", "/v1/members", tm.admin.AccessToken,
		map[string]string{"email": "new@example.com", "name": "Newcomer", "role": "employee", "password": "given-password"}), http.StatusCreated)

	tb := openTab(t, me.http.URL, "newcomer")
	tb.submitLogin("new@example.com", "given-password")
	tb.need("form#password-change", "forced password change")
	tb.shot("password-change")
	tb.changePassword("given-password", "chosen-password-1")
	me.login("new@example.com", "chosen-password-1") // the server has the new password
	tb.shot("inbox")

	tb.need("button#sign-out", "sign-out button")
	tb.click("button#sign-out")
	tb.waitFor("the sign-in form after signing out", `document.querySelector('form#login') !== null`)
	tb.open("/")
	tb.need("form#login", "sign-in form")
	if tb.present("#inbox-list") {
		t.Fatal("the inbox shows after signing out and reloading")
	}
}

// rowsJS lists the conversation ids of the inbox's rows, in order.
const rowsJS = `[...document.querySelectorAll('#inbox-list [data-chat-id]')].map(e => e.dataset.chatId).join(',')`

// The inbox's Open / Closed / All filters, the search by subscriber
// name, and the unread dot, which goes once the chat is read.
func TestBrowserInboxFiltersSearch(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	b := me.telegramBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.admin)})
	open, _ := me.openTelegramChat(t, tm.admin, b, telegramfake.User{ID: 6101, FirstName: "Gala", LastName: "Open"}, "still open")
	closed, _ := me.openTelegramChat(t, tm.admin, b, telegramfake.User{ID: 6102, FirstName: "Hugo", LastName: "Closed"}, "done")
	wantStatus(t, me.call("POST", "/v1/conversations/"+closed.ID+"/close", tm.admin.AccessToken, nil), http.StatusOK)

	tb := openTab(t, me.http.URL, "admin")
	tb.signIn(tm.admin.Member.Email, adminPassword)
	tb.need(rowSel(open.ID), "inbox rows")
	if got := eval[string](tb, rowsJS); got != open.ID {
		t.Errorf("the default (open) list has %q, want only the open chat %s", got, open.ID)
	}
	tb.need(rowSel(open.ID)+" .unread-dot", "unread dot")
	tb.need("#unread-count", "unread count")
	before := me.badge(tm.admin.AccessToken)
	tb.waitFor("the header counts the chats with unread messages, as the server does",
		fmt.Sprintf(`document.querySelector('#unread-count').textContent.trim() === "%d"`, before))

	tb.need("[data-filter=closed]", "Open/Closed/All filters")
	tb.click("[data-filter=closed]")
	tb.waitFor("the closed list", fmt.Sprintf(`%s === %s`, rowsJS, jsString(closed.ID)))
	tb.shot("inbox-closed")
	tb.click("[data-filter=all]")
	tb.waitFor("the whole list", fmt.Sprintf(`%s.split(',').sort().join(',') === %s`, rowsJS, jsString(strings.Join(sortedCopy([]string{open.ID, closed.ID}), ","))))

	tb.need("input#chat-search", "search by name")
	tb.fill("input#chat-search", "Hugo")
	tb.waitFor("the search finds Hugo's chat only", fmt.Sprintf(`%s === %s`, rowsJS, jsString(closed.ID)))
	tb.shot("inbox-search")
	tb.fill("input#chat-search", "")
	tb.waitFor("an empty search lists both again", fmt.Sprintf(`%s.split(',').length === 2`, rowsJS))

	tb.openChatIn(open.ID)
	tb.waitFor("the unread dot goes once the chat is read",
		fmt.Sprintf(`document.querySelector(%s) !== null && document.querySelector(%s) === null`, jsString(rowSel(open.ID)), jsString(rowSel(open.ID)+" .unread-dot")))
	if c := me.conv(tm.admin.AccessToken, open.ID); c.Unread {
		t.Errorf("the chat is still unread on the server after the console opened it")
	}
	after := me.badge(tm.admin.AccessToken)
	if after != before-1 {
		t.Fatalf("the server's badge went from %d to %d on reading one chat", before, after)
	}
	tb.waitFor("the header's count follows",
		fmt.Sprintf(`document.querySelector('#unread-count').textContent.trim() === "%d"`, after))
}

// badge is the caller's number of chats with unread subscriber messages.
func (me *msgEnv) badge(token string) int {
	me.t.Helper()
	r := me.call("GET", "/v1/conversations/counts", token, nil)
	wantStatus(me.t, r, http.StatusOK)
	var c struct {
		Badge int `json:"badge"`
	}
	r.JSON(me.t, &c)
	return c.Badge
}
