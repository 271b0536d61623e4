package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.MessageStore = (*DB)(nil)

// CreateMessage inserts m through the change feed; an existing id is a conflict.
func (d *DB) CreateMessage(ctx context.Context, ws string, m *models.Message) error {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = d.now().UTC()
	}
	m.CreatedAt = m.CreatedAt.UTC().Truncate(1e6) // BSON dates keep milliseconds
	m.TextKey = strings.ToLower(m.Text)
	if m.Reactions == nil {
		m.Reactions = []string{}
	}
	// pos orders the history by time, then by insertion (the first sequence).
	pos := func(seq int64) bson.D {
		m.Pos = fmt.Sprintf("%020d-%020d", m.CreatedAt.UnixMilli(), seq)
		return bson.D{{Key: "pos", Value: m.Pos}}
	}
	err := d.feed.insertWith(ctx, d.db.Collection(colMessages), ws, m, &m.Stamp, pos)
	if isDuplicate(err) {
		return models.Errorf(models.CodeConflict, "message already exists")
	}
	if err != nil {
		return internal(err)
	}
	return nil
}

// Message returns a live message of ws.
func (d *DB) Message(ctx context.Context, ws, id string) (*models.Message, error) {
	var m models.Message
	if err := d.byID(ctx, colMessages, ws, id, &m, "message"); err != nil {
		return nil, err
	}
	return &m, nil
}

// MessageByExternalID finds a bot's message by the channel's id for it.
func (d *DB) MessageByExternalID(ctx context.Context, ws, botID, externalID string) (*models.Message, error) {
	var m models.Message
	if err := d.findOne(ctx, colMessages, live(ws, bson.E{Key: "bot_id", Value: botID}, bson.E{Key: "external_id", Value: externalID}), &m, "message"); err != nil {
		return nil, err
	}
	return &m, nil
}

// Messages pages a conversation's history, newest first.
func (d *DB) Messages(ctx context.Context, ws string, f models.MessageFilter) ([]*models.Message, error) {
	q := live(ws, bson.E{Key: "conversation_id", Value: f.ConversationID})
	sort := -1
	for _, ref := range []struct {
		id string
		op string
	}{{f.Before, "$lt"}, {f.After, "$gt"}} {
		if ref.id == "" {
			continue
		}
		var anchor models.Message
		if err := d.byID(ctx, colMessages, ws, ref.id, &anchor, "message"); err != nil {
			return nil, err
		}
		if anchor.ConversationID != f.ConversationID {
			return nil, notFound("message")
		}
		q = append(q, bson.E{Key: "pos", Value: bson.D{{Key: ref.op, Value: anchor.Pos}}})
		if ref.op == "$gt" {
			sort = 1 // the oldest after the anchor, returned newest first
		}
		break
	}
	if f.Query != "" {
		q = append(q, bson.E{Key: "text_key", Value: bson.D{{Key: "$regex", Value: regexp.QuoteMeta(strings.ToLower(f.Query))}}})
	}
	out := []*models.Message{}
	if err := d.findAll(ctx, colMessages, q, &out, options.Find().SetSort(bson.D{{Key: "pos", Value: sort}}).SetLimit(int64(f.Limit))); err != nil {
		return nil, err
	}
	if sort == 1 {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, nil
}

// UpdateMessage applies upd through the change feed; an edit (Text)
// rewrites text_key too, which the history search reads.
func (d *DB) UpdateMessage(ctx context.Context, ws, id string, upd models.MessageUpdate) (*models.Message, error) {
	var set bson.D
	if upd.Status != nil {
		set = append(set, bson.E{Key: "status", Value: *upd.Status})
	}
	if upd.ExternalID != nil {
		set = append(set, bson.E{Key: "external_id", Value: *upd.ExternalID})
	}
	if upd.Reactions != nil {
		r := *upd.Reactions
		if r == nil {
			r = []string{} // stored as an empty array: a nil slice is BSON null, read back nil
		}
		set = append(set, bson.E{Key: "reactions", Value: r})
	}
	if upd.Error != nil {
		set = append(set, bson.E{Key: "error", Value: *upd.Error})
	}
	if upd.Text != nil { // an edit: the search reads text_key
		set = append(set, bson.E{Key: "text", Value: *upd.Text}, bson.E{Key: "text_key", Value: strings.ToLower(*upd.Text)})
	}
	if upd.EditedAt != nil {
		set = append(set, bson.E{Key: "edited_at", Value: upd.EditedAt.UTC().Truncate(time.Millisecond)})
	}
	if upd.File != nil {
		set = append(set, bson.E{Key: "file", Value: upd.File}) // the whole attachment, Ref included
	}
	var m models.Message
	if err := d.feed.update(ctx, d.db.Collection(colMessages), ws, id, change{set: set}, &m); err != nil {
		return nil, mapErr(err, "message")
	}
	return &m, nil
}

// DeleteMessage soft-deletes the message.
func (d *DB) DeleteMessage(ctx context.Context, ws, id string) error {
	return d.SoftDelete(ctx, colMessages, ws, id)
}
