package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

var _ models.SubscriberStore = (*Store)(nil)

// subDoc holds the subscriber fields no query filters on; times are Unix
// milliseconds.
type subDoc struct {
	Username              string                 `json:"username,omitempty"`
	AvatarURL             string                 `json:"avatar_url,omitempty"`
	Phone                 string                 `json:"phone,omitempty"`
	Email                 string                 `json:"email,omitempty"`
	FirstName             string                 `json:"first_name,omitempty"`
	LastName              string                 `json:"last_name,omitempty"`
	Variables             map[string]string      `json:"variables,omitempty"`
	Tags                  []string               `json:"tags,omitempty"`
	Subscribed            bool                   `json:"subscribed,omitempty"`
	SubscribedAt          *int64                 `json:"subscribed_at,omitempty"`
	LastActivityAt        *int64                 `json:"last_activity_at,omitempty"`
	LastInboundAt         *int64                 `json:"last_inbound_at,omitempty"`
	Disabled              bool                   `json:"disabled,omitempty"`
	AutomationPausedUntil *int64                 `json:"automation_paused_until,omitempty"`
	ActiveFlow            *models.ActiveFlow     `json:"active_flow,omitempty"`
	Instagram             *models.InstagramFlags `json:"instagram,omitempty"`
	TelegramGroup         *models.TelegramGroup  `json:"telegram_group,omitempty"`
	Referral              *models.Referral       `json:"referral,omitempty"`
}

func msRef(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	n := t.UnixMilli()
	return &n
}

func fromMSRef(n *int64) *time.Time {
	if n == nil {
		return nil
	}
	t := fromMS(*n)
	return &t
}

const subCols = `id, ws, bot_id, channel, external_id, name, name_key, seq, deleted, created_at, updated_at, doc`

func scanSubscriber(r scanner) (*models.Subscriber, error) {
	var s models.Subscriber
	var created, updated int64
	var doc string
	if err := r.Scan(&s.ID, &s.WS, &s.BotID, &s.Channel, &s.ExternalID, &s.Name, &s.NameKey, &s.Seq, &s.Deleted,
		&created, &updated, &doc); err != nil {
		return nil, err
	}
	var d subDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return nil, err
	}
	s.Username, s.AvatarURL, s.Phone, s.Email, s.FirstName, s.LastName = d.Username, d.AvatarURL, d.Phone, d.Email, d.FirstName, d.LastName
	s.Variables, s.Tags, s.Subscribed, s.Disabled = d.Variables, d.Tags, d.Subscribed, d.Disabled
	if s.Variables == nil {
		s.Variables = map[string]string{}
	}
	if s.Tags == nil {
		s.Tags = []string{}
	}
	s.SubscribedAt, s.LastActivityAt, s.LastInboundAt = fromMSRef(d.SubscribedAt), fromMSRef(d.LastActivityAt), fromMSRef(d.LastInboundAt)
	s.AutomationPausedUntil = fromMSRef(d.AutomationPausedUntil)
	s.ActiveFlow, s.Instagram, s.TelegramGroup, s.Referral = d.ActiveFlow, d.Instagram, d.TelegramGroup, d.Referral
	s.CreatedAt, s.UpdatedAt = fromMS(created), fromMS(updated)
	return &s, nil
}

func putSubscriber(tx *Tx, s *models.Subscriber, insert bool) error {
	if s.ActiveFlow != nil { // the precision MongoDB keeps
		a := *s.ActiveFlow
		a.StartedAt = a.StartedAt.UTC().Truncate(time.Millisecond)
		s.ActiveFlow = &a
	}
	raw, err := json.Marshal(subDoc{Username: s.Username, AvatarURL: s.AvatarURL, Phone: s.Phone, Email: s.Email,
		FirstName: s.FirstName, LastName: s.LastName, Variables: s.Variables, Tags: s.Tags, Subscribed: s.Subscribed,
		SubscribedAt: msRef(s.SubscribedAt), LastActivityAt: msRef(s.LastActivityAt), LastInboundAt: msRef(s.LastInboundAt),
		Disabled: s.Disabled, AutomationPausedUntil: msRef(s.AutomationPausedUntil), ActiveFlow: s.ActiveFlow,
		Instagram: s.Instagram, TelegramGroup: s.TelegramGroup, Referral: s.Referral})
	if err != nil {
		return err
	}
	s.NameKey = strings.ToLower(s.Name)
	args := []any{s.ID, s.WS, s.BotID, s.Channel, s.ExternalID, s.Name, s.NameKey, s.Seq, s.Deleted, ms(s.CreatedAt), ms(s.UpdatedAt), string(raw)}
	if insert {
		_, err = tx.Exec(`INSERT INTO subscribers (`+subCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	} else {
		_, err = tx.Exec(`UPDATE subscribers SET id = ?, ws = ?, bot_id = ?, channel = ?, external_id = ?, name = ?, name_key = ?,
			seq = ?, deleted = ?, created_at = ?, updated_at = ?, doc = ? WHERE id = ?`, append(args, s.ID)...)
	}
	return err
}

var subscribers = synced[models.Subscriber]{table: models.TableSubscribers, kind: "subscriber", cols: subCols,
	scan: scanSubscriber, put: putSubscriber,
	stamp: func(s *models.Subscriber) *models.Stamp { return &s.Stamp }, id: func(s *models.Subscriber) string { return s.ID }}

// msTime truncates an optional time to the precision the store keeps.
func msTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Millisecond)
	return &u
}

