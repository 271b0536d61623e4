package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

var _ models.UpdateStore = (*Store)(nil)

const updateCols = `id, ws, bot_id, channel, key, raw, state, error, attempts, received_at, processed_at`

func scanUpdate(r scanner) (*models.InboundUpdate, error) {
	var u models.InboundUpdate
	var received int64
	var processed sql.NullInt64
	if err := r.Scan(&u.ID, &u.WS, &u.BotID, &u.Channel, &u.Key, &u.Raw, &u.State, &u.Error, &u.Attempts,
		&received, &processed); err != nil {
		return nil, err
	}
	u.ReceivedAt, u.ProcessedAt = fromMS(received), fromMSPtr(processed)
	return &u, nil
}

// SaveUpdate stores u as pending, received now when ReceivedAt is zero,
// and queues its JobUpdate job due at once, in one transaction (which
// joins the caller's inside Atomically). An id stored already is left as
// it is (created false); while it is pending its job is queued again.
func (s *Store) SaveUpdate(ctx context.Context, u *models.InboundUpdate) (bool, error) {
	now := s.nowMS()
	if u.ReceivedAt.IsZero() {
		u.ReceivedAt = now
	}
	u.ReceivedAt = u.ReceivedAt.UTC().Truncate(time.Millisecond)
	u.State = models.UpdatePending
	if u.Raw == nil {
		u.Raw = []byte{}
	}
	created := false
	err := s.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`INSERT INTO updates (`+updateCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`, u.ID, u.WS, u.BotID, string(u.Channel), u.Key, u.Raw, string(u.State),
			u.Error, u.Attempts, ms(u.ReceivedAt), msPtr(u.ProcessedAt))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		created = n == 1
		if !created {
			var state string
			err := tx.QueryRow(`SELECT state FROM updates WHERE id = ?`, u.ID).Scan(&state)
			if err != nil || models.UpdateState(state) != models.UpdatePending {
				return err
			}
		}
		return queueJobSooner(tx, models.JobUpdate, u.ID, u.WS, models.AtOnce)
	})
	if err != nil {
		return false, s.fail(err, "update")
	}
	return created, nil
}

// InboundUpdate returns update id of ws or the typed not-found.
func (s *Store) InboundUpdate(ctx context.Context, ws, id string) (*models.InboundUpdate, error) {
	u, err := scanUpdate(s.rd(ctx).QueryRowContext(ctx, `SELECT `+updateCols+` FROM updates WHERE id = ? AND ws = ?`, id, ws))
	if err != nil {
		return nil, s.fail(err, "update")
	}
	return u, nil
}

// updatesSQL lists a bot's updates newest first, of one state (updates_bot)
// or all (updates_bot_all).
const (
	updatesSQL      = `SELECT ` + updateCols + ` FROM updates WHERE ws = ? AND bot_id = ? ORDER BY received_at DESC, id DESC LIMIT ?`
	updatesStateSQL = `SELECT ` + updateCols + ` FROM updates WHERE ws = ? AND bot_id = ? AND state = ? ORDER BY received_at DESC, id DESC LIMIT ?`
)

// InboundUpdates lists ws's updates of f.BotID, of f.State when set,
// newest first (then by id, descending), up to f.Limit (none when 0 or
// less); never nil.
func (s *Store) InboundUpdates(ctx context.Context, ws string, f models.UpdateFilter) ([]*models.InboundUpdate, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	var out []*models.InboundUpdate
	var err error
	if f.State == "" {
		out, err = queryList(ctx, s, scanUpdate, updatesSQL, ws, f.BotID, limit)
	} else {
		out, err = queryList(ctx, s, scanUpdate, updatesStateSQL, ws, f.BotID, string(f.State), limit)
	}
	if err != nil {
		return nil, s.fail(err, "update")
	}
	return out, nil
}

// SetUpdateOutcome records o on update id of ws (its processed time is
// o.At) and returns the new state; a pending outcome also queues the
// update's job due at once, in the same transaction. Unknown: not-found.
func (s *Store) SetUpdateOutcome(ctx context.Context, ws, id string, o models.UpdateOutcome) (*models.InboundUpdate, error) {
	at := o.At.UTC().Truncate(time.Millisecond)
	var out *models.InboundUpdate
	err := s.WithTx(ctx, func(tx *Tx) error {
		u, err := scanUpdate(tx.QueryRow(`UPDATE updates SET state = ?, error = ?, attempts = ?, processed_at = ?
			WHERE id = ? AND ws = ? RETURNING `+updateCols, string(o.State), o.Error, o.Attempts, ms(at), id, ws))
		if err != nil {
			return err
		}
		out = u
		if o.State != models.UpdatePending {
			return nil
		}
		return queueJobSooner(tx, models.JobUpdate, id, ws, models.AtOnce)
	})
	if err != nil {
		return nil, s.fail(err, "update")
	}
	return out, nil
}

// purgeUpdatesSQL deletes the updates of a state received before a time.
const purgeUpdatesSQL = `DELETE FROM updates WHERE state = ? AND received_at < ?`

// PurgeUpdates deletes the done updates received before cutoff, through
// updates_done, and reports how many.
func (s *Store) PurgeUpdates(ctx context.Context, cutoff time.Time) (int, error) {
	var n int64
	err := s.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(purgeUpdatesSQL, string(models.UpdateDone), ms(cutoff))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), s.fail(err, "update")
}
