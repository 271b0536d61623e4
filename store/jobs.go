package store

import (
	"context"
	"errors"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.JobStore = (*DB)(nil)

// jobDoc is one job of the jobs collection, keyed by its kind and id.
// LeaseUntil is the end of the last claim's lease (jobReleased: the epoch);
// a claim moves DueAt to it too, so a held job is not due and comes back
// by itself when its holder dies.
type jobDoc struct {
	Key        string    `bson:"_id"`
	Kind       string    `bson:"kind"`
	ID         string    `bson:"id"`
	WS         string    `bson:"ws"`
	DueAt      time.Time `bson:"due_at"`
	Claims     int       `bson:"claims"`
	LeaseUntil time.Time `bson:"lease_until"`
}

func (j jobDoc) job() models.Job {
	return models.Job{Kind: j.Kind, ID: j.ID, WS: j.WS, DueAt: j.DueAt.UTC(), Claims: j.Claims}
}

// jobReleased is the lease end of a job no claim holds.
var jobReleased = time.UnixMilli(0).UTC()

func jobKey(kind, id string) string { return kind + "/" + id }

// jobNow reads job key as stored, under its lock (FerretDB's path: it
// checks conditions in Go and writes by _id alone); ok is false when it
// is gone.
func (d *DB) jobNow(ctx context.Context, key string) (jobDoc, bool, error) {
	var j jobDoc
	err := d.db.Collection(colJobs).FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&j)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return j, false, nil
	}
	return j, err == nil, err
}

// QueueJob adds job (kind, id) of ws due at due; a job queued already
// keeps its due time unless due is sooner, and a held one its lease. It
// is a write of its own: the MongoDB store has no transactions to join.
func (d *DB) QueueJob(ctx context.Context, kind, id, ws string, due time.Time) error {
	key := jobKey(kind, id)
	due = due.UTC().Truncate(time.Millisecond)
	unlock := d.feed.lockDoc(colJobs, key)
	defer unlock()
	coll := d.db.Collection(colJobs)
	if d.idOnly {
		j, ok, err := d.jobNow(ctx, key)
		switch {
		case err != nil:
			return jobErr(err)
		case !ok:
			_, err = coll.InsertOne(ctx, jobDoc{Key: key, Kind: kind, ID: id, WS: ws, DueAt: due, LeaseUntil: jobReleased})
		case j.LeaseUntil.Equal(jobReleased) && due.Before(j.DueAt):
			_, err = coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: key}}, bson.D{{Key: "$set", Value: bson.D{{Key: "due_at", Value: due}}}})
		}
		return jobErr(err)
	}
	// A held job does not match; the upsert's insert then meets its _id.
	_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: key}, {Key: "lease_until", Value: jobReleased}},
		bson.D{{Key: "$min", Value: bson.D{{Key: "due_at", Value: due}}},
			{Key: "$setOnInsert", Value: bson.D{{Key: "kind", Value: kind}, {Key: "id", Value: id}, {Key: "ws", Value: ws}, {Key: "claims", Value: 0}}}},
		options.UpdateOne().SetUpsert(true))
	if isDuplicate(err) {
		return nil
	}
	return jobErr(err)
}

