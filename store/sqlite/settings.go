package sqlite

import (
	"context"

	"github.com/switchboardhq/switchboard/models"
)

var _ models.SettingStore = (*Store)(nil)

// EnsureSetting stores value under key unless a value exists and returns
// the stored value. The insert and the read are one write transaction,
// so concurrent callers all get the first writer's value.
func (s *Store) EnsureSetting(ctx context.Context, key, value string) (string, error) {
	var out string
	err := s.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
			return err
		}
		return tx.QueryRow(`SELECT value FROM settings WHERE key = ?`, key).Scan(&out)
	})
	return out, s.fail(err, "setting")
}
