package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
	"github.com/switchboardhq/switchboard/push/email"
	"github.com/switchboardhq/switchboard/push/email/smtpfake"
	"github.com/switchboardhq/switchboard/push/webpush"
	"github.com/switchboardhq/switchboard/push/webpush/webpushfake"
)

// storeShop is shop with a native Telegram bot made in the store,
// connected now (by polling), as a connect leaves it, without a Bot API
// to check its token against.
func (pe *pushEnv) storeShop() (team, models.Bot) {
	pe.t.Helper()
	tm := pe.team()
	now := pe.inboxClock.Now()
	b := &models.Bot{ID: models.NewID(), Channel: models.ChannelTelegram, Name: "Shop", Credentials: map[string]string{"token": "1:x"},
		CredentialsHint: map[string]string{}, Queue: []string{}, Delivery: models.DeliveryNative, Stamp: models.Stamp{WS: tm.admin.Workspace.ID},
		Connection: &models.Connection{State: models.ConnConnected, Transport: models.TransportPolling, ConnectedAt: &now}}
	if b.WS == "" {
		pe.t.Fatal("no workspace id in the admin's tokens")
	}
	if err := pe.db.CreateBot(context.Background(), b); err != nil {
		pe.t.Fatal(err)
	}
	return tm, *b
}

// breakBot records, through the store as the messenger code does, that
// the platform refused bot id's token at the inbox clock's now: the
// bot's connection as it is, broken, with the platform's words and time.
func (pe *pushEnv) breakBot(ws, id, why string) time.Time {
	pe.t.Helper()
	ctx := context.Background()
	b, err := pe.db.Bot(ctx, ws, id)
	if err != nil {
		pe.t.Fatal(err)
	}
	at := pe.inboxClock.Now()
	conn := models.Connection{}
	if b.Connection != nil {
		conn = *b.Connection
	}
	conn.State, conn.LastError, conn.LastErrorAt = models.ConnBroken, why, &at
	if _, err := pe.db.UpdateBot(ctx, ws, id, models.BotUpdate{Connection: &conn}); err != nil {
		pe.t.Fatal(err)
	}
	return at
}

// reconnectBot records a new connection of bot id, made now.
func (pe *pushEnv) reconnectBot(ws, id string) {
	pe.t.Helper()
	now := pe.inboxClock.Now()
	conn := &models.Connection{State: models.ConnConnected, Transport: models.TransportPolling, ConnectedAt: &now}
	if _, err := pe.db.UpdateBot(context.Background(), ws, id, models.BotUpdate{Connection: conn}); err != nil {
		pe.t.Fatal(err)
	}
}

// botAlerts lists the workspace's bot_broken alerts, newest first.
func (pe *pushEnv) botAlerts(admin string) []models.Alert {
	pe.t.Helper()
	var out []models.Alert
	for _, a := range pe.alerts(admin, "?limit=200") {
		if a.Event == models.EventBotBroken {
			out = append(out, a)
		}
	}
	return out
}

