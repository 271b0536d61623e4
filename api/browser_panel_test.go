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
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
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

// panelTab signs r in (dates shown in UTC, US English, the page
// focused), opens chat
// convID from the inbox and waits for its side panel.
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

// The subscriber in the side panel: an Instagram subscriber from an ad
// (put in through the events API) shows avatar, name, username,
// subscription and its date, last activity, email, phone, the follow
// flags and the campaign; a Telegram group shows its members and invite
// link, as text with Copy. The admin edits the email and phone, the
// employee the tags, disables and enables the subscriber and deletes
// another one after confirming; the follower sees the same and no
// control.
func TestBrowserPanelSubscriber(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	insta := me.bot(tm.admin.AccessToken, map[string]any{"channel": "instagram", "name": "Insta"})
	lucia := map[string]any{"id": "ig-1", "name": "Lucía Ortega", "username": "lucia.o", "email": "lucia@example.com", "phone": "+34 600 000 001",
		"instagram": map[string]any{"follows_business": true, "business_follows": false}}
	me.event(tm.key, insta.ID, map[string]any{"id": "e1", "type": "subscribed", "at": subscribedAt, "subscriber": lucia})
	open := me.event(tm.key, insta.ID, map[string]any{"id": "e2", "type": "open_chat", "at": activeAt.Add(-time.Minute), "subscriber": lucia})
	me.event(tm.key, insta.ID, map[string]any{"id": "e3", "type": "message", "at": activeAt, "subscriber": lucia,
		"message": map[string]any{"id": "m3", "text": "I saw your ad", "referral": map[string]any{"campaign": "Spring sale", "ad_id": "ad-42"}}})
	groups := me.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "Groups"})
	invite := "https://t.me/+AbCdEf123"
	group := me.event(tm.key, groups.ID, map[string]any{"id": "g1", "type": "open_chat", "subscriber": map[string]any{"id": "-100123", "name": "Trekking club",
		"telegram_group": map[string]any{"members_count": 37, "invite_link": invite}}})
	spam := me.event(tm.key, insta.ID, map[string]any{"id": "s1", "type": "open_chat", "subscriber": map[string]any{"id": "ig-2", "name": "Spam Account"}})
	// A native Telegram subscriber with a profile photo, kept as the avatar.
	native := me.telegramBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp2)})
	face := tgUser(8101, "Face")
	me.tg.SetProfilePhotos(face.ID, telegramfake.FileSpec{Name: "face.jpg", Data: avatarJPEG(t)})
	faceChat, _ := me.openTelegramChat(t, tm.emp2, native, face, "hi")
	me.waitSubscriber(t, tm.admin.AccessToken, native.ID, face.ID, "the avatar", func(s models.Subscriber) bool { return s.AvatarURL != "" })
	me.follow(tm, open.ConversationID)
	me.follow(tm, group.ConversationID)
	me.follow(tm, spam.ConversationID)
	me.follow(tm, faceChat.ID)
	sub := open.SubscriberID

	for _, r := range panelRoles(tm) {
		t.Run(r.name, func(t *testing.T) {
			tb := panelTab(t, me, r, open.ConversationID)
			tb.waitText("#subscriber-panel .subscriber-name", "Lucía Ortega")
			if !tb.present("#subscriber-panel .profile .avatar") {
				t.Errorf("no avatar in the panel")
			}
			s := me.subscriber(tm.admin.AccessToken, sub)
			for f, want := range map[string]string{
				"username": "@lucia.o", "channel": "instagram", "email": s.Email, "phone": s.Phone,
				"instagram": "follows you, you do not follow them", "campaign": "Spring sale",
			} {
				tb.waitText(detail(f), want)
			}
			tb.waitHas(detail("subscription"), "subscribed since 3/14/26, 10:30")
			tb.waitHas(detail("last-activity"), "3/15/26, 9:05")
			tb.shotAt("#subscriber-panel .details", "subscriber")

			switch r.name {
			case "admin":
				tb.fill("input#subscriber-email", "lucia.ortega@example.org")
				tb.click(saveOf("subscriber-email"))
				tb.waitText(detail("email"), "lucia.ortega@example.org")
				tb.fill("input#subscriber-phone", "+34 600 000 002")
				tb.click(saveOf("subscriber-phone"))
				tb.waitText(detail("phone"), "+34 600 000 002")
				if s := me.subscriber(tm.admin.AccessToken, sub); s.Email != "lucia.ortega@example.org" || s.Phone != "+34 600 000 002" {
					t.Fatalf("stored email %q, phone %q after editing them in the panel", s.Email, s.Phone)
				}
				// A malformed address: the server's refusal naming the field is shown, nothing changes.
				tb.fill("input#subscriber-email", "not an address")
				tb.click(saveOf("subscriber-email"))
				tb.waitHas("#toast", "email: must be a valid email address")
				if s := me.subscriber(tm.admin.AccessToken, sub); s.Email != "lucia.ortega@example.org" {
					t.Fatalf("a refused email changed the stored one to %q", s.Email)
				}
				tb.shotAt("input#subscriber-email", "contact-edited")
			case "employee":
				tb.fill("input#subscriber-tags", "vip, spring")
				tb.click(saveOf("subscriber-tags"))
				tb.waitText(detail("tags"), "vip, spring")
				if s := me.subscriber(tm.admin.AccessToken, sub); !slices.Equal(s.Tags, []string{"vip", "spring"}) {
					t.Fatalf("stored tags %q", s.Tags)
				}
				tb.click("button#disable-subscriber")
				tb.waitText(detail("state"), "disabled")
				if !me.subscriber(tm.admin.AccessToken, sub).Disabled {
					t.Fatal("the subscriber is not disabled on the server")
				}
				tb.shotAt("button#disable-subscriber", "disabled")
				tb.waitText("button#disable-subscriber", "Allow bot messages")
				tb.click("button#disable-subscriber")
				tb.waitFor("the disabled state goes", fmt.Sprintf(`document.querySelector(%s) === null`, jsString(detail("state"))))
				if me.subscriber(tm.admin.AccessToken, sub).Disabled {
					t.Fatal("the subscriber is still disabled on the server")
				}
				deleteSubscriber(t, tb, me, tm, spam)
			default:
				// The avatar is the stored photo, fetched with the follower's token.
				tb.click(rowSel(faceChat.ID))
				tb.waitFor("the avatar photo", `(() => { const i = document.querySelector('#subscriber-panel .profile img.avatar');
					return !!i && i.src.startsWith('blob:') && i.complete && i.naturalWidth === 48 })()`)
				tb.shotAt("#subscriber-panel .profile", "avatar")
				tb.click(rowSel(open.ConversationID))
				tb.waitText("#subscriber-panel .subscriber-name", "Lucía Ortega")
				tb.absent("input#subscriber-email", "input#subscriber-phone", "input#subscriber-tags",
					"button#disable-subscriber", "button#delete-subscriber", "select#assignee", "button#follow")
			}

			// The Telegram group: members and the invite link as text, with Copy.
			tb.click(rowSel(group.ConversationID))
			tb.waitText("#subscriber-panel .subscriber-name", "Trekking club")
			tb.waitText(detail("group-members"), "37")
			tb.waitText("#subscriber-panel [data-field=invite-link] code.invite", invite)
			if tb.present(`#subscriber-panel a[href*="t.me"]`) {
				t.Error("the invite link is a link; it must be text")
			}
			tb.click("button#copy-invite")
			tb.waitFor("the copy is confirmed", textHas("#toast", "Copied."))
			tb.shotAt("#copy-invite", "telegram-group")
		})
	}
}

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

