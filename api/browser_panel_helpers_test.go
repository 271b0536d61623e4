package api_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/switchboardhq/switchboard/models"
)

// The side panel's scenarios: each runs as the admin, an employee and a
// follower (who follows the chats), one tab per role, and checks what
// the page shows against what the API stores.

// panelRole is one member of the team signing in to the console.
type panelRole struct {
	name, password string
	tk             tokens
	writes         bool
}

// panelRoles are the admin, an employee and the follower of tm.
func panelRoles(tm team) []panelRole {
	return []panelRole{
		{"admin", adminPassword, tm.admin, true},
		{"employee", memberPassword, tm.emp1, true},
		{"follower", memberPassword, tm.follower, false},
	}
}

// label is how the console names a member: the name, else the email.
func label(tk tokens) string {
	if tk.Member.Name != "" {
		return tk.Member.Name
	}
	return tk.Member.Email
}

// panelTab signs r in (dates shown in UTC and US English, the page kept
// focused), opens chat convID from the inbox and waits for its side panel.
func panelTab(t *testing.T, me *msgEnv, r panelRole, convID string) *tab {
	t.Helper()
	tb := openTab(t, me.http.URL, r.name)
	tb.do("pin the time zone and locale", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "UTC"}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tg, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: "en_US"}); err != nil {
			return err
		}
		// The clipboard serves only a focused page; tests run side by side.
		_, err := cdp.Call(ctx, tg, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}))
	tb.signIn(r.tk.Member.Email, r.password)
	tb.waitFor("the chat's row", fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(rowSel(convID))))
	tb.openChatIn(convID)
	tb.wait("#subscriber-panel .subscriber-name")
	return tb
}

// detail is the value cell of the side panel's detail data-field=name.
func detail(name string) string { return fmt.Sprintf(`#subscriber-panel [data-field=%s] dd`, name) }

// saveOf is the Save button next to the panel's input #id.
func saveOf(id string) string { return fmt.Sprintf(`#subscriber-panel .field:has(#%s) button`, id) }

// textIs is a page condition: the trimmed text of sel is want.
func textIs(sel, want string) string {
	return fmt.Sprintf(`((document.querySelector(%s) || {}).textContent || '').trim() === %s`, jsString(sel), jsString(want))
}

// textHas is a page condition: the text of sel contains want.
func textHas(sel, want string) string {
	return fmt.Sprintf(`((document.querySelector(%s) || {}).textContent || '').includes(%s)`, jsString(sel), jsString(want))
}

// waitText waits until the trimmed text of sel is want.
func (tb *tab) waitText(sel, want string) {
	tb.t.Helper()
	tb.waitFor(fmt.Sprintf("%s shows %q (it shows %q)", sel, want, tb.text(sel)), textIs(sel, want))
}

// waitHas waits until the text of sel contains want.
func (tb *tab) waitHas(sel, want string) {
	tb.t.Helper()
	tb.waitFor(fmt.Sprintf("%s contains %q", sel, want), textHas(sel, want))
}

// absent fails the test for each of sels the page has (write controls a
// follower must not get).
func (tb *tab) absent(sels ...string) {
	tb.t.Helper()
	for _, sel := range sels {
		if tb.present(sel) {
			tb.t.Errorf("%s: the page has %s", tb.name, sel)
		}
	}
}

// pick selects value in the select sel as a user would (a change event).
func (tb *tab) pick(sel, value string) {
	tb.t.Helper()
	tb.wait(sel)
	tb.waitFor("option "+value+" in "+sel, fmt.Sprintf(`[...document.querySelector(%s).options].some(o => o.value === %s)`, jsString(sel), jsString(value)))
	eval[bool](tb, fmt.Sprintf(`(() => { const s = document.querySelector(%s); s.focus(); s.value = %s; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`,
		jsString(sel), jsString(value)))
}

// shotAt scrolls sel into view and takes a screenshot of screen.
func (tb *tab) shotAt(sel, screen string) {
	tb.t.Helper()
	eval[bool](tb, fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (e) e.scrollIntoView({block: 'center'}); return true })()`, jsString(sel)))
	tb.shot(screen)
}

// follow makes the follower follow conversation id.
func (me *msgEnv) follow(tm team, id string) {
	me.t.Helper()
	wantStatus(me.t, me.call("PUT", "/v1/conversations/"+id+"/followers/"+tm.follower.Member.ID, tm.admin.AccessToken, nil), http.StatusOK)
}

// subscriber reads a subscriber through the API.
func (me *msgEnv) subscriber(token, id string) models.Subscriber {
	me.t.Helper()
	r := me.call("GET", "/v1/subscribers/"+id, token, nil)
	wantStatus(me.t, r, http.StatusOK)
	var s models.Subscriber
	r.JSON(me.t, &s)
	return s
}

// Fixed event times, so that the dates shown are known (the page shows
// dates in UTC, see panelTab).
var (
	subscribedAt = time.Date(2026, 3, 14, 10, 30, 0, 0, time.UTC)
	activeAt     = time.Date(2026, 3, 15, 9, 5, 0, 0, time.UTC)
)

// avatarJPEG is a 48x48 JPEG profile photo.
func avatarJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 48, 48))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{R: 40, G: 120, B: 200, A: 255}}, image.Point{}, draw.Src)
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
