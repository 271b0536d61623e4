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

var _ models.DeviceStore = (*Store)(nil)

// deviceDoc is the part of a device kept in the doc column.
type deviceDoc struct {
	Name             string     `json:"name,omitempty"`
	Token            string     `json:"token,omitempty"`
	Topic            string     `json:"topic,omitempty"`
	Sandbox          bool       `json:"sandbox,omitempty"`
	Endpoint         string     `json:"endpoint,omitempty"`
	P256dh           string     `json:"p256dh,omitempty"`
	Auth             string     `json:"auth,omitempty"`
	TelegramUsername string     `json:"telegram_username,omitempty"`
	LastOutcome      string     `json:"last_outcome,omitempty"`
	LastSentAt       *time.Time `json:"last_sent_at,omitempty"`
}

const deviceCols = `id, ws, member_id, kind, key, telegram_chat_id, created_at, doc`

func scanDevice(r scanner) (*models.Device, error) {
	var d models.Device
	var created int64
	var doc string
	if err := r.Scan(&d.ID, &d.WS, &d.MemberID, &d.Kind, &d.Key, &d.TelegramChatID, &created, &doc); err != nil {
		return nil, err
	}
	var x deviceDoc
	if err := json.Unmarshal([]byte(doc), &x); err != nil {
		return nil, err
	}
	d.CreatedAt = fromMS(created)
	d.Name, d.Token, d.Topic, d.Sandbox = x.Name, x.Token, x.Topic, x.Sandbox
	d.Endpoint, d.P256dh, d.Auth, d.TelegramUsername = x.Endpoint, x.P256dh, x.Auth, x.TelegramUsername
	d.LastOutcome, d.LastSentAt = x.LastOutcome, x.LastSentAt
	return &d, nil
}

// deviceID is the id of the device with address key in ws, derived as
// the MongoDB store derives it, so that both stores agree.
func deviceID(ws, key string) string { return models.DerivedID("d", ws, key) }

