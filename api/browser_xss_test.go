package api_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/web"
)

// The payloads put in every subscriber-supplied field: markup that runs
// script if parsed as HTML, and a link that runs script if used as a URL.
const (
	xssImg    = `<img src=x onerror=window.__pwned=1>`
	xssScript = `<script>window.__pwned=1</script>`
	xssLink   = `javascript:window.__pwned=1`
	xssText   = xssImg + " " + xssScript + " " + xssLink
)

// unsafeDOM is a page check: "" when nothing executed and no markup from
// the data became elements, else what went wrong.
const unsafeDOM = `(() => {
  if (window.__pwned !== undefined) return 'window.__pwned is set';
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) return 'an element has the handler attribute ' + a.name + ' on <' + el.tagName + '>';
      if (/^\s*javascript:/i.test(a.value) && (a.name === 'href' || a.name === 'src' || a.name === 'action' || a.name === 'formaction'))
        return '<' + el.tagName + '> has ' + a.name + '=' + a.value;
    }
  }
  for (const s of document.querySelectorAll('script')) if (!s.src) return 'an inline <script> is in the page';
  for (const i of document.querySelectorAll('img')) if (i.getAttribute('src') === 'x') return 'an <img src=x> from the data is in the page';
  return '';
})()`

// guardNavigation keeps clicks on ordinary links from leaving the page,
// so that the checks after a click look at the same document; a
// javascript: link is left alone, so that it would run if rendered.
const guardNavigation = `window.addEventListener('click', e => {
  const a = e.target.closest && e.target.closest('a[href]');
  if (a && a.protocol !== 'javascript:') e.preventDefault();
}, true); true`

// checkSafe fails the test when the page ran the payload, holds markup
// from the data as elements, or opened a dialog.
func (tb *tab) checkSafe(where string) {
	tb.t.Helper()
	if bad := eval[string](tb, unsafeDOM); bad != "" {
		tb.shot("unsafe")
		tb.t.Errorf("%s: %s", where, bad)
	}
	if d := tb.Dialogs(); len(d) > 0 {
		tb.t.Errorf("%s: the page opened dialogs %q", where, d)
	}
}

// clickAll clicks every element matching sel (names, file links).
func (tb *tab) clickAll(sel string) {
	tb.t.Helper()
	eval[int](tb, fmt.Sprintf(`(() => { const l = document.querySelectorAll(%s); l.forEach(e => e.click()); return l.length })()`, jsString(sel)))
}

// tryEvent posts an event and reports whether the server took it (a
// field the API refuses, such as a javascript: URL, is logged and left
// out by the caller).
func (me *msgEnv) tryEvent(t *testing.T, key, botID string, ev map[string]any) (eventResult, bool) {
	t.Helper()
	r := me.call("POST", "/v1/bots/"+botID+"/events", key, ev)
	if r.StatusCode != http.StatusOK {
		t.Logf("the events API refuses %v: %d %s", ev["message"], r.StatusCode, r.Body)
		return eventResult{}, false
	}
	var res eventResult
	r.JSON(t, &res)
	return res, true
}

