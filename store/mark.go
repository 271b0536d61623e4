package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The change feed's high-water mark: how readers find the highest
// sequence at or below which every write has landed or never will.

// repair logs the write of reservation r, whose writer neither finished
// nor kept its lease: if the document carries r's sequence the write
// landed, and the log gets the document as it is; otherwise the entry
// records that nothing landed.
func (f *feed) repair(ctx context.Context, r reservation) {
	var rec bson.Raw
	if r.Table != "" && r.Doc != "" {
		raw, err := f.reservations.Database().Collection(r.Table).FindOne(ctx, bson.D{{Key: "_id", Value: r.Doc}}).Raw()
		if err == nil {
			if s, ok := raw.Lookup("seq").AsInt64OK(); ok && s == r.Seq {
				rec = raw
			}
		}
	}
	// A document whose sequence is the reservation's and that is not a
	// tombstone was created or updated by it; the log says updated, which
	// WatermelonDB applies to a record it lacks as a creation.
	f.finish(ctx, r.WS, r.Seq, r.Table, r.Doc, rec, false)
}

// safeSeq is the highest sequence of ws at or below which every reserved
// write has ended or had its lease end: walking up from the last mark, it
// stops before the first sequence still in flight, or after the highest
// reservation. The mark only rises, so it is cached. Walks of one
// workspace run one at a time, and a caller takes the result of a walk
// that started after it arrived rather than walking again: a burst of
// callers costs at most two walks, and every caller still sees every
// write that ended before it called.
func (f *feed) safeSeq(ctx context.Context, ws string) (int64, error) {
	arrived := time.Now()
	unlock := f.walkLocks.Lock(ws)
	defer unlock()
	f.mu.Lock()
	last, ok := f.lastWalk[ws]
	f.mu.Unlock()
	if ok && last.started.After(arrived) {
		return last.mark, nil
	}
	started := time.Now()
	mark, err := f.walk(ctx, ws)
	if err != nil {
		return 0, err
	}
	f.mu.Lock()
	f.lastWalk[ws] = walkResult{started: started, mark: mark}
	f.mu.Unlock()
	return mark, nil
}

// walkResult is a finished walk: when it started and the mark it found.
type walkResult struct {
	started time.Time
	mark    int64
}

func (f *feed) walk(ctx context.Context, ws string) (int64, error) {
	f.mu.Lock()
	from, known := f.safe[ws]
	f.mu.Unlock()
	if !known {
		// A new process starts at the saved mark, or at the purge horizon
		// (sequences up to it may have lost their records), whichever is higher.
		h, err := readHorizon(ctx, f.reservations.Database(), ws)
		if err != nil {
			return 0, err
		}
		saved, err := f.savedMark(ctx, ws)
		if err != nil {
			return 0, err
		}
		from = max(h, saved)
		f.mu.Lock()
		f.persisted[ws] = saved
		f.mu.Unlock()
	}
	mark, err := f.walkRange(ctx, ws, from)
	if err != nil {
		return 0, err
	}
	f.mu.Lock()
	due := mark-f.persisted[ws] >= f.persistEvery
	f.mu.Unlock()
	if due {
		f.saveMark(ctx, ws, mark)
	}
	f.mu.Lock()
	if mark > f.safe[ws] {
		f.safe[ws] = mark
	}
	f.mu.Unlock()
	return mark, nil
}

// savedMark returns the mark last saved for ws (0 when none was).
func (f *feed) savedMark(ctx context.Context, ws string) (int64, error) {
	var m struct {
		Seq int64 `bson:"seq"`
	}
	err := f.reservations.Database().Collection(colSyncMarks).FindOne(ctx, bson.D{{Key: "_id", Value: ws}}).Decode(&m)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, err
	}
	return m.Seq, nil
}

// saveMark records mark as ws's high-water mark, never lowering a saved
// one, so that a restarted process need not walk from the horizon. A
// failure only means a longer walk after a restart.
func (f *feed) saveMark(ctx context.Context, ws string, mark int64) {
	_, err := f.reservations.Database().Collection(colSyncMarks).UpdateOne(ctx, bson.D{{Key: "_id", Value: ws}},
		bson.D{{Key: "$max", Value: bson.D{{Key: "seq", Value: mark}}}}, options.UpdateOne().SetUpsert(true))
	if err == nil {
		f.mu.Lock()
		f.persisted[ws] = max(f.persisted[ws], mark)
		f.mu.Unlock()
	}
}

// walkRange reads every reservation and completion above from with two
// range queries and walks them. On MongoDB the queries use the {ws, seq}
// indexes; FerretDB v1 scans (even a lookup by _id is a scan there, with
// the filter pushed into SQLite), so two range reads beat one look-up per
// sequence.
func (f *feed) walkRange(ctx context.Context, ws string, from int64) (int64, error) {
	after := bson.D{{Key: "ws", Value: ws}, {Key: "seq", Value: bson.D{{Key: "$gt", Value: from}}}}
	var reserved []reservation
	cur, err := f.reservations.Find(ctx, after, options.Find().SetSort(bson.D{{Key: "seq", Value: 1}}))
	if err != nil {
		return 0, err
	}
	if err := cur.All(ctx, &reserved); err != nil {
		return 0, err
	}
	var ended []struct {
		Seq int64 `bson:"seq"`
	}
	cur, err = f.done.Find(ctx, after, options.Find().SetProjection(bson.D{{Key: "seq", Value: 1}}))
	if err != nil {
		return 0, err
	}
	if err := cur.All(ctx, &ended); err != nil {
		return 0, err
	}
	isDone := make(map[int64]bool, len(ended))
	for _, e := range ended {
		isDone[e.Seq] = true
	}
	now := f.now()
	mark := from
	for _, r := range reserved {
		for r.Seq > mark+1 { // a hole below r
			if now.Before(r.ReservedAt.Add(f.skew)) || !f.plug(ctx, ws, mark+1) {
				return mark, nil
			}
			mark++
		}
		if !isDone[r.Seq] && !f.passable(ctx, r, now) {
			break
		}
		mark = r.Seq
	}
	return mark, nil
}

// passable reports whether a reservation without a completion may be
// passed: a plug, or a lease ended (the write it covered, if it landed,
// is logged first).
func (f *feed) passable(ctx context.Context, r reservation, now time.Time) bool {
	if r.Plug {
		return true
	}
	if now.Before(r.LeaseUntil.Add(f.skew)) {
		return false
	}
	f.repair(ctx, r)
	return true
}

// plug reserves seq on behalf of nobody, so that a writer still trying to
// insert it fails and moves above; it reports whether the plug landed.
func (f *feed) plug(ctx context.Context, ws string, seq int64) bool {
	now := f.now().UTC()
	_, err := f.reservations.InsertOne(ctx, reservation{ID: reservationID(ws, seq), WS: ws, Seq: seq,
		ReservedAt: now, LeaseUntil: now, Plug: true})
	return err == nil
}

// SafeSeq returns the change-feed high-water mark of workspace ws: every
// change with a sequence at or below it has landed or never will, so a
// reader may serve changes up to it and no further.
func (d *DB) SafeSeq(ctx context.Context, ws string) (int64, error) {
	s, err := d.feed.safeSeq(ctx, ws)
	if err != nil {
		return 0, internal(err)
	}
	return s, nil
}
