package channels

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
)

// credentialField names each channel's credential in problem answers.
var credentialField = map[models.Channel]string{
	models.ChannelTelegram: "token",
	models.ChannelViber:    "auth_token",
}

// platformName is how answers name each messenger.
var platformName = map[models.Channel]string{
	models.ChannelTelegram: "Telegram",
	models.ChannelViber:    "Viber",
}

// Connect connects a new native bot (admins only): its credentials are
// checked with the messenger first, so that a refusal leaves nothing
// behind; then the bot is stored and its webhook registered (the
// messenger may call the webhook at once, as Viber's set_webhook does, and
// the stored bot answers it), or, for Telegram without a public URL, its
// long polling started. A webhook the messenger refuses deletes the bot
// again and answers the refusal.
func (s *Service) Connect(ctx context.Context, p models.Principal, in inbox.BotInput) (*models.Bot, error) {
	if !p.IsMember() || p.Role != models.RoleAdmin {
		return nil, models.Errorf(models.CodeForbidden, "your role may not connect bots")
	}
	b := &models.Bot{ID: models.NewID(), Channel: in.Channel, Stamp: models.Stamp{WS: p.WS}}
	conn, err := s.check(ctx, b, in.Credentials)
	if err != nil {
		return nil, err
	}
	in.ID, in.Connection = b.ID, conn
	native := models.DeliveryNative
	in.Delivery = &native
	bot, err := s.inbox.CreateBot(ctx, p, in)
	if err != nil {
		return nil, err
	}
	if err := s.register(ctx, bot, in.Credentials, conn); err != nil {
		if derr := s.inbox.DeleteBot(context.WithoutCancel(ctx), p, bot.ID); derr != nil {
			s.log.WarnContext(ctx, "removing a bot whose webhook was refused failed", "bot_id", bot.ID, "error", derr.Error())
		}
		return nil, err
	}
	s.Rescan()
	return bot, nil
}

// Reconnect checks a native bot's credentials again (new ones when creds
// is not nil) and registers its transport again (admins only).
func (s *Service) Reconnect(ctx context.Context, p models.Principal, id string, creds map[string]string) (*models.Bot, error) {
	b, err := s.nativeBot(ctx, p, id, "reconnect bots")
	if err != nil {
		return nil, err
	}
	if creds == nil {
		creds = b.Credentials
	}
	conn, err := s.check(ctx, b, creds)
	if err != nil {
		return nil, err
	}
	// Stored before the webhook is registered: the messenger's first
	// calls are signed with these credentials and this secret.
	upd := models.BotUpdate{Connection: conn}
	if !sameCreds(creds, b.Credentials) {
		upd.Credentials, upd.CredentialsHint = creds, inbox.Hint(creds)
	}
	bot, err := s.st.Bots.UpdateBot(ctx, p.WS, id, upd)
	if err != nil {
		return nil, err
	}
	if err := s.register(ctx, bot, creds, conn); err != nil {
		s.broken(context.WithoutCancel(ctx), bot, err)
		return nil, err
	}
	s.Rescan()
	return bot, nil
}

// Disconnect stops a native bot's updates (its webhook is removed, its
// polling stopped); its chats stay, and it can be reconnected.
func (s *Service) Disconnect(ctx context.Context, p models.Principal, id string) (*models.Bot, error) {
	b, err := s.nativeBot(ctx, p, id, "disconnect bots")
	if err != nil {
		return nil, err
	}
	conn := s.unlink(ctx, b)
	bot, err := s.st.Bots.UpdateBot(ctx, p.WS, id, models.BotUpdate{Connection: conn})
	if err != nil {
		return nil, err
	}
	s.Rescan()
	return bot, nil
}

// Forget removes a deleted native bot's webhook and stops its polling.
func (s *Service) Forget(ctx context.Context, b *models.Bot) {
	if b.Native() {
		s.unlink(ctx, b)
		s.Rescan()
	}
}

func (s *Service) nativeBot(ctx context.Context, p models.Principal, id, what string) (*models.Bot, error) {
	if !p.IsMember() || p.Role != models.RoleAdmin {
		return nil, models.Errorf(models.CodeForbidden, "your role may not %s", what)
	}
	b, err := s.st.Bots.Bot(ctx, p.WS, id)
	if err != nil {
		return nil, err
	}
	if !b.Native() || s.adapters[b.Channel] == nil {
		return nil, models.Errorf(models.CodeConflict, "this bot is delivered by its bot engine, not connected natively")
	}
	return b, nil
}

// unlink removes the webhook (best effort: the messenger may refuse a
// revoked token) and returns the disconnected connection. The webhook's
// secret is kept, so that an update still on its way (or sent on because
// the removal failed) is verified, acknowledged and dropped rather than
// refused and retried by the messenger; a reconnect makes a new one.
func (s *Service) unlink(ctx context.Context, b *models.Bot) *models.Connection {
	conn := models.Connection{}
	if b.Connection != nil {
		conn = *b.Connection
	}
	if conn.Transport == models.TransportWebhook {
		if err := s.adapters[b.Channel].DeleteWebhook(ctx, b.Credentials); err != nil {
			s.log.WarnContext(ctx, "removing a webhook failed", "bot_id", b.ID, "error", err.Error())
		}
	}
	conn.State, conn.WebhookURL = models.ConnDisconnected, ""
	return &conn
}

