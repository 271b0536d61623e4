package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/switchboardhq/switchboard/models"
)

// focusLog records, in the page, every element that gets the focus: a
// key naming it by its hook, whether it is a real control (a link, a
// button, a form field), whether it matches :focus-visible and whether a
// focus ring is drawn (an outline on it, or, for a visually hidden file
// input, on its label).
const focusLog = `(() => {
  window.__focus = [];
  const ids = new WeakMap();
  let next = 0;
  const uid = (el) => { if (!ids.has(el)) ids.set(el, ++next); return ids.get(el); };
  const key = (el) => {
    const d = el.dataset || {};
    if (d.chatId) return 'row:' + d.chatId;
    if (d.filter) return 'filter:' + d.filter;
    if (d.group) return 'group:' + d.group;
    if (d.botId != null) return 'bot:' + d.botId;
    if (el.id) return '#' + el.id;
    if (el.name) return el.tagName.toLowerCase() + '[name=' + el.name + ']';
    return el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '');
  };
  const ring = (el) => { const s = getComputedStyle(el); return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1; };
  document.addEventListener('focusin', (e) => {
    const el = e.target;
    let drawn = ring(el);
    if (!drawn && el.id) {
      const l = document.querySelector('label[for="' + CSS.escape(el.id) + '"]');
      drawn = !!l && ring(l);
    }
    window.__focus.push({key: key(el), uid: uid(el), real: el.matches('a[href], button, input, select, textarea, summary'),
      visible: el.matches(':focus-visible'), ring: drawn, side: !!el.closest('#side'), header: !!el.closest('header')});
  }, true);
  return true;
})()`

// focusEntry is one element focusLog saw get the focus.
type focusEntry struct {
	Key     string `json:"key"`
	UID     int    `json:"uid"` // one per element
	Real    bool   `json:"real"`
	Visible bool   `json:"visible"`
	Ring    bool   `json:"ring"`
	Side    bool   `json:"side"`
	Header  bool   `json:"header"`
}

// press sends keys as real key events (Input.dispatchKeyEvent).
func (tb *tab) press(keys string, opts ...chromedp.KeyOption) {
	tb.t.Helper()
	tb.do("press "+fmt.Sprintf("%q", keys), chromedp.KeyEvent(keys, opts...))
}

// shiftTab is Shift+Tab.
func (tb *tab) shiftTab() {
	tb.t.Helper()
	tb.press(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift))
}

// focused is the focusLog key of the element that has the focus now.
func (tb *tab) focused() string {
	tb.t.Helper()
	return eval[string](tb, `(() => { const l = window.__focus || []; const a = document.activeElement;
  return a && a !== document.body && l.length ? l[l.length - 1].key : 'none'; })()`)
}

// focusEntries is what focusLog saw from entry from on.
func (tb *tab) focusEntries(from int) []focusEntry {
	tb.t.Helper()
	return eval[[]focusEntry](tb, fmt.Sprintf(`(window.__focus || []).slice(%d)`, from))
}

// wantFocus waits for the focus to be on key, failing the test otherwise.
func (tb *tab) wantFocus(what, key string) {
	tb.t.Helper()
	if !tb.until(fmt.Sprintf(`(() => { const l = window.__focus || []; const a = document.activeElement;
  return a && a !== document.body && l.length > 0 && l[l.length - 1].key === %s; })()`, jsString(key)), featureWait) {
		tb.shot("focus")
		tb.t.Fatalf("%s: the focus is on %s, want %s", what, tb.focused(), key)
	}
}

// tabTo presses Tab until the focus is on key, at most n times, and
// returns the keys focused on the way (key last).
func (tb *tab) tabTo(key string, n int) []string {
	tb.t.Helper()
	var path []string
	for range n {
		tb.press(kb.Tab)
		k := tb.focused()
		path = append(path, k)
		if k == key {
			return path
		}
	}
	tb.shot("focus")
	tb.t.Fatalf("%d Tabs did not reach %s; the focus went %v", n, key, path)
	return nil
}

// checkFocusRings fails the test for every focused element that is not a
// real control or showed no visible focus.
func checkFocusRings(t *testing.T, entries []focusEntry) {
	t.Helper()
	for _, e := range entries {
		if !e.Real {
			t.Errorf("Tab reached %s, which is not a link, a button or a form field", e.Key)
		}
		if !e.Visible || !e.Ring {
			t.Errorf("%s has the focus with no visible focus ring (:focus-visible %v, outline %v)", e.Key, e.Visible, e.Ring)
		}
	}
}

