package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/switchboardhq/switchboard/models"
)

// engineChat opens a chat on an engine bot through the events API: the
// subscriber (sid, name) reaches the flow's "open chat" and, unless text
// is empty, writes text, so the chat is open and unread.
func (me *msgEnv) engineChat(key, botID, sid, name, text string) string {
	me.t.Helper()
	sub := map[string]any{"id": sid, "name": name}
	opened := me.event(key, botID, map[string]any{"id": "o-" + sid, "type": "open_chat", "subscriber": sub})
	if text == "" {
		return opened.ConversationID
	}
	return me.event(key, botID, map[string]any{"id": "m-" + sid, "type": "message", "subscriber": sub,
		"message": map[string]any{"id": "mm-" + sid, "text": text}}).ConversationID
}

// apiCounts is GET /v1/conversations/counts for token.
func (me *msgEnv) apiCounts(token string) map[string]int {
	me.t.Helper()
	r := me.call("GET", "/v1/conversations/counts", token, nil)
	wantStatus(me.t, r, http.StatusOK)
	var c map[string]int
	r.JSON(me.t, &c)
	return c
}

// listIDs is every chat id of GET /v1/conversations?query, following the
// cursor through all pages, in the API's order.
func (me *msgEnv) listIDs(token string, q url.Values) []string {
	me.t.Helper()
	var out []string
	for cursor := ""; ; {
		q.Set("cursor", cursor)
		r := me.call("GET", "/v1/conversations?"+q.Encode(), token, nil)
		wantStatus(me.t, r, http.StatusOK)
		var l struct {
			Items      []models.Conversation
			NextCursor string `json:"next_cursor"`
		}
		r.JSON(me.t, &l)
		for _, c := range l.Items {
			out = append(out, c.ID)
		}
		if cursor = l.NextCursor; cursor == "" {
			return out
		}
	}
}

// inboxCountsJS reads the counts the inbox shows on its filters and groups.
const inboxCountsJS = `Object.fromEntries(['open', 'closed', 'all', 'mine', 'unassigned', 'others'].map(k => {
  const b = document.querySelector('[data-filter="' + k + '"], [data-group="' + k + '"]');
  const c = b && b.querySelector('.count');
  return [k, c ? Number(c.textContent.trim()) : -1];
}))`

// dotColourJS is the computed background of the first element matching
// the selector given as the argument's JSON.
func dotColourJS(sel string) string {
	return fmt.Sprintf(`(() => { const e = document.querySelector(%s); return e ? getComputedStyle(e).backgroundColor : ''; })()`, jsString(sel))
}

