package store

import (
	"context"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.SettingStore = (*DB)(nil)

// EnsureSetting stores value under key unless one exists and returns the
// stored value. Two upserts of a new key at once may both try the insert;
// the loser gets a duplicate-key error (FerretDB, and MongoDB when it does
// not retry the upsert itself) and then reads the winner's value.
func (d *DB) EnsureSetting(ctx context.Context, key, value string) (string, error) {
	var out struct {
		Value string `bson:"value"`
	}
	filter := bson.D{{Key: "_id", Value: key}}
	err := d.db.Collection(colSettings).FindOneAndUpdate(ctx, filter,
		bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "value", Value: value}}}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&out)
	if isDuplicate(err) {
		err = d.db.Collection(colSettings).FindOne(ctx, filter).Decode(&out)
	}
	if err != nil {
		return "", internal(err)
	}
	return out.Value, nil
}
