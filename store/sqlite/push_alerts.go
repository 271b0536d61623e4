package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

var _ models.AlertStore = (*Store)(nil)

// alertDoc is the part of an alert kept in the doc column.
type alertDoc struct {
	Source         string            `json:"source,omitempty"`
	BotID          string            `json:"bot_id,omitempty"`
	ActorID        string            `json:"actor_id,omitempty"`
	SubscriberName string            `json:"subscriber_name,omitempty"`
	Channel        models.Channel    `json:"channel,omitempty"`
	BotName        string            `json:"bot_name,omitempty"`
	Preview        string            `json:"preview,omitempty"`
	Deliveries     []models.Delivery `json:"deliveries"`
	TelegramRefs   []string          `json:"telegram_refs,omitempty"`
}

const alertCols = `a.id, a.ws, a.event, a.conversation_id, a.state, a.created_at, a.expires_at, a.due_at, a.claims, a.doc`

func scanAlert(r scanner) (*models.Alert, error) {
	var a models.Alert
	var created, expires, due int64
	var doc string
	if err := r.Scan(&a.ID, &a.WS, &a.Event, &a.ConversationID, &a.State, &created, &expires, &due, &a.Claims, &doc); err != nil {
		return nil, err
	}
	var x alertDoc
	if err := json.Unmarshal([]byte(doc), &x); err != nil {
		return nil, err
	}
	a.CreatedAt, a.ExpiresAt, a.DueAt = fromMS(created), fromMS(expires), fromMS(due)
	a.Source, a.BotID, a.ActorID, a.SubscriberName, a.Channel, a.BotName, a.Preview = x.Source, x.BotID, x.ActorID, x.SubscriberName, x.Channel, x.BotName, x.Preview
	a.Deliveries, a.TelegramRefs = x.Deliveries, x.TelegramRefs
	if a.Deliveries == nil {
		a.Deliveries = []models.Delivery{}
	}
	return &a, nil
}