// EnsureSubscriber returns the live subscriber of s.BotID with
// s.ExternalID in s.WS (created false), or inserts s, created now, with
// its sequence and change-log entry (created true), in one transaction,
// so concurrent calls create it once. A deleted subscriber who writes
// again comes back as new, with s.ID kept as the row's id: s replaces
// everything (tags, variables, contact names, pause, disabling are gone),
// logged as an update with a new sequence. A live subscriber is read
// without the write lock.
func (s *Store) EnsureSubscriber(ctx context.Context, sub *models.Subscriber) (*models.Subscriber, bool, error) {
	at := s.nowMS()
	cp := *sub
	cp.CreatedAt = at
	cp.NameKey = strings.ToLower(cp.Name)
	if cp.Variables == nil {
		cp.Variables = map[string]string{}
	}
	if cp.Tags == nil {
		cp.Tags = []string{}
	}
	cp.SubscribedAt, cp.LastActivityAt, cp.LastInboundAt = msTime(cp.SubscribedAt), msTime(cp.LastActivityAt), msTime(cp.LastInboundAt)
	cp.AutomationPausedUntil = msTime(cp.AutomationPausedUntil)
	if !s.batched(ctx) {
		// Most calls find the subscriber: they read it from the reader
		// pool without taking the write lock; only a missing or deleted
		// one goes to the writer, which looks again.
		got, err := scanSubscriber(s.rd(ctx).QueryRowContext(ctx, `SELECT `+subCols+` FROM subscribers WHERE ws = ? AND bot_id = ? AND external_id = ?`,
			cp.WS, cp.BotID, cp.ExternalID))
		if err == nil && !got.Deleted {
			return got, false, nil
		}
		if err != nil && !isNoRows(err) {
			return nil, false, s.fail(err, "subscriber")
		}
	}
	var out *models.Subscriber
	created := false
	err := s.WithTx(ctx, func(tx *Tx) error {
		got, err := scanSubscriber(tx.QueryRow(`SELECT `+subCols+` FROM subscribers WHERE ws = ? AND bot_id = ? AND external_id = ?`,
			cp.WS, cp.BotID, cp.ExternalID))
		switch {
		case err == nil && !got.Deleted:
			out = got
			return nil
		case err != nil && !isNoRows(err):
			return err
		}
		seq, err := tx.Stamp(cp.WS)
		if err != nil {
			return err
		}
		cp.Stamp = models.Stamp{WS: cp.WS, Seq: seq, UpdatedAt: at}
		insert := got == nil
		if !insert {
			cp.ID = got.ID
		}
		if err := putSubscriber(tx, &cp, insert); err != nil {
			return err
		}
		if err := tx.Log(cp.WS, models.Change{Seq: seq, Table: models.TableSubscribers, ID: cp.ID, Created: insert, Record: &cp}); err != nil {
			return err
		}
		out, created = &cp, true
		return nil
	})
	if err != nil {
		return nil, false, s.fail(err, "subscriber")
	}
	return out, created, nil
}

// Subscriber returns the live subscriber id of ws or the typed not-found.
func (s *Store) Subscriber(ctx context.Context, ws, id string) (*models.Subscriber, error) {
	return subscribers.read(ctx, s, ws, id)
}

