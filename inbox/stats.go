package inbox

import (
	"context"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// count adds to a bot's statistics; a failure is returned so that the
// event is retried, and message ids keep the retry from counting twice.
func (s *Service) count(ctx context.Context, ws, botID string, at time.Time, d models.StatsDelta) error {
	return s.st.Stats.AddBotStats(ctx, ws, botID, at, d)
}

// countMessage counts a new message by who sent it.
func (s *Service) countMessage(ctx context.Context, ws string, m *models.Message) error {
	switch m.Sender {
	case models.SenderSubscriber:
		return s.count(ctx, ws, m.BotID, m.CreatedAt, models.StatsDelta{Received: 1})
	case models.SenderBot, models.SenderAgent:
		return s.count(ctx, ws, m.BotID, m.CreatedAt, models.StatsDelta{Sent: 1})
	}
	return nil
}

// BotStats are a bot's totals and its days in a range.
type BotStats struct {
	Totals *models.BotTotals
	Days   []*models.BotDayStats
}

// Stats returns a bot's statistics from..to (UTC days, at most 366).
func (s *Service) Stats(ctx context.Context, p models.Principal, botID string, from, to time.Time) (*BotStats, error) {
	if _, err := s.st.Bots.Bot(ctx, p.WS, botID); err != nil {
		return nil, err
	}
	if to.Before(from) || to.Sub(from) > 366*24*time.Hour {
		return nil, models.Invalid("bad range", models.FieldError{Field: "to", Message: "must be on or after from, at most 366 days later"})
	}
	totals, err := s.st.Stats.BotTotals(ctx, p.WS, botID)
	if err != nil {
		return nil, err
	}
	days, err := s.st.Stats.BotDays(ctx, p.WS, botID, from.UTC().Format("2006-01-02"), to.UTC().Format("2006-01-02"))
	if err != nil {
		return nil, err
	}
	return &BotStats{Totals: totals, Days: days}, nil
}
