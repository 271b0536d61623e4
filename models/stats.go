package models

import (
	"context"
	"time"
)

// BotDayStats counts one bot's activity on one UTC day.
type BotDayStats struct {
	Day            string `json:"day" bson:"day"` // YYYY-MM-DD, UTC
	Sent           int64  `json:"sent" bson:"sent"`
	Received       int64  `json:"received" bson:"received"`
	NewSubscribers int64  `json:"new_subscribers" bson:"new_subscribers"`
}

// BotTotals are a bot's running totals.
type BotTotals struct {
	Sent        int64 `json:"sent" bson:"sent"`
	Received    int64 `json:"received" bson:"received"`
	Subscribers int64 `json:"subscribers" bson:"subscribers"`
}

// StatsDelta is one change to a bot's counters.
type StatsDelta struct {
	Sent, Received, NewSubscribers, Subscribers int64
}

// StatsStore keeps per-bot counters, updated as things happen so that
// reading statistics never scans the history.
type StatsStore interface {
	AddBotStats(ctx context.Context, ws, botID string, at time.Time, d StatsDelta) error
	// AddBotStatsOnce is AddBotStats at most once per key, on every
	// counter, whatever fails or is repeated: the counters record the key
	// in the same write as the sum. ReleaseBotStatsKey says the caller has
	// recorded elsewhere that key's operation ended, so the counters may
	// forget it (with their next change: it costs no write of its own).
	AddBotStatsOnce(ctx context.Context, ws, botID string, at time.Time, d StatsDelta, key string) error
	ReleaseBotStatsKey(ws, botID string, at time.Time, key string)
	BotTotals(ctx context.Context, ws, botID string) (*BotTotals, error)
	// BotDays returns the days from..to (inclusive, YYYY-MM-DD) that have counts.
	BotDays(ctx context.Context, ws, botID, from, to string) ([]*BotDayStats, error)
}
