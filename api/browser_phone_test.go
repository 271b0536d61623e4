package api_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
)

// A phone's browser set to Spanish: the console speaks Spanish, and an
// agent reaches the chat and its reply box at phone width.
func TestBrowserPhoneSpanish(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	b := me.telegramBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp1)})
	chat, _ := me.openTelegramChat(t, tm.emp1, b, telegramfake.User{ID: 6301, FirstName: "Juana"}, "Buenas tardes")

	tb := openTab(t, me.http.URL, "phone-es")
	ua := eval[string](tb, `navigator.userAgent`)
	if _, err := chromedp.Call(tb.ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
		UserAgent: ua, AcceptLanguage: "es-ES,es"}); err != nil {
		t.Fatal(err)
	}
	tb.do("phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	tb.signIn(tm.emp1.Member.Email, memberPassword)
	if lang := eval[string](tb, `document.documentElement.lang`); lang != "es" {
		t.Errorf("the page's language is %q in a Spanish browser, want es", lang)
	}
	tb.need(rowSel(chat.ID), "inbox rows")
	tb.shot("inbox")
	tb.openChatIn(chat.ID)
	tb.wait("textarea#reply")
	tb.shot("chat")
}

// phoneLayoutJS measures the chat at phone width: the page's own scroll,
// the viewport, and the boxes of the chat, its history and its reply box.
const phoneLayoutJS = `(() => {
  const box = (sel) => { const e = document.querySelector(sel); if (!e) return null;
    const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, height: r.height}; };
  const s = document.querySelector('#chat .scroller');
  const last = [...document.querySelectorAll('#chat [data-message-id]')].pop();
  const lr = last ? last.getBoundingClientRect() : null;
  const sr = s ? s.getBoundingClientRect() : null;
  return {
    viewport: innerHeight, pageScroll: document.scrollingElement.scrollHeight - innerHeight, scrollY: scrollY,
    chat: box('#chat'), reply: box('#reply-form'), header: box('header'),
    historyScrolls: !!s && s.scrollHeight > s.clientHeight + 10,
    lastShown: !!lr && lr.bottom <= sr.bottom + 1 && lr.top >= sr.top - 1,
  };
})()`

// phoneLayout is what phoneLayoutJS measures.
type phoneLayout struct {
	Viewport       float64 `json:"viewport"`
	PageScroll     float64 `json:"pageScroll"`
	ScrollY        float64 `json:"scrollY"`
	Chat           *rect   `json:"chat"`
	Reply          *rect   `json:"reply"`
	Header         *rect   `json:"header"`
	HistoryScrolls bool    `json:"historyScrolls"`
	LastShown      bool    `json:"lastShown"`
}

// rect is an element's box in the viewport.
type rect struct {
	Top    float64 `json:"top"`
	Bottom float64 `json:"bottom"`
	Height float64 `json:"height"`
}

