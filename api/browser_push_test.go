package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"
	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
	"github.com/switchboardhq/switchboard/push/webpush"
)

// Browser notifications: turning them on in the settings registers the
// console's service worker; a push with the server's Web Push payload,
// delivered to it through DevTools, shows a notification about the chat.
// (Headless Chromium has no push service, so the subscription itself
// cannot complete here; the DevTools delivery stands in for it.) A click
// on the notification opens its chat in the console.
func TestBrowserPushServiceWorker(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	b := me.telegramBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.admin)})
	chat, _ := me.openTelegramChat(t, tm.admin, b, telegramfake.User{ID: 9001, FirstName: "Eva"}, "¿Hay stock?")

	tb := openTab(t, me.http.URL, "admin")
	tb.signIn(tm.admin.Member.Email, adminPassword)
	c := chromedp.FromContext(tb.ctx)
	if _, err := chromedp.CallBrowser(tb.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "notifications"}, Setting: cdpbrowser.PermissionSettingGranted,
		Origin: me.http.URL, BrowserContextID: c.BrowserContextID,
	}); err != nil {
		t.Fatalf("grant notifications: %v", err)
	}
	// The registrations the browser reports, from before the click on;
	// the bound ends the wait if the console's never comes.
	rctx, rcancel := context.WithTimeout(tb.ctx, 2*browserWait)
	defer rcancel()
	registrations := chromedp.Events(rctx, serviceworker.WorkerRegistrationUpdated)
	if _, err := chromedp.Call(tb.ctx, serviceworker.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("ServiceWorker.enable: %v", err)
	}
	tb.open("/settings")
	tb.need("#enable-push", "browser notifications button")
	tb.shot("settings")
	tb.click("#enable-push")
	tb.waitFor("the console's service worker is active",
		`navigator.serviceWorker.getRegistration('/').then(r => !!(r && r.active))`)

	var reg serviceworker.RegistrationID
	scope := me.http.URL + "/"
	for ev, err := range registrations {
		if err != nil {
			t.Fatalf("waiting for the registration: %v", err)
		}
		for _, r := range ev.Registrations {
			if r.ScopeURL == scope && !r.IsDeleted {
				reg = r.RegistrationID
			}
		}
		if reg != "" {
			break
		}
	}

	payload := webpush.Payload(&push.Notification{Event: models.EventChatMessage, ConversationID: chat.ID,
		SubscriberName: "Eva", Preview: "¿Hay stock?", Channel: models.ChannelTelegram, BotName: b.Name, Badge: 1,
		CollapseKey: chat.ID})
	shown := fmt.Sprintf(`navigator.serviceWorker.ready
  .then(r => r.getNotifications())
  .then(ns => ns.some(n => n.title === "Eva" && n.body === "¿Hay stock?" && n.data && n.data.conversation_id === %s))`, jsString(chat.ID))
	// A push that reaches the worker while the browser is still settling
	// its registration can be dropped (as a real push service may drop
	// one); it is delivered again, within the bounded wait.
	deadline := time.Now().Add(browserWait)
	for attempt := 1; ; attempt++ {
		if _, err := chromedp.Call(tb.ctx, serviceworker.DeliverPushMessage, serviceworker.DeliverPushMessageParams{
			Origin: me.http.URL, RegistrationID: reg, Data: string(payload),
		}); err != nil {
			t.Fatalf("deliver the push: %v", err)
		}
		if tb.until(shown, 3*time.Second) {
			if attempt > 1 {
				t.Logf("the notification showed after %d deliveries", attempt)
			}
			break
		}
		if time.Now().After(deadline) {
			tb.shot("failed")
			t.Fatalf("the service worker shows no notification about chat %s after %d deliveries", chat.ID, attempt)
		}
	}
	tb.shot("notification")

	// The click: dispatched in the service worker through DevTools. An
	// event made by script is untrusted, so the browser refuses it the
	// focus (and a new window); the console, open on the settings, must
	// show the chat all the same, without a reload.
	eval[any](tb, `window.__sameDocument = true`)
	sw := serviceWorkerTab(tb, scope)
	clicked := fmt.Sprintf(`self.registration.getNotifications().then(ns => {
  const n = ns.find(n => n.data && n.data.conversation_id === %s);
  if (!n) return false;
  self.dispatchEvent(new NotificationEvent('notificationclick', { notification: n }));
  return true;
})`, jsString(chat.ID))
	ctx, cancel := context.WithTimeout(sw, browserWait)
	defer cancel()
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](clicked, chromedp.EvalAwaitPromise)); err != nil || !ok {
		t.Fatalf("click the notification in the service worker: %v (found: %v)", err, ok)
	}
	tb.waitFor("the chat the notification is about",
		fmt.Sprintf(`location.pathname === %s && (document.querySelector('#chat') || {dataset: {}}).dataset.chatId === %s`,
			jsString("/chats/"+chat.ID), jsString(chat.ID)))
	if !eval[bool](tb, `window.__sameDocument === true`) {
		t.Fatal("the console reloaded to show the chat of a notification")
	}
	tb.shot("notification-click")
}

// serviceWorkerTab attaches to the service worker of scope, as DevTools
// does, and returns a context that evaluates in its global scope.
func serviceWorkerTab(tb *tab, scope string) context.Context {
	tb.t.Helper()
	deadline := time.Now().Add(browserWait)
	for {
		targets, err := chromedp.Targets(tb.ctx)
		if err != nil {
			tb.t.Fatalf("list the targets: %v", err)
		}
		for _, ti := range targets {
			if ti.Type == "service_worker" && strings.HasPrefix(ti.URL, scope) {
				ctx, cancel := chromedp.NewContext(tb.ctx, chromedp.WithTargetID(ti.TargetID))
				tb.t.Cleanup(cancel)
				if err := chromedp.Do(ctx); err != nil {
					tb.t.Fatalf("attach to the service worker: %v", err)
				}
				return ctx
			}
		}
		if time.Now().After(deadline) {
			tb.t.Fatalf("no service worker target for %s among %d targets", scope, len(targets))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
