package store

import (
	"context"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.APIKeyStore = (*DB)(nil)

// CreateAPIKey inserts k.
func (d *DB) CreateAPIKey(ctx context.Context, k *models.APIKey) error {
	k.CreatedAt = d.now().UTC()
	_, err := d.db.Collection(colAPIKeys).InsertOne(ctx, k)
	return mapErr(err, "api key")
}

// APIKey returns the key with this id, in any workspace.
func (d *DB) APIKey(ctx context.Context, id string) (*models.APIKey, error) {
	var k models.APIKey
	if err := d.db.Collection(colAPIKeys).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&k); err != nil {
		return nil, mapErr(err, "api key")
	}
	return &k, nil
}

// APIKeys lists the keys of ws, newest first.
func (d *DB) APIKeys(ctx context.Context, ws string) ([]*models.APIKey, error) {
	cur, err := d.db.Collection(colAPIKeys).Find(ctx, bson.D{{Key: "ws", Value: ws}},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(1000))
	if err != nil {
		return nil, internal(err)
	}
	out := []*models.APIKey{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, internal(err)
	}
	return out, nil
}

// RevokeAPIKey revokes the key id of workspace ws.
func (d *DB) RevokeAPIKey(ctx context.Context, ws, id string) error {
	res, err := d.db.Collection(colAPIKeys).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "ws", Value: ws}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revoked", Value: true}}}})
	if err != nil {
		return internal(err)
	}
	if res.MatchedCount == 0 {
		return notFound("api key")
	}
	return nil
}

// TouchAPIKey records the time the key was last used.
func (d *DB) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	_, err := d.db.Collection(colAPIKeys).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "last_used_at", Value: at.UTC()}}}})
	return mapErr(err, "api key")
}