// SaveDevice inserts dev, or updates the device of its workspace with
// the same key (whichever member it belonged to: the key moves to this
// member), keeping its creation time and last outcome; it returns the
// device as stored. One write transaction.
func (s *Store) SaveDevice(ctx context.Context, dev *models.Device) (*models.Device, error) {
	id := deviceID(dev.WS, dev.Key)
	var out *models.Device
	err := s.WithTx(ctx, func(tx *Tx) error {
		doc := deviceDoc{Name: dev.Name, Token: dev.Token, Topic: dev.Topic, Sandbox: dev.Sandbox, Endpoint: dev.Endpoint,
			P256dh: dev.P256dh, Auth: dev.Auth, TelegramUsername: dev.TelegramUsername}
		created := ms(s.nowMS())
		old, err := scanDevice(tx.QueryRow(`SELECT `+deviceCols+` FROM push_devices WHERE id = ?`, id))
		switch {
		case err == nil:
			doc.LastOutcome, doc.LastSentAt, created = old.LastOutcome, old.LastSentAt, ms(old.CreatedAt)
		case errors.Is(err, sql.ErrNoRows):
		default:
			return err
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO push_devices (`+deviceCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET ws = excluded.ws, member_id = excluded.member_id, kind = excluded.kind,
			key = excluded.key, telegram_chat_id = excluded.telegram_chat_id, doc = excluded.doc`,
			id, dev.WS, dev.MemberID, dev.Kind, dev.Key, dev.TelegramChatID, created, string(b)); err != nil {
			return err
		}
		out, err = scanDevice(tx.QueryRow(`SELECT `+deviceCols+` FROM push_devices WHERE id = ?`, id))
		return err
	})
	if err != nil {
		return nil, s.fail(err, "device")
	}
	dev.ID = id
	return out, nil
}

// Device returns the device id of ws, or the typed not-found.
func (s *Store) Device(ctx context.Context, ws, id string) (*models.Device, error) {
	d, err := scanDevice(s.rd(ctx).QueryRowContext(ctx, `SELECT `+deviceCols+` FROM push_devices WHERE id = ? AND ws = ?`, id, ws))
	if err != nil {
		return nil, s.fail(err, "device")
	}
	return d, nil
}

// Devices lists the devices of the given members of ws (nil: every
// member; empty: none), oldest first.
func (s *Store) Devices(ctx context.Context, ws string, memberIDs []string) ([]*models.Device, error) {
	args := []any{ws}
	if memberIDs != nil {
		if len(memberIDs) == 0 {
			return []*models.Device{}, nil
		}
		for _, m := range memberIDs {
			args = append(args, m)
		}
	}
	out, err := queryList(ctx, s, scanDevice, devicesSQL(len(args)-1, memberIDs != nil), args...)
	if err != nil {
		return nil, s.fail(err, "device")
	}
	return out, nil
}

// devicesSQL lists a workspace's devices oldest first, of n members when
// byMember: push_devices_ws gives the order, push_devices_member finds
// the members' devices (a member has a few, sorted after; named, since
// the planner would rather walk the workspace's devices in order).
func devicesSQL(n int, byMember bool) string {
	q := `SELECT ` + deviceCols + ` FROM push_devices WHERE ws = ?`
	if byMember {
		q = `SELECT ` + deviceCols + ` FROM push_devices INDEXED BY push_devices_member
			WHERE ws = ? AND member_id IN (` + placeholders(n) + `)`
	}
	return q + ` ORDER BY created_at, id`
}

// DeleteDevices removes the devices ids of ws (of memberID only, unless
// it is "") and returns how many it removed.
func (s *Store) DeleteDevices(ctx context.Context, ws, memberID string, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	n := 0
	err := s.WithTx(ctx, func(tx *Tx) error {
		for _, id := range ids {
			res, err := tx.Exec(`DELETE FROM push_devices WHERE id = ? AND ws = ? AND (? = '' OR member_id = ?)`, id, ws, memberID, memberID)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, s.fail(err, "device")
	}
	return n, nil
}

// deviceByChatSQL finds a chat's device through push_devices_telegram
// (the condition telegram_chat_id <> 0 lets the partial index serve).
const deviceByChatSQL = `SELECT ` + deviceCols + ` FROM push_devices
	WHERE telegram_chat_id = ? AND telegram_chat_id <> 0 AND kind = ? ORDER BY created_at, id LIMIT 1`

// DeviceByTelegramChat finds the Telegram device of a chat, in any
// workspace, or the typed not-found.
func (s *Store) DeviceByTelegramChat(ctx context.Context, chatID int64) (*models.Device, error) {
	d, err := scanDevice(s.rd(ctx).QueryRowContext(ctx, deviceByChatSQL, chatID, models.DeviceTelegram))
	if err != nil {
		return nil, s.fail(err, "device")
	}
	return d, nil
}

// NoteOutcomes records each device's last outcome (by id, in ws only);
// "sent" also records at as its last send. One write transaction.
func (s *Store) NoteOutcomes(ctx context.Context, ws string, outcomes map[string]string, at time.Time) error {
	if len(outcomes) == 0 {
		return nil
	}
	sent := ms(at)
	return s.fail(s.WithTx(ctx, func(tx *Tx) error {
		for id, o := range outcomes {
			q := `UPDATE push_devices SET doc = json_set(doc, '$.last_outcome', ?) WHERE id = ? AND ws = ?`
			args := []any{o, id, ws}
			if o == string(models.DeliveryDone) {
				q = `UPDATE push_devices SET doc = json_set(doc, '$.last_outcome', ?, '$.last_sent_at', ?) WHERE id = ? AND ws = ?`
				args = []any{o, fromMS(sent).Format(time.RFC3339Nano), id, ws}
			}
			if _, err := tx.Exec(q, args...); err != nil {
				return err
			}
		}
		return nil
	}), "device")
}

// PushPrefs returns the saved preferences of the given members of ws
// (nil: all); members without saved preferences are absent.
func (s *Store) PushPrefs(ctx context.Context, ws string, memberIDs []string) (map[string]*models.PushPrefs, error) {
	q, args := `SELECT member_id, off, updated_at FROM push_prefs WHERE ws = ?`, []any{ws}
	if memberIDs != nil {
		if len(memberIDs) == 0 {
			return map[string]*models.PushPrefs{}, nil
		}
		q += ` AND member_id IN (` + placeholders(len(memberIDs)) + `)`
		for _, m := range memberIDs {
			args = append(args, m)
		}
	}
	list, err := queryList(ctx, s, func(r scanner) (*models.PushPrefs, error) {
		p := models.PushPrefs{WS: ws}
		var off string
		var at int64
		if err := r.Scan(&p.MemberID, &off, &at); err != nil {
			return nil, err
		}
		p.UpdatedAt = fromMS(at)
		return &p, json.Unmarshal([]byte(off), &p.Off)
	}, q, args...)
	if err != nil {
		return nil, s.fail(err, "preferences")
	}
	out := make(map[string]*models.PushPrefs, len(list))
	for _, p := range list {
		out[p.MemberID] = p
	}
	return out, nil
}

// SavePushPrefs stores a member's preferences whole, stamped with the
// store's clock.
func (s *Store) SavePushPrefs(ctx context.Context, p *models.PushPrefs) error {
	p.UpdatedAt = s.nowMS()
	if p.Off == nil {
		p.Off = []string{}
	}
	off, err := json.Marshal(p.Off)
	if err != nil {
		return models.Internal(err)
	}
	return s.fail(s.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO push_prefs (ws, member_id, off, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (ws, member_id) DO UPDATE SET off = excluded.off, updated_at = excluded.updated_at`,
			p.WS, p.MemberID, string(off), ms(p.UpdatedAt))
		return err
	}), "preferences")
}

// ChangePushPrefs turns pairs on and off in one transaction: the read and
// the write of the member's row hold the store's one writer between them.
func (s *Store) ChangePushPrefs(ctx context.Context, ws, memberID string, on, off []string) (*models.PushPrefs, error) {
	p := &models.PushPrefs{WS: ws, MemberID: memberID, UpdatedAt: s.nowMS()}
	err := s.WithTx(ctx, func(tx *Tx) error {
		var cur string
		err := tx.QueryRow(`SELECT off FROM push_prefs WHERE ws = ? AND member_id = ?`, ws, memberID).Scan(&cur)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			if err := json.Unmarshal([]byte(cur), &p.Off); err != nil {
				return err
			}
		}
		p.Off = models.ChangeOff(p.Off, on, off)
		raw, err := json.Marshal(p.Off)
		if err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO push_prefs (ws, member_id, off, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (ws, member_id) DO UPDATE SET off = excluded.off, updated_at = excluded.updated_at`,
			ws, memberID, string(raw), ms(p.UpdatedAt))
		return err
	})
	if err != nil {
		return nil, s.fail(err, "preferences")
	}
	return p, nil
}

// placeholders is n comma-separated "?".
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