// Subscribers lists the live subscribers of ws matching f, by id, f.Page.Limit
// at a time; the cursor is the last id listed when more follow ("" at the end).
// NamePrefix matches the start of the lower-cased name.
func (s *Store) Subscribers(ctx context.Context, ws string, f models.SubscriberFilter) ([]*models.Subscriber, string, error) {
	conds, args := whereEq(nil, nil, "bot_id", f.BotID)
	if p := strings.ToLower(f.NamePrefix); p != "" {
		// The names starting with p are the range [p, p with its last
		// byte raised by one): SQLite compares text byte by byte, and
		// UTF-8 has no 0xff byte to carry over.
		conds = append(conds, "name_key >= ? AND name_key < ?")
		args = append(args, p, p[:len(p)-1]+string([]byte{p[len(p)-1] + 1}))
	}
	if len(f.IDs) > 0 {
		conds = append(conds, "id IN (SELECT value FROM json_each(?))")
		raw, err := json.Marshal(f.IDs)
		if err != nil {
			return nil, "", models.Internal(err)
		}
		args = append(args, string(raw))
	}
	if f.Page.Cursor != "" {
		conds = append(conds, "id > ?")
		args = append(args, f.Page.Cursor)
	}
	limit := max(f.Page.Limit, 0)
	q := `SELECT ` + subCols + ` FROM subscribers WHERE ws = ? AND deleted = 0`
	if len(conds) > 0 {
		q += ` AND ` + and(conds)
	}
	out, err := queryList(ctx, s, scanSubscriber, q+` ORDER BY id LIMIT ?`, append(append([]any{ws}, args...), limit+1)...)
	if err != nil {
		return nil, "", s.fail(err, "subscriber")
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		if limit > 0 {
			next = out[limit-1].ID
		}
	}
	return out, next, nil
}

// UpdateSubscriber applies upd to the live subscriber id of ws with a new
// sequence, logged: a profile's empty fields and a nil field leave the
// stored value, variables are merged into the stored ones.
func (s *Store) UpdateSubscriber(ctx context.Context, ws, id string, upd models.SubscriberUpdate) (*models.Subscriber, error) {
	return subscribers.update(ctx, s, ws, id, func(sub *models.Subscriber, _ int64) error {
		if sub.Variables == nil {
			sub.Variables = map[string]string{}
		}
		if p := upd.Profile; p != nil {
			if p.Name != "" {
				sub.Name = p.Name
			}
			for dst, v := range map[*string]string{&sub.Username: p.Username, &sub.AvatarURL: p.AvatarURL, &sub.Phone: p.Phone, &sub.Email: p.Email} {
				if v != "" {
					*dst = v
				}
			}
			for k, v := range p.Variables {
				sub.Variables[k] = v
			}
			if p.Instagram != nil {
				sub.Instagram = p.Instagram
			}
			if p.TelegramGroup != nil {
				sub.TelegramGroup = p.TelegramGroup
			}
			if p.Referral != nil {
				sub.Referral = p.Referral
			}
		}
		if upd.FirstName != nil {
			sub.FirstName = *upd.FirstName
		}
		if upd.LastName != nil {
			sub.LastName = *upd.LastName
		}
		if upd.Phone != nil {
			sub.Phone = *upd.Phone
		}
		if upd.Email != nil {
			sub.Email = *upd.Email
		}
		for k, v := range upd.Variables {
			sub.Variables[k] = v
		}
		if upd.Tags != nil {
			sub.Tags = *upd.Tags
		}
		if upd.Subscribed != nil {
			sub.Subscribed = *upd.Subscribed
		}
		if upd.SubscribedAt != nil {
			sub.SubscribedAt = msTime(upd.SubscribedAt)
		}
		if upd.LastActivityAt != nil {
			sub.LastActivityAt = msTime(upd.LastActivityAt)
		}
		if upd.LastInboundAt != nil {
			sub.LastInboundAt = msTime(upd.LastInboundAt)
		}
		if upd.Disabled != nil {
			sub.Disabled = *upd.Disabled
		}
		if upd.AutomationPausedUntil != nil {
			sub.AutomationPausedUntil = msTime(*upd.AutomationPausedUntil)
		}
		return nil
	})
}

// DeleteSubscriber leaves the live subscriber id of ws a logged
// tombstone; an unknown or deleted subscriber is the typed not-found.
func (s *Store) DeleteSubscriber(ctx context.Context, ws, id string) error {
	return subscribers.remove(ctx, s, ws, id)
}

// SetActiveFlow sets (a not nil) or clears the active flow of the live
// subscriber id of ws, with a new sequence, logged, and returns the
// subscriber; an unknown or deleted subscriber is the typed not-found.
func (s *Store) SetActiveFlow(ctx context.Context, ws, subscriberID string, a *models.ActiveFlow) (*models.Subscriber, error) {
	return subscribers.update(ctx, s, ws, subscriberID, func(sub *models.Subscriber, _ int64) error {
		sub.ActiveFlow = a
		return nil
	})
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
