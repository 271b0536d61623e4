package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/outbound"
	"github.com/switchboardhq/switchboard/push"
	"github.com/switchboardhq/switchboard/push/apns"
	"github.com/switchboardhq/switchboard/push/email"
	"github.com/switchboardhq/switchboard/push/fcm"
	"github.com/switchboardhq/switchboard/push/telegram"
	"github.com/switchboardhq/switchboard/push/tgbot"
	"github.com/switchboardhq/switchboard/push/webpush"
	tg "github.com/switchboardhq/switchboard/telegram"
)

// gateway is the push gateway's wiring: the gateway, and the Telegram
// bot's client and update handler when the bot is configured.
type gateway struct {
	g        *push.Gateway
	tg       *tg.Client
	bot      *tgbot.Bot
	secret   string // the webhook secret, when the bot uses a webhook
	vapidKey string
}

// openGateway builds every configured provider and logs one line per
// provider: on, with where it sends (no secret), or off, with the settings
// that turn it on. A provider configured wrongly stops the start with a
// message naming the setting. Web Push devices are accepted (checked and
// kept, not sent to) even while web push is off.
func (a *app) openGateway(ctx context.Context) (*gateway, error) {
	pc := a.cfg.Push
	senders := map[push.Provider]push.Sender{}
	off := a.providerOff
	if pc.FCMCredentialsFile != "" {
		raw, err := os.ReadFile(pc.FCMCredentialsFile)
		if err != nil {
			return nil, fmt.Errorf("SWITCHBOARD_FCM_CREDENTIALS_FILE cannot be read: %v", err)
		}
		s, err := fcm.New(ctx, fcm.Config{CredentialsJSON: raw, Endpoint: pc.FCMEndpoint})
		if err != nil {
			return nil, fmt.Errorf("SWITCHBOARD_FCM_CREDENTIALS_FILE: %v", err)
		}
		senders[push.ProviderFCM] = s
		a.providerOn(push.ProviderFCM, fcmAttrs(pc, raw)...)
	} else {
		off(push.ProviderFCM, "SWITCHBOARD_FCM_CREDENTIALS_FILE")
	}
	if s, err := a.apnsSender(); err != nil {
		return nil, err
	} else if s != nil {
		senders[push.ProviderAPNs] = s
		a.providerOn(push.ProviderAPNs, apnsAttrs(pc)...)
	} else {
		off(push.ProviderAPNs, "SWITCHBOARD_APNS_KEY_FILE (with _KEY_ID and _TEAM_ID) or SWITCHBOARD_APNS_P12_FILE")
	}
	gw := &gateway{}
	if subject := vapidSubject(pc); subject != "" {
		pub, priv, err := a.vapidKeys(ctx)
		if err != nil {
			return nil, err
		}
		s, err := webpush.New(webpush.Config{PublicKey: pub, PrivateKey: priv, Subject: subject, AllowPrivate: a.cfg.OutboundAllowPrivate})
		if err != nil {
			return nil, fmt.Errorf("SWITCHBOARD_VAPID_PUBLIC_KEY / _PRIVATE_KEY: %v", err)
		}
		senders[push.ProviderWebPush], gw.vapidKey = s, s.PublicKey()
		keys := "settings"
		if pc.VAPIDPublicKey == "" {
			keys = "database"
		}
		a.providerOn(push.ProviderWebPush, "subject", subject, "public_key", gw.vapidKey, "keys_from", keys)
	} else {
		off(push.ProviderWebPush, "SWITCHBOARD_VAPID_SUBJECT or SWITCHBOARD_APP_URL")
	}
	botName := ""
	if pc.TelegramToken != "" {
		gw.tg = tg.New(tg.Config{Token: pc.TelegramToken, BaseURL: pc.TelegramAPIURL})
		me, err := gw.tg.GetMe(ctx)
		var apiErr *tg.APIError
		switch {
		case errors.As(err, &apiErr) && apiErr.Code == 401:
			return nil, errors.New("SWITCHBOARD_TELEGRAM_BOT_TOKEN is not accepted by Telegram (401 Unauthorized); check it with @BotFather")
		case err != nil:
			a.log.Warn("telegram: getMe failed at start; deep links lack the bot's name until a restart", "error", err.Error())
		default:
			botName = me.Username
		}
		senders[push.ProviderTelegram] = telegram.NewSender(gw.tg)
		a.providerOn(push.ProviderTelegram, telegramAttrs(pc, botName)...)
	} else {
		off(push.ProviderTelegram, "SWITCHBOARD_TELEGRAM_BOT_TOKEN")
	}
	if pc.SMTPURL != "" {
		s, err := email.New(email.Config{URL: pc.SMTPURL, From: pc.EmailFrom})
		if err != nil {
			return nil, fmt.Errorf("SWITCHBOARD_SMTP_URL / SWITCHBOARD_EMAIL_FROM: %v", err)
		}
		senders[push.ProviderEmail] = s
		a.providerOn(push.ProviderEmail, smtpAttrs(pc)...)
	} else {
		off(push.ProviderEmail, "SWITCHBOARD_SMTP_URL and SWITCHBOARD_EMAIL_FROM")
	}
	host, _ := os.Hostname()
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	gw.g = push.New(push.Stores{Sync: a.db, State: a.db, Alerts: a.db, Devices: a.db, Members: a.db, Conversations: a.db,
		Messages: a.db, Bots: a.db}, a.cfg.GatewayConfig(host+"-"+hex.EncodeToString(suffix), botName), senders, nil, a.registry)
	gw.g.WithActions(inbox.AlertActions{S: a.inbox})
	// A subscription is checked whether or not web push is on: while it is
	// off, devices are kept (as every provider's are), not refused. The
	// check follows the outbound policy that sends will be held to.
	gw.g.CheckWebPush, gw.g.VAPIDPublicKey = webpush.CheckSubscription(outbound.Policy{AllowPrivate: a.cfg.OutboundAllowPrivate}), gw.vapidKey
	if a.cfg.OutboundAllowPrivate {
		a.log.Warn("outbound requests may reach loopback and private addresses (tests and private deployments only)",
			"setting", "SWITCHBOARD_OUTBOUND_ALLOW_PRIVATE")
	}
	if gw.tg != nil {
		gw.bot = tgbot.New(gw.g, gw.tg)
		if pc.TelegramWebhookURL != "" {
			gw.secret = pc.TelegramWebhookSecret
			if gw.secret == "" {
				sum := sha256.Sum256([]byte("switchboard-webhook:" + pc.TelegramToken))
				gw.secret = hex.EncodeToString(sum[:16])
			}
		}
	}
	return gw, nil
}

