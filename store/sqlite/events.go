package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/switchboardhq/switchboard/models"
)

var _ models.ProcessedEventStore = (*Store)(nil)

// EventProcessed reports whether the event key was recorded.
func (s *Store) EventProcessed(ctx context.Context, key string) (bool, error) {
	var one int
	err := s.rd(ctx).QueryRowContext(ctx, `SELECT 1 FROM processed_events WHERE key = ?`, key).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, s.fail(err, "event")
}

// RecordEvent records the event key of workspace ws, now; recording it
// again changes nothing and is not an error.
func (s *Store) RecordEvent(ctx context.Context, ws, key string) error {
	return s.fail(s.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO processed_events (key, ws, at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`,
			key, ws, ms(s.nowMS()))
		return err
	}), "event")
}
