package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// sibling opens another tab in tb's browser context: the same cookies and
// storage, as a second tab of one browser profile. It closes with the test.
func (tb *tab) sibling(name string) *tab {
	tb.t.Helper()
	ctx, cancel := chromedp.NewContext(tb.ctx)
	tb.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		tb.t.Fatalf("open a second tab: %v", err)
	}
	return &tab{t: tb.t, ctx: ctx, base: tb.base, name: name}
}

// storageHolds is a page expression: does any cookie the page can read or
// any entry of its local or session storage contain s?
func storageHolds(s string) string {
	return `(() => { const s = ` + jsString(s) + `;
  if (document.cookie.includes(s)) return true;
  for (const st of [localStorage, sessionStorage])
    for (let i = 0; i < st.length; i++) if ((st.getItem(st.key(i)) || '').includes(s)) return true;
  return false; })()`
}

// The console's session: the refresh token is in an HttpOnly cookie that
// no script in the page can read (not in document.cookie, nor in either
// storage); a reload and a second tab open signed in; signing out in one
// tab signs the other out and ends the session on the server.
func TestBrowserCookieSession(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()

	tb := openTab(t, me.http.URL, "admin")
	tb.signIn(tm.admin.Member.Email, adminPassword)

	res, err := chromedp.Call(tb.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{me.http.URL + "/v1/auth/refresh"}})
	if err != nil {
		t.Fatalf("Network.getCookies: %v", err)
	}
	var refresh string
	for _, c := range res.Cookies {
		if c.Name == "switchboard_session" {
			if !c.HTTPOnly || c.Path != "/v1/auth" || c.SameSite != network.CookieSameSiteStrict {
				t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/v1/auth", c)
			}
			refresh = c.Value
		}
	}
	if !strings.HasPrefix(refresh, "sbr_") {
		t.Fatalf("no session cookie in the browser: %+v", res.Cookies)
	}
	if eval[bool](tb, storageHolds("sbr_")) {
		t.Fatal("a script in the page can read the refresh token (document.cookie or storage)")
	}

	// A reload keeps the session.
	tb.open("/")
	tb.waitFor("the inbox after a reload", `document.querySelector('#inbox-list') !== null`)
	if tb.present("form#login") {
		t.Fatal("the sign-in form shows after a reload")
	}

	// A second tab of the same browser is signed in too.
	other := tb.sibling("admin-2")
	other.open("/")
	other.waitFor("the inbox in a second tab", `document.querySelector('#inbox-list') !== null`)
	other.shot("second-tab")

	// Signing out in the first tab signs the second out, and the server
	// ended the session: the old cookie value is refused.
	tb.click("button#sign-out")
	tb.waitFor("the sign-in form after signing out", `document.querySelector('form#login') !== null`)
	other.waitFor("the second tab's sign-in form", `document.querySelector('form#login') !== null`)
	wantStatus(t, me.cookieCall("/v1/auth/refresh", refresh, map[string]string{}), 401)
	other.open("/")
	other.waitFor("the sign-in form after a reload", `document.querySelector('form#login') !== null`)
	if other.present("#inbox-list") {
		t.Fatal("the inbox shows after signing out and reloading")
	}
}

// sessionCookie is the browser's switchboard_session cookie value.
func (tb *tab) sessionCookie() string {
	tb.t.Helper()
	res, err := chromedp.Call(tb.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{tb.base + "/v1/auth/refresh"}})
	if err != nil {
		tb.t.Fatalf("Network.getCookies: %v", err)
	}
	for _, c := range res.Cookies {
		if c.Name == "switchboard_session" {
			return c.Value
		}
	}
	return ""
}

// Sessions refresh silently: with 2-second access tokens, a click after
// the token expired still opens the chat (the 401 is answered by a
// refresh and the call retried), the console refreshes on its own before
// expiry, and the agent never sees the sign-in form.
func TestBrowserSilentRefresh(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t, func(c *authConfig, _ *apiOptions) { c.AccessTokenTTL = 2 * time.Second })
	tm := me.team()
	b := me.telegramBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.admin)})
	chat, _ := me.openTelegramChat(t, tm.admin, b, tgUser(7101, "Rita"), "¿Seguís abiertos?")

	tb := openTab(t, me.http.URL, "admin")
	tb.signIn(tm.admin.Member.Email, adminPassword)
	tb.wait(rowSel(chat.ID))
	first := tb.sessionCookie()
	time.Sleep(3 * time.Second) // the access token the page holds has expired
	tb.openChatIn(chat.ID)
	tb.waitFor("the chat's messages after the access token expired", `document.querySelector('#chat [data-message-id]') !== null`)

	// The page refreshes by itself (5 s after a refresh at the earliest,
	// for a token this short); the cookie's refresh token is replaced.
	for deadline := time.Now().Add(browserWait); tb.sessionCookie() == first; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the console never refreshed its session")
		}
	}
	if tb.present("form#login") || len(tb.Dialogs()) > 0 {
		t.Fatalf("the agent was asked to sign in again (dialogs %q)", tb.Dialogs())
	}
	tb.shot("after-refresh")
}

// An invite link, /invite#<token>, opens the page where the invited
// member picks a name and password and lands in the inbox, signed in; the
// token leaves the address bar, and a used link says so.
func TestBrowserAcceptInvite(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	r := me.call("POST", "/v1/members", tm.admin.AccessToken, map[string]string{"email": "nuevo@example.com", "name": "Nuevo", "role": "employee"})
	wantStatus(t, r, 201)
	var created struct {
		ID          string `json:"id"`
		InviteToken string `json:"invite_token"`
	}
	r.JSON(t, &created)

	tb := openTab(t, me.http.URL, "invited")
	tb.open("/invite#" + created.InviteToken)
	tb.wait("form#accept-invite input[name=password]")
	if eval[string](tb, `location.href`) != me.http.URL+"/invite" {
		t.Fatalf("the invite token stays in the address bar: %s", eval[string](tb, `location.href`))
	}
	tb.shot("invite")
	tb.fill("form#accept-invite input[name=password]", "short")
	tb.click("form#accept-invite button[type=submit]")
	tb.waitFor("the short password refused in the page", `document.querySelector('form#accept-invite .form-error').textContent !== ''`)
	tb.fill("form#accept-invite input[name=name]", "Nuria")
	tb.fill("form#accept-invite input[name=password]", "nuria-password")
	tb.click("form#accept-invite button[type=submit]")
	tb.waitFor("the inbox after joining", `document.querySelector('#inbox-list') !== null && location.pathname === '/'`)
	if tb.sessionCookie() == "" {
		t.Fatal("joining opened no cookie session")
	}
	// The member is active under the chosen name and password.
	joined := me.login("nuevo@example.com", "nuria-password")
	if joined.Member.Name != "Nuria" || joined.Member.Status != "active" {
		t.Fatalf("the joined member: %+v", joined.Member)
	}

	// The link again, in another browser: used, and said so.
	other := openTab(t, me.http.URL, "reused")
	other.open("/invite#" + created.InviteToken)
	other.fill("form#accept-invite input[name=password]", "another-password")
	other.click("form#accept-invite button[type=submit]")
	other.waitFor("the used link refused", `document.querySelector('form#accept-invite .form-error').textContent.length > 10`)
	other.shot("invite-used")
}
