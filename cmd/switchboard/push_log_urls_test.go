package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestProviderLinesDropURLCredentials: a URL setting may carry credentials
// (user info, or a key in the query, as some emulators and local Bot API
// servers take); the line saying where a provider sends keeps the scheme,
// host and path and drops them.
func TestProviderLinesDropURLCredentials(t *testing.T) {
	pc := PushConfig{
		FCMEndpoint:        "https://fcm-user:fcm-secret@fcm.test:8443/v1?key=fcm-query-secret",
		APNsHost:           "https://apns-user:apns-secret@apns.test:2197",
		TelegramAPIURL:     "http://bot-user:bot-secret@botapi.internal:8081/base?token=tg-query-secret",
		TelegramWebhookURL: "https://hook-user:hook-secret@sb.example.com/v1/push/telegram/webhook?x=hook-query-secret#frag-secret",
		APNsKeyFile:        "key.p8",
	}
	got := fmt.Sprint(fcmAttrs(pc, []byte(`{"project_id":"p"}`)), apnsAttrs(pc), telegramAttrs(pc, "bot"))
	for _, secret := range []string{"fcm-secret", "fcm-query-secret", "apns-secret", "bot-secret", "tg-query-secret",
		"hook-secret", "hook-query-secret", "frag-secret", "-user"} {
		if strings.Contains(got, secret) {
			t.Errorf("a provider line holds %q: %s", secret, got)
		}
	}
	for _, where := range []string{"https://fcm.test:8443/v1", "https://apns.test:2197", "http://botapi.internal:8081/base",
		"webhook https://sb.example.com/v1/push/telegram/webhook"} {
		if !strings.Contains(got, where) {
			t.Errorf("the provider lines lack %q: %s", where, got)
		}
	}
}