// DueJobs lists up to limit jobs of kind due at or before now, soonest
// first (then by key), through {kind, due_at, _id}; a limit of 0 or less
// is none. Never nil.
func (d *DB) DueJobs(ctx context.Context, kind string, now time.Time, limit int) ([]models.Job, error) {
	if limit < 0 {
		limit = 0 // the driver's "no limit"
	}
	var docs []jobDoc
	err := d.findAll(ctx, colJobs, bson.D{{Key: "kind", Value: kind}, {Key: "due_at", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}}, &docs,
		options.Find().SetSort(bson.D{{Key: "kind", Value: 1}, {Key: "due_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, err
	}
	out := make([]models.Job, len(docs))
	for i, j := range docs {
		out[i] = j.job()
	}
	return out, nil
}

// ClaimJob takes the next lease of job (kind, id) until until unless a
// live lease holds it: one FindOneAndUpdate whose filter requires the
// last lease to have ended by now (on FerretDB, which applies an update
// as read-then-replace, checked under the job's lock, then by _id).
func (d *DB) ClaimJob(ctx context.Context, kind, id string, now, until time.Time) (models.Job, bool, error) {
	key := jobKey(kind, id)
	until = until.UTC().Truncate(time.Millisecond)
	unlock := d.feed.lockDoc(colJobs, key)
	defer unlock()
	filter := bson.D{{Key: "_id", Value: key}, {Key: "lease_until", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}}
	if d.idOnly {
		j, ok, err := d.jobNow(ctx, key)
		if err != nil || !ok || j.LeaseUntil.After(now) {
			return models.Job{}, false, jobErr(err)
		}
		filter = filter[:1]
	}
	var j jobDoc
	err := d.db.Collection(colJobs).FindOneAndUpdate(ctx, filter, bson.D{
		{Key: "$inc", Value: bson.D{{Key: "claims", Value: 1}}},
		{Key: "$set", Value: bson.D{{Key: "lease_until", Value: until}, {Key: "due_at", Value: until}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&j)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return models.Job{}, false, nil
	}
	if err != nil {
		return models.Job{}, false, jobErr(err)
	}
	return j.job(), true, nil
}

// ReleaseJob ends lease claim of job (kind, id), the job due again at
// due; upserted, so that work left without its document is queued again.
// A later lease than claim keeps the job as it holds it.
func (d *DB) ReleaseJob(ctx context.Context, kind, id, ws string, claim int, due time.Time) error {
	key := jobKey(kind, id)
	due = due.UTC().Truncate(time.Millisecond)
	unlock := d.feed.lockDoc(colJobs, key)
	defer unlock()
	coll := d.db.Collection(colJobs)
	set := bson.D{{Key: "due_at", Value: due}, {Key: "lease_until", Value: jobReleased}}
	if d.idOnly {
		j, ok, err := d.jobNow(ctx, key)
		switch {
		case err != nil:
			return jobErr(err)
		case !ok:
			_, err = coll.InsertOne(ctx, jobDoc{Key: key, Kind: kind, ID: id, WS: ws, DueAt: due, Claims: claim, LeaseUntil: jobReleased})
		case j.Claims <= claim:
			_, err = coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: key}}, bson.D{{Key: "$set", Value: set}})
		}
		return jobErr(err)
	}
	_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: key}, {Key: "claims", Value: bson.D{{Key: "$lte", Value: claim}}}},
		bson.D{{Key: "$set", Value: set},
			{Key: "$setOnInsert", Value: bson.D{{Key: "kind", Value: kind}, {Key: "id", Value: id}, {Key: "ws", Value: ws}, {Key: "claims", Value: claim}}}},
		options.UpdateOne().SetUpsert(true))
	if isDuplicate(err) { // a later claim holds it
		return nil
	}
	return jobErr(err)
}

// FinishJob deletes job (kind, id) unless a later lease than claim holds it.
func (d *DB) FinishJob(ctx context.Context, kind, id string, claim int) error {
	key := jobKey(kind, id)
	unlock := d.feed.lockDoc(colJobs, key)
	defer unlock()
	filter := bson.D{{Key: "_id", Value: key}, {Key: "claims", Value: bson.D{{Key: "$lte", Value: claim}}}}
	if d.idOnly {
		j, ok, err := d.jobNow(ctx, key)
		if err != nil || !ok || j.Claims > claim {
			return jobErr(err)
		}
		filter = filter[:1]
	}
	_, err := d.db.Collection(colJobs).DeleteOne(ctx, filter)
	return jobErr(err)
}

// jobErr maps a job write's error; nil stays nil.
func jobErr(err error) error {
	if err == nil {
		return nil
	}
	return internal(err)
}
