package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

var _ models.NoteStore = (*Store)(nil)

// noteCols keep the creation sequence (cseq): the sync push check reads a
// note's, to tell a device's edit of its own new note from a conflict.
const noteCols = `id, ws, subscriber_id, author_id, text, seq, cseq, deleted, created_at, edited_at, updated_at`

func scanNote(r scanner) (*models.Note, error) {
	var n models.Note
	var created, updated int64
	var edited sql.NullInt64
	if err := r.Scan(&n.ID, &n.WS, &n.SubscriberID, &n.AuthorID, &n.Text, &n.Seq, &n.CSeq, &n.Deleted, &created, &edited, &updated); err != nil {
		return nil, err
	}
	n.CreatedAt, n.EditedAt, n.UpdatedAt = fromMS(created), fromMSPtr(edited), fromMS(updated)
	return &n, nil
}

func putNote(tx *Tx, n *models.Note, insert bool) error {
	if insert {
		n.CSeq = n.Seq
	}
	args := []any{n.ID, n.WS, n.SubscriberID, n.AuthorID, n.Text, n.Seq, n.CSeq, n.Deleted, ms(n.CreatedAt), msPtr(n.EditedAt), ms(n.UpdatedAt)}
	var err error
	if insert {
		_, err = tx.Exec(`INSERT INTO notes (`+noteCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	} else {
		_, err = tx.Exec(`UPDATE notes SET id = ?, ws = ?, subscriber_id = ?, author_id = ?, text = ?, seq = ?, cseq = ?, deleted = ?,
			created_at = ?, edited_at = ?, updated_at = ? WHERE id = ?`, append(args, n.ID)...)
	}
	return err
}

var notes = synced[models.Note]{table: models.TableNotes, kind: "note", cols: noteCols, scan: scanNote, put: putNote,
	stamp: func(n *models.Note) *models.Stamp { return &n.Stamp }, id: func(n *models.Note) string { return n.ID }}

// CreateNote inserts n into ws, created now, with its sequence and
// change-log entry; an id in use is CodeConflict.
func (s *Store) CreateNote(ctx context.Context, ws string, n *models.Note) error {
	at := s.nowMS()
	n.CreatedAt = at
	return notes.create(ctx, s, ws, n, at)
}

// Note returns the live note id of ws or the typed not-found.
func (s *Store) Note(ctx context.Context, ws, id string) (*models.Note, error) {
	return notes.read(ctx, s, ws, id)
}

// Notes lists a subscriber's live notes, newest first (then by id,
// descending), at most 1,000; never nil.
func (s *Store) Notes(ctx context.Context, ws, subscriberID string) ([]*models.Note, error) {
	return notes.list(ctx, s, ws, "subscriber_id = ?", "created_at DESC, id DESC", subscriberID)
}

// UpdateNoteText replaces the text of the live note id of ws, edited at,
// with a new sequence, logged.
func (s *Store) UpdateNoteText(ctx context.Context, ws, id, text string, at time.Time) (*models.Note, error) {
	edited := at.UTC().Truncate(time.Millisecond)
	return notes.update(ctx, s, ws, id, func(n *models.Note, _ int64) error {
		n.Text, n.EditedAt = text, &edited
		return nil
	})
}

// DeleteNote leaves the live note id of ws a logged tombstone; an unknown
// or deleted note is the typed not-found.
func (s *Store) DeleteNote(ctx context.Context, ws, id string) error {
	return notes.remove(ctx, s, ws, id)
}
