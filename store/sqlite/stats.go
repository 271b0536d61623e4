package sqlite

import (
	"context"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

var _ models.StatsStore = (*Store)(nil)

// AddBotStats adds d to the bot's totals and to its bucket of at's UTC
// day, in one transaction. Every bucket the write changes takes a
// sequence and is logged (its first write as its creation), so buckets
// need no later stamping.
func (s *Store) AddBotStats(ctx context.Context, ws, botID string, at time.Time, d models.StatsDelta) error {
	due := s.once.take(ws, botID, s.opts.Now().Add(-OnceGrace))
	err := s.WithTx(ctx, func(tx *Tx) error {
		if err := forgetKeys(tx, ws, botID, due); err != nil {
			return err
		}
		return s.addStats(tx, ws, botID, at, d)
	})
	if err != nil {
		s.once.keep(ws, botID, due)
	}
	return s.fail(err, "statistics")
}

// addStats counts d in tx: the totals, the day's bucket and, for a
// backdated change of subscribers, every later bucket.
func (s *Store) addStats(tx *Tx, ws, botID string, at time.Time, d models.StatsDelta) error {
	var total int64
	if err := tx.QueryRow(`INSERT INTO bot_totals (ws, bot_id, sent, received, subscribers) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (ws, bot_id) DO UPDATE SET sent = sent + excluded.sent, received = received + excluded.received,
		subscribers = subscribers + excluded.subscribers RETURNING subscribers`,
		ws, botID, d.Sent, d.Received, d.Subscribers).Scan(&total); err != nil {
		return err
	}
	day, today := at.UTC().Format(time.DateOnly), s.opts.Now().UTC().Format(time.DateOnly)
	b, err := bucket(tx, ws, botID, day)
	if err != nil {
		return err
	}
	created := b == nil
	if created {
		b = &models.BotStatsBucket{ID: ws + ":" + botID + ":" + day, BotID: botID, Day: day}
	}
	b.Sent, b.Received, b.NewSubscribers = b.Sent+d.Sent, b.Received+d.Received, b.NewSubscribers+d.NewSubscribers
	switch {
	case day >= today: // today's bucket holds the running total
		b.TotalSubscribers = total
	case created: // a backdated bucket counts the subscribers as of its day
		var base int64
		err := tx.QueryRow(`SELECT total_subscribers FROM bot_stats WHERE ws = ? AND bot_id = ? AND day < ?
			ORDER BY day DESC LIMIT 1`, ws, botID, day).Scan(&base)
		if err != nil && !isNoRows(err) {
			return err
		}
		b.TotalSubscribers = base + d.Subscribers
	default:
		b.TotalSubscribers += d.Subscribers
	}
	if err := s.putBucket(tx, ws, b, created); err != nil {
		return err
	}
	if d.Subscribers == 0 || day >= today {
		return nil
	}
	later, err := queryTx(tx, scanBucket, `SELECT `+bucketCols+` FROM bot_stats WHERE ws = ? AND bot_id = ? AND day > ? ORDER BY day`,
		ws, botID, day)
	if err != nil {
		return err
	}
	for _, l := range later {
		l.TotalSubscribers += d.Subscribers
		if err := s.putBucket(tx, ws, l, false); err != nil {
			return err
		}
	}
	return nil
}

// bucketCols is the select list scanBucket reads.
const bucketCols = `id, ws, bot_id, day, sent, received, new_subscribers, total_subscribers, seq, cseq, deleted, updated_at`

func scanBucket(r scanner) (*models.BotStatsBucket, error) {
	var b models.BotStatsBucket
	var updated int64
	if err := r.Scan(&b.ID, &b.WS, &b.BotID, &b.Day, &b.Sent, &b.Received, &b.NewSubscribers, &b.TotalSubscribers,
		&b.Seq, &b.CSeq, &b.Deleted, &updated); err != nil {
		return nil, err
	}
	b.UpdatedAt = fromMS(updated)
	return &b, nil
}

// bucket returns the bot's bucket of day, nil when there is none.
func bucket(tx *Tx, ws, botID, day string) (*models.BotStatsBucket, error) {
	b, err := scanBucket(tx.QueryRow(`SELECT `+bucketCols+` FROM bot_stats WHERE ws = ? AND bot_id = ? AND day = ?`, ws, botID, day))
	if isNoRows(err) {
		return nil, nil
	}
	if b != nil {
		b.WS = ws
	}
	return b, err
}

// putBucket stamps b with the next sequence of ws, writes it and logs it.
func (s *Store) putBucket(tx *Tx, ws string, b *models.BotStatsBucket, insert bool) error {
	seq, err := tx.Stamp(ws)
	if err != nil {
		return err
	}
	b.WS, b.Seq, b.UpdatedAt = ws, seq, s.nowMS()
	if insert {
		b.CSeq = seq
		_, err = tx.Exec(`INSERT INTO bot_stats (`+bucketCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			b.ID, ws, b.BotID, b.Day, b.Sent, b.Received, b.NewSubscribers, b.TotalSubscribers, b.Seq, b.CSeq, b.Deleted, ms(b.UpdatedAt))
	} else {
		_, err = tx.Exec(`UPDATE bot_stats SET sent = ?, received = ?, new_subscribers = ?, total_subscribers = ?, seq = ?,
			updated_at = ? WHERE id = ?`, b.Sent, b.Received, b.NewSubscribers, b.TotalSubscribers, b.Seq, ms(b.UpdatedAt), b.ID)
	}
	if err != nil {
		return err
	}
	return tx.Log(ws, models.Change{Seq: seq, Table: models.TableBotStats, ID: b.ID, Created: insert, Record: b})
}

// queryTx runs a query in tx and scans every row with scan.
func queryTx[T any](tx *Tx, scan func(scanner) (*T, error), query string, args ...any) ([]*T, error) {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// BotTotals returns the bot's totals (zero when it has none yet).
func (s *Store) BotTotals(ctx context.Context, ws, botID string) (*models.BotTotals, error) {
	var t models.BotTotals
	err := s.rd(ctx).QueryRowContext(ctx, `SELECT sent, received, subscribers FROM bot_totals WHERE ws = ? AND bot_id = ?`,
		ws, botID).Scan(&t.Sent, &t.Received, &t.Subscribers)
	if err != nil && !isNoRows(err) {
		return nil, s.fail(err, "statistics")
	}
	return &t, nil
}

// BotDays returns the bot's day buckets in [from, to], oldest first (at
// most 400).
func (s *Store) BotDays(ctx context.Context, ws, botID, from, to string) ([]*models.BotDayStats, error) {
	out, err := queryList(ctx, s, func(r scanner) (*models.BotDayStats, error) {
		var d models.BotDayStats
		return &d, r.Scan(&d.Day, &d.Sent, &d.Received, &d.NewSubscribers)
	}, `SELECT day, sent, received, new_subscribers FROM bot_stats WHERE ws = ? AND bot_id = ? AND day >= ? AND day <= ?
		AND deleted = 0 ORDER BY day LIMIT 400`, ws, botID, from, to)
	if err != nil {
		return nil, s.fail(err, "statistics")
	}
	return out, nil
}
