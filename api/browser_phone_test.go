package api_test

import (
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
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
