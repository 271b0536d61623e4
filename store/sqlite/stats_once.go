package sqlite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// OnceGrace is how long a released once-key is still honoured: longer
// than any request or recovery pass takes to finish an operation. Past
// it, the next change of the bot's counters forgets the key.
const OnceGrace = 10 * time.Minute

// onceBookCap bounds the released keys kept per bot.
const onceBookCap = 50000

// onceBook remembers, per bot, the once-keys whose operations ended, and
// when. A process that dies loses the book, which leaves a few keys
// behind in bot_stats_once (each a short row).
type onceBook struct {
	mu   sync.Mutex
	done map[string][]released // ws \x00 bot -> keys to forget
}

// released is a once-key (hashed) whose operation ended at at.
type released struct {
	key string
	at  time.Time
}

func (b *onceBook) keep(ws, botID string, keys []released) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done == nil {
		b.done = map[string][]released{}
	}
	bot := ws + "\x00" + botID
	for _, k := range keys {
		if len(b.done[bot]) < onceBookCap {
			b.done[bot] = append(b.done[bot], k)
		}
	}
}

// take removes and returns the bot's keys released at or before cutoff.
func (b *onceBook) take(ws, botID string, cutoff time.Time) []released {
	b.mu.Lock()
	defer b.mu.Unlock()
	bot := ws + "\x00" + botID
	var due, kept []released
	for _, r := range b.done[bot] {
		if r.at.After(cutoff) {
			kept = append(kept, r)
		} else {
			due = append(due, r)
		}
	}
	if len(kept) == 0 {
		delete(b.done, bot)
	} else {
		b.done[bot] = kept
	}
	return due
}

// onceKey is the stored form of a key: a hash, so any key is short.
func onceKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:12])
}

// forgetKeys deletes the bot's released keys due in tx.
func forgetKeys(tx *Tx, ws, botID string, due []released) error {
	for _, r := range due {
		if _, err := tx.Exec(`DELETE FROM bot_stats_once WHERE ws = ? AND bot_id = ? AND key = ?`, ws, botID, r.key); err != nil {
			return err
		}
	}
	return nil
}

// AddBotStatsOnce is AddBotStats at most once per key: the key is
// recorded in the transaction of the sum, and a call whose key the bot's
// counters record already changes nothing.
func (s *Store) AddBotStatsOnce(ctx context.Context, ws, botID string, at time.Time, d models.StatsDelta, key string) error {
	k := onceKey(key)
	due := s.once.take(ws, botID, s.opts.Now().Add(-OnceGrace))
	// The key itself is not forgotten by its own repeat, as on the
	// MongoDB store: it is still recorded, and forgotten by the next change.
	var own []released
	due = slices.DeleteFunc(due, func(r released) bool {
		if r.key == k {
			own = append(own, r)
		}
		return r.key == k
	})
	defer s.once.keep(ws, botID, own)
	err := s.WithTx(ctx, func(tx *Tx) error {
		if err := forgetKeys(tx, ws, botID, due); err != nil {
			return err
		}
		res, err := tx.Exec(`INSERT INTO bot_stats_once (ws, bot_id, key, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			ws, botID, k, s.opts.Now().UnixMilli())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // counted already
		}
		return s.addStats(tx, ws, botID, at, d)
	})
	if err != nil {
		s.once.keep(ws, botID, due)
	}
	return s.fail(err, "statistics")
}

// ReleaseBotStatsKey lets the bot's counters forget key with their first
// change once OnceGrace has passed.
func (s *Store) ReleaseBotStatsKey(ws, botID string, at time.Time, key string) {
	s.once.keep(ws, botID, []released{{key: onceKey(key), at: s.opts.Now()}})
}
