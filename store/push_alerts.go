package store

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sync/errgroup"
)

var _ models.AlertStore = (*DB)(nil)

// CreateAlerts inserts alerts in one unordered insert, then queues each
// pending one (its job of kind alert in the jobs collection) in another. An
// alert stored already (the same event dispatched twice) is left as it
// is, and queued again: after a crash between the two inserts that is
// what makes it due; a finished one leaves the queue when next listed.
func (d *DB) CreateAlerts(ctx context.Context, alerts []*models.Alert) ([]bool, error) {
	if len(alerts) == 0 {
		return nil, nil
	}
	docs := make([]any, len(alerts))
	for i, a := range alerts {
		if a.Deliveries == nil {
			a.Deliveries = []models.Delivery{}
		}
		docs[i] = a
	}
	_, err := d.db.Collection(colPushAlerts).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	taken, err := duplicates(err)
	if err != nil {
		return nil, internal(err)
	}
	created := make([]bool, len(alerts))
	var due []any
	for i, a := range alerts {
		created[i] = !taken[i]
		if a.State == models.AlertPending {
			due = append(due, alertJob(a.ID, a.WS, a.DueAt))
		}
	}
	if len(due) > 0 {
		_, err := d.db.Collection(colJobs).InsertMany(ctx, due, options.InsertMany().SetOrdered(false))
		if _, err := duplicates(err); err != nil {
			return nil, internal(err)
		}
	}
	return created, nil
}

