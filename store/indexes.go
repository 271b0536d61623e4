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
	colFlows            = "flows"
	colCommands         = "commands"
	colBotStats         = "bot_stats"
	colFiles            = "file_records"
	colProcessedEvents  = "processed_events"
	colPipelines        = "pipelines"
	colDeals            = "deals"
	colSyncHorizons     = "sync_horizons"
	colSyncCursors      = "sync_cursors"
	colSyncMarks        = "sync_marks"
	colPushDevices      = "push_devices"
	colPushPrefs        = "push_prefs"
	colPushAlerts       = "push_alerts"
	colPushClaims       = "push_claims"
	colPushCursors      = "push_cursors"
	colPushLeases       = "push_leases"
	colPushLinkCodes    = "push_link_codes"
	colJobs             = "jobs"
	colUpdates          = "updates"
)

// Collections lists every collection of the store.
var Collections = []string{colWorkspaces, colMembers, colSessions, colRefreshTokens, colAPIKeys, colSeqReservations,
	colSeqDone, colRefreshTokenUses, colSettings, colBots, colSubscribers, colConversations, colMessages, colNotes, colFlows,
	colCommands, colBotStats, colFiles, colProcessedEvents, colPipelines, colDeals, colSyncHorizons, colSyncCursors,
	colSyncMarks, colPushDevices, colPushPrefs, colPushAlerts, colPushClaims, colPushCursors, colPushLeases, colPushLinkCodes,
	colJobs, colUpdates}

// syncable lists the collections that carry the change-feed stamp; each gets
// the {ws, seq} index delta-sync reads by.
var syncable = []string{colMembers, colBots, colSubscribers, colConversations, colMessages, colNotes, colPipelines, colDeals, colFlows, colCommands, colBotStats}

// ensureIndexes creates every index; it is idempotent and runs at each start.
// Only plain and unique indexes are used: FerretDB v1 has no partial or TTL
// indexes, so expiry is checked by the code that reads.
func (d *DB) ensureIndexes(ctx context.Context) error {
	// A fresh options builder per index: the driver records the generated
	// name in the builder, so a shared one would give every index one name.
	unique := func() *options.IndexOptionsBuilder { return options.Index().SetUnique(true) }
	specs := map[string][]mongo.IndexModel{
		colMembers: {
			// An email is unique within a workspace; other workspaces may
			// have a member with the same email (it serves the login look-up too).
			{Keys: bson.D{{Key: "email", Value: 1}, {Key: "ws", Value: 1}}, Options: unique()},
			{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "_id", Value: 1}}},
			{Keys: bson.D{{Key: "invite_hash", Value: 1}}},
		},
		colSessions:        {{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "member_id", Value: 1}}}},
		colRefreshTokens:   {{Keys: bson.D{{Key: "session_id", Value: 1}}}},
		colAPIKeys:         {{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "created_at", Value: -1}}}},
		colSeqReservations: {{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "seq", Value: 1}}}},
		colSubscribers: {
			{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "bot_id", Value: 1}, {Key: "external_id", Value: 1}}, Options: unique()},
			{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "name_key", Value: 1}}},
		},
		colConversations: {
			{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "subscriber_id", Value: 1}}, Options: unique()},
			{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "activity", Value: -1}, {Key: "_id", Value: -1}}},
		},
		colMessages: {
			{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "conversation_id", Value: 1}, {Key: "pos", Value: -1}}},
			{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "bot_id", Value: 1}, {Key: "external_id", Value: 1}}},
		},
		colBotStats: {{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "bot_id", Value: 1}, {Key: "day", Value: 1}}}},
		colCommands: {{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "bot_id", Value: 1}, {Key: "seq", Value: 1}}}},
		colNotes:    {{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "subscriber_id", Value: 1}, {Key: "created_at", Value: -1}}}},
		colSeqDone:  {{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "seq", Value: 1}}}},
		colPushDevices: {
			{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "member_id", Value: 1}}},
			{Keys: bson.D{{Key: "telegram_chat_id", Value: 1}}},
		},
		colPushPrefs: {{Keys: bson.D{{Key: "ws", Value: 1}}}},
		colPushAlerts: {
			{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "created_at", Value: -1}}},
			{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "telegram_refs", Value: 1}}},
		},
		colPushClaims: {{Keys: bson.D{{Key: "until", Value: 1}}}},
		colPushLeases: {{Keys: bson.D{{Key: "until", Value: 1}}}},
		colJobs:       {{Keys: bson.D{{Key: "kind", Value: 1}, {Key: "due_at", Value: 1}, {Key: "_id", Value: 1}}}},
		colUpdates: {
			{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "bot_id", Value: 1}, {Key: "state", Value: 1}, {Key: "received_at", Value: -1}, {Key: "_id", Value: -1}}},
			{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "bot_id", Value: 1}, {Key: "received_at", Value: -1}, {Key: "_id", Value: -1}}},
			{Keys: bson.D{{Key: "state", Value: 1}, {Key: "received_at", Value: 1}}},
		},
	}
	for _, c := range syncable {
		specs[c] = append(specs[c], mongo.IndexModel{Keys: bson.D{{Key: "ws", Value: 1}, {Key: "seq", Value: 1}}})
	}
	// Only missing indexes are created, one per command: FerretDB v1.24
	// crashes the connection when one createIndexes names several existing
	// indexes, and after a restart it can refuse to re-create an existing
	// index, reporting a conflict with another collection's index.
	for coll, models := range specs {
		existing, err := d.db.Collection(coll).Indexes().ListSpecifications(ctx)
		if err != nil {
			return fmt.Errorf("%s: list indexes: %w", coll, err)
		}
		have := map[string]bool{}
		for _, s := range existing {
			var keys bson.D
			if err := bson.Unmarshal(s.KeysDocument, &keys); err != nil {
				continue
			}
			if retiredIndexes[coll] == keyString(keys) {
				if err := d.db.Collection(coll).Indexes().DropOne(ctx, s.Name); err != nil {
					return fmt.Errorf("%s: drop retired index %s: %w", coll, s.Name, err)
				}
				continue
			}
			have[keyString(keys)] = true
		}
		for _, m := range models {
			if have[keyString(m.Keys.(bson.D))] {
				continue
			}
			if _, err := d.db.Collection(coll).Indexes().CreateOne(ctx, m); err != nil {
				return fmt.Errorf("%s: %w", coll, err)
			}
		}
	}
	return nil
}

// retiredIndexes are indexes of earlier versions that would now refuse
// valid writes; ensureIndexes drops them. Emails were unique in the whole
// installation before they became unique per workspace.
var retiredIndexes = map[string]string{colMembers: "email:1"}

// keyString renders an index key pattern ({ws: 1, seq: -1} is "ws:1,seq:-1"),
// to compare a wanted index with the existing ones whatever their names.
func keyString(keys bson.D) string {
	out := ""
	for i, k := range keys {
		if i > 0 {
			out += ","
		}
		out += fmt.Sprintf("%s:%v", k.Key, k.Value)
	}
	return out
}
