package inbox

import (
	"context"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// countOnce adds to a bot's statistics once per key, whatever is
// repeated; the key is released when the operation r runs has ended.
func (s *Service) countOnce(ctx context.Context, ws, botID string, at time.Time, d models.StatsDelta, key string, r *opRun) error {
	if err := s.st.Stats.AddBotStatsOnce(ctx, ws, botID, at, d, key); err != nil {
		return err
	}
	r.released = append(r.released, statsKey{botID: botID, at: at, key: key})
	return nil
}

// countMessage counts a new message by who sent it, once.
func (s *Service) countMessage(ctx context.Context, ws string, m *models.Message, r *opRun) error {
	switch m.Sender {
	case models.SenderSubscriber:
		return s.countOnce(ctx, ws, m.BotID, m.CreatedAt, models.StatsDelta{Received: 1}, "message:"+m.ID, r)
	case models.SenderBot, models.SenderAgent:
		return s.countOnce(ctx, ws, m.BotID, m.CreatedAt, models.StatsDelta{Sent: 1}, "message:"+m.ID, r)
	}
	return nil
}

// BotStats are a bot's totals and its days in a range.
type BotStats struct {
	Totals *models.BotTotals
	Days   []*models.BotDayStats
	// Initiated is a Viber bot's chatbot-initiated messages of the month
	// of to (nil for other channels).
	Initiated *Initiated
}

// Initiated counts a month's chatbot-initiated messages beside the free ones.
type Initiated struct {
	Month string `json:"month"`
	Sent  int    `json:"sent"`
	Free  int    `json:"free"`
}

// Stats returns a bot's statistics from..to (UTC days, at most 366).
func (s *Service) Stats(ctx context.Context, p models.Principal, botID string, from, to time.Time) (*BotStats, error) {
	bot, err := s.st.Bots.Bot(ctx, p.WS, botID)
	if err != nil {
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
	out := &BotStats{Totals: totals, Days: days}
	if bot.Channel == models.ChannelViber {
		month := Month(to)
		out.Initiated = &Initiated{Month: month, Sent: bot.Initiated[month], Free: ViberFreeInitiated}
	}
	return out, nil
}
