package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

var _ models.APIKeyStore = (*Store)(nil)

const apiKeyCols = `id, ws, name, prefix, hash, created_by, created_at, last_used_at, revoked`

func scanAPIKey(r scanner) (*models.APIKey, error) {
	var k models.APIKey
	var created int64
	var used sql.NullInt64
	if err := r.Scan(&k.ID, &k.WS, &k.Name, &k.Prefix, &k.Hash, &k.CreatedBy, &created, &used, &k.Revoked); err != nil {
		return nil, err
	}
	k.CreatedAt, k.LastUsedAt = fromMS(created), fromMSPtr(used)
	return &k, nil
}

// CreateAPIKey inserts k, created now; an id in use is CodeConflict.
func (s *Store) CreateAPIKey(ctx context.Context, k *models.APIKey) error {
	now := s.nowMS()
	err := s.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO api_keys (`+apiKeyCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			k.ID, k.WS, k.Name, k.Prefix, k.Hash, k.CreatedBy, ms(now), msPtr(k.LastUsedAt), k.Revoked)
		return err
	})
	if err != nil {
		return s.fail(err, "api key")
	}
	k.CreatedAt = now
	return nil
}

// APIKey returns the key with this id in any workspace, or the typed
// not-found.
func (s *Store) APIKey(ctx context.Context, id string) (*models.APIKey, error) {
	k, err := scanAPIKey(s.rd(ctx).QueryRowContext(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE id = ?`, id))
	if err != nil {
		return nil, s.fail(err, "api key")
	}
	return k, nil
}

// APIKeys lists the keys of ws, newest first (then by id, descending), at
// most 1,000; never nil.
func (s *Store) APIKeys(ctx context.Context, ws string) ([]*models.APIKey, error) {
	out, err := queryList(ctx, s, scanAPIKey, `SELECT `+apiKeyCols+` FROM api_keys WHERE ws = ?
		ORDER BY created_at DESC, id DESC LIMIT 1000`, ws)
	if err != nil {
		return nil, s.fail(err, "api key")
	}
	return out, nil
}

// RevokeAPIKey revokes the key id of ws (again is not an error); a key
// unknown in ws is the typed not-found.
func (s *Store) RevokeAPIKey(ctx context.Context, ws, id string) error {
	return s.fail(s.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE api_keys SET revoked = 1 WHERE id = ? AND ws = ?`, id, ws)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return sql.ErrNoRows
		}
		return nil
	}), "api key")
}

// TouchAPIKey records at as the key's last use; an unknown id is not an
// error.
func (s *Store) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	return s.fail(s.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE api_keys SET last_used_at = ? WHERE id = ?`, ms(at), id)
		return err
	}), "api key")
}