// TestBotBrokenAlertsEveryAdminOnce: a bot whose token the platform
// refuses alerts every active admin once on each route their preferences
// allow (FCM, APNs, Web Push, email), with no chat link, chat actions or
// badge; employees and followers hear nothing; writing the bot again
// while it stays broken alerts nobody; a reconnect and a new break alert
// again.
func TestBotBrokenAlertsEveryAdminOnce(t *testing.T) {
	senders, ff, af := mobileSenders(t)
	wp := webpushfake.New(t)
	pub, priv, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	wp.ExpectKey(pub)
	wps, err := webpush.New(webpush.Config{PublicKey: pub, PrivateKey: priv, Subject: "mailto:ops@example.com", AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	smtp := smtpfake.New(t)
	es, err := email.New(email.Config{URL: smtp.URL(), From: "alerts@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	senders[push.ProviderWebPush], senders[push.ProviderEmail] = wps, es
	m := &mobile{pushEnv: newPushEnv(t, push.Config{}, senders, func(g *push.Gateway, o *apiOptions) {
		g.CheckWebPush, o.VAPIDPublicKey = wps.ValidSubscription, pub
	}), fcm: ff, apns: af}
	tm, bot := m.storeShop()
	ws := tm.admin.Workspace.ID
	admin2 := m.member(tm.admin.AccessToken, "admin2@example.com", models.RoleAdmin)
	m.device(tm.admin.AccessToken, map[string]any{"kind": "fcm", "token": "admin-phone"})
	m.device(admin2.AccessToken, map[string]any{"kind": "apns", "token": apnsToken(7), "topic": "com.example.sb"})
	browser, idle := wp.Subscribe(), wp.Subscribe()
	for tok, s := range map[string]*webpushfake.Subscription{tm.admin.AccessToken: browser, admin2.AccessToken: idle} {
		m.device(tok, map[string]any{"kind": "webpush", "subscription": map[string]any{"endpoint": s.Endpoint,
			"keys": map[string]string{"p256dh": s.P256dh, "auth": s.Auth}}})
	}
	m.device(tm.emp1.AccessToken, map[string]any{"kind": "fcm", "token": "emp1-phone"})
	m.device(tm.follower.AccessToken, map[string]any{"kind": "fcm", "token": "fol-phone"})
	// admin2 turns bot_broken off in the browser (and keeps it elsewhere).
	wantStatus(t, m.call("PATCH", "/v1/push/preferences", admin2.AccessToken, map[string]any{"events": map[string]any{"bot_broken": map[string]bool{"web_push": false}}}), http.StatusOK)

	// A chat opens first: its alerts carry badges and take the hour's emails.
	m.event(tm.key, bot.ID, say("e1", "s1", "help"))
	m.event(tm.key, bot.ID, openChat("e2", "s1"))
	m.step()
	if len(m.fcmTo("admin-phone")) != 1 || len(m.apnsTo(apnsToken(7))) != 1 || len(wp.Messages()) != 2 || len(smtp.Messages()) != 4 {
		t.Fatalf("the chat's alerts: fcm %d apns %d webpush %d email %d", len(m.fcmTo("admin-phone")), len(m.apnsTo(apnsToken(7))), len(wp.Messages()), len(smtp.Messages()))
	}
	fcmAt, apnsAt, wpAt, mailAt := len(ff.Messages()), len(af.Notifications()), len(wp.Messages()), len(smtp.Messages())

	m.inboxClock.Advance(time.Minute)
	m.breakBot(ws, bot.ID, "Unauthorized")
	m.step()
	text := "Bot Shop is disconnected: Telegram refused its token (Unauthorized). Reconnect it in Settings → Bots."
	// FCM: the first admin's phone, headed "Bot disconnected", no badge, no chat.
	fm := ff.Messages()[fcmAt:]
	if len(fm) != 1 || fm[0].Token != "admin-phone" {
		t.Fatalf("FCM after the break: %+v (want one, to the admin's phone only)", fm)
	}
	if n := fm[0].Notification; n == nil || n.Title != push.BotBrokenTitle || n.Body != text || n.NotificationCount != nil || n.Tag != "bot-"+bot.ID {
		t.Fatalf("FCM notification %+v", n)
	}
	if d := fm[0].Data; d["event"] != "bot_broken" || d["bot_id"] != bot.ID || d["bot"] != "Shop" || d["channel"] != "telegram" ||
		d["badge"] != "" || d["subscriber_name"] != "" || d["conversation_id"] != "" || d["url"] != "" || fm[0].CollapseKey != "bot-"+bot.ID {
		t.Fatalf("FCM data %v collapse key %q", d, fm[0].CollapseKey)
	}
	// APNs: the second admin's phone; no badge, no chat category or thread.
	an := af.Notifications()[apnsAt:]
	if len(an) != 1 || an[0].Token != apnsToken(7) || an[0].Header.Get("apns-collapse-id") != "bot-"+bot.ID || an[0].Header.Get("apns-push-type") != "alert" {
		t.Fatalf("APNs after the break: %+v", an)
	}
	aps := an[0].Payload["aps"].(map[string]any)
	alert, _ := aps["alert"].(map[string]any)
	if _, has := aps["badge"]; has || aps["category"] != nil || aps["thread-id"] != nil || alert["title"] != push.BotBrokenTitle || alert["body"] != text ||
		an[0].Payload["bot_id"] != bot.ID || an[0].Payload["conversation_id"] != nil || an[0].Payload["url"] != nil || an[0].Payload["event"] != "bot_broken" {
		t.Fatalf("APNs payload %s", an[0].Raw)
	}
	// Web Push: the first admin's browser only (the second turned it off).
	wm := wp.Messages()[wpAt:]
	if len(wm) != 1 || wm[0].SubscriptionID != browser.ID {
		t.Fatalf("Web Push after the break: %+v", wm)
	}
	var p map[string]any
	if err := json.Unmarshal(wm[0].Plaintext, &p); err != nil {
		t.Fatal(err)
	}
	if _, has := p["badge"]; has || p["url"] != nil || p["conversation_id"] != nil || p["bot_id"] != bot.ID || p["title"] != push.BotBrokenTitle || p["body"] != text || p["event"] != "bot_broken" {
		t.Fatalf("Web Push payload %s", wm[0].Plaintext)
	}
	// Email: both admins, though each had the hour's chat email already.
	mails := smtp.Messages()[mailAt:]
	to := map[string]bool{}
	for _, e := range mails {
		to[e.To[0]] = true
		if e.Subject != "Bot Shop is disconnected (Telegram)" || !strings.Contains(e.Text, text) || strings.Contains(e.Text, "Open the chat") || strings.Contains(e.HTML, "Open the chat") {
			t.Fatalf("bot email %q\n%s", e.Subject, e.Text)
		}
	}
	if len(mails) != 2 || !to["admin@example.com"] || !to["admin2@example.com"] {
		t.Fatalf("bot emails to %v (%d), want the two admins", to, len(mails))
	}
	// The Alerts API lists it: no chat, the bot, every route sent, no badge.
	alerts := m.botAlerts(tm.admin.AccessToken)
	if len(alerts) != 1 {
		t.Fatalf("bot alerts %+v", alerts)
	}
	a := alerts[0]
	if a.BotID != bot.ID || a.ConversationID != "" || a.BotName != "Shop" || a.Channel != models.ChannelTelegram || a.Preview != text ||
		a.SubscriberName != "" || a.State != models.AlertDone || len(a.Deliveries) != 5 {
		t.Fatalf("bot alert %+v", a)
	}
	for _, d := range a.Deliveries {
		if d.State != models.DeliveryDone || d.Badge != 0 || d.Event != models.EventBotBroken || (d.MemberID != tm.admin.Member.ID && d.MemberID != admin2.Member.ID) {
			t.Fatalf("bot alert delivery %+v", d)
		}
	}
	sent := func() int {
		return len(ff.Messages()) + len(af.Notifications()) + len(wp.Messages()) + len(smtp.Messages())
	}
	total := sent()

	// Written again while broken (renamed, a later update's time, the
	// refusal recorded again by another of the bot's jobs): nobody again.
	m.inboxClock.Advance(time.Minute)
	if _, err := m.db.UpdateBot(context.Background(), ws, bot.ID, models.BotUpdate{Name: ptr("Shop 2")}); err != nil {
		t.Fatal(err)
	}
	cur, err := m.db.Bot(context.Background(), ws, bot.ID)
	if err != nil {
		t.Fatal(err)
	}
	later, conn := m.inboxClock.Now(), *cur.Connection
	conn.LastUpdateAt = &later
	if _, err := m.db.UpdateBot(context.Background(), ws, bot.ID, models.BotUpdate{Connection: &conn}); err != nil {
		t.Fatal(err)
	}
	m.step()
	m.inboxClock.Advance(time.Second)
	m.breakBot(ws, bot.ID, "Unauthorized")
	m.step()
	if n := sent(); n != total || len(m.botAlerts(tm.admin.AccessToken)) != 1 {
		t.Fatalf("writing the broken bot again sent %d more", n-total)
	}

	// Reconnected: nothing; broken again: every admin hears once more.
	m.reconnectBot(ws, bot.ID)
	m.step()
	if n := sent(); n != total {
		t.Fatalf("a reconnect sent %d", n-total)
	}
	m.inboxClock.Advance(time.Minute)
	m.breakBot(ws, bot.ID, "Unauthorized")
	m.step()
	if n := sent(); n != total+5 || len(m.fcmTo("emp1-phone")) != 1 || len(m.fcmTo("fol-phone")) != 0 {
		t.Fatalf("a new break sent %d, want 5; employee %d, follower %d", n-total, len(m.fcmTo("emp1-phone")), len(m.fcmTo("fol-phone")))
	}
	if got := m.botAlerts(tm.admin.AccessToken); len(got) != 2 || got[0].ID == got[1].ID || !strings.HasPrefix(got[0].Preview, "Bot Shop 2 is disconnected") {
		t.Fatalf("bot alerts after a new break %+v", got)
	}
	// Employees and followers may not list alerts, nor did they get any.
	wantStatus(t, m.call("GET", "/v1/push/alerts", tm.emp1.AccessToken, nil), http.StatusForbidden)
}

// TestBotBrokenPreferenceOffPerChannel: an admin who turned bot_broken
// off on a channel gets nothing there, and the alert still reaches
// their other channels and the other admins; no admin reachable makes no alert.
func TestBotBrokenPreferenceOffPerChannel(t *testing.T) {
	m := newMobileEnv(t, push.Config{})
	tm, bot := m.storeShop()
	ws := tm.admin.Workspace.ID
	admin2 := m.member(tm.admin.AccessToken, "admin2@example.com", models.RoleAdmin)
	m.device(tm.admin.AccessToken, map[string]any{"kind": "fcm", "token": "admin-phone"})
	m.device(tm.admin.AccessToken, map[string]any{"kind": "apns", "token": apnsToken(1), "topic": "com.example.sb"})
	m.device(admin2.AccessToken, map[string]any{"kind": "fcm", "token": "admin2-phone"})
	// The mobile apps are one channel (push): FCM and APNs alike.
	wantStatus(t, m.call("PATCH", "/v1/push/preferences", tm.admin.AccessToken, map[string]any{"events": map[string]any{"bot_broken": map[string]bool{"push": false}}}), http.StatusOK)
	r := m.call("GET", "/v1/push/preferences", tm.admin.AccessToken, nil)
	var prefs struct {
		Events map[string]map[string]bool `json:"events"`
	}
	r.JSON(t, &prefs)
	if prefs.Events["bot_broken"]["push"] || !prefs.Events["bot_broken"]["telegram"] || !prefs.Events["new_chat"]["push"] {
		t.Fatalf("preferences %v", prefs.Events)
	}
	m.breakBot(ws, bot.ID, "Unauthorized")
	m.step()
	if len(m.fcmTo("admin-phone")) != 0 || len(m.apnsTo(apnsToken(1))) != 0 || len(m.fcmTo("admin2-phone")) != 1 {
		t.Fatalf("admin %d+%d, admin2 %d; want 0, 0, 1", len(m.fcmTo("admin-phone")), len(m.apnsTo(apnsToken(1))), len(m.fcmTo("admin2-phone")))
	}
	// With every admin's push off, a new break (after a reconnect) makes no alert at all.
	wantStatus(t, m.call("PATCH", "/v1/push/preferences", admin2.AccessToken, map[string]any{"events": map[string]any{"bot_broken": map[string]bool{"push": false}}}), http.StatusOK)
	m.inboxClock.Advance(time.Minute)
	m.reconnectBot(ws, bot.ID)
	m.inboxClock.Advance(time.Minute)
	m.breakBot(ws, bot.ID, "Unauthorized")
	m.step()
	if n := len(m.botAlerts(tm.admin.AccessToken)); n != 1 || len(m.fcm.Messages())+len(m.apns.Notifications()) != 1 {
		t.Fatalf("%d bot alerts, %d pushes; want the first only", n, len(m.fcm.Messages())+len(m.apns.Notifications()))
	}
	// The chat alerts are untouched by the bot_broken switch.
	m.event(tm.key, bot.ID, say("e1", "s1", "hi"))
	m.event(tm.key, bot.ID, openChat("e2", "s1"))
	m.step()
	if len(m.fcmTo("admin-phone")) != 1 || len(m.apnsTo(apnsToken(1))) != 1 {
		t.Fatal("turning bot_broken off silenced new chats")
	}
}
