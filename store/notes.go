package store

import (
	"context"
	"errors"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.NoteStore = (*DB)(nil)
var _ models.ProcessedEventStore = (*DB)(nil)

// CreateNote inserts n through the change feed.
func (d *DB) CreateNote(ctx context.Context, ws string, n *models.Note) error {
	n.CreatedAt = d.nowMS()
	return mapErr(d.feed.insert(ctx, d.db.Collection(colNotes), ws, n, &n.Stamp), "note")
}

// Note returns a live note of ws.
func (d *DB) Note(ctx context.Context, ws, id string) (*models.Note, error) {
	var n models.Note
	if err := d.byID(ctx, colNotes, ws, id, &n, "note"); err != nil {
		return nil, err
	}
	return &n, nil
}

// Notes lists a subscriber's live notes, newest first.
func (d *DB) Notes(ctx context.Context, ws, subscriberID string) ([]*models.Note, error) {
	out := []*models.Note{}
	err := d.findAll(ctx, colNotes, live(ws, bson.E{Key: "subscriber_id", Value: subscriberID}), &out,
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(1000))
	return out, err
}

// UpdateNoteText replaces a note's text.
func (d *DB) UpdateNoteText(ctx context.Context, ws, id, text string, at time.Time) (*models.Note, error) {
	var n models.Note
	err := d.feed.update(ctx, d.db.Collection(colNotes), ws, id, change{set: bson.D{{Key: "text", Value: text}, {Key: "edited_at", Value: at.UTC()}}}, &n)
	if err != nil {
		return nil, mapErr(err, "note")
	}
	return &n, nil
}

// DeleteNote soft-deletes the note.
func (d *DB) DeleteNote(ctx context.Context, ws, id string) error {
	return d.SoftDelete(ctx, colNotes, ws, id)
}

// EventProcessed reports whether key was recorded. (A find by _id: the
// driver's CountDocuments is an aggregation, which FerretDB answers by
// scanning the collection.)
func (d *DB) EventProcessed(ctx context.Context, key string) (bool, error) {
	err := d.db.Collection(colProcessedEvents).FindOne(ctx, bson.D{{Key: "_id", Value: key}},
		options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if err == nil {
		return true, nil
	}
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	return false, internal(err)
}

// RecordEvent records key; a second record is not an error.
func (d *DB) RecordEvent(ctx context.Context, ws, key string) error {
	_, err := d.db.Collection(colProcessedEvents).InsertOne(ctx, bson.D{{Key: "_id", Value: key}, {Key: "ws", Value: ws}, {Key: "at", Value: d.now().UTC()}})
	if err != nil && !isDuplicate(err) {
		return internal(err)
	}
	return nil
}