// The inbox as an admin, an employee and a follower, on a Telegram and a
// Viber bot with more open chats than one page: bot tabs carry each
// messenger's mark, named for screen readers; the Open/Closed/All and
// Mine/Unassigned/Others counts are the API's; unread chats have a red
// dot and closed ones a grey dot; the list is newest first, in the API's
// order, and its next cursor page loads when its end scrolls into view;
// a search by name finds the subscriber's chat; the header's chats
// button and the tab's title show the unread count; a follower sees only
// the chats they follow.
func TestBrowserInboxRoles(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	tg := me.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "Shop TG", "queue": ids(tm.emp1)})
	vb := me.bot(tm.admin.AccessToken, map[string]any{"channel": "viber", "name": "Shop Viber"})

	// 52 open Telegram chats (the queue gives them to the employee), so
	// that the open list has more than one page of 50.
	// A second passes between chats, so that each is newer than the last.
	// Only the newest writes (the rest just reach "open chat").
	var tgChats []string
	for i := range 52 {
		me.inboxClock.Advance(time.Second)
		text := ""
		if i >= 50 {
			text = "hello"
		}
		tgChats = append(tgChats, me.engineChat(tm.key, tg.ID, fmt.Sprintf("t%02d", i), fmt.Sprintf("Client %02d", i), text))
	}
	me.inboxClock.Advance(time.Second)
	hugo := me.engineChat(tm.key, vb.ID, "v2", "Hugo Closed", "thanks, bye")
	me.inboxClock.Advance(time.Second)
	vera := me.engineChat(tm.key, vb.ID, "v1", "Vera Viber", "привет")
	wantStatus(t, me.call("POST", "/v1/conversations/"+hugo+"/close", tm.admin.AccessToken, nil), http.StatusOK)
	// One chat the admin reads, one assigned to each of the others.
	wantStatus(t, me.call("POST", "/v1/conversations/"+tgChats[51]+"/read", tm.admin.AccessToken, nil), http.StatusOK)
	wantStatus(t, me.call("PUT", "/v1/conversations/"+tgChats[1]+"/assignee", tm.admin.AccessToken, map[string]any{"member_id": tm.admin.Member.ID}), http.StatusOK)
	wantStatus(t, me.call("PUT", "/v1/conversations/"+tgChats[2]+"/assignee", tm.admin.AccessToken, map[string]any{"member_id": tm.emp2.Member.ID}), http.StatusOK)
	// The follower follows Vera's chat, Hugo's (closed) and one Telegram chat.
	followed := []string{vera, hugo, tgChats[10]}
	for _, id := range followed {
		wantStatus(t, me.call("PUT", "/v1/conversations/"+id+"/followers/"+tm.follower.Member.ID, tm.admin.AccessToken, nil), http.StatusOK)
	}

	for _, role := range []struct {
		name, email, password string
		tok                   tokens
	}{
		{"admin", tm.admin.Member.Email, adminPassword, tm.admin},
		{"employee", tm.emp1.Member.Email, memberPassword, tm.emp1},
		{"follower", tm.follower.Member.Email, memberPassword, tm.follower},
	} {
		t.Run(role.name, func(t *testing.T) {
			t.Parallel()
			counts := me.apiCounts(role.tok.AccessToken)
			openIDs := me.listIDs(role.tok.AccessToken, url.Values{"tab": {"open"}, "limit": {"50"}})

			tb := openTab(t, me.http.URL, role.name)
			tb.signIn(role.email, role.password)
			tb.waitFor("the inbox lists its first rows", `document.querySelectorAll('#inbox-list [data-chat-id]').length > 0`)

			// Bot tabs with the messengers' marks, named for screen readers.
			for _, b := range []models.Bot{tg, vb} {
				sel := fmt.Sprintf(`[data-bot-id=%s] .messenger`, jsString(b.ID))
				tb.waitFor("the bot tab of "+b.Name, fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(sel)))
				got := eval[map[string]string](tb, fmt.Sprintf(`(() => { const m = document.querySelector(%s);
  return {channel: m.dataset.channel || '', role: m.getAttribute('role') || '', name: m.getAttribute('aria-label') || '',
    tab: m.closest('[data-bot-id]').textContent.trim(), tag: m.closest('[data-bot-id]').tagName}; })()`, jsString(sel)))
				want := map[string]string{"channel": string(b.Channel), "role": "img", "name": map[models.Channel]string{"telegram": "Telegram", "viber": "Viber"}[b.Channel], "tab": b.Name, "tag": "BUTTON"}
				for k, v := range want {
					if got[k] != v {
						t.Errorf("bot tab %s: mark %s is %q, want %q", b.Name, k, got[k], v)
					}
				}
			}

			// The counts on the filters and groups are the API's.
			tb.waitFor("the counts are shown", inboxCountsJS+`.open >= 0`)
			if got := eval[map[string]int](tb, inboxCountsJS); !countsMatch(got, counts) {
				t.Errorf("the inbox shows the counts %v, the API says %v", got, counts)
			}
			// The header's chats button and the tab's title count the
			// chats with unread messages, as the API does.
			badge := fmt.Sprint(counts["badge"])
			tb.waitFor("the header's chats button counts the unread chats",
				fmt.Sprintf(`document.querySelector('#chats-button #unread-count').textContent.trim() === %s`, jsString(badge)))
			if title := eval[string](tb, `document.title`); !strings.HasPrefix(title, "("+badge+") ") {
				t.Errorf("the tab's title is %q, want it to start with (%s)", title, badge)
			}

			// The first page, newest first, in the API's order.
			first := openIDs[:min(50, len(openIDs))]
			tb.waitFor("the open list's first page, in the API's order", fmt.Sprintf(`%s === %s`, rowsJS, jsString(strings.Join(first, ","))))
			tb.shot("inbox")

			if role.name == "follower" {
				tb.click("[data-filter=all]")
				want := sortedCopy(followed)
				tb.waitFor("the follower's whole list is the chats they follow",
					fmt.Sprintf(`%s.split(',').sort().join(',') === %s`, rowsJS, jsString(strings.Join(want, ","))))
				if counts["all"] != len(followed) {
					t.Errorf("the API counts %d chats for the follower, who follows %d", counts["all"], len(followed))
				}
				tb.shot("inbox-all")
				return
			}

			// Newest first: Vera's chat, then the Telegram chats from the
			// last opened (the employee's list holds all of them).
			if role.name == "employee" {
				want := []string{vera}
				for _, id := range slices.Backward(tgChats) {
					want = append(want, id)
				}
				if !slices.Equal(openIDs, want) {
					t.Errorf("the API's open list is not newest first:\n got %v\nwant %v", openIDs, want)
				}
			}
			// The red dot on unread chats; the read one has none.
			tb.waitFor("the red dot on an unread chat", fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(rowSel(vera)+" .unread-dot")))
			if red := eval[string](tb, dotColourJS(rowSel(vera)+" .unread-dot")); !isRed(red) {
				t.Errorf("the unread dot is %s, want red", red)
			}
			if role.name == "admin" && tb.present(rowSel(tgChats[51])+" .unread-dot") {
				t.Errorf("the chat the admin read still has the unread dot")
			}

			// Scrolling to the end loads the next cursor page.
			if len(openIDs) <= 50 {
				t.Fatalf("the open list has %d chats, the test needs more than a page", len(openIDs))
			}
			if role.name == "employee" {
				// From the keyboard: End, then ArrowDown past the last row.
				tb.click("input#chat-search")
				tb.do("enter the list", chromedp.KeyEvent(kb.ArrowDown))
				tb.waitFor("the first row has the focus", fmt.Sprintf(`document.activeElement === document.querySelector(%s)`, jsString(rowSel(openIDs[0]))))
				tb.do("End", chromedp.KeyEvent(kb.End))
				tb.waitFor("End focuses the page's last row", fmt.Sprintf(`document.activeElement === document.querySelector(%s)`, jsString(rowSel(openIDs[49]))))
				tb.do("ArrowDown past the end", chromedp.KeyEvent(kb.ArrowDown))
				tb.waitFor("ArrowDown past the last row loads the next page and moves on",
					fmt.Sprintf(`document.activeElement === document.querySelector(%s)`, jsString(rowSel(openIDs[50]))))
			} else {
				eval[bool](tb, `(() => { const c = document.querySelector('#inbox'); c.scrollTop = c.scrollHeight; return true; })()`)
			}
			tb.waitFor("the next page loads when the end of the list is in view", fmt.Sprintf(`%s === %s`, rowsJS, jsString(strings.Join(openIDs, ","))))
			if tb.present("button.load-more:not([hidden])") {
				t.Errorf("the load-more button still shows after the last page")
			}
			tb.shot("inbox-page-2")

			// Mine / Unassigned / Others.
			for _, g := range []string{"mine", "unassigned", "others"} {
				want := me.listIDs(role.tok.AccessToken, url.Values{"group": {g}, "limit": {"50"}})
				tb.click(fmt.Sprintf("[data-group=%s]", g))
				tb.waitFor("the "+g+" group", fmt.Sprintf(`%s.split(',').filter(Boolean).length === %d && %s.startsWith(%s)`,
					rowsJS, min(len(want), 50), rowsJS, jsString(strings.Join(want[:min(len(want), 50)], ","))))
				if len(want) != counts[g] {
					t.Errorf("the API lists %d chats in %s but counts %d", len(want), g, counts[g])
				}
			}
			tb.shot("inbox-others")

			// The closed list, with the grey dot.
			tb.click("[data-filter=closed]")
			tb.waitFor("the closed list", fmt.Sprintf(`%s === %s`, rowsJS, jsString(hugo)))
			if grey := eval[string](tb, dotColourJS(rowSel(hugo)+" .closed-dot")); !isGrey(grey) {
				t.Errorf("the closed dot is %q, want grey", grey)
			}
			tb.shot("inbox-closed")

			// A bot tab lists that bot's chats only.
			tb.click("[data-filter=all]")
			tb.click(fmt.Sprintf("[data-bot-id=%s]", jsString(vb.ID)))
			tb.waitFor("the Viber bot's chats", fmt.Sprintf(`%s.split(',').sort().join(',') === %s`, rowsJS, jsString(strings.Join(sortedCopy([]string{vera, hugo}), ","))))
			tb.shot("inbox-viber")
			tb.click(`[data-bot-id=""]`)

			// Search by the subscriber's name.
			tb.fill("input#chat-search", "Vera")
			tb.waitFor("the search finds Vera's chat only", fmt.Sprintf(`%s === %s`, rowsJS, jsString(vera)))
			tb.shot("inbox-search")
		})
	}
}

