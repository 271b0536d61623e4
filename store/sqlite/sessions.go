package sqlite

import (
	"context"
	"database/sql"

	"github.com/switchboardhq/switchboard/models"
	sqlite3 "modernc.org/sqlite/lib"
)

var _ models.SessionStore = (*Store)(nil)

const sessionCols = `id, ws, member_id, created_at, expires_at, revoked, user_agent`

func scanSession(r scanner) (*models.Session, error) {
	var x models.Session
	var created, expires int64
	if err := r.Scan(&x.ID, &x.WS, &x.MemberID, &created, &expires, &x.Revoked, &x.UserAgent); err != nil {
		return nil, err
	}
	x.CreatedAt, x.ExpiresAt = fromMS(created), fromMS(expires)
	return &x, nil
}

// CreateSession inserts the session and its first refresh token in one
// transaction; a session id in use is CodeConflict.
func (s *Store) CreateSession(ctx context.Context, x *models.Session, first *models.RefreshToken) error {
	err := s.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`INSERT INTO sessions (`+sessionCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			x.ID, x.WS, x.MemberID, ms(x.CreatedAt), ms(x.ExpiresAt), x.Revoked, x.UserAgent); err != nil {
			return s.fail(err, "session")
		}
		return addToken(tx, first)
	})
	return s.fail(err, "session")
}

// Session returns the session with this id or the typed not-found.
func (s *Store) Session(ctx context.Context, id string) (*models.Session, error) {
	x, err := scanSession(s.rd(ctx).QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = ?`, id))
	if err != nil {
		return nil, s.fail(err, "session")
	}
	return x, nil
}

// UseRefreshToken claims the token: the first call marks it used, now,
// and returns it; every later call returns it with the time of that
// first use and CodeConflict. The claim is one write transaction, so
// exactly one of any number of concurrent callers wins. An unknown token
// is the typed not-found.
func (s *Store) UseRefreshToken(ctx context.Context, hash string) (*models.RefreshToken, error) {
	var t models.RefreshToken
	err := s.WithTx(ctx, func(tx *Tx) error {
		var created, expires int64
		var used sql.NullInt64
		if err := tx.QueryRow(`SELECT session_id, created_at, expires_at, used_at FROM refresh_tokens WHERE hash = ?`, hash).
			Scan(&t.SessionID, &created, &expires, &used); err != nil {
			return err
		}
		t.Hash, t.CreatedAt, t.ExpiresAt = hash, fromMS(created), fromMS(expires)
		if used.Valid {
			t.UsedAt = fromMS(used.Int64)
			return models.Errorf(models.CodeConflict, "refresh token already used")
		}
		_, err := tx.Exec(`UPDATE refresh_tokens SET used_at = ? WHERE hash = ?`, ms(s.nowMS()), hash)
		return err
	})
	switch models.ErrorCode(err) {
	case "":
		return &t, nil
	case models.CodeConflict:
		return &t, err
	}
	return nil, s.fail(err, "refresh token")
}

// AddRefreshToken stores the next token of a session's family; a hash in
// use is CodeConflict, a token of an unknown session the typed not-found.
func (s *Store) AddRefreshToken(ctx context.Context, t *models.RefreshToken) error {
	return s.fail(s.WithTx(ctx, func(tx *Tx) error { return addToken(tx, t) }), "refresh token")
}

func addToken(tx *Tx, t *models.RefreshToken) error {
	_, err := tx.Exec(`INSERT INTO refresh_tokens (hash, session_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		t.Hash, t.SessionID, ms(t.CreatedAt), ms(t.ExpiresAt))
	if constraint(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY {
		return models.NotFound("session")
	}
	return tx.s.fail(err, "refresh token")
}

// RevokeSession marks the session revoked; an unknown id is not an error.
func (s *Store) RevokeSession(ctx context.Context, id string) error {
	return s.fail(s.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE sessions SET revoked = 1 WHERE id = ?`, id)
		return err
	}), "session")
}

// RevokeMemberSessions revokes every session of the member of ws but
// except ("" for none).
func (s *Store) RevokeMemberSessions(ctx context.Context, ws, memberID, except string) error {
	return s.fail(s.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE sessions SET revoked = 1 WHERE ws = ? AND member_id = ? AND id <> ?`, ws, memberID, except)
		return err
	}), "session")
}