// deleteSubscriber deletes the subscriber of chat ev in the open tab:
// the first click asks, Cancel keeps the subscriber, Yes deletes it and
// returns to the inbox.
func deleteSubscriber(t *testing.T, tb *tab, me *msgEnv, tm team, ev eventResult) {
	t.Helper()
	tb.click(rowSel(ev.ConversationID))
	tb.waitText("#subscriber-panel .subscriber-name", "Spam Account")
	tb.click("button#delete-subscriber")
	tb.wait("button.confirm-delete-subscriber")
	tb.shotAt("button.confirm-delete-subscriber", "delete-confirm")
	tb.click("#subscriber-panel .confirm button.link")
	tb.wait("button#delete-subscriber")
	wantStatus(t, me.call("GET", "/v1/subscribers/"+ev.SubscriberID, tm.admin.AccessToken, nil), http.StatusOK)
	tb.click("button#delete-subscriber")
	tb.click("button.confirm-delete-subscriber")
	tb.waitFor("the inbox after the delete", `location.pathname === '/'`)
	wantStatus(t, me.call("GET", "/v1/subscribers/"+ev.SubscriberID, tm.admin.AccessToken, nil), http.StatusNotFound)
	if len(tb.Dialogs()) > 0 {
		t.Errorf("the delete opened dialogs %q", tb.Dialogs())
	}
}
