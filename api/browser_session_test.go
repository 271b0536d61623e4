package api_test

import (
	"strings"
	"testing"

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
