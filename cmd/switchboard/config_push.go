package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/push"
)

// PushConfig is the push gateway's part of the configuration.
type PushConfig struct {
	AppURL       string
	TTL          time.Duration
	Lease        time.Duration
	PollInterval time.Duration
	Workers      int
	SendBatch    int
	RetryBase    time.Duration
	RetryMax     time.Duration
	Retention    time.Duration
	EmailEvery   time.Duration

	FCMCredentialsFile string
	FCMEndpoint        string

	APNsKeyFile     string
	APNsKeyID       string
	APNsTeamID      string
	APNsP12File     string
	APNsP12Password string
	APNsHost        string
	APNsCAFile      string

	VAPIDPublicKey  string
	VAPIDPrivateKey string
	VAPIDSubject    string

	TelegramToken         string
	TelegramAPIURL        string
	TelegramWebhookURL    string
	TelegramWebhookSecret string

	SMTPURL   string
	EmailFrom string
}

func str(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *field(c) = v; return nil }
}

func urlSetting(field func(*Config) *string, schemes ...string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if v == "" {
			*field(c) = ""
			return nil
		}
		u, err := url.Parse(v)
		ok := err == nil && u.Host != ""
		for _, s := range schemes {
			if ok && u.Scheme == s {
				*field(c) = strings.TrimRight(v, "/")
				return nil
			}
		}
		return fmt.Errorf("must be an absolute %s URL", strings.Join(schemes, " or "))
	}
}

func fileSetting(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if v != "" {
			if _, err := os.Stat(v); err != nil {
				return errors.New("cannot be read: no such file")
			}
		}
		*field(c) = v
		return nil
	}
}

var pushSettings = []setting{
	{"SWITCHBOARD_APP_URL", "", "the web app's base URL; alerts open chats at <url>/chats/<id>", false, urlSetting(func(c *Config) *string { return &c.Push.AppURL }, "https", "http")},
	{"SWITCHBOARD_PUSH_TTL", "6h", "how long an alert is tried before it is given up; older events are not alerted", false, durationSetting(func(c *Config) *time.Duration { return &c.Push.TTL })},
	{"SWITCHBOARD_PUSH_LEASE", "60s", "how long an instance holds an alert it is sending; a crashed instance's alerts are taken over after it", false, durationSetting(func(c *Config) *time.Duration { return &c.Push.Lease })},
	{"SWITCHBOARD_PUSH_POLL_INTERVAL", "1s", "how often the gateway looks for alerts and changes other instances made", false, durationSetting(func(c *Config) *time.Duration { return &c.Push.PollInterval })},
	{"SWITCHBOARD_PUSH_WORKERS", "4", "batches of alerts this instance sends at once", false, intSetting(1, 1000, func(c *Config, n int) { c.Push.Workers = n })},
	{"SWITCHBOARD_PUSH_SEND_BATCH", "50", "due alerts one worker leases and sends together", false, intSetting(1, 1000, func(c *Config, n int) { c.Push.SendBatch = n })},
	{"SWITCHBOARD_PUSH_RETRY_BASE", "2s", "first retry delay (doubled per attempt, with jitter, at least the provider's Retry-After)", false, durationSetting(func(c *Config) *time.Duration { return &c.Push.RetryBase })},
	{"SWITCHBOARD_PUSH_RETRY_MAX", "10m", "longest retry delay", false, durationSetting(func(c *Config) *time.Duration { return &c.Push.RetryMax })},
	{"SWITCHBOARD_PUSH_RETENTION", "168h", "how long delivered alerts stay queryable", false, durationSetting(func(c *Config) *time.Duration { return &c.Push.Retention })},
	{"SWITCHBOARD_PUSH_EMAIL_EVERY", "1h", "least time between two alert emails to one member", false, durationSetting(func(c *Config) *time.Duration { return &c.Push.EmailEvery })},
	{"SWITCHBOARD_FCM_CREDENTIALS_FILE", "", "FCM: the Firebase service-account JSON file; empty disables FCM", false, fileSetting(func(c *Config) *string { return &c.Push.FCMCredentialsFile })},
	{"SWITCHBOARD_FCM_ENDPOINT", "", "FCM: messaging endpoint override (emulators, tests); empty is Google's", false, urlSetting(func(c *Config) *string { return &c.Push.FCMEndpoint }, "https", "http")},
	{"SWITCHBOARD_APNS_KEY_FILE", "", "APNs: the .p8 token key; needs SWITCHBOARD_APNS_KEY_ID and SWITCHBOARD_APNS_TEAM_ID", false, fileSetting(func(c *Config) *string { return &c.Push.APNsKeyFile })},
	{"SWITCHBOARD_APNS_KEY_ID", "", "APNs: the .p8 key's id", false, str(func(c *Config) *string { return &c.Push.APNsKeyID })},
	{"SWITCHBOARD_APNS_TEAM_ID", "", "APNs: the Apple developer team id", false, str(func(c *Config) *string { return &c.Push.APNsTeamID })},
	{"SWITCHBOARD_APNS_P12_FILE", "", "APNs: a .p12 certificate instead of a .p8 key", false, fileSetting(func(c *Config) *string { return &c.Push.APNsP12File })},
	{"SWITCHBOARD_APNS_P12_PASSWORD", "", "APNs: the .p12 certificate's password", true, str(func(c *Config) *string { return &c.Push.APNsP12Password })},
	{"SWITCHBOARD_APNS_HOST", "", "APNs: host override for both environments; empty picks production or sandbox per device", false, urlSetting(func(c *Config) *string { return &c.Push.APNsHost }, "https")},
	{"SWITCHBOARD_APNS_CA_FILE", "", "APNs: extra CA certificates (PEM) to trust for SWITCHBOARD_APNS_HOST", false, fileSetting(func(c *Config) *string { return &c.Push.APNsCAFile })},
	{"SWITCHBOARD_VAPID_PUBLIC_KEY", "", "Web Push: VAPID public key (switchboard gen-vapid-keys); empty generates a pair once and keeps it in the database", false, str(func(c *Config) *string { return &c.Push.VAPIDPublicKey })},
	{"SWITCHBOARD_VAPID_PRIVATE_KEY", "", "Web Push: VAPID private key", true, str(func(c *Config) *string { return &c.Push.VAPIDPrivateKey })},
	{"SWITCHBOARD_VAPID_SUBJECT", "", "Web Push: contact for push services (mailto: or https:); empty uses SWITCHBOARD_APP_URL; web push is off when both are empty", false, func(c *Config, v string) error {
		if v != "" && !strings.HasPrefix(v, "mailto:") && !strings.HasPrefix(v, "https://") {
			return errors.New("must start with mailto: or https://")
		}
		c.Push.VAPIDSubject = v
		return nil
	}},
	{"SWITCHBOARD_OUTBOUND_ALLOW_PRIVATE", "false", "let requests to addresses members choose (Web Push endpoints) reach loopback, private (RFC 1918, fc00::/7) and shared (100.64.0.0/10) addresses: tests and private deployments only; link-local and metadata addresses stay refused", false, func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("must be true or false")
		}
		c.OutboundAllowPrivate = b
		return nil
	}},
	{"SWITCHBOARD_TELEGRAM_BOT_TOKEN", "", "Telegram notifications bot token (from @BotFather); empty disables the bot", true, func(c *Config, v string) error {
		if v != "" && !strings.Contains(v, ":") {
			return errors.New("must be a bot token of the form 123456:ABC-...")
		}
		c.Push.TelegramToken = v
		return nil
	}},
	{"SWITCHBOARD_TELEGRAM_API_URL", "https://api.telegram.org", "Telegram Bot API base URL (a local Bot API server, tests)", false, urlSetting(func(c *Config) *string { return &c.Push.TelegramAPIURL }, "https", "http")},
	{"SWITCHBOARD_TELEGRAM_WEBHOOK_URL", "", "public URL of /v1/push/telegram/webhook; empty uses long polling", false, urlSetting(func(c *Config) *string { return &c.Push.TelegramWebhookURL }, "https")},
	{"SWITCHBOARD_TELEGRAM_WEBHOOK_SECRET", "", "secret token Telegram sends with webhook calls; empty derives one from the bot token", true, func(c *Config, v string) error {
		for _, r := range v {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
				return errors.New("may hold only A-Z, a-z, 0-9, _ and -")
			}
		}
		if len(v) > 256 {
			return errors.New("must be at most 256 characters")
		}
		c.Push.TelegramWebhookSecret = v
		return nil
	}},
	{"SWITCHBOARD_SMTP_URL", "", "alert email server, smtp://user:pass@host:587 (STARTTLS) or smtps://...:465; empty disables email", true, urlSetting(func(c *Config) *string { return &c.Push.SMTPURL }, "smtp", "smtps")},
	{"SWITCHBOARD_EMAIL_FROM", "", "sender address of alert emails", false, str(func(c *Config) *string { return &c.Push.EmailFrom })},
}

