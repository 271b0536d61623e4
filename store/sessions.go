package store

import (
	"context"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

var _ models.SessionStore = (*DB)(nil)

// CreateSession inserts s and its first refresh token. The session is
// written first: a token whose session is missing is never accepted.
func (d *DB) CreateSession(ctx context.Context, s *models.Session, first *models.RefreshToken) error {
	if _, err := d.db.Collection(colSessions).InsertOne(ctx, s); err != nil {
		return mapErr(err, "session")
	}
	return d.AddRefreshToken(ctx, first)
}

// Session returns the session with this id.
func (d *DB) Session(ctx context.Context, id string) (*models.Session, error) {
	var s models.Session
	if err := d.db.Collection(colSessions).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&s); err != nil {
		return nil, mapErr(err, "session")
	}
	return &s, nil
}

// UseRefreshToken claims the token by inserting its hash into
// refresh_token_uses under the unique _id: exactly one caller wins on every
// engine, however many present the same token at once.
func (d *DB) UseRefreshToken(ctx context.Context, hash string) (*models.RefreshToken, error) {
	var t models.RefreshToken
	if err := d.db.Collection(colRefreshTokens).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&t); err != nil {
		return nil, mapErr(err, "refresh token")
	}
	_, err := d.db.Collection(colRefreshTokenUses).InsertOne(ctx, bson.D{
		{Key: "_id", Value: hash}, {Key: "session_id", Value: t.SessionID}, {Key: "used_at", Value: d.now().UTC()}})
	if mongo.IsDuplicateKeyError(err) {
		var use struct {
			UsedAt time.Time `bson:"used_at"`
		}
		if err := d.db.Collection(colRefreshTokenUses).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&use); err != nil {
			return nil, mapErr(err, "refresh token")
		}
		t.UsedAt = use.UsedAt
		return &t, models.Errorf(models.CodeConflict, "refresh token already used")
	}
	if err != nil {
		return nil, internal(err)
	}
	return &t, nil
}

// AddRefreshToken stores t.
func (d *DB) AddRefreshToken(ctx context.Context, t *models.RefreshToken) error {
	_, err := d.db.Collection(colRefreshTokens).InsertOne(ctx, t)
	return mapErr(err, "refresh token")
}

// RevokeSession marks the session revoked.
func (d *DB) RevokeSession(ctx context.Context, id string) error {
	_, err := d.db.Collection(colSessions).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revoked", Value: true}}}})
	return mapErr(err, "session")
}

// RevokeMemberSessions revokes every session of the member but except.
func (d *DB) RevokeMemberSessions(ctx context.Context, ws, memberID, except string) error {
	_, err := d.db.Collection(colSessions).UpdateMany(ctx,
		bson.D{{Key: "ws", Value: ws}, {Key: "member_id", Value: memberID}, {Key: "_id", Value: bson.D{{Key: "$ne", Value: except}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revoked", Value: true}}}})
	return mapErr(err, "session")
}