// countsMatch tells whether the inbox shows the API's counts.
func countsMatch(shown, api map[string]int) bool {
	for k, v := range shown {
		if api[k] != v {
			return false
		}
	}
	return len(shown) == 6
}

// rgb parses a computed "rgb(r, g, b)" colour.
func rgb(s string) (r, g, b int, ok bool) {
	n, err := fmt.Sscanf(s, "rgb(%d, %d, %d)", &r, &g, &b)
	return r, g, b, err == nil && n == 3
}

// isRed tells whether a computed colour is a clear red.
func isRed(s string) bool {
	r, g, b, ok := rgb(s)
	return ok && r > 150 && g < 100 && b < 100
}

// isGrey tells whether a computed colour is a mid grey.
func isGrey(s string) bool {
	r, g, b, ok := rgb(s)
	return ok && max(r, g, b)-min(r, g, b) < 40 && r > 90 && r < 220
}

// setLanguage makes the tab's browser ask for languages (navigator.language).
func (tb *tab) setLanguage(languages string) {
	tb.t.Helper()
	ua := eval[string](tb, `navigator.userAgent`)
	if _, err := chromedp.Call(tb.ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
		UserAgent: ua, AcceptLanguage: languages}); err != nil {
		tb.t.Fatal(err)
	}
}

