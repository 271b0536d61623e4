package migrate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// The progress marker: one document in the target, written before any
// data, naming the installation copied and, per source table, the key of
// the last row written.
const (
	colProgress = "migrate_progress"
	progressID  = "sqlite"
)

type marker struct {
	ID           string           `bson:"_id"`
	Installation string           `bson:"installation"`
	StartedAt    time.Time        `bson:"started_at"`
	FinishedAt   *time.Time       `bson:"finished_at,omitempty"`
	After        map[string][]any `bson:"after"`
	resumed      bool
}

// claim returns the target's marker for installation inst, creating it
// when the target is empty. A marker of another installation, or data
// in a target without a marker, is ErrForeignTarget.
func claim(ctx context.Context, db *mongo.Database, inst string, now time.Time) (*marker, error) {
	var m marker
	err := db.Collection(colProgress).FindOne(ctx, bson.D{{Key: "_id", Value: progressID}}).Decode(&m)
	switch {
	case err == nil:
		if m.Installation != inst {
			return nil, fmt.Errorf("%w: database %q holds a copy of installation %s, and this data directory is installation %s; "+
				"copy into a new, empty database (another --to URI or SWITCHBOARD_MONGODB_DATABASE)", ErrForeignTarget, db.Name(), m.Installation, inst)
		}
		m.resumed = m.FinishedAt == nil
		if m.After == nil {
			m.After = map[string][]any{}
		}
		return &m, nil
	case !errors.Is(err, mongo.ErrNoDocuments):
		return nil, fmt.Errorf("read the target's copy marker: %w", err)
	}
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("list the target's collections: %w", err)
	}
	var full []string
	for _, name := range names {
		if strings.HasPrefix(name, "system.") {
			continue
		}
		n, err := db.Collection(name).CountDocuments(ctx, bson.D{})
		if err != nil {
			return nil, fmt.Errorf("count %s in the target: %w", name, err)
		}
		if n > 0 {
			full = append(full, fmt.Sprintf("%s (%d)", name, n))
		}
	}
	if len(full) > 0 {
		return nil, fmt.Errorf("%w: database %q is not empty: %s; copy into a new, empty database (another --to URI or SWITCHBOARD_MONGODB_DATABASE)",
			ErrForeignTarget, db.Name(), strings.Join(full, ", "))
	}
	m = marker{ID: progressID, Installation: inst, StartedAt: now.UTC(), After: map[string][]any{}}
	if _, err := db.Collection(colProgress).InsertOne(ctx, m); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return nil, fmt.Errorf("%w: another copy started into database %q at the same time", ErrForeignTarget, db.Name())
		}
		return nil, fmt.Errorf("write the target's copy marker: %w", err)
	}
	return &m, nil
}
