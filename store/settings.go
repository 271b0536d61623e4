package store

import (
	"context"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.SettingStore = (*DB)(nil)

// EnsureSetting stores value under key unless one exists and returns the stored value.
func (d *DB) EnsureSetting(ctx context.Context, key, value string) (string, error) {
	var out struct {
		Value string `bson:"value"`
	}
	err := d.db.Collection(colSettings).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: key}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "value", Value: value}}}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&out)
	if err != nil {
		return "", internal(err)
	}
	return out.Value, nil
}