// The console speaks Spanish in a browser set to Spanish (es-*) and
// English otherwise; the language switch, used from the keyboard, changes
// it at once and the choice survives a reload.
func TestBrowserInboxLanguage(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	b := me.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "Shop"})
	chat := me.engineChat(tm.key, b.ID, "l1", "Lola", "hola")

	for _, c := range []struct {
		browser, want, other string
	}{
		{"es-MX,es;q=0.9", "es", "en"},
		{"fr-FR,fr;q=0.9", "en", "es"},
	} {
		t.Run(c.browser[:5], func(t *testing.T) {
			t.Parallel()
			tb := openTab(t, me.http.URL, c.browser[:5])
			tb.setLanguage(c.browser)
			tb.open("/")
			tb.wait("form#login")
			wantLang(t, tb, c.want)
			tb.shot("login")
			tb.signIn(tm.emp1.Member.Email, memberPassword)
			tb.waitFor("the chat's row", fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(rowSel(chat))))
			wantLang(t, tb, c.want)
			tb.shot("inbox")

			// The switch is visible; pick the other language with the keyboard.
			tb.wait("select#lang")
			tb.do("pick the other language", chromedp.Focus(chromedp.CSS("select#lang")))
			key := kb.ArrowDown // English → Español
			if c.want == "es" {
				key = kb.ArrowUp // Español → English
			}
			tb.do("press an arrow on the switch", chromedp.KeyEvent(key))
			tb.waitFor("the console speaks the other language", fmt.Sprintf(`document.documentElement.lang === %s`, jsString(c.other)))
			wantLang(t, tb, c.other)
			tb.shot("switched")

			tb.open("/")
			tb.waitFor("the inbox after the reload", fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(rowSel(chat))))
			wantLang(t, tb, c.other)
			if got := eval[string](tb, `localStorage.getItem('sb.lang') || ''`); got != c.other {
				t.Errorf("the choice is kept as %q, want %q", got, c.other)
			}
			tb.shot("reloaded")
		})
	}
}

// wantLang checks the page speaks lang: its lang attribute and the words
// on the sign-in form or the inbox's Open filter.
func wantLang(t *testing.T, tb *tab, lang string) {
	t.Helper()
	words := map[string][2]string{"en": {"Sign in", "Open"}, "es": {"Entrar", "Abiertos"}}[lang]
	if !tb.until(fmt.Sprintf(`document.documentElement.lang === %s && (
  (document.querySelector('form#login button[type=submit]') || {}).textContent === %s ||
  ((document.querySelector('[data-filter=open]') || {}).textContent || '').startsWith(%s))`,
		jsString(lang), jsString(words[0]), jsString(words[1])), featureWait) {
		tb.shot("wrong-language")
		t.Fatalf("the page does not speak %s: lang=%q, Open filter %q", lang,
			eval[string](tb, `document.documentElement.lang`), tb.text("[data-filter=open]"))
	}
}
