package sqlite

import (
	"context"
	"encoding/json"

	"github.com/switchboardhq/switchboard/models"
)

var _ models.BotStore = (*Store)(nil)

// botDoc holds the bot fields no query filters on.
type botDoc struct {
	Credentials     map[string]string   `json:"credentials"`
	CredentialsHint map[string]string   `json:"credentials_hint"`
	Queue           []string            `json:"queue"`
	QueueNext       int                 `json:"queue_next,omitempty"`
	QueueMoves      int64               `json:"queue_moves,omitempty"`
	PipelineID      string              `json:"pipeline_id,omitempty"`
	StageID         string              `json:"stage_id,omitempty"`
	Greeting        string              `json:"greeting,omitempty"`
	AutoReply       string              `json:"auto_reply,omitempty"`
	Delivery        models.DeliveryMode `json:"delivery,omitempty"`
	OpenOn          models.OpenOn       `json:"open_on,omitempty"`
	Connection      *connDoc            `json:"connection,omitempty"`
	Initiated       map[string]int      `json:"initiated,omitempty"`
}

// connDoc is a bot's connection as its doc keeps it: with the server's
// field the JSON of models.Connection leaves out (the webhook's secret).
type connDoc struct {
	models.Connection
	Secret string `json:"secret,omitempty"`
}

func connDocOf(c *models.Connection) *connDoc {
	if c == nil {
		return nil
	}
	return &connDoc{Connection: *c, Secret: c.Secret}
}

func (d *connDoc) connection() *models.Connection {
	if d == nil {
		return nil
	}
	c := d.Connection
	c.Secret = d.Secret
	return &c
}

const botCols = `id, ws, channel, name, seq, deleted, created_at, updated_at, doc`

func scanBot(r scanner) (*models.Bot, error) {
	var b models.Bot
	var created, updated int64
	var doc string
	if err := r.Scan(&b.ID, &b.WS, &b.Channel, &b.Name, &b.Seq, &b.Deleted, &created, &updated, &doc); err != nil {
		return nil, err
	}
	var d botDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return nil, err
	}
	b.Credentials, b.CredentialsHint, b.Queue, b.QueueNext, b.QueueMoves = d.Credentials, d.CredentialsHint, d.Queue, d.QueueNext, d.QueueMoves
	b.PipelineID, b.StageID, b.Greeting, b.AutoReply = d.PipelineID, d.StageID, d.Greeting, d.AutoReply
	b.Delivery, b.OpenOn, b.Connection, b.Initiated = d.Delivery, d.OpenOn, d.Connection.connection(), d.Initiated
	b.CreatedAt, b.UpdatedAt = fromMS(created), fromMS(updated)
	return &b, nil
}

func botDocOf(b *models.Bot) (string, error) {
	raw, err := json.Marshal(botDoc{Credentials: b.Credentials, CredentialsHint: b.CredentialsHint, Queue: b.Queue,
		QueueNext: b.QueueNext, QueueMoves: b.QueueMoves, PipelineID: b.PipelineID, StageID: b.StageID,
		Greeting: b.Greeting, AutoReply: b.AutoReply, Delivery: b.Delivery, OpenOn: b.OpenOn,
		Connection: connDocOf(b.Connection), Initiated: b.Initiated})
	return string(raw), err
}

