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
	colWorkspaces       = "workspaces"
	colMembers          = "members"
	colSessions         = "sessions"
	colRefreshTokens    = "refresh_tokens"
	colAPIKeys          = "api_keys"
	colSeqReservations  = "seq_reservations"
	colSeqDone          = "seq_done"
	colRefreshTokenUses = "refresh_token_uses"
	colSettings         = "settings"
	colBots             = "bots"
	colSubscribers      = "subscribers"
	colConversations    = "conversations"
	colMessages         = "messages"
	colNotes            = "notes"
	colProcessedEvents  = "processed_events"
)

// syncable lists the collections that carry the change-feed stamp; each gets
// the {ws, seq} index delta-sync reads by.
var syncable = []string{colMembers, colBots, colSubscribers, colConversations, colMessages, colNotes}

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
		colSessions:        {{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "member_id", Value: 1}}}},
		colRefreshTokens:   {{Keys: bson.D{{Key: "session_id", Value: 1}}}},
		colAPIKeys:         {{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "created_at", Value: -1}}}},
		colSeqReservations: {{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "seq", Value: 1}}}},
		colSubscribers: {
			{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "bot_id", Value: 1}, {Key: "external_id", Value: 1}}, Options: unique},
			{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "name_key", Value: 1}}},
		},
		colConversations: {
			{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "subscriber_id", Value: 1}}, Options: unique},
			{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "activity", Value: -1}, {Key: "_id", Value: -1}}},
		},
		colMessages: {
			{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "conversation_id", Value: 1}, {Key: "pos", Value: -1}}},
			{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "bot_id", Value: 1}, {Key: "external_id", Value: 1}}},
		},
		colNotes:   {{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "subscriber_id", Value: 1}, {Key: "created_at", Value: -1}}}},
		colSeqDone: {{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "seq", Value: 1}}}},
	}
	for _, c := range syncable {
		specs[c] = append(specs[c], mongo.IndexModel{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "seq", Value: 1}}})
	}
	// One index per command: FerretDB v1.24 crashes the connection when a
	// single createIndexes names several indexes that already exist.
	for coll, models := range specs {
		for _, m := range models {
			if _, err := d.db.Collection(coll).Indexes().CreateOne(ctx, m); err != nil {
				return fmt.Errorf("%s: %w", coll, err)
			}
		}
	}
	return nil
}
