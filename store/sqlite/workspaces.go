package sqlite

import (
	"context"

	"github.com/switchboardhq/switchboard/models"
)

var _ models.WorkspaceStore = (*Store)(nil)

const workspaceCols = `id, name, created_at, updated_at`

func scanWorkspace(r scanner) (*models.Workspace, error) {
	var w models.Workspace
	var created, updated int64
	if err := r.Scan(&w.ID, &w.Name, &created, &updated); err != nil {
		return nil, err
	}
	w.CreatedAt, w.UpdatedAt = fromMS(created), fromMS(updated)
	return &w, nil
}

// CreateWorkspace inserts ws, created and updated now; a duplicate id is
// CodeConflict.
func (s *Store) CreateWorkspace(ctx context.Context, ws *models.Workspace) error {
	now := s.nowMS()
	err := s.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO workspaces (`+workspaceCols+`) VALUES (?, ?, ?, ?)`, ws.ID, ws.Name, ms(now), ms(now))
		return err
	})
	if err != nil {
		return s.fail(err, "workspace")
	}
	ws.CreatedAt, ws.UpdatedAt = now, now
	return nil
}

// Workspace returns the workspace with this id or the typed not-found.
func (s *Store) Workspace(ctx context.Context, id string) (*models.Workspace, error) {
	w, err := scanWorkspace(s.rd(ctx).QueryRowContext(ctx, `SELECT `+workspaceCols+` FROM workspaces WHERE id = ?`, id))
	if err != nil {
		return nil, s.fail(err, "workspace")
	}
	return w, nil
}

// UpdateWorkspace applies upd, moves updated_at to now and returns the
// new state; an unknown id is the typed not-found.
func (s *Store) UpdateWorkspace(ctx context.Context, id string, upd models.WorkspaceUpdate) (*models.Workspace, error) {
	var w *models.Workspace
	err := s.WithTx(ctx, func(tx *Tx) error {
		var name any
		if upd.Name != nil {
			name = *upd.Name
		}
		var err error
		w, err = scanWorkspace(tx.QueryRow(`UPDATE workspaces SET name = coalesce(?, name), updated_at = ? WHERE id = ?
			RETURNING `+workspaceCols, name, ms(s.nowMS()), id))
		return err
	})
	if err != nil {
		return nil, s.fail(err, "workspace")
	}
	return w, nil
}