func putBot(tx *Tx, b *models.Bot, insert bool) error {
	doc, err := botDocOf(b)
	if err != nil {
		return err
	}
	args := []any{b.ID, b.WS, b.Channel, b.Name, b.Seq, b.Deleted, ms(b.CreatedAt), ms(b.UpdatedAt), doc}
	if insert {
		_, err = tx.Exec(`INSERT INTO bots (`+botCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	} else {
		_, err = tx.Exec(`UPDATE bots SET id = ?, ws = ?, channel = ?, name = ?, seq = ?, deleted = ?, created_at = ?,
			updated_at = ?, doc = ? WHERE id = ?`, append(args, b.ID)...)
	}
	return err
}

var bots = synced[models.Bot]{table: models.TableBots, kind: "bot", cols: botCols, scan: scanBot, put: putBot,
	stamp: func(b *models.Bot) *models.Stamp { return &b.Stamp }, id: func(b *models.Bot) string { return b.ID }}

// CreateBot inserts b, created now, with its sequence and change-log
// entry (which, as the apps see a bot, leaves the credentials out); an id
// in use is CodeConflict.
func (s *Store) CreateBot(ctx context.Context, b *models.Bot) error {
	at := s.nowMS()
	b.CreatedAt = at
	return bots.create(ctx, s, b.WS, b, at)
}

// Bot returns the live bot id of ws or the typed not-found.
func (s *Store) Bot(ctx context.Context, ws, id string) (*models.Bot, error) {
	return bots.read(ctx, s, ws, id)
}

// Bots lists the live bots of ws by name, then id, at most 1,000; never nil.
func (s *Store) Bots(ctx context.Context, ws string) ([]*models.Bot, error) {
	return bots.list(ctx, s, ws, "", "name, id")
}

// UpdateBot applies upd to the live bot id of ws with a new sequence,
// logged (CountInitiated adds one to that month's count inside the write
// transaction, so concurrent counts all land); a new queue counts one more queue move, so an opening that
// picked a manager from the old queue moves it no more. An update of the
// round-robin position alone (QueueNext, with QueueMoved or not) is not a
// change of the bot, as the MongoDB store has it: the position is the
// server's and never synced, so it is written in place with no sequence
// and no change-log entry, counting one queue move; with QueueMoved, only
// while the bot has moved that many times (the typed not-found otherwise).
func (s *Store) UpdateBot(ctx context.Context, ws, id string, upd models.BotUpdate) (*models.Bot, error) {
	if upd.QueueNext != nil && upd.Name == nil && upd.Credentials == nil && upd.CredentialsHint == nil && upd.Queue == nil &&
		upd.PipelineID == nil && upd.StageID == nil && upd.Greeting == nil && upd.AutoReply == nil &&
		upd.Delivery == nil && upd.OpenOn == nil && upd.Connection == nil && upd.CountInitiated == "" {
		return s.moveQueue(ctx, ws, id, *upd.QueueNext, upd.QueueMoved)
	}
	return bots.update(ctx, s, ws, id, func(b *models.Bot, _ int64) error {
		if upd.Name != nil {
			b.Name = *upd.Name
		}
		if upd.Credentials != nil {
			b.Credentials, b.CredentialsHint = upd.Credentials, upd.CredentialsHint
		}
		if upd.Queue != nil {
			b.Queue = *upd.Queue
			b.QueueMoves++
		}
		if upd.QueueNext != nil {
			b.QueueNext = *upd.QueueNext
		}
		if upd.PipelineID != nil {
			b.PipelineID = *upd.PipelineID
		}
		if upd.StageID != nil {
			b.StageID = *upd.StageID
		}
		if upd.Greeting != nil {
			b.Greeting = *upd.Greeting
		}
		if upd.AutoReply != nil {
			b.AutoReply = *upd.AutoReply
		}
		if upd.Delivery != nil {
			b.Delivery = *upd.Delivery
		}
		if upd.OpenOn != nil {
			b.OpenOn = *upd.OpenOn
		}
		if upd.Connection != nil {
			c := *upd.Connection
			b.Connection = &c
		}
		if upd.CountInitiated != "" { // read and written in the write transaction: no count is lost
			if b.Initiated == nil {
				b.Initiated = map[string]int{}
			}
			b.Initiated[upd.CountInitiated]++
		}
		return nil
	})
}

// moveQueue sets the live bot's round-robin position in place, without a
// sequence, counting the move; when moved is set, only while the bot has
// moved that many times.
func (s *Store) moveQueue(ctx context.Context, ws, id string, next int, moved *int64) (*models.Bot, error) {
	var out *models.Bot
	err := s.WithTx(ctx, func(tx *Tx) error {
		b, err := bots.get(ctx, tx.tx, ws, id)
		if err != nil {
			return err
		}
		if moved != nil && b.QueueMoves != *moved {
			return models.NotFound("bot")
		}
		b.QueueNext = next
		b.QueueMoves++
		doc, err := botDocOf(b)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE bots SET doc = ? WHERE id = ?`, doc, id); err != nil {
			return err
		}
		out = b
		return nil
	})
	if err != nil {
		return nil, s.fail(err, "bot")
	}
	return out, nil
}

// DeleteBot leaves the live bot id of ws a logged tombstone; an unknown
// or deleted bot is the typed not-found.
func (s *Store) DeleteBot(ctx context.Context, ws, id string) error {
	return bots.remove(ctx, s, ws, id)
}

// NativeBots lists the live native bots of every workspace: the bots
// table is small, and the delivery mode lives in the doc column, so it is
// read whole and filtered here.
func (s *Store) NativeBots(ctx context.Context) ([]*models.Bot, error) {
	all, err := queryList(ctx, s, scanBot, `SELECT `+botCols+` FROM bots WHERE deleted = 0 ORDER BY id`)
	if err != nil {
		return nil, s.fail(err, "bot")
	}
	out := []*models.Bot{}
	for _, b := range all {
		if b.Native() {
			out = append(out, b)
		}
	}
	return out, nil
}