// Markup and javascript: links in every subscriber-supplied field (name,
// username, avatar, message text, file name and link, ad referral, note),
// through the events API and a native Telegram bot: the inbox, the chat
// and the side panel show them as text, and clicking the names and links
// runs nothing.
func TestBrowserXSS(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	shop := me.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "Shop"})
	sub := map[string]any{"id": "s-xss", "name": xssImg + xssScript, "username": xssLink, "email": "x@example.com",
		"variables": map[string]string{"city": xssText}}
	// The chat opens first, so that the inbox's default (open) list has it.
	me.event(tm.key, shop.ID, map[string]any{"id": "x0", "type": "open_chat", "subscriber": sub})
	first, ok := me.tryEvent(t, tm.key, shop.ID, map[string]any{"id": "x1", "type": "message",
		"subscriber": mergeMaps(sub, map[string]any{"avatar_url": xssLink}),
		"message":    map[string]any{"id": "mx1", "text": xssText}})
	if !ok {
		first = me.event(tm.key, shop.ID, map[string]any{"id": "x1", "type": "message", "subscriber": sub,
			"message": map[string]any{"id": "mx1", "text": xssText}})
	}
	me.tryEvent(t, tm.key, shop.ID, map[string]any{"id": "x2", "type": "message", "subscriber": sub,
		"message": map[string]any{"id": "mx2", "text": xssText, "referral": map[string]any{"campaign": xssText, "ad_id": xssScript, "url": xssLink}}})
	if _, ok := me.tryEvent(t, tm.key, shop.ID, map[string]any{"id": "x3", "type": "message", "subscriber": sub,
		"message": map[string]any{"id": "mx3", "kind": "file", "text": xssText, "file": map[string]any{"name": xssImg + ".pdf", "mime_type": "application/pdf", "url": xssLink}}}); !ok {
		me.event(tm.key, shop.ID, map[string]any{"id": "x3", "type": "message", "subscriber": sub,
			"message": map[string]any{"id": "mx3", "kind": "file", "text": xssText, "file": map[string]any{"name": xssImg + ".pdf", "mime_type": "application/pdf"}}})
	}
	wantStatus(t, me.call("POST", "/v1/subscribers/"+first.SubscriberID+"/notes", tm.admin.AccessToken, map[string]string{"text": xssText}), http.StatusCreated)

	// A native Telegram bot: the user's names and a document's file name.
	b := me.telegramBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.admin)})
	mal := telegramfake.User{ID: 8001, FirstName: xssImg, LastName: xssScript, Username: "pwned_user"}
	tgChat, _ := me.openTelegramChat(t, tm.admin, b, mal, xssText)
	me.tg.UserSendsMessage(mal.ID, mal, telegramfake.Inbound{Caption: xssText,
		Document: &telegramfake.FileSpec{Name: xssImg + ".txt", MimeType: "text/plain", Data: []byte("hi")}})
	eventually(t, "the document arrives", func() bool { return len(me.history(tm.admin.AccessToken, tgChat.ID, "")) >= 3 })

	tb := openTab(t, me.http.URL, "admin")
	tb.signIn(tm.admin.Member.Email, adminPassword)
	eval[bool](tb, guardNavigation)
	tb.need(rowSel(first.ConversationID), "inbox rows")
	tb.waitFor("the Telegram chat is listed", fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(rowSel(tgChat.ID))))
	for id, name := range map[string]string{first.ConversationID: xssImg + xssScript, tgChat.ID: xssImg + " " + xssScript} {
		if got := tb.text(rowSel(id) + " .chat-name"); got != name {
			t.Errorf("the inbox shows the name %q, want %q as text", got, name)
		}
	}
	tb.clickAll("#inbox-list .chat-name")
	tb.shot("inbox")
	tb.checkSafe("inbox")

	for i, id := range []string{first.ConversationID, tgChat.ID} {
		tb.openChatIn(id)
		tb.waitFor("the history shows the payload as text",
			fmt.Sprintf(`[...document.querySelectorAll('#chat [data-message-id] .text')].some(e => e.textContent.includes(%s))`, jsString(xssText)))
		tb.shot([]string{"chat-events-api", "chat-telegram"}[i])
		tb.checkSafe("chat " + id)
		if id == tgChat.ID && !tb.until(fmt.Sprintf(`[...document.querySelectorAll('#chat a.file')].some(a => a.textContent.includes(%s))`, jsString(xssImg+".txt")), featureWait) {
			t.Errorf("no a.file link shows the document's name %q as text", xssImg+".txt")
		}
		// Every link and name in the chat and the panel, clicked.
		eval[bool](tb, guardNavigation)
		tb.clickAll("#chat a")
		tb.clickAll("#subscriber-panel a")
		tb.checkSafe("chat " + id + " after clicking its links")
	}

	tb.openChatIn(first.ConversationID)
	tb.need("#notes", "notes")
	tb.waitFor("the note shows the payload as text",
		fmt.Sprintf(`document.querySelector('#notes').textContent.includes(%s)`, jsString(xssText)))
	tb.shot("side-panel")
	tb.checkSafe("side panel")
}

// mergeMaps is a copy of a with b's keys set.
func mergeMaps(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// The console's page carries the policy, and the policy holds in the
// browser: a script element or an inline handler injected into the page
// is refused (the browser reports the violation) and does not run.
func TestBrowserCSP(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	res, err := me.http.Client().Get(me.http.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if got := res.Header.Get("Content-Security-Policy"); got != web.CSP {
		t.Errorf("Content-Security-Policy %q, want %q", got, web.CSP)
	}

	tb := openTab(t, me.http.URL, "anonymous")
	tb.open("/")
	tb.waitFor("the page loads", `document.readyState === 'complete'`)
	eval[bool](tb, `(() => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective));
  const s = document.createElement('script');
  s.textContent = 'window.__pwned = 1';
  document.body.appendChild(s);
  const d = document.createElement('div');
  d.innerHTML = '<img src="data:," onerror="window.__pwned = 2" onload="window.__pwned = 3">';
  document.body.appendChild(d);
  return true;
})()`)
	tb.waitFor("the browser reports both violations", `window.__violations.length >= 2`)
	if v := eval[any](tb, `window.__pwned === undefined ? null : window.__pwned`); v != nil {
		t.Fatalf("injected script ran: window.__pwned = %v", v)
	}
	t.Logf("violations: %v", eval[[]string](tb, `window.__violations`))
}