func (a *app) apnsSender() (*apns.Sender, error) {
	pc := a.cfg.Push
	if pc.APNsKeyFile == "" && pc.APNsP12File == "" {
		return nil, nil
	}
	c := apns.Config{KeyID: pc.APNsKeyID, TeamID: pc.APNsTeamID, P12Password: pc.APNsP12Password, Host: pc.APNsHost}
	var err error
	if pc.APNsKeyFile != "" {
		if c.KeyP8, err = os.ReadFile(pc.APNsKeyFile); err != nil {
			return nil, fmt.Errorf("SWITCHBOARD_APNS_KEY_FILE cannot be read: %v", err)
		}
	} else if c.P12, err = os.ReadFile(pc.APNsP12File); err != nil {
		return nil, fmt.Errorf("SWITCHBOARD_APNS_P12_FILE cannot be read: %v", err)
	}
	if pc.APNsCAFile != "" {
		pem, err := os.ReadFile(pc.APNsCAFile)
		if err != nil {
			return nil, fmt.Errorf("SWITCHBOARD_APNS_CA_FILE cannot be read: %v", err)
		}
		c.RootCAs, _ = x509.SystemCertPool()
		if c.RootCAs == nil {
			c.RootCAs = x509.NewCertPool()
		}
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, errors.New("SWITCHBOARD_APNS_CA_FILE holds no PEM certificate")
		}
	}
	s, err := apns.New(c)
	if err != nil {
		return nil, fmt.Errorf("APNs settings: %v", err)
	}
	return s, nil
}

// vapidSubject is the contact push services see: the setting, or the app URL.
func vapidSubject(pc PushConfig) string {
	if pc.VAPIDSubject != "" {
		return pc.VAPIDSubject
	}
	if strings.HasPrefix(pc.AppURL, "https://") {
		return pc.AppURL
	}
	return ""
}

// vapidKeys are the configured keys, or a pair generated once and kept in
// the database so that every instance and restart signs with the same one
// (browsers' subscriptions are bound to it).
func (a *app) vapidKeys(ctx context.Context) (string, string, error) {
	pc := a.cfg.Push
	if pc.VAPIDPublicKey != "" {
		return pc.VAPIDPublicKey, pc.VAPIDPrivateKey, nil
	}
	pub, priv, err := webpush.GenerateKeys()
	if err != nil {
		return "", "", err
	}
	stored, err := a.db.EnsureSetting(ctx, "vapid_keys", pub+" "+priv)
	if err != nil {
		return "", "", fmt.Errorf("load the VAPID keys: %w", err)
	}
	pub, priv, _ = strings.Cut(stored, " ")
	return pub, priv, nil
}

// genVAPIDKeys prints a new VAPID key pair as settings.
func genVAPIDKeys(stdout, stderr io.Writer) int {
	pub, priv, err := webpush.GenerateKeys()
	if err != nil {
		fmt.Fprintln(stderr, "switchboard:", err)
		return 1
	}
	fmt.Fprintf(stdout, "SWITCHBOARD_VAPID_PUBLIC_KEY=%s\nSWITCHBOARD_VAPID_PRIVATE_KEY=%s\n", pub, priv)
	return 0
}

// runGateway runs the gateway, and the Telegram bot's long polling or
// webhook registration, until ctx ends; it returns when all have stopped.
func (gw *gateway) run(ctx context.Context, a *app) {
	done := make(chan struct{})
	go func() { defer close(done); gw.g.Run(ctx) }()
	if gw.bot != nil {
		if gw.secret != "" {
			err := gw.tg.SetWebhook(ctx, tg.SetWebhookParams{URL: a.cfg.Push.TelegramWebhookURL, SecretToken: gw.secret,
				AllowedUpdates: []string{"message", "callback_query"}})
			if err != nil {
				a.log.Error("telegram: setWebhook failed; updates will not arrive until it succeeds (restart to retry)", "error", err.Error())
			}
		} else {
			p := tg.NewPoller(gw.tg)
			p.Logger = a.log
			if err := p.Run(ctx, gw.bot.Handle); err != nil && ctx.Err() == nil {
				a.log.Error("telegram: long polling stopped", "error", err.Error())
			}
		}
	}
	<-done
}
