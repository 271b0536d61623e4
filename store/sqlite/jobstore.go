package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

var _ models.JobStore = (*Store)(nil)

// QueueJob adds job (kind, id) of ws due at due; a job queued already
// keeps its due time unless due is sooner (a held job keeps its lease:
// its due time is the lease's end, which only its holder moves). Inside
// Atomically (or a batch) it commits with the caller's writes.
func (s *Store) QueueJob(ctx context.Context, kind, id, ws string, due time.Time) error {
	return s.WithTx(ctx, func(tx *Tx) error { return queueJobSooner(tx, kind, id, ws, due) })
}

// queueJobSooner is QueueJob in tx.
func queueJobSooner(tx *Tx, kind, id, ws string, due time.Time) error {
	_, err := tx.Exec(`INSERT INTO jobs (kind, id, ws, due_at, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (kind, id) DO UPDATE SET due_at = excluded.due_at
		WHERE excluded.due_at < jobs.due_at AND jobs.lease_until = 0`, kind, id, ws, ms(due), ms(tx.s.nowMS()))
	return err
}

// dueJobRowsSQL is dueJobsSQL with the rows' fields and a limit: the
// range of jobs_due up to a time.
const dueJobRowsSQL = `SELECT kind, id, ws, due_at, claims FROM jobs WHERE kind = ? AND due_at <= ? ORDER BY due_at, id LIMIT ?`

// DueJobs lists up to limit jobs of kind due at or before now, soonest
// first (then by id), through jobs_due; a limit of 0 or less is none.
// Never nil.
func (s *Store) DueJobs(ctx context.Context, kind string, now time.Time, limit int) ([]models.Job, error) {
	if limit <= 0 {
		limit = -1 // no limit, as on the MongoDB store
	}
	rows, err := s.rd(ctx).QueryContext(ctx, dueJobRowsSQL, kind, ms(now), limit)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	out := []models.Job{}
	for rows.Next() {
		var j models.Job
		var due int64
		if err := rows.Scan(&j.Kind, &j.ID, &j.WS, &due, &j.Claims); err != nil {
			return nil, s.mapErr(err)
		}
		j.DueAt = fromMS(due)
		out = append(out, j)
	}
	return out, s.mapErr(rows.Err())
}

// ClaimJob takes the next lease of job (kind, id) until until unless a
// live lease holds it; the job returned carries the claim's number.
func (s *Store) ClaimJob(ctx context.Context, kind, id string, now, until time.Time) (models.Job, bool, error) {
	var j models.Job
	var ok bool
	err := s.WithTx(ctx, func(tx *Tx) error {
		var due int64
		err := tx.QueryRow(claimJobSQL+`, ws, due_at`, ms(until), ms(until), kind, id, ms(now)).Scan(&j.Claims, &j.WS, &due)
		if err == nil {
			j.Kind, j.ID, j.DueAt, ok = kind, id, fromMS(due), true
			return nil
		}
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil || !ok {
		return models.Job{}, false, err
	}
	return j, true, nil
}

// ReleaseJob ends lease claim of job (kind, id), the job due again at due,
// unless a later lease holds it.
func (s *Store) ReleaseJob(ctx context.Context, kind, id, ws string, claim int, due time.Time) error {
	return s.WithTx(ctx, func(tx *Tx) error { return releaseJob(tx, kind, id, ws, claim, due) })
}

// FinishJob deletes job (kind, id) unless a later lease than claim holds it.
func (s *Store) FinishJob(ctx context.Context, kind, id string, claim int) error {
	return s.WithTx(ctx, func(tx *Tx) error { return finishJob(tx, kind, id, claim) })
}
