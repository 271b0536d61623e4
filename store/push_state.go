package store

import (
	"context"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.PushStateStore = (*DB)(nil)

// PushCursor is how far the dispatcher read ws's change log; -1 when it
// never did.
func (d *DB) PushCursor(ctx context.Context, ws string) (int64, error) {
	var doc struct {
		Seq int64 `bson:"seq"`
	}
	err := d.findOne(ctx, colPushCursors, bson.D{{Key: "_id", Value: ws}}, &doc, "cursor")
	if isNotFound(err) {
		return -1, nil
	}
	return doc.Seq, err
}

// SavePushCursor moves ws's cursor up to seq (never down).
func (d *DB) SavePushCursor(ctx context.Context, ws string, seq int64) error {
	_, err := d.db.Collection(colPushCursors).UpdateOne(ctx, bson.D{{Key: "_id", Value: ws}},
		bson.D{{Key: "$max", Value: bson.D{{Key: "seq", Value: seq}}}}, options.UpdateOne().SetUpsert(true))
	return mapErr(err, "cursor")
}

// TakeLease takes the named lease for the time slot of length d holding
// now: the first to insert the slot's document holds it.
func (d *DB) TakeLease(ctx context.Context, name, holder string, now time.Time, dur time.Duration) (bool, error) {
	slot := now.UnixNano() / int64(dur)
	id := name + "@" + strconv.FormatInt(slot, 10)
	_, err := d.db.Collection(colPushLeases).InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "holder", Value: holder},
		{Key: "until", Value: time.Unix(0, (slot+1)*int64(dur)).UTC()}})
	if err == nil {
		return true, nil
	}
	if !isDuplicate(err) {
		return false, internal(err)
	}
	var doc struct {
		Holder string `bson:"holder"`
	}
	if err := d.findOne(ctx, colPushLeases, bson.D{{Key: "_id", Value: id}}, &doc, "lease"); err != nil {
		return false, err
	}
	return doc.Holder == holder, nil
}

// TakeEmailSlot reserves the member's email for the hour holding now,
// for owner (an alert id), unless the previous hour's email went less
// than every ago. The same owner asking again (its alert was not stored:
// the process died in between) gets its slot back.
func (d *DB) TakeEmailSlot(ctx context.Context, ws, memberID, owner string, now time.Time, every time.Duration) (bool, error) {
	slot := now.UnixNano() / int64(every)
	base := "email:" + ws + ":" + memberID + "@"
	var held struct {
		At    time.Time `bson:"at"`
		Owner string    `bson:"owner"`
	}
	err := d.findOne(ctx, colPushLeases, bson.D{{Key: "_id", Value: base + strconv.FormatInt(slot-1, 10)}}, &held, "slot")
	if err == nil && now.Sub(held.At) < every {
		return held.Owner == owner, nil
	}
	if err != nil && !isNotFound(err) {
		return false, err
	}
	id := base + strconv.FormatInt(slot, 10)
	_, err = d.db.Collection(colPushLeases).InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "owner", Value: owner},
		{Key: "at", Value: now.UTC()}, {Key: "until", Value: now.Add(2 * every).UTC()}})
	if !isDuplicate(err) {
		return err == nil, mapErr(err, "slot")
	}
	if err := d.findOne(ctx, colPushLeases, bson.D{{Key: "_id", Value: id}}, &held, "slot"); err != nil {
		return false, err
	}
	return held.Owner == owner, nil
}

// Setting returns the value saved under name, saving value when there is
// none: of several instances starting at once, the first one's value wins.
func (d *DB) Setting(ctx context.Context, name, value string) (string, error) {
	_, err := d.db.Collection(colSettings).InsertOne(ctx, bson.D{{Key: "_id", Value: "push:" + name}, {Key: "value", Value: value}})
	if err != nil && !isDuplicate(err) {
		return "", internal(err)
	}
	var doc struct {
		Value string `bson:"value"`
	}
	err = d.findOne(ctx, colSettings, bson.D{{Key: "_id", Value: "push:" + name}}, &doc, "setting")
	return doc.Value, err
}

// SaveLinkCode stores a Telegram link code's hash for member until expires.
func (d *DB) SaveLinkCode(ctx context.Context, hash, ws, memberID string, expires time.Time) error {
	_, err := d.db.Collection(colPushLinkCodes).InsertOne(ctx, bson.D{{Key: "_id", Value: hash}, {Key: "ws", Value: ws},
		{Key: "member_id", Value: memberID}, {Key: "expires", Value: expires.UTC()}})
	return mapErr(err, "link code")
}

// TakeLinkCode consumes a link code once: the delete that finds it wins.
func (d *DB) TakeLinkCode(ctx context.Context, hash string, now time.Time) (string, string, error) {
	var doc struct {
		WS       string    `bson:"ws"`
		MemberID string    `bson:"member_id"`
		Expires  time.Time `bson:"expires"`
	}
	if err := d.findOne(ctx, colPushLinkCodes, bson.D{{Key: "_id", Value: hash}}, &doc, "link code"); err != nil {
		return "", "", err
	}
	res, err := d.db.Collection(colPushLinkCodes).DeleteOne(ctx, bson.D{{Key: "_id", Value: hash}})
	if err != nil {
		return "", "", internal(err)
	}
	if res.DeletedCount == 0 || !doc.Expires.After(now) {
		return "", "", notFound("link code")
	}
	return doc.WS, doc.MemberID, nil
}

// PurgePushState deletes leases, slots and link codes that ran out before cutoff.
func (d *DB) PurgePushState(ctx context.Context, cutoff time.Time) error {
	if _, err := d.db.Collection(colPushLeases).DeleteMany(ctx, bson.D{{Key: "until", Value: bson.D{{Key: "$lt", Value: cutoff.UTC()}}}}); err != nil {
		return internal(err)
	}
	_, err := d.db.Collection(colPushLinkCodes).DeleteMany(ctx, bson.D{{Key: "expires", Value: bson.D{{Key: "$lt", Value: cutoff.UTC()}}}})
	return mapErr(err, "link code")
}