// alertJob is the job that queues pending alert id of ws, due at due: the
// jobs collection holds only these small documents (and the other jobs),
// so listing what is due never reads the finished alerts (FerretDB reads
// every document of a collection a query names). The alert's leases are
// its claims (push_claims), so the job's own stay unused.
func alertJob(id, ws string, due time.Time) jobDoc {
	return jobDoc{Key: jobKey(models.JobAlert, id), Kind: models.JobAlert, ID: id, WS: ws, DueAt: due.UTC(), LeaseUntil: jobReleased}
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

// DueAlerts lists up to limit pending alerts due at or before now,
// soonest first, leaving out those skip names: the due queue, then the
// alerts it names. Queue entries of alerts that are gone or finished are
// deleted, and those of alerts due later moved.
func (d *DB) DueAlerts(ctx context.Context, now time.Time, limit int, skip func(id string) bool) ([]*models.Alert, error) {
	var queued []jobDoc
	err := d.findAll(ctx, colJobs, bson.D{{Key: "kind", Value: models.JobAlert}, {Key: "due_at", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}}, &queued,
		options.Find().SetSort(bson.D{{Key: "kind", Value: 1}, {Key: "due_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil || len(queued) == 0 {
		return []*models.Alert{}, err
	}
	ids := make([]string, 0, len(queued))
	for _, q := range queued {
		if skip == nil || !skip(q.ID) {
			ids = append(ids, q.ID)
		}
	}
	byID, err := d.alertsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*models.Alert, 0, len(queued))
	var fix []*models.Alert
	var gone []string
	for _, id := range ids {
		a := byID[id]
		switch {
		case a == nil:
			gone = append(gone, id)
		case a.State != models.AlertPending || a.DueAt.After(now):
			fix = append(fix, a)
		default:
			out = append(out, a)
		}
	}
	writes := dueWrites(fix)
	for _, id := range gone {
		writes = append(writes, mongo.NewDeleteOneModel().SetFilter(bson.D{{Key: "_id", Value: jobKey(models.JobAlert, id)}}))
	}
	if err := d.bulk(ctx, colJobs, writes); err != nil {
		return nil, err
	}
	return out, nil
}

// alertsByID reads the alerts ids that exist, by id.
func (d *DB) alertsByID(ctx context.Context, ids []string) (map[string]*models.Alert, error) {
	return findByIDs(ctx, d, colPushAlerts, ids, func(a *models.Alert) string { return a.ID })
}

// findByIDs reads the documents ids of coll that exist, by id. On
// FerretDB a filter other than one _id reads the whole collection, so
// each is read on its own, a few at a time; elsewhere one query reads
// them all.
func findByIDs[T any](ctx context.Context, d *DB, coll string, ids []string, idOf func(*T) string) (map[string]*T, error) {
	out := make(map[string]*T, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if !d.idOnly {
		var list []*T
		if err := d.findAll(ctx, coll, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, &list); err != nil {
			return nil, err
		}
		for _, x := range list {
			out[idOf(x)] = x
		}
		return out, nil
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, id := range ids {
		g.Go(func() error {
			x := new(T)
			err := d.findOne(gctx, coll, bson.D{{Key: "_id", Value: id}}, x, "document")
			if isNotFound(err) {
				return nil
			}
			if err != nil {
				return err
			}
			mu.Lock()
			out[id] = x
			mu.Unlock()
			return nil
		})
	}
	return out, g.Wait()
}

// dueWrites keeps the due queue in step with alerts: a pending alert's
// entry holds its due time, a finished alert has none.
func dueWrites(alerts []*models.Alert) []mongo.WriteModel {
	writes := make([]mongo.WriteModel, 0, len(alerts))
	for _, a := range alerts {
		if a.State == models.AlertPending {
			writes = append(writes, mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: jobKey(models.JobAlert, a.ID)}}).
				SetReplacement(alertJob(a.ID, a.WS, a.DueAt)).SetUpsert(true))
		} else {
			writes = append(writes, mongo.NewDeleteOneModel().SetFilter(bson.D{{Key: "_id", Value: jobKey(models.JobAlert, a.ID)}}))
		}
	}
	return writes
}

// ClaimAlerts takes the lease on each listed alert until now+lease, and
// returns the alerts it took as they are stored now. Leases are claim
// documents with unique ids "<alert>#<n>", inserted together in one
// unordered insert: an insert is atomic on every engine, where a
// conditional update is not (FerretDB). The stored alert records the
// last finished claim (Claims), so claim Claims+1 is tried first; taken,
// it is skipped once its lease ran out (a worker that died holding it),
// never before.
func (d *DB) ClaimAlerts(ctx context.Context, listed []*models.Alert, now time.Time, lease time.Duration) ([]*models.Alert, error) {
	claims := d.db.Collection(colPushClaims)
	next := make([]int, len(listed))
	pending := make([]int, 0, len(listed))
	for i, a := range listed {
		next[i] = a.Claims + 1
		pending = append(pending, i)
	}
	var won []*models.Alert
	for round := 0; round < 8 && len(pending) > 0; round++ {
		docs := make([]any, len(pending))
		for j, i := range pending {
			docs[j] = bson.D{{Key: "_id", Value: claimID(listed[i].ID, next[i])}, {Key: "until", Value: now.Add(lease).UTC()}, {Key: "at", Value: now.UTC()}}
		}
		_, err := claims.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		taken, err := duplicates(err)
		if err != nil {
			return nil, internal(err)
		}
		var held []int
		for j, i := range pending {
			if taken[j] {
				held = append(held, i)
				continue
			}
			a, err := d.claimed(ctx, listed[i], next[i], round)
			if isNotFound(err) {
				continue // purged meanwhile
			}
			if err != nil {
				return nil, err
			}
			won = append(won, a)
		}
		// Held by other workers: free once their lease ran out.
		ids := make([]string, len(held))
		for j, i := range held {
			ids[j] = claimID(listed[i].ID, next[i])
		}
		live, err := d.liveClaims(ctx, ids, now)
		if err != nil {
			return nil, err
		}
		pending = pending[:0]
		for _, i := range held {
			if !live[claimID(listed[i].ID, next[i])] {
				next[i]++
				pending = append(pending, i)
			}
		}
	}
	// Held alerts leave the due listing until their lease ends, so other
	// instances list the alerts nobody holds. Not on FerretDB, which
	// serves one process (whose gateway skips what it is sending) and
	// where these writes cost a batch about a third of its time.
	if d.idOnly {
		return won, nil
	}
	writes := make([]mongo.WriteModel, len(won))
	for i, a := range won {
		writes[i] = mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: jobKey(models.JobAlert, a.ID)}}).
			SetReplacement(alertJob(a.ID, a.WS, now.Add(lease))).SetUpsert(true)
	}
	if err := d.bulk(ctx, colJobs, writes); err != nil {
		return nil, err
	}
	return won, nil
}

// claimed is listed alert a under claim n, as stored now (not found if gone).
// The listing is current when the first claim tried was free: every
// earlier claim had finished, or the listing would have shown a later
// count. Past a held claim, its holder may have written since: a is read
// again.
func (d *DB) claimed(ctx context.Context, a *models.Alert, n, round int) (*models.Alert, error) {
	if round > 0 {
		// Claims below n were abandoned: record them as passed, so that the
		// next claim starts above them, and read the alert as it is now.
		var fresh models.Alert
		err := d.db.Collection(colPushAlerts).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: a.ID}},
			bson.D{{Key: "$max", Value: bson.D{{Key: "claims", Value: n - 1}}}},
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&fresh)
		if err != nil {
			return nil, mapErr(err, "alert")
		}
		a = &fresh
	} else {
		c := *a // the caller's listing stays as it was
		c.Deliveries = slices.Clone(a.Deliveries)
		a = &c
	}
	a.Claims = n
	return a, nil
}

// duplicates maps an unordered insert's outcome to which documents were
// refused as duplicates; any other failure is returned.
func duplicates(err error) (map[int]bool, error) {
	taken := map[int]bool{}
	if err == nil {
		return taken, nil
	}
	var bw mongo.BulkWriteException
	if !errors.As(err, &bw) || bw.WriteConcernError != nil {
		return nil, err
	}
	for _, we := range bw.WriteErrors {
		if !mongo.IsDuplicateKeyError(we) {
			return nil, err
		}
		taken[we.Index] = true
	}
	return taken, nil
}

