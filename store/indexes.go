package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Collection names.
const (
	colWorkspaces    = "workspaces"
	colMembers       = "members"
	colSessions      = "sessions"
	colRefreshTokens = "refresh_tokens"
	colAPIKeys       = "api_keys"
	colCounters      = "counters"
	colSettings      = "settings"
)

// syncable lists the collections that carry the change-feed stamp; each gets
// the {ws, seq} index delta-sync reads by.
var syncable = []string{colMembers}

// ensureIndexes creates every index; it is idempotent and runs at each start.
// Only plain and unique indexes are used: FerretDB v1 has no partial or TTL
// indexes, so expiry is checked by the code that reads.
func (d *DB) ensureIndexes(ctx context.Context) error {
	unique := options.Index().SetUnique(true)
	specs := map[string][]mongo.IndexModel{
		colMembers: {
			{Keys: bson.D{{Key: "email", Value: 1}}, Options: unique},
			{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "_id", Value: 1}}},
			{Keys: bson.D{{Key: "invite_hash", Value: 1}}},
		},
		colSessions:      {{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "member_id", Value: 1}}}},
		colRefreshTokens: {{Keys: bson.D{{Key: "session_id", Value: 1}}}},
		colAPIKeys:       {{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "created_at", Value: -1}}}},
	}
	for _, c := range syncable {
		specs[c] = append(specs[c], mongo.IndexModel{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "seq", Value: 1}}})
	}
	for coll, models := range specs {
		if _, err := d.db.Collection(coll).Indexes().CreateMany(ctx, models); err != nil {
			return fmt.Errorf("%s: %w", coll, err)
		}
	}
	return nil
}
