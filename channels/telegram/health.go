package telegram

import (
	"context"
	"time"
)

// WebhookHealth reads getWebhookInfo: Telegram's last failure to deliver
// to the bot's webhook, with its time (zero when none).
func (a *Adapter) WebhookHealth(ctx context.Context, creds map[string]string) (string, time.Time, error) {
	c, err := a.client(creds)
	if err != nil {
		return "", time.Time{}, err
	}
	info, err := c.GetWebhookInfo(ctx)
	if err != nil {
		return "", time.Time{}, classify(err)
	}
	if info.LastErrorDate == 0 {
		return "", time.Time{}, nil
	}
	return info.LastErrorMessage, time.Unix(info.LastErrorDate, 0).UTC(), nil
}
