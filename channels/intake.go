package channels

import (
	"context"
	"net/http"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// MaxWebhookBody bounds a webhook request's body: updates are small JSON
// (files come by reference).
const MaxWebhookBody = 1 << 20

// Intake stores the updates of one webhook request of bot id of ws on
// channel ch. It verifies the request on the raw body before anything
// reads it: a forged or missing signature is CodeUnauthorized and leaves
// no trace. Each update is stored, with its job, before Intake returns
// (and so before the messenger gets its 200): a redelivery finds it
// stored and creates nothing twice. A bot unknown or of another channel
// is not found; a disconnected bot's verified updates are acknowledged
// and dropped (the messenger must not retry them forever).
//
// A messenger's handshake (Viber's "webhook" check, sent while set_webhook
// runs) is verified like any request: Connect and Reconnect store the bot
// with the credentials and secret it is signed with before they register
// the webhook, so any instance behind the public URL can answer it.
func (s *Service) Intake(ctx context.Context, ch models.Channel, ws, id string, h http.Header, body []byte) (stored int, err error) {
	a := s.adapters[ch]
	if a == nil {
		return 0, models.NotFound("bot")
	}
	b, err := s.st.Bots.Bot(ctx, ws, id)
	if err != nil {
		return 0, err
	}
	if b.Channel != ch || !b.Native() || b.Connection == nil {
		return 0, models.NotFound("bot")
	}
	secret := b.Connection.Secret
	if !a.Verify(b.Credentials, secret, h, body) {
		return 0, models.Errorf(models.CodeUnauthorized, "the request's signature does not match this bot")
	}
	if b.Connection.State == models.ConnDisconnected || b.Connection.Transport != models.TransportWebhook {
		return 0, nil
	}
	raws, err := a.Split(body)
	if err != nil {
		return 0, models.Invalid("the body is not a "+platformName[ch]+" update", models.FieldError{Field: "body", Message: err.Error()})
	}
	return s.store(ctx, b, raws)
}

// store saves raw updates of bot b as pending, each with its job.
func (s *Service) store(ctx context.Context, b *models.Bot, raws []RawUpdate) (int, error) {
	now := s.now()
	for _, r := range raws {
		u := &models.InboundUpdate{ID: models.UpdateID(b.ID, r.Key), WS: b.WS, BotID: b.ID, Channel: b.Channel, Key: r.Key,
			Raw: r.Raw, State: models.UpdatePending, ReceivedAt: now}
		if _, err := s.st.Updates.SaveUpdate(ctx, u); err != nil {
			return 0, err
		}
	}
	if len(raws) > 0 {
		s.runner.Wake()
		s.seen(ctx, b, now)
	}
	return len(raws), nil
}

// seen records that bot b received an update at now, at most once a
// minute (the time is for admins; a write per update would be waste).
func (s *Service) seen(ctx context.Context, b *models.Bot, now time.Time) {
	c := b.Connection
	if c == nil || c.LastUpdateAt != nil && now.Sub(*c.LastUpdateAt) < time.Minute {
		return
	}
	s.amend(ctx, b, func(c *models.Connection) { c.LastUpdateAt = &now })
}
