package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// The durable job mechanism: the jobs table holds a row per piece of
// background work still to do, by kind (jobAlert: an alert's deliveries;
// the messengers' kinds of models.JobStore, see jobstore.go) and the id of
// what it is for. Every step is a statement on the row's
// primary key inside the caller's write transaction, so it commits with
// the work's own record; what is due is found through jobs_due, in due
// order, and nothing reads a job that is not due.

// jobAlert is the kind of an alert's job: its id is the alert's.
const jobAlert = "alert"

// dueJobsSQL selects the jobs of one kind due at or before a time, in
// due order (then id): the range of jobs_due up to that time.
const dueJobsSQL = `SELECT id FROM jobs WHERE kind = ? AND due_at <= ? ORDER BY due_at, id`

// queueJob adds job (kind, id) of ws due at due, unless it exists; it
// reports whether it added it.
func queueJob(tx *Tx, kind, id, ws string, due time.Time) (bool, error) {
	res, err := tx.Exec(`INSERT INTO jobs (kind, id, ws, due_at, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (kind, id) DO NOTHING`, kind, id, ws, ms(due), ms(tx.s.nowMS()))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// claimJobSQL takes the next claim of a job its key names, unless a live
// lease holds it.
const claimJobSQL = `UPDATE jobs SET claims = claims + 1, lease_until = ?, due_at = ?
	WHERE kind = ? AND id = ? AND lease_until <= ? RETURNING claims`

// claimJob takes the next claim of job (kind, id) unless a live lease
// holds it (one whose end is after now): the job's lease and due time
// move to until, so it leaves the due range until then and comes back
// by itself when its holder dies. It returns the claim's number, or ok
// false when the job is held or gone.
func claimJob(tx *Tx, kind, id string, now, until time.Time) (claim int, ok bool, err error) {
	err = tx.QueryRow(claimJobSQL, ms(until), ms(until), kind, id, ms(now)).Scan(&claim)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return claim, err == nil, err
}

// releaseJob ends claim of job (kind, id) with the job due again at due;
// upserted, so that work left without its row is queued again. A later
// claim than this one keeps the job as it holds it.
func releaseJob(tx *Tx, kind, id, ws string, claim int, due time.Time) error {
	_, err := tx.Exec(`INSERT INTO jobs (kind, id, ws, due_at, claims, lease_until, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)
		ON CONFLICT (kind, id) DO UPDATE SET due_at = excluded.due_at, lease_until = 0 WHERE jobs.claims <= excluded.claims`,
		kind, id, ws, ms(due), claim, ms(tx.s.nowMS()))
	return err
}

// finishJob deletes job (kind, id): its work is done. A later claim than
// claim keeps it (its holder decides).
func finishJob(tx *Tx, kind, id string, claim int) error {
	_, err := tx.Exec(`DELETE FROM jobs WHERE kind = ? AND id = ? AND claims <= ?`, kind, id, claim)
	return err
}

// dropJob deletes job (kind, id) whatever its claims: what it was for is gone.
func dropJob(tx *Tx, kind, id string) error {
	_, err := tx.Exec(`DELETE FROM jobs WHERE kind = ? AND id = ?`, kind, id)
	return err
}

// endDeadClaims ends, at Open, every claim a job still holds, the job due
// at once, and drops every named lease (TakeLease: a bot's long poll, a
// workspace's alert dispatch). One process uses a data directory at a
// time (the directory lock), so a claim or lease found at Open is a dead
// (or stopped) process's: left alone, it would hold the work back until
// it ran out (a minute for alerts, up to 50 s of a long poll) although
// nobody is doing it. It runs once per start, on the jobs table, which
// holds only work still to do, and the leases table.
func (s *Store) endDeadClaims(ctx context.Context) error {
	return s.WithTx(ctx, func(tx *Tx) error {
		now := ms(s.opts.Now())
		if _, err := tx.Exec(`UPDATE jobs SET lease_until = 0, due_at = min(due_at, ?) WHERE lease_until > 0`, now); err != nil {
			return err
		}
		_, err := tx.Exec(`DELETE FROM leases`)
		return err
	})
}