// deliveriesJSON is the deliveries as stored: times at the store's
// precision (milliseconds, UTC), as on the MongoDB store.
func deliveriesJSON(ds []models.Delivery) (string, error) {
	out := make([]models.Delivery, len(ds))
	for i, d := range ds {
		d.NextAt, d.SentAt = msTime(d.NextAt), msTime(d.SentAt)
		out[i] = d
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// CreateAlerts inserts the alerts and queues the pending ones, in one
// write transaction; an alert whose id exists is left as it is (its
// created flag false), and queued again if it is pending and lost its
// job.
func (s *Store) CreateAlerts(ctx context.Context, alerts []*models.Alert) ([]bool, error) {
	if len(alerts) == 0 {
		return nil, nil
	}
	created := make([]bool, len(alerts))
	err := s.WithTx(ctx, func(tx *Tx) error {
		for i, a := range alerts {
			if a.Deliveries == nil {
				a.Deliveries = []models.Delivery{}
			}
			dels, err := deliveriesJSON(a.Deliveries)
			if err != nil {
				return err
			}
			doc, err := json.Marshal(alertDoc{Source: a.Source, BotID: a.BotID, ActorID: a.ActorID, SubscriberName: a.SubscriberName,
				Channel: a.Channel, BotName: a.BotName, Preview: a.Preview, TelegramRefs: a.TelegramRefs})
			if err != nil {
				return err
			}
			res, err := tx.Exec(`INSERT INTO alerts (id, ws, event, conversation_id, state, created_at, expires_at, due_at, claims, doc)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, json_set(?, '$.deliveries', json(?))) ON CONFLICT (id) DO NOTHING`,
				a.ID, a.WS, a.Event, a.ConversationID, a.State, ms(a.CreatedAt), ms(a.ExpiresAt), ms(a.DueAt), a.Claims, string(doc), dels)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			created[i] = n == 1
			if created[i] {
				if err := addRefs(tx, a.WS, a.ID, a.TelegramRefs); err != nil {
					return err
				}
			}
			if a.State != models.AlertPending {
				continue
			}
			if !created[i] {
				var state string
				if err := tx.QueryRow(`SELECT state FROM alerts WHERE id = ?`, a.ID).Scan(&state); err != nil || state != string(models.AlertPending) {
					continue
				}
			}
			if _, err := queueJob(tx, jobAlert, a.ID, a.WS, a.DueAt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.fail(err, "alert")
	}
	return created, nil
}

// addRefs records the Telegram messages an alert sent.
func addRefs(tx *Tx, ws, id string, refs []string) error {
	for _, ref := range refs {
		if _, err := tx.Exec(`INSERT INTO alert_refs (ws, ref, alert_id) VALUES (?, ?, ?) ON CONFLICT (ws, ref) DO NOTHING`, ws, ref, id); err != nil {
			return err
		}
	}
	return nil
}

// Alert returns the alert id of ws, or the typed not-found.
func (s *Store) Alert(ctx context.Context, ws, id string) (*models.Alert, error) {
	a, err := scanAlert(s.rd(ctx).QueryRowContext(ctx, `SELECT `+alertCols+` FROM alerts a WHERE a.id = ? AND a.ws = ?`, id, ws))
	if err != nil {
		return nil, s.fail(err, "alert")
	}
	return a, nil
}

// alertsSQL lists a workspace's alerts newest first (of one chat when
// byConv, with a delivery to one member when byMember): read from
// alerts_ws_created or alerts_conversation in their order.
func alertsSQL(byConv, byMember bool) string {
	q := `SELECT ` + alertCols + ` FROM alerts a WHERE a.ws = ?`
	if byConv {
		q += ` AND a.conversation_id = ?`
	}
	if byMember {
		q += ` AND EXISTS (SELECT 1 FROM json_each(a.doc, '$.deliveries') d WHERE json_extract(d.value, '$.member_id') = ?)`
	}
	return q + ` ORDER BY a.created_at DESC, a.id DESC LIMIT ?`
}

// Alerts lists ws's alerts newest first (50 when f.Limit is not above 0).
func (s *Store) Alerts(ctx context.Context, ws string, f models.AlertFilter) ([]*models.Alert, error) {
	args := []any{ws}
	if f.ConversationID != "" {
		args = append(args, f.ConversationID)
	}
	if f.MemberID != "" {
		args = append(args, f.MemberID)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	out, err := queryList(ctx, s, scanAlert, alertsSQL(f.ConversationID != "", f.MemberID != ""), append(args, f.Limit)...)
	if err != nil {
		return nil, s.fail(err, "alert")
	}
	return out, nil
}

// dueAlertsSQL reads the due alert jobs in due order (jobs_due), each
// alert by its id: the finished alerts are never read.
const dueAlertsSQL = `SELECT ` + alertCols + ` FROM jobs j CROSS JOIN alerts a ON a.id = j.id
	WHERE j.kind = '` + jobAlert + `' AND j.due_at <= ? AND a.state = 'pending' ORDER BY j.due_at, j.id`

// DueAlerts lists up to limit (all when limit is not above 0) pending
// alerts due at or before now, soonest first, leaving out those skip
// names. An alert whose lease is held is due again when the lease ends.
func (s *Store) DueAlerts(ctx context.Context, now time.Time, limit int, skip func(id string) bool) ([]*models.Alert, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, dueAlertsSQL, ms(now))
	if err != nil {
		return nil, s.fail(err, "alert")
	}
	defer rows.Close()
	out := []*models.Alert{}
	for rows.Next() && (limit <= 0 || len(out) < limit) {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, s.fail(err, "alert")
		}
		if skip == nil || !skip(a.ID) {
			out = append(out, a)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(err, "alert")
	}
	return out, nil
}

// ClaimAlerts takes, in one write transaction, the next claim of each
// listed alert that no live lease holds, leasing it until now+d, and
// returns the alerts it took as stored now, each with its claim's number
// in Claims. A job whose alert is gone or finished is dropped.
func (s *Store) ClaimAlerts(ctx context.Context, listed []*models.Alert, now time.Time, d time.Duration) ([]*models.Alert, error) {
	won := []*models.Alert{}
	err := s.WithTx(ctx, func(tx *Tx) error {
		for _, l := range listed {
			claim, ok, err := claimJob(tx, jobAlert, l.ID, now, now.Add(d))
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			a, err := scanAlert(tx.QueryRow(`SELECT `+alertCols+` FROM alerts a WHERE a.id = ?`, l.ID))
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if a == nil || a.State != models.AlertPending {
				if err := dropJob(tx, jobAlert, l.ID); err != nil {
					return err
				}
				continue
			}
			a.Claims = claim
			won = append(won, a)
		}
		return nil
	})
	if err != nil {
		return nil, s.fail(err, "alert")
	}
	return won, nil
}

// FinishAttempts writes each claimed alert's deliveries, state, due time
// and Telegram references, and ends its claim: a pending alert's job is
// due again at its due time, a finished alert's job is deleted. An
// attempt overtaken by a later claim whose attempt was written first
// writes nothing; one overtaken by a later claim still held leaves the
// job to that claim. One write transaction.
func (s *Store) FinishAttempts(ctx context.Context, alerts []*models.Alert) error {
	return s.fail(s.WithTx(ctx, func(tx *Tx) error {
		for _, a := range alerts {
			dels, err := deliveriesJSON(a.Deliveries)
			if err != nil {
				return err
			}
			set := `json_set(doc, '$.deliveries', json(?))`
			args := []any{dels}
			if len(a.TelegramRefs) > 0 {
				refs, err := json.Marshal(a.TelegramRefs)
				if err != nil {
					return err
				}
				set = `json_set(doc, '$.deliveries', json(?), '$.telegram_refs', json(?))`
				args = append(args, string(refs))
			}
			res, err := tx.Exec(`UPDATE alerts SET doc = `+set+`, state = ?, due_at = ?, claims = ? WHERE id = ? AND claims < ?`,
				append(args, a.State, ms(a.DueAt), a.Claims, a.ID, a.Claims)...)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				if err != nil {
					return err
				}
				continue
			}
			var ws string
			if err := tx.QueryRow(`SELECT ws FROM alerts WHERE id = ?`, a.ID).Scan(&ws); err != nil {
				return err
			}
			if err := addRefs(tx, ws, a.ID, a.TelegramRefs); err != nil {
				return err
			}
			if a.State == models.AlertPending {
				err = releaseJob(tx, jobAlert, a.ID, ws, a.Claims, a.DueAt)
			} else {
				err = finishJob(tx, jobAlert, a.ID, a.Claims)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}), "alert")
}

// alertByRefSQL finds an alert by a Telegram message it sent: the
// reference's key, then the alert's.
const alertByRefSQL = `SELECT ` + alertCols + ` FROM alert_refs r CROSS JOIN alerts a ON a.id = r.alert_id
	WHERE r.ws = ? AND r.ref = ? AND a.ws = r.ws`

// AlertByTelegramRef finds the alert of ws that sent Telegram message
// ref, or the typed not-found.
func (s *Store) AlertByTelegramRef(ctx context.Context, ws, ref string) (*models.Alert, error) {
	a, err := scanAlert(s.rd(ctx).QueryRowContext(ctx, alertByRefSQL, ws, ref))
	if err != nil {
		return nil, s.fail(err, "alert")
	}
	return a, nil
}

// RequeuePending queues every pending alert without a job (none, unless
// a finish overtaken by a later claim that then died left one out) and
// returns how many; it also drops the jobs of alerts that are no longer
// pending. It reads every pending alert (alerts_pending) and every alert
// job, so it runs rarely.
func (s *Store) RequeuePending(ctx context.Context) (int, error) {
	n := 0
	err := s.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(dropStaleJobsSQL, jobAlert); err != nil {
			return err
		}
		rows, err := tx.Query(lostAlertsSQL, jobAlert)
		if err != nil {
			return err
		}
		type lost struct {
			id, ws string
			due    int64
		}
		var list []lost
		for rows.Next() {
			var l lost
			if err := rows.Scan(&l.id, &l.ws, &l.due); err != nil {
				rows.Close()
				return err
			}
			list = append(list, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, l := range list {
			added, err := queueJob(tx, jobAlert, l.id, l.ws, fromMS(l.due))
			if err != nil {
				return err
			}
			if added {
				n++
			}
		}
		return nil
	})
	if err != nil {
		return 0, s.fail(err, "alert")
	}
	return n, nil
}

// dropStaleJobsSQL deletes the alert jobs whose alert is not pending:
// the alert jobs by primary key, each alert by its id.
const dropStaleJobsSQL = `DELETE FROM jobs WHERE kind = ? AND NOT EXISTS
	(SELECT 1 FROM alerts a WHERE a.id = jobs.id AND a.state = 'pending')`

// lostAlertsSQL lists the pending alerts without a job: alerts_pending,
// each job by its key.
const lostAlertsSQL = `SELECT a.id, a.ws, a.due_at FROM alerts a WHERE a.state = 'pending'
	AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = ? AND j.id = a.id)`

// PurgeAlerts deletes the alerts created before cutoff that are finished
// or whose TTL ended before cutoff, with their jobs and Telegram
// references, and returns how many alerts it deleted.
func (s *Store) PurgeAlerts(ctx context.Context, cutoff time.Time) (int, error) {
	var ids []string
	err := s.WithTx(ctx, func(tx *Tx) error {
		rows, err := tx.Query(purgeAlertsSQL, ms(cutoff), ms(cutoff))
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			if err := dropJob(tx, jobAlert, id); err != nil {
				return err
			}
			if _, err := tx.Exec(`DELETE FROM alert_refs WHERE alert_id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, s.fail(err, "alert")
	}
	return len(ids), nil
}

// purgeAlertsSQL deletes the purgeable alerts: a range of alerts_created.
const purgeAlertsSQL = `DELETE FROM alerts WHERE created_at < ? AND (state = 'done' OR expires_at < ?) RETURNING id`