// unnamedControls lists the page's controls (and images) that have no
// accessible name in Chromium's accessibility tree, and the names of its
// images.
func (tb *tab) unnamedControls() (unnamed, images []string) {
	tb.t.Helper()
	nodes, err := chromedp.Call(tb.ctx, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
	if err != nil {
		tb.t.Fatalf("read the accessibility tree: %v", err)
	}
	controls := []string{"button", "link", "textbox", "searchbox", "combobox", "checkbox", "radio", "img", "image", "listbox", "menuitem", "tab"}
	for _, n := range nodes.Nodes {
		if n.Ignored || n.Role == nil {
			continue
		}
		role := strings.Trim(string(n.Role.Value), `"`)
		if !slices.Contains(controls, role) {
			continue
		}
		name := ""
		if n.Name != nil {
			name = strings.Trim(string(n.Name.Value), `"`)
		}
		if strings.TrimSpace(name) == "" {
			unnamed = append(unnamed, role)
		}
		if role == "img" || role == "image" {
			images = append(images, name)
		}
	}
	return unnamed, images
}

// An employee works the console with the keyboard alone (real key
// events): signs in, Tabs through the header and the inbox's search, bot
// tabs, filters and groups (a filter keeps the focus when pressed), finds
// the chat list as one Tab stop, moves between its rows with the arrows,
// opens a chat with Enter (the focus goes to the reply box), types, Tabs
// to Send and sends; Escape returns the focus to the chat's row. Every
// element the focus reaches is a real control with a visible focus ring,
// every control has an accessible name (the messenger marks and the
// unread dot too), and Tab leaves every part of the page: through the
// chat and the side panel and round to the header again.
func TestBrowserKeyboard(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	b := me.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "Shop", "queue": ids(tm.emp1)})
	var chats []string // oldest first
	for _, name := range []string{"Ana", "Beto", "Cira"} {
		me.inboxClock.Advance(time.Second)
		chats = append(chats, me.engineChat(tm.key, b.ID, "k-"+name, name, "hola, soy "+name))
	}
	ana, beto, cira := chats[0], chats[1], chats[2]

	tb := openTab(t, me.http.URL, "employee")
	tb.open("/")
	tb.wait("form#login input[name=email]")
	eval[bool](tb, focusLog)
	tb.waitFor("the focus starts in the email field", `document.activeElement === document.querySelector('form#login input[name=email]')`)
	tb.press(tm.emp1.Member.Email)
	tb.press(kb.Tab)
	tb.wantFocus("Tab from the email", "input[name=password]")
	tb.press(memberPassword)
	tb.shot("login")
	tb.press(kb.Enter)
	tb.waitFor("the inbox after signing in with Enter", fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(rowSel(ana))))

	// Header, search, bot tabs, filters, groups, then the list as one stop.
	start := len(tb.focusEntries(0))
	tb.tabTo("#chat-search", 12)
	tb.press(kb.Tab)
	tb.wantFocus("Tab from the search", "bot:")
	tb.press(kb.Tab)
	tb.wantFocus("the bot's tab", "bot:"+b.ID)
	tb.press(kb.Tab)
	tb.wantFocus("the Open filter", "filter:open")
	tb.press(kb.Tab)
	tb.press(kb.Tab)
	tb.wantFocus("the All filter", "filter:all")
	tb.press(kb.Enter)
	tb.waitFor("All is pressed", `document.querySelector('[data-filter=all]').getAttribute('aria-pressed') === 'true'`)
	tb.wantFocus("the pressed filter keeps the focus", "filter:all")
	tb.shiftTab()
	tb.shiftTab()
	tb.wantFocus("Shift+Tab back to Open", "filter:open")
	tb.press(kb.Enter)
	tb.waitFor("Open is pressed", `document.querySelector('[data-filter=open]').getAttribute('aria-pressed') === 'true'`)
	tb.wantFocus("the pressed filter keeps the focus", "filter:open")
	tb.shot("filters")
	path := tb.tabTo("row:"+cira, 6)
	if want := []string{"filter:closed", "filter:all", "group:mine", "group:unassigned", "group:others", "row:" + cira}; !slices.Equal(path, want) {
		t.Errorf("Tab from Open went %v, want %v (the list is one Tab stop, on its newest chat)", path, want)
	}

	// The arrows move between rows; Enter opens the chat.
	tb.press(kb.ArrowDown)
	tb.wantFocus("ArrowDown", "row:"+beto)
	tb.press(kb.ArrowDown)
	tb.wantFocus("ArrowDown", "row:"+ana)
	tb.press(kb.ArrowDown)
	tb.wantFocus("ArrowDown on the last row stays", "row:"+ana)
	tb.press(kb.ArrowUp)
	tb.wantFocus("ArrowUp", "row:"+beto)
	tb.shot("rows")
	tb.press(kb.Enter)
	tb.waitFor("Enter opens the chat", fmt.Sprintf(`(document.querySelector('#chat') || {dataset: {}}).dataset.chatId === %s`, jsString(beto)))
	tb.wantFocus("the chat opens with the focus in the reply box", "#reply")

	// Type, Tab to Send, send.
	text := "Hola Beto, te escribo con el teclado"
	tb.press(text)
	tb.press(kb.Tab)
	tb.wantFocus("Tab from the reply box", "#attach")
	tb.press(kb.Tab)
	tb.wantFocus("Tab to Send", "#send")
	tb.shot("reply")
	tb.press(kb.Enter)
	defer func() {
		if t.Failed() {
			t.Logf("history: %+v; reply box %q", me.history(tm.emp1.AccessToken, beto, ""), eval[string](tb, `(document.querySelector('#reply') || {}).value`))
		}
	}()
	eventually(t, "the reply is stored", func() bool {
		return slices.ContainsFunc(me.history(tm.emp1.AccessToken, beto, ""), func(m models.Message) bool {
			return m.Sender == models.SenderAgent && m.Text == text && m.AuthorID == tm.emp1.Member.ID
		})
	})
	tb.waitFor("the reply is in the history", fmt.Sprintf(`[...document.querySelectorAll('#chat [data-sender=agent] .text')].some(e => e.textContent === %s)`, jsString(text)))
	tb.shot("sent")
	checkFocusRings(t, tb.focusEntries(start))

	// Names for assistive technology, with the chat open.
	unnamed, images := tb.unnamedControls()
	if len(unnamed) > 0 {
		t.Errorf("controls with no accessible name: %v", unnamed)
	}
	for _, want := range []string{"Telegram", "Unread"} {
		if !slices.Contains(images, want) {
			t.Errorf("no image named %q in the accessibility tree (images: %q)", want, images)
		}
	}

	// Escape returns to the chat's row (the chat stays open beside it).
	tb.press(kb.Escape)
	tb.wantFocus("Escape from the chat", "row:"+beto)
	if !tb.present("#chat") {
		t.Errorf("Escape closed the chat on a wide screen")
	}

	// No trap: from the row, Tab goes through the chat and the side panel
	// and comes round to the header again.
	from := len(tb.focusEntries(0))
	var walk []focusEntry
	for i := 0; i < 15; i++ {
		tb.press(strings.Repeat(kb.Tab, 10))
		walk = tb.focusEntries(from)
		if slices.ContainsFunc(walk, func(e focusEntry) bool { return e.Header }) {
			break
		}
	}
	var sawReply, sawSide, sawHeader bool
	for i, e := range walk {
		sawReply = sawReply || e.Key == "#reply"
		sawSide = sawSide || e.Side
		sawHeader = sawHeader || e.Header
		if i > 0 && walk[i-1].UID == e.UID {
			t.Errorf("Tab left the focus on %s", e.Key)
		}
	}
	if !sawReply || !sawSide || !sawHeader {
		t.Errorf("Tab from the row did not go through the reply box (%v), the side panel (%v) and round to the header (%v): %v",
			sawReply, sawSide, sawHeader, walk)
	}
	checkFocusRings(t, walk)
	tb.shot("tab-round")
}