func claimID(alertID string, n int) string { return alertID + "#" + strconv.Itoa(n) }

// liveClaims returns which of the claims ids still hold their lease.
func (d *DB) liveClaims(ctx context.Context, ids []string, now time.Time) (map[string]bool, error) {
	type claim struct {
		ID    string    `bson:"_id"`
		Until time.Time `bson:"until"`
	}
	found, err := findByIDs(ctx, d, colPushClaims, ids, func(c *claim) string { return c.ID })
	if err != nil {
		return nil, err
	}
	live := make(map[string]bool, len(found))
	for id, c := range found {
		live[id] = c.Until.After(now)
	}
	return live, nil
}

// FinishAttempts writes the outcome of each alert's attempt and records
// its claim as the last finished one, then updates the due queue (a
// crash in between leaves an entry that DueAlerts corrects), in bulk
// writes. On MongoDB an attempt whose lease was overtaken by a later
// claim that finished first writes nothing.
func (d *DB) FinishAttempts(ctx context.Context, alerts []*models.Alert) error {
	writes := make([]mongo.WriteModel, len(alerts))
	for i, a := range alerts {
		set := bson.D{{Key: "deliveries", Value: a.Deliveries}, {Key: "state", Value: a.State}, {Key: "due_at", Value: a.DueAt.UTC()}}
		if len(a.TelegramRefs) > 0 {
			set = append(set, bson.E{Key: "telegram_refs", Value: a.TelegramRefs})
		}
		filter := bson.D{{Key: "_id", Value: a.ID}}
		if !d.idOnly { // FerretDB reads the collection for any other filter; it serves one process
			filter = append(filter, bson.E{Key: "claims", Value: bson.D{{Key: "$lt", Value: a.Claims}}})
		}
		writes[i] = mongo.NewUpdateOneModel().SetFilter(filter).SetUpdate(bson.D{{Key: "$set", Value: set},
			{Key: "$max", Value: bson.D{{Key: "claims", Value: a.Claims}}}})
	}
	if err := d.bulk(ctx, colPushAlerts, writes); err != nil {
		return err
	}
	return d.bulk(ctx, colJobs, dueWrites(alerts))
}

// RequeuePending queues every pending alert that has no job (one a crash
// or an overtaken lease left out, or one queued in push_due, where
// earlier versions queued alerts) and returns how many it queued. It
// reads every pending alert: the gateway runs it at start and hourly.
func (d *DB) RequeuePending(ctx context.Context) (int, error) {
	var pending []struct {
		ID    string    `bson:"_id"`
		WS    string    `bson:"ws"`
		DueAt time.Time `bson:"due_at"`
	}
	err := d.findAll(ctx, colPushAlerts, bson.D{{Key: "state", Value: models.AlertPending}}, &pending,
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "ws", Value: 1}, {Key: "due_at", Value: 1}}))
	if err != nil || len(pending) == 0 {
		return 0, err
	}
	docs := make([]any, len(pending))
	for i, p := range pending {
		docs[i] = alertJob(p.ID, p.WS, p.DueAt)
	}
	_, err = d.db.Collection(colJobs).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	taken, err := duplicates(err)
	if err != nil {
		return 0, internal(err)
	}
	return len(pending) - len(taken), nil
}

// bulkChunk bounds the statements of one bulk write (see DB.manyMu).
const bulkChunk = 50

// bulk runs writes as unordered bulk writes of at most bulkChunk
// statements, one at a time per process on FerretDB (see DB.manyMu).
func (d *DB) bulk(ctx context.Context, coll string, writes []mongo.WriteModel) error {
	for start := 0; start < len(writes); start += bulkChunk {
		if err := d.bulkChunk(ctx, coll, writes[start:min(len(writes), start+bulkChunk)]); err != nil {
			return err
		}
	}
	return nil
}

func (d *DB) bulkChunk(ctx context.Context, coll string, writes []mongo.WriteModel) error {
	if d.idOnly {
		d.manyMu.Lock()
		defer d.manyMu.Unlock()
	}
	_, err := d.db.Collection(coll).BulkWrite(ctx, writes, options.BulkWrite().SetOrdered(false))
	return mapErr(err, "alert")
}

// AlertByTelegramRef finds the alert that sent the Telegram message ref,
// or returns the typed not-found and no alert.
func (d *DB) AlertByTelegramRef(ctx context.Context, ws, ref string) (*models.Alert, error) {
	var a models.Alert
	if err := d.findOne(ctx, colPushAlerts, bson.D{{Key: "ws", Value: ws}, {Key: "telegram_refs", Value: ref}}, &a, "alert"); err != nil {
		return nil, err
	}
	return &a, nil
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
