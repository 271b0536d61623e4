package sqlite

import (
	"context"
	"encoding/json"

	"github.com/switchboardhq/switchboard/models"
)

var _ models.FlowStore = (*Store)(nil)

// The flow store; SetActiveFlow, which writes the subscriber, is in
// subscribers.go.

const flowCols = `id, ws, bot_id, name, steps, seq, deleted, created_at, updated_at`

func scanFlow(r scanner) (*models.Flow, error) {
	var f models.Flow
	var steps string
	var created, updated int64
	if err := r.Scan(&f.ID, &f.WS, &f.BotID, &f.Name, &steps, &f.Seq, &f.Deleted, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(steps), &f.Steps); err != nil {
		return nil, err
	}
	f.CreatedAt, f.UpdatedAt = fromMS(created), fromMS(updated)
	return &f, nil
}

func putFlow(tx *Tx, f *models.Flow, insert bool) error {
	steps, err := json.Marshal(f.Steps)
	if err != nil {
		return err
	}
	args := []any{f.ID, f.WS, f.BotID, f.Name, string(steps), f.Seq, f.Deleted, ms(f.CreatedAt), ms(f.UpdatedAt)}
	if insert {
		_, err = tx.Exec(`INSERT INTO flows (`+flowCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	} else {
		_, err = tx.Exec(`UPDATE flows SET id = ?, ws = ?, bot_id = ?, name = ?, steps = ?, seq = ?, deleted = ?, created_at = ?,
			updated_at = ? WHERE id = ?`, append(args, f.ID)...)
	}
	return err
}

var flows = synced[models.Flow]{table: "flows", kind: "flow", cols: flowCols, scan: scanFlow, put: putFlow,
	stamp: func(f *models.Flow) *models.Stamp { return &f.Stamp }, id: func(f *models.Flow) string { return f.ID }}

// CreateFlow inserts f, created now, with its sequence and change-log
// entry; an id in use is CodeConflict.
func (s *Store) CreateFlow(ctx context.Context, f *models.Flow) error {
	at := s.nowMS()
	f.CreatedAt = at
	return flows.create(ctx, s, f.WS, f, at)
}

// Flow returns the live flow id of ws or the typed not-found.
func (s *Store) Flow(ctx context.Context, ws, id string) (*models.Flow, error) {
	return flows.read(ctx, s, ws, id)
}

// Flows lists the live flows of a bot of ws by name, then id; never nil.
func (s *Store) Flows(ctx context.Context, ws, botID string) ([]*models.Flow, error) {
	return flows.list(ctx, s, ws, "bot_id = ?", "name, id", botID)
}

// UpdateFlow renames the live flow id of ws and/or replaces its steps
// (nil leaves a field), with a new sequence, logged.
func (s *Store) UpdateFlow(ctx context.Context, ws, id string, name *string, steps *[]models.FlowStep) (*models.Flow, error) {
	return flows.update(ctx, s, ws, id, func(f *models.Flow, _ int64) error {
		if name != nil {
			f.Name = *name
		}
		if steps != nil {
			f.Steps = *steps
		}
		return nil
	})
}

// DeleteFlow leaves the live flow id of ws a logged tombstone; an unknown
// or deleted flow is the typed not-found.
func (s *Store) DeleteFlow(ctx context.Context, ws, id string) error {
	return flows.remove(ctx, s, ws, id)
}

// commandDoc holds the command fields no query filters on.
type commandDoc struct {
	FlowID      string `json:"flow_id,omitempty"`
	MessageID   string `json:"message_id,omitempty"`
	Text        string `json:"text,omitempty"`
	PausedUntil *int64 `json:"paused_until,omitempty"`
	By          string `json:"by,omitempty"`
}

const commandCols = `id, ws, bot_id, subscriber_id, kind, seq, created_at, doc`

func scanCommand(r scanner) (*models.Command, error) {
	var c models.Command
	var created int64
	var doc string
	if err := r.Scan(&c.ID, &c.WS, &c.BotID, &c.SubscriberID, &c.Kind, &c.Seq, &created, &doc); err != nil {
		return nil, err
	}
	var d commandDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return nil, err
	}
	c.FlowID, c.MessageID, c.Text, c.By = d.FlowID, d.MessageID, d.Text, d.By
	if d.PausedUntil != nil {
		t := fromMS(*d.PausedUntil)
		c.PausedUntil = &t
	}
	// A command is written once: its last change is its creation.
	c.CreatedAt = fromMS(created)
	c.UpdatedAt = c.CreatedAt
	return &c, nil
}

// AddCommand records c for the bot engine, created now, with the next
// sequence of its workspace and its change-log entry, in one transaction;
// an id in use is CodeConflict.
func (s *Store) AddCommand(ctx context.Context, c *models.Command) error {
	at := s.nowMS()
	d := commandDoc{FlowID: c.FlowID, MessageID: c.MessageID, Text: c.Text, By: c.By}
	if c.PausedUntil != nil {
		n := ms(*c.PausedUntil)
		d.PausedUntil = &n
	}
	doc, err := json.Marshal(d)
	if err != nil {
		return models.Internal(err)
	}
	cp := *c
	err = s.WithTx(ctx, func(tx *Tx) error {
		seq, err := tx.Stamp(c.WS)
		if err != nil {
			return err
		}
		cp.CreatedAt, cp.Stamp = at, models.Stamp{WS: c.WS, Seq: seq, UpdatedAt: at}
		if _, err := tx.Exec(`INSERT INTO commands (`+commandCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			cp.ID, cp.WS, cp.BotID, cp.SubscriberID, cp.Kind, seq, ms(at), string(doc)); err != nil {
			return err
		}
		return tx.Log(c.WS, models.Change{Seq: seq, Table: "commands", ID: cp.ID, Created: true, Record: &cp})
	})
	if err != nil {
		return s.fail(err, "command")
	}
	*c = cp
	return nil
}

// BotCommands lists the commands of a bot of ws with after < seq <= upTo,
// oldest first, at most limit; never nil.
func (s *Store) BotCommands(ctx context.Context, ws, botID string, after, upTo int64, limit int) ([]*models.Command, error) {
	out, err := queryList(ctx, s, scanCommand, `SELECT `+commandCols+` FROM commands
		WHERE ws = ? AND bot_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?`, ws, botID, after, upTo, limit)
	if err != nil {
		return nil, s.fail(err, "command")
	}
	return out, nil
}

// SafeSeq is the high-water mark of ws's change feed (HighWater): every
// change at or below it has committed, none above exists.
func (s *Store) SafeSeq(ctx context.Context, ws string) (int64, error) {
	seq, err := s.HighWater(ctx, ws)
	return seq, s.fail(err, "workspace")
}