func init() { settings = append(settings, pushSettings...) }

// checkPush cross-checks the push settings.
func (c *Config) checkPush() []error {
	p := c.Push
	var errs []error
	if p.APNsKeyFile != "" && (p.APNsKeyID == "" || p.APNsTeamID == "") {
		errs = append(errs, errors.New("SWITCHBOARD_APNS_KEY_FILE is set: SWITCHBOARD_APNS_KEY_ID and SWITCHBOARD_APNS_TEAM_ID are required too"))
	}
	if p.APNsKeyFile != "" && p.APNsP12File != "" {
		errs = append(errs, errors.New("SWITCHBOARD_APNS_KEY_FILE and SWITCHBOARD_APNS_P12_FILE are both set: use one of them"))
	}
	if (p.VAPIDPublicKey == "") != (p.VAPIDPrivateKey == "") {
		errs = append(errs, errors.New("SWITCHBOARD_VAPID_PUBLIC_KEY and SWITCHBOARD_VAPID_PRIVATE_KEY go together: set both, or neither to generate a pair"))
	}
	if p.SMTPURL != "" && !strings.Contains(p.EmailFrom, "@") {
		errs = append(errs, errors.New("SWITCHBOARD_SMTP_URL is set: SWITCHBOARD_EMAIL_FROM must be the sender's address"))
	}
	if p.TelegramWebhookURL != "" && p.TelegramToken == "" {
		errs = append(errs, errors.New("SWITCHBOARD_TELEGRAM_WEBHOOK_URL is set but SWITCHBOARD_TELEGRAM_BOT_TOKEN is empty"))
	}
	if p.RetryBase > p.RetryMax {
		errs = append(errs, errors.New("SWITCHBOARD_PUSH_RETRY_BASE must not exceed SWITCHBOARD_PUSH_RETRY_MAX"))
	}
	return errs
}

// GatewayConfig is the gateway's part of the configuration. On the
// embedded store this instance is the only one (push.Config.Alone).
func (c *Config) GatewayConfig(holder, botName string) push.Config {
	p := c.Push
	return push.Config{Holder: holder, TTL: p.TTL, Lease: p.Lease, PollInterval: p.PollInterval, Workers: p.Workers, SendBatch: p.SendBatch,
		BackoffBase: p.RetryBase, BackoffMax: p.RetryMax, EmailEvery: p.EmailEvery, Retention: p.Retention,
		AppURL: p.AppURL, TelegramBot: botName, Alone: c.MongoURI == ""}
}
