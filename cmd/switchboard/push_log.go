package main

import (
	"encoding/json"
	"net/url"

	"github.com/sideshow/apns2"

	"github.com/switchboardhq/switchboard/push"
)

// googleFCMEndpoint is the FCM HTTP v1 endpoint used when
// SWITCHBOARD_FCM_ENDPOINT is empty (the Firebase library's default).
const googleFCMEndpoint = "https://fcm.googleapis.com/v1"

// providerOn logs that provider p is on, with where it sends: one line per
// provider at start, never a secret.
func (a *app) providerOn(p push.Provider, attrs ...any) {
	a.log.Info("push provider enabled", append([]any{"provider", string(p)}, attrs...)...)
}

// providerOff logs that provider p is off, with the settings that turn it on.
func (a *app) providerOff(p push.Provider, how string) {
	a.log.Info("push provider disabled", "provider", string(p), "enable_with", how)
}

// fcmAttrs describe the FCM sender: its endpoint and the Firebase project
// of the service account (the key file was accepted, so it names one).
func fcmAttrs(pc PushConfig, credentials []byte) []any {
	var sa struct {
		ProjectID string `json:"project_id"`
	}
	_ = json.Unmarshal(credentials, &sa)
	endpoint := pc.FCMEndpoint
	if endpoint == "" {
		endpoint = googleFCMEndpoint
	}
	return []any{"endpoint", logURL(endpoint), "project_id", sa.ProjectID}
}

// apnsAttrs describe the APNs sender: the hosts devices are sent to and
// how it signs in (key and team ids are not secret).
func apnsAttrs(pc PushConfig) []any {
	hosts := []any{"production_host", apns2.HostProduction, "sandbox_host", apns2.HostDevelopment}
	if pc.APNsHost != "" {
		hosts = []any{"host", logURL(pc.APNsHost)}
	}
	if pc.APNsKeyFile != "" {
		return append(hosts, "auth", "token", "key_id", pc.APNsKeyID, "team_id", pc.APNsTeamID)
	}
	return append(hosts, "auth", "certificate")
}

// telegramAttrs describe the notifications bot: the Bot API it calls (the
// bot token is not part of it), the bot's name and how updates arrive.
func telegramAttrs(pc PushConfig, botName string) []any {
	updates := "long polling"
	if pc.TelegramWebhookURL != "" {
		updates = "webhook " + logURL(pc.TelegramWebhookURL)
	}
	return []any{"api", logURL(pc.TelegramAPIURL), "bot", botName, "updates", updates}
}

// logURL is a URL setting as a log line may show it: scheme, host and
// path; user info, query and fragment, which may carry credentials, are
// dropped.
func logURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}).String()
}

// smtpAttrs describe the alert email server without its credentials.
func smtpAttrs(pc PushConfig) []any {
	server := ""
	if u, err := url.Parse(pc.SMTPURL); err == nil {
		server = (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
	}
	return []any{"server", server, "from", pc.EmailFrom}
}
