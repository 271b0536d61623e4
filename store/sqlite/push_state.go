package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

var _ models.PushStateStore = (*Store)(nil)

// PushCursor is how far the dispatcher read ws's change log; -1 when it
// never did.
func (s *Store) PushCursor(ctx context.Context, ws string) (int64, error) {
	var seq int64
	err := s.rd(ctx).QueryRowContext(ctx, `SELECT seq FROM push_cursors WHERE ws = ?`, ws).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return -1, nil
	}
	return seq, s.fail(err, "cursor")
}

// SavePushCursor moves ws's cursor up to seq (never down).
func (s *Store) SavePushCursor(ctx context.Context, ws string, seq int64) error {
	return s.fail(s.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO push_cursors (ws, seq) VALUES (?, ?)
			ON CONFLICT (ws) DO UPDATE SET seq = max(seq, excluded.seq)`, ws, seq)
		return err
	}), "cursor")
}

// TakeLease takes the named lease for the time slot of length d holding
// now (slots are counted from the Unix epoch, as on the MongoDB store):
// the first holder to ask in a slot holds it to the slot's end; asking
// again, it still does, and anyone else is refused until then.
func (s *Store) TakeLease(ctx context.Context, name, holder string, now time.Time, d time.Duration) (bool, error) {
	slot := now.UnixNano() / int64(d)
	id := name + "@" + strconv.FormatInt(slot, 10)
	until := time.Unix(0, (slot+1)*int64(d))
	var got string
	err := s.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`INSERT INTO leases (name, holder, until) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`,
			id, holder, ms(until)); err != nil {
			return err
		}
		return tx.QueryRow(`SELECT holder FROM leases WHERE name = ?`, id).Scan(&got)
	})
	if err != nil {
		return false, s.fail(err, "lease")
	}
	return got == holder, nil
}

// TakeEmailSlot reserves the member's email for the slot (of length
// every) holding now, for owner, unless the previous slot's email went
// less than every ago; the owner of the slot in force asking again gets
// it. One write transaction.
func (s *Store) TakeEmailSlot(ctx context.Context, ws, memberID, owner string, now time.Time, every time.Duration) (bool, error) {
	slot := now.UnixNano() / int64(every)
	var got bool
	err := s.WithTx(ctx, func(tx *Tx) error {
		var held string
		var at int64
		err := tx.QueryRow(`SELECT owner, at FROM email_slots WHERE ws = ? AND member_id = ? AND slot = ?`, ws, memberID, slot-1).Scan(&held, &at)
		if err == nil && now.Sub(fromMS(at)) < every {
			got = held == owner
			return nil
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO email_slots (ws, member_id, slot, owner, at, until) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (ws, member_id, slot) DO NOTHING`, ws, memberID, slot, owner, ms(now), ms(now.Add(2*every))); err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT owner FROM email_slots WHERE ws = ? AND member_id = ? AND slot = ?`, ws, memberID, slot).Scan(&held); err != nil {
			return err
		}
		got = held == owner
		return nil
	})
	if err != nil {
		return false, s.fail(err, "slot")
	}
	return got, nil
}

// Setting returns the value saved under name, saving value when there is
// none: of several callers at once, the first one's value wins.
func (s *Store) Setting(ctx context.Context, name, value string) (string, error) {
	return s.EnsureSetting(ctx, "push:"+name, value)
}

// SaveLinkCode stores a Telegram link code's hash for member until
// expires; a hash in use is CodeConflict.
func (s *Store) SaveLinkCode(ctx context.Context, hash, ws, memberID string, expires time.Time) error {
	return s.fail(s.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO link_codes (hash, ws, member_id, expires_at) VALUES (?, ?, ?, ?)`, hash, ws, memberID, ms(expires))
		return err
	}), "link code")
}

// TakeLinkCode consumes a link code once: the one write that deletes it
// gets its member, provided it expires after now. An unknown, used or
// expired code is the typed not-found (an expired one is deleted too).
func (s *Store) TakeLinkCode(ctx context.Context, hash string, now time.Time) (string, string, error) {
	var ws, member string
	var expires int64
	err := s.WithTx(ctx, func(tx *Tx) error {
		return tx.QueryRow(`DELETE FROM link_codes WHERE hash = ? RETURNING ws, member_id, expires_at`, hash).Scan(&ws, &member, &expires)
	})
	if err == nil && expires <= ms(now) {
		err = models.NotFound("link code")
	}
	if err != nil {
		return "", "", s.fail(err, "link code")
	}
	return ws, member, nil
}

// PurgePushState deletes the leases, email slots and link codes that ran
// out before cutoff (each through its time index).
func (s *Store) PurgePushState(ctx context.Context, cutoff time.Time) error {
	return s.fail(s.WithTx(ctx, func(tx *Tx) error {
		for _, q := range purgeStateSQL {
			if _, err := tx.Exec(q, ms(cutoff)); err != nil {
				return err
			}
		}
		return nil
	}), "lease")
}

var purgeStateSQL = []string{
	`DELETE FROM leases WHERE until < ?`,
	`DELETE FROM email_slots WHERE until < ?`,
	`DELETE FROM link_codes WHERE expires_at < ?`,
}
