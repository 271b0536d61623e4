package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/models"
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