// check checks creds with the messenger and returns the connection to
// store: by webhook (with a new secret) under the public URL, or by
// polling without one, any webhook left from elsewhere removed.
func (s *Service) check(ctx context.Context, b *models.Bot, creds map[string]string) (*models.Connection, error) {
	a := s.adapters[b.Channel]
	field := credentialField[b.Channel]
	if a == nil {
		return nil, models.Invalid("this channel cannot be connected natively yet",
			models.FieldError{Field: "delivery", Message: "must be engine for " + string(b.Channel) + " bots"})
	}
	if strings.TrimSpace(creds[field]) == "" {
		return nil, models.Invalid("the bot's credentials are missing",
			models.FieldError{Field: "credentials." + field, Message: "is required to connect a " + platformName[b.Channel] + " bot"})
	}
	if b.Channel != models.ChannelTelegram && s.hooks == "" {
		return nil, models.Invalid(platformName[b.Channel]+" delivers updates only to a public HTTPS webhook",
			models.FieldError{Field: "channel", Message: "needs SWITCHBOARD_PUBLIC_URL (a public https:// address of this server) to connect " + platformName[b.Channel] + " bots"})
	}
	acct, err := a.Check(ctx, creds)
	if err != nil {
		return nil, refusal(b.Channel, "credentials."+field, err)
	}
	now := s.now()
	conn := &models.Connection{State: models.ConnConnected, Transport: models.TransportPolling, Account: acct.Username,
		AccountID: acct.ID, ConnectedAt: &now}
	if conn.Account == "" {
		conn.Account = acct.Name
	}
	if s.hooks == "" {
		// Telegram without a public URL: long polling. Any webhook left
		// from elsewhere would make getUpdates fail.
		if err := a.DeleteWebhook(ctx, creds); err != nil {
			return nil, refusal(b.Channel, "credentials."+field, err)
		}
		return conn, nil
	}
	secret := make([]byte, 24)
	_, _ = rand.Read(secret)
	conn.Transport, conn.Secret, conn.WebhookURL = models.TransportWebhook, hex.EncodeToString(secret), s.hookURL(b)
	return conn, nil
}

// register registers stored bot b's webhook, when conn has one.
func (s *Service) register(ctx context.Context, b *models.Bot, creds map[string]string, conn *models.Connection) error {
	if conn.Transport != models.TransportWebhook {
		return nil
	}
	if err := s.adapters[b.Channel].SetWebhook(ctx, creds, conn.WebhookURL, conn.Secret); err != nil {
		return refusal(b.Channel, "channel", err)
	}
	return nil
}

// refusal turns a messenger's refusal at connect time into a problem
// naming the field at fault.
func refusal(ch models.Channel, field string, err error) error {
	var ce *Error
	if !errors.As(err, &ce) {
		return models.Errorf(models.CodeUnavailable, "%s could not be reached; try again", platformName[ch])
	}
	if !ce.Permanent {
		return models.Errorf(models.CodeUnavailable, "%s did not answer (%s); try again", platformName[ch], ce.Description)
	}
	msg := fmt.Sprintf("was refused by %s: %s", platformName[ch], ce.Description)
	if ce.Revoked {
		msg = fmt.Sprintf("is not accepted by %s (%s); copy it again from %s", platformName[ch], ce.Description,
			map[models.Channel]string{models.ChannelTelegram: "@BotFather", models.ChannelViber: "the Viber admin panel"}[ch])
	}
	return models.Invalid(platformName[ch]+" refused the connection", models.FieldError{Field: field, Message: msg})
}

func sameCreds(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// broken marks bot b broken by the messenger's refusal err, once: the
// push gateway alerts the admins of each break.
func (s *Service) broken(ctx context.Context, b *models.Bot, err error) {
	if b.Connection != nil && b.Connection.State != models.ConnConnected {
		return
	}
	now := s.now()
	s.amend(ctx, b, func(c *models.Connection) {
		c.State, c.LastError, c.LastErrorAt = models.ConnBroken, describe(err), &now
	})
	if b.Connection == nil || b.Connection.State != models.ConnBroken {
		return // disconnected meanwhile, or the write failed
	}
	s.log.WarnContext(ctx, "the messenger refused a bot's credentials; the bot is broken until reconnected",
		"bot_id", b.ID, "channel", b.Channel, "error", describe(err))
	s.Rescan()
}

// noteError records the messenger's last complaint about a bot (a
// failing poll), at most once a minute.
func (s *Service) noteError(ctx context.Context, b *models.Bot, err error) {
	now := s.now()
	if b.Connection == nil || b.Connection.LastErrorAt != nil && now.Sub(*b.Connection.LastErrorAt) < time.Minute && b.Connection.LastError == describe(err) {
		return
	}
	s.amend(ctx, b, func(c *models.Connection) { c.LastError, c.LastErrorAt = describe(err), &now })
}

// amend applies change to bot b's connection as it is stored now (b may
// be an old copy: another worker may have marked the bot broken since),
// while it is connected; b becomes the bot as written.
func (s *Service) amend(ctx context.Context, b *models.Bot, change func(c *models.Connection)) {
	cur, err := s.st.Bots.Bot(ctx, b.WS, b.ID)
	if err != nil || cur.Connection == nil || cur.Connection.State != models.ConnConnected {
		if err == nil {
			*b = *cur
		}
		return
	}
	conn := *cur.Connection
	change(&conn)
	nb, err := s.st.Bots.UpdateBot(ctx, b.WS, b.ID, models.BotUpdate{Connection: &conn})
	if err != nil {
		s.log.WarnContext(ctx, "recording a bot's connection failed", "bot_id", b.ID, "error", err.Error())
		return
	}
	*b = *nb
}

// describe is an error's text for admins: the messenger's own words.
func describe(err error) string {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Description
	}
	return err.Error()
}
