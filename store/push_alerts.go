package store

import (
	"context"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.AlertStore = (*DB)(nil)

// CreateAlert inserts a; an alert with the same id already stored (the
// same event dispatched twice) leaves it as it is.
func (d *DB) CreateAlert(ctx context.Context, a *models.Alert) (bool, error) {
	if a.Deliveries == nil {
		a.Deliveries = []models.Delivery{}
	}
	_, err := d.db.Collection(colPushAlerts).InsertOne(ctx, a)
	if isDuplicate(err) {
		return false, nil
	}
	if err != nil {
		return false, internal(err)
	}
	return true, nil
}

// Alert returns the alert id of ws.
func (d *DB) Alert(ctx context.Context, ws, id string) (*models.Alert, error) {
	var a models.Alert
	if err := d.findOne(ctx, colPushAlerts, bson.D{{Key: "_id", Value: id}}, &a, "alert"); err != nil {
		return nil, err
	}
	if a.WS != ws {
		return nil, notFound("alert")
	}
	return &a, nil
}

// Alerts lists ws's alerts newest first.
func (d *DB) Alerts(ctx context.Context, ws string, f models.AlertFilter) ([]*models.Alert, error) {
	filter := bson.D{{Key: "ws", Value: ws}}
	if f.ConversationID != "" {
		filter = append(filter, bson.E{Key: "conversation_id", Value: f.ConversationID})
	}
	if f.MemberID != "" {
		filter = append(filter, bson.E{Key: "deliveries.member_id", Value: f.MemberID})
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	out := []*models.Alert{}
	err := d.findAll(ctx, colPushAlerts, filter, &out,
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(f.Limit)))
	return out, err
}

// DueAlerts lists pending alerts due at or before now, soonest first.
func (d *DB) DueAlerts(ctx context.Context, now time.Time, limit int) ([]*models.Alert, error) {
	out := []*models.Alert{}
	err := d.findAll(ctx, colPushAlerts,
		bson.D{{Key: "state", Value: models.AlertPending}, {Key: "due_at", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}}, &out,
		options.Find().SetSort(bson.D{{Key: "due_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	return out, err
}

// ClaimAlert takes a lease on a until now+lease and, when it does, loads
// a's current state into a. Leases are claim
// documents with unique ids "<alert>#<n>": inserting one is atomic on every
// engine, where a conditional update is not (FerretDB). Claim n+1 may be
// taken once claim n finished (Released) or its lease ran out.
func (d *DB) ClaimAlert(ctx context.Context, a *models.Alert, now time.Time, lease time.Duration) (bool, error) {
	if a.Claims > a.Released {
		live, err := d.claimLive(ctx, a.ID, a.Claims, now)
		if err != nil || live {
			return false, err
		}
	}
	claims := d.db.Collection(colPushClaims)
	for n := a.Claims + 1; n <= a.Claims+8; n++ {
		_, err := claims.InsertOne(ctx, bson.D{{Key: "_id", Value: claimID(a.ID, n)}, {Key: "until", Value: now.Add(lease).UTC()}, {Key: "at", Value: now.UTC()}})
		if err == nil {
			// Record the claim and read the alert as it is now: a's copy may
			// be stale (listed before another worker sent and finished it).
			var fresh models.Alert
			err = d.db.Collection(colPushAlerts).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: a.ID}},
				bson.D{{Key: "$max", Value: bson.D{{Key: "claims", Value: n}}}},
				options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&fresh)
			if err != nil {
				return false, mapErr(err, "alert")
			}
			*a = fresh
			a.Claims = n
			return true, nil
		}
		if !isDuplicate(err) {
			return false, internal(err)
		}
		// Taken by another worker, whose write of the count may not have
		// landed (it died in between): free only once its lease ran out.
		live, err := d.claimLive(ctx, a.ID, n, now)
		if err != nil || live {
			return false, err
		}
	}
	return false, nil
}

func claimID(alertID string, n int) string { return alertID + "#" + strconv.Itoa(n) }

// claimLive reports whether claim n of an alert still holds its lease.
func (d *DB) claimLive(ctx context.Context, alertID string, n int, now time.Time) (bool, error) {
	var held struct {
		Until time.Time `bson:"until"`
	}
	err := d.findOne(ctx, colPushClaims, bson.D{{Key: "_id", Value: claimID(alertID, n)}}, &held, "claim")
	if isNotFound(err) {
		return false, nil
	}
	return err == nil && held.Until.After(now), err
}

// FinishAttempt writes the outcome of the attempt that holds the lease.
func (d *DB) FinishAttempt(ctx context.Context, a *models.Alert) error {
	set := bson.D{{Key: "deliveries", Value: a.Deliveries}, {Key: "state", Value: a.State}, {Key: "due_at", Value: a.DueAt.UTC()},
		{Key: "released", Value: a.Claims}}
	if len(a.TelegramRefs) > 0 {
		set = append(set, bson.E{Key: "telegram_refs", Value: a.TelegramRefs})
	}
	_, err := d.db.Collection(colPushAlerts).UpdateOne(ctx, bson.D{{Key: "_id", Value: a.ID}}, bson.D{{Key: "$set", Value: set}})
	return mapErr(err, "alert")
}

// AlertByTelegramRef finds the alert that sent the Telegram message ref.
func (d *DB) AlertByTelegramRef(ctx context.Context, ws, ref string) (*models.Alert, error) {
	var a models.Alert
	err := d.findOne(ctx, colPushAlerts, bson.D{{Key: "ws", Value: ws}, {Key: "telegram_refs", Value: ref}}, &a, "alert")
	return &a, err
}

// PurgeAlerts deletes alerts created before cutoff that are finished, or
// whose TTL has passed, and their claims.
func (d *DB) PurgeAlerts(ctx context.Context, cutoff time.Time) (int, error) {
	res, err := d.db.Collection(colPushAlerts).DeleteMany(ctx, bson.D{{Key: "created_at", Value: bson.D{{Key: "$lt", Value: cutoff.UTC()}}},
		{Key: "$or", Value: bson.A{bson.D{{Key: "state", Value: models.AlertDone}}, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: cutoff.UTC()}}}}}}})
	if err != nil {
		return 0, internal(err)
	}
	if _, err := d.db.Collection(colPushClaims).DeleteMany(ctx, bson.D{{Key: "until", Value: bson.D{{Key: "$lt", Value: cutoff.UTC()}}}}); err != nil {
		return 0, internal(err)
	}
	return int(res.DeletedCount), nil
}