// A follower, who has no reply box, opens a followed chat from the list
// with Enter: the focus goes to the chat's title, visibly, and Escape
// brings it back to the row.
func TestBrowserKeyboardFollower(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	b := me.bot(tm.admin.AccessToken, map[string]any{"channel": "viber", "name": "Shop Viber"})
	chat := me.engineChat(tm.key, b.ID, "f1", "Fede", "hola")
	wantStatus(t, me.call("PUT", "/v1/conversations/"+chat+"/followers/"+tm.follower.Member.ID, tm.admin.AccessToken, nil), http.StatusOK)

	tb := openTab(t, me.http.URL, "follower")
	tb.signIn(tm.follower.Member.Email, memberPassword)
	tb.wait(rowSel(chat))
	eval[bool](tb, focusLog)
	tb.click("input#chat-search")
	tb.press(kb.ArrowDown)
	tb.wantFocus("ArrowDown from the search", "row:"+chat)
	from := len(tb.focusEntries(0)) - 1
	tb.press(kb.Enter)
	tb.waitFor("the chat's title has the focus", `document.activeElement === document.querySelector('#chat .chat-title')`)
	if e := tb.focusEntries(from); !e[len(e)-1].Visible || !e[len(e)-1].Ring {
		t.Errorf("the chat's title has the focus with no visible ring: %+v", e[len(e)-1])
	}
	if tb.present("textarea#reply") {
		t.Errorf("a follower has a reply box")
	}
	tb.shot("chat")
	tb.press(kb.Escape)
	tb.wantFocus("Escape from the chat", "row:"+chat)
}
