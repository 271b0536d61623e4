package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
	pushtg "github.com/switchboardhq/switchboard/push/telegram"
	"github.com/switchboardhq/switchboard/push/tgbot"
	"github.com/switchboardhq/switchboard/push/webpush"
	"github.com/switchboardhq/switchboard/push/webpush/webpushfake"
	"github.com/switchboardhq/switchboard/store/storetest"
	tg "github.com/switchboardhq/switchboard/telegram"
	"github.com/switchboardhq/switchboard/web"
)

// consolePushEnv is newConsoleEnv with a push gateway: Web Push to a
// loopback push service (webpushfake) and the Telegram notifications bot
// on its own Telegram fake, its webhook at /v1/push/telegram/webhook.
type consolePushEnv struct {
	*msgEnv
	webpush *webpushfake.Server
	alerts  *telegramfake.Server // the notifications bot's Telegram
}

// alertsWebhookSecret is the notifications bot's webhook secret.
const alertsWebhookSecret = "alerts-webhook-secret"

func newConsolePushEnv(t *testing.T) *consolePushEnv {
	t.Helper()
	if storetest.Engine() == storetest.EngineMongoDB {
		t.Skip("the console's browser tests run on the default store (see newConsoleEnv)")
	}
	m := newMessengers(t, false)
	wp := webpushfake.New(t)
	pub, priv, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	wp.ExpectKey(pub)
	sender, err := webpush.New(webpush.Config{PublicKey: pub, PrivateKey: priv, Subject: "mailto:ops@example.com", AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	alerts := telegramfake.New(t, tgToken)
	client := tg.New(tg.Config{Token: tgToken, BaseURL: alerts.URL(), GlobalRate: 1000, PerChatRate: 1000})
	db := storetest.Open(t)
	var e *env
	g := push.New(gatewayStores(db), push.Config{AppURL: "https://app.example.com", TelegramBot: alerts.Bot().Username},
		map[push.Provider]push.Sender{push.ProviderWebPush: sender, push.ProviderTelegram: pushtg.NewSender(client)},
		func() time.Time { return e.inboxClock.Now() }, prometheus.NewRegistry())
	g.CheckWebPush = sender.ValidSubscription
	e = newSyncEnv(t, db, testSync, func(_ *authConfig, o *apiOptions) {
		m.wire(o)
		o.Console = web.New()
		o.Push = g
		o.VAPIDPublicKey = pub
		o.TelegramSecret = alertsWebhookSecret
		o.TelegramWebhook = tgbot.New(g, client).HandleJSON
	})
	g.WithActions(inbox.AlertActions{S: e.inbox})
	m.serve(t, e.srv.Handler())
	return &consolePushEnv{msgEnv: &msgEnv{env: e, messengers: m}, webpush: wp, alerts: alerts}
}

// consoleRole is a member of the team signing in to the console.
type consoleRole struct {
	name, password string
	tok            tokens
}

// consoleRoles are the team's admin, employee (emp1) and follower.
func consoleRoles(tm team) []consoleRole {
	return []consoleRole{{"admin", adminPassword, tm.admin}, {"employee", memberPassword, tm.emp1}, {"follower", memberPassword, tm.follower}}
}

// choose picks value in the select sel, as a person does (input and
// change events).
func (tb *tab) choose(sel, value string) {
	tb.t.Helper()
	tb.wait(sel)
	ok := eval[bool](tb, fmt.Sprintf(`(() => { const s = document.querySelector(%s);
  if (![...s.options].some(o => o.value === %s)) return false;
  s.focus(); s.value = %s;
  s.dispatchEvent(new Event('input', {bubbles: true})); s.dispatchEvent(new Event('change', {bubbles: true}));
  return true; })()`, jsString(sel), jsString(value), jsString(value)))
	if !ok {
		tb.shot("failed")
		tb.t.Fatalf("%s has no option %q", sel, value)
	}
}

// checked reports whether the checkbox sel is checked.
func (tb *tab) checked(sel string) bool {
	tb.t.Helper()
	return eval[bool](tb, fmt.Sprintf(`!!(document.querySelector(%s) || {}).checked`, jsString(sel)))
}

// prefSel is the preference checkbox of event ev on channel ch.
func prefSel(ev, ch string) string {
	return fmt.Sprintf(`#notification-settings input[data-event=%s][data-channel=%s]`, jsString(ev), jsString(ch))
}

// prefs reads the caller's notification preferences.
func (cp *consolePushEnv) prefs(token string) map[string]map[string]bool {
	cp.t.Helper()
	r := cp.call("GET", "/v1/push/preferences", token, nil)
	wantStatus(cp.t, r, http.StatusOK)
	var p struct{ Events map[string]map[string]bool }
	r.JSON(cp.t, &p)
	return p.Events
}

// devices lists the caller's devices.
func (cp *consolePushEnv) devices(token string) []models.Device {
	cp.t.Helper()
	r := cp.call("GET", "/v1/push/devices", token, nil)
	wantStatus(cp.t, r, http.StatusOK)
	var l struct{ Items []models.Device }
	r.JSON(cp.t, &l)
	return l.Items
}

// deliverAlerts posts an update to the notifications bot's webhook, as
// Telegram does.
func (cp *consolePushEnv) deliverAlerts(u telegramfake.Update) {
	cp.t.Helper()
	raw, err := json.Marshal(u)
	if err != nil {
		cp.t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", cp.http.URL+"/v1/push/telegram/webhook", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", alertsWebhookSecret)
	wantStatus(cp.t, cp.do(req), http.StatusOK)
}

// Settings, as each role: the notification preferences per event and
// channel are saved (the API agrees, a reload shows them); the member's
// Web Push device is listed and its test push reaches the push service;
// the Telegram notifications bot's deep link is shown, and sending its
// /start code to the bot lists the member's Telegram. The admin sections
// are for admins only (see TestBrowserAdmin*).
func TestBrowserSettingsNotifications(t *testing.T) {
	t.Parallel()
	cp := newConsolePushEnv(t)
	tm := cp.team()
	for i, role := range consoleRoles(tm) {
		t.Run(role.name, func(t *testing.T) {
			tok := role.tok.AccessToken
			sub := cp.webpush.Subscribe()
			r := cp.call("POST", "/v1/push/devices", tok, map[string]any{"kind": "webpush", "name": "Laptop " + role.name,
				"subscription": map[string]any{"endpoint": sub.Endpoint, "expirationTime": nil, "keys": map[string]string{"p256dh": sub.P256dh, "auth": sub.Auth}}})
			wantStatus(t, r, http.StatusCreated)
			var dev models.Device
			r.JSON(t, &dev)

			tb := openTab(t, cp.http.URL, role.name)
			tb.signIn(role.tok.Member.Email, role.password)
			tb.open("/settings")
			tb.waitFor("the preferences table", fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(prefSel("new_chat", "email"))))
			if got, want := tb.present(prefSel("bot_broken", "push")), role.name == "admin"; got != want {
				t.Errorf("the bot_broken preference shown: %v, want %v (admins only)", got, want)
			}
			before := cp.prefs(tok)
			for ev, chans := range before {
				for ch, on := range chans {
					if ev == "bot_broken" && role.name != "admin" {
						continue
					}
					if got := tb.checked(prefSel(ev, ch)); got != on {
						t.Errorf("%s/%s shows %v, the server has %v", ev, ch, got, on)
					}
				}
			}
			tb.shot("settings")

			// Flip two preferences; a different pair per role.
			flips := [][2]string{{"new_chat", "email"}, {"message", "telegram"}}
			if i == 1 {
				flips = [][2]string{{"assigned", "web_push"}, {"followed_message", "push"}}
			}
			for _, f := range flips {
				tb.click(prefSel(f[0], f[1]))
			}
			eventually(t, "the server has the flipped preferences", func() bool {
				now := cp.prefs(tok)
				for _, f := range flips {
					if now[f[0]][f[1]] == before[f[0]][f[1]] {
						return false
					}
				}
				return true
			})
			after := cp.prefs(tok)
			tb.open("/settings")
			tb.waitFor("the preferences table after a reload", fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(prefSel("new_chat", "email"))))
			for ev, chans := range after {
				for ch, on := range chans {
					if ev == "bot_broken" && role.name != "admin" {
						continue
					}
					if got := tb.checked(prefSel(ev, ch)); got != on {
						t.Errorf("after a reload %s/%s shows %v, the server has %v", ev, ch, got, on)
					}
				}
			}

			// The device and its test push.
			devSel := fmt.Sprintf(`#devices [data-device-id=%s]`, jsString(dev.ID))
			tb.waitFor("the device is listed", fmt.Sprintf(`(document.querySelector(%s) || {textContent: ''}).textContent.includes(%s)`, jsString(devSel), jsString("Laptop "+role.name)))
			tb.shot("devices")
			tb.click(devSel + " button.test-push")
			eventually(t, "the push service gets the test push", func() bool {
				return slices.ContainsFunc(cp.webpush.Messages(), func(m webpushfake.Message) bool {
					return m.SubscriptionID == sub.ID && strings.Contains(string(m.Plaintext), "Test notification")
				})
			})
			tb.waitFor("the device shows the test's outcome", fmt.Sprintf(`(document.querySelector(%s) || {dataset: {}}).dataset.outcome === "sent"`, jsString(devSel)))
			if d := cp.devices(tok); len(d) != 1 || d[0].LastOutcome != "sent" {
				t.Errorf("the server's devices after the test: %+v", d)
			}

			// The Telegram notifications bot: the deep link, then /start.
			tb.click("#link-telegram")
			prefix := "https://t.me/" + cp.alerts.Bot().Username + "?start="
			tb.waitFor("the deep link is shown", fmt.Sprintf(`(document.querySelector('#devices .telegram-link code') || {textContent: ''}).textContent.startsWith(%s)`, jsString(prefix)))
			link := tb.text("#devices .telegram-link code")
			tb.shot("telegram-link")
			u := telegramfake.User{ID: 8100 + int64(i), FirstName: "Agent", Username: "agent_" + role.name}
			cp.deliverAlerts(cp.alerts.UserSends(u.ID, u, "/start "+strings.TrimPrefix(link, prefix)))
			eventually(t, "the member's Telegram is linked", func() bool {
				return slices.ContainsFunc(cp.devices(tok), func(d models.Device) bool { return d.Kind == models.DeviceTelegram })
			})
			tb.waitFor("the page says Telegram is linked, without a reload", `document.querySelector('#devices .telegram-link .linked') !== null`)
			tgSel := `#devices [data-device-id][data-kind=telegram]`
			tb.waitFor("the Telegram chat is listed among the devices", fmt.Sprintf(`(document.querySelector(%s) || {textContent: ''}).textContent.includes(%s)`, jsString(tgSel), jsString("@"+u.Username)))
			tb.shot("devices-linked")
		})
	}
}