// At phone width (390x844, touch) an employee goes from the inbox to a
// chat with a long history: the chat fills the viewport's height under
// the header, the page itself does not scroll, the reply box sits at the
// bottom in view, the history scrolls inside with its newest message in
// view; the side panel is reached below the chat; the back control, and
// Escape, return to the inbox.
func TestBrowserPhoneLongChat(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	b := me.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "Shop", "queue": ids(tm.emp1)})
	other := me.engineChat(tm.key, b.ID, "p0", "Otra Persona", "hola")
	long := me.engineChat(tm.key, b.ID, "p1", "Larga Historia", "mensaje 0")
	sub := map[string]any{"id": "p1", "name": "Larga Historia"}
	for i := 1; i < 20; i++ {
		me.event(tm.key, b.ID, map[string]any{"id": fmt.Sprintf("p1-%d", i), "type": "message", "subscriber": sub,
			"message": map[string]any{"id": fmt.Sprintf("p1m-%d", i), "text": fmt.Sprintf("mensaje %d: una línea algo larga para que el historial ocupe varias pantallas del teléfono", i)}})
	}

	tb := openTab(t, me.http.URL, "phone")
	tb.do("phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	tb.signIn(tm.emp1.Member.Email, memberPassword)
	tb.wait(rowSel(long))
	tb.wait(rowSel(other))
	if tb.until(`(() => { const m = document.querySelector('#main'); return !!m && m.getClientRects().length > 0; })()`, 0) {
		t.Errorf("the inbox at phone width shows the main column beside the list")
	}
	tb.shot("inbox")

	tb.click(rowSel(long))
	tb.waitFor("the chat with its newest message", fmt.Sprintf(`(document.querySelector('#chat') || {dataset: {}}).dataset.chatId === %s &&
  [...document.querySelectorAll('#chat [data-message-id] .text')].some(e => e.textContent.startsWith('mensaje 19:'))`, jsString(long)))
	tb.waitFor("the history scrolled to its newest message", phoneLayoutJS+`.lastShown`)
	l := eval[phoneLayout](tb, phoneLayoutJS)
	if l.Chat == nil || l.Reply == nil || l.Header == nil {
		t.Fatalf("no chat, reply box or header on the page: %+v", l)
	}
	if l.PageScroll > 1 || l.ScrollY != 0 {
		t.Errorf("the page itself scrolls by %.0f px (scrollY %.0f); the chat should fit the viewport", l.PageScroll, l.ScrollY)
	}
	if l.Chat.Top < l.Header.Bottom-1 || l.Chat.Bottom < l.Viewport-1 || l.Chat.Bottom > l.Viewport+1 {
		t.Errorf("the chat spans %.0f..%.0f px under a header ending at %.0f; want it to fill the %.0f px viewport below the header",
			l.Chat.Top, l.Chat.Bottom, l.Header.Bottom, l.Viewport)
	}
	if l.Reply.Bottom > l.Viewport+1 || l.Reply.Top < l.Header.Bottom || l.Reply.Bottom < l.Viewport-20 {
		t.Errorf("the reply box spans %.0f..%.0f px in a %.0f px viewport; want it in view at the bottom", l.Reply.Top, l.Reply.Bottom, l.Viewport)
	}
	if !l.HistoryScrolls {
		t.Errorf("the long history does not scroll inside the chat")
	}
	tb.shot("chat")

	// The side panel is below the chat, reached by scrolling.
	tb.waitFor("the side panel names the subscriber", `(document.querySelector('#subscriber-panel .subscriber-name') || {textContent: ''}).textContent.trim() === 'Larga Historia'`)
	tb.waitFor("the side panel scrolls into view", `(() => { const p = document.querySelector('#subscriber-panel'); p.scrollIntoView();
  const r = p.getBoundingClientRect(); return p.getClientRects().length > 0 && r.top >= 0 && r.top < innerHeight; })()`)
	tb.shot("side-panel")
	eval[bool](tb, `(document.querySelector('#chat').scrollIntoView(), true)`)

	// Back to the inbox.
	tb.click("#chat a.back")
	tb.waitFor("the back control returns to the inbox", fmt.Sprintf(`location.pathname === '/' && (() => {
  const r = document.querySelector(%s); return !!r && r.getClientRects().length > 0; })()`, jsString(rowSel(long))))
	tb.shot("back")

	// Escape, too, returns to the inbox, with the focus on the chat's row.
	tb.click(rowSel(other))
	tb.waitFor("the other chat", fmt.Sprintf(`(document.querySelector('#chat') || {dataset: {}}).dataset.chatId === %s`, jsString(other)))
	tb.do("Escape", chromedp.KeyEvent(kb.Escape))
	tb.waitFor("Escape returns to the inbox with the focus on the row", fmt.Sprintf(`location.pathname === '/' &&
  document.activeElement === document.querySelector(%s)`, jsString(rowSel(other))))
}
