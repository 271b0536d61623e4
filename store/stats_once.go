package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// onceBook remembers, per counter document, the once-keys whose
// operations ended, and when: once OnceGrace has passed, the next change
// of that document forgets them in the same write. Until then the key is
// still honoured: whoever read the operation as pending before it ended
// (a request or a recovery pass finishing it at the same time, here or
// in another process) may still repeat the key, and must not count it
// again. A process that dies loses the book, which leaves a few keys
// behind (each a few bytes, in one document).
type onceBook struct {
	mu   sync.Mutex
	done map[string][]released // counter document id -> keys to forget
}

// released is a once-key whose operation ended at at.
type released struct {
	key string
	at  time.Time
}

// OnceGrace is how long a released once-key is still honoured: longer
// than any request or recovery pass takes to finish an operation.
const OnceGrace = 10 * time.Minute

// onceBookCap bounds the keys kept per document (a document nobody
// changes again keeps its last keys): a busy bot's counters hold the
// keys of OnceGrace's messages.
const onceBookCap = 50000

func (b *onceBook) add(doc, key string, at time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done == nil {
		b.done = map[string][]released{}
	}
	if len(b.done[doc]) < onceBookCap {
		b.done[doc] = append(b.done[doc], released{key: key, at: at})
	}
}

// take removes and returns doc's keys released before cutoff.
func (b *onceBook) take(doc string, cutoff time.Time) []released {
	b.mu.Lock()
	defer b.mu.Unlock()
	var due, kept []released
	for _, r := range b.done[doc] {
		if r.at.After(cutoff) {
			kept = append(kept, r)
		} else {
			due = append(due, r)
		}
	}
	if len(kept) == 0 {
		delete(b.done, doc)
	} else {
		b.done[doc] = kept
	}
	return due
}

// onceKey is the field name a key is recorded under: a hash, so that any
// key is a safe field name.
func onceKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:12])
}

func statsDocIDs(ws, botID string, at time.Time) (total, day, dayName string) {
	dayName = at.UTC().Format("2006-01-02")
	return ws + ":" + botID + ":total", ws + ":" + botID + ":" + dayName, dayName
}

// AddBotStatsOnce adds d to the bot's totals and day bucket at most once
// per key. Each document records the key ("once.<hash>") in the same
// atomic write as its sum, and a write whose document already records the
// key changes nothing; so a repeat after a failure anywhere, even between
// the two documents, completes the sum without counting twice.
func (d *DB) AddBotStatsOnce(ctx context.Context, ws, botID string, at time.Time, delta models.StatsDelta, key string) error {
	totalID, dayID, day := statsDocIDs(ws, botID, at)
	k := onceKey(key)
	var total models.BotTotals
	err := d.incOnce(ctx, totalID, k,
		bson.D{{Key: "sent", Value: delta.Sent}, {Key: "received", Value: delta.Received}, {Key: "subscribers", Value: delta.Subscribers}},
		nil, bson.D{{Key: "ws", Value: ws}, {Key: "bot_id", Value: botID}, {Key: "day", Value: "total"}}, &total)
	if err != nil {
		return err
	}
	unlockDay := d.feed.lockDoc(colBotStats, dayID)
	inc, set, onInsert, err := d.dayUpdate(ctx, ws, botID, day, delta, total.Subscribers)
	unlockDay()
	if err != nil {
		return err
	}
	if err := d.incOnce(ctx, dayID, k, inc, set, onInsert, nil); err != nil {
		return err
	}
	// Later days keep the key (a backdated new subscriber is rare); the
	// book forgets only the totals' and the day's.
	return d.countLaterDays(ctx, ws, botID, day, delta.Subscribers, k)
}

// ReleaseBotStatsKey lets the bot's counters forget key with their first
// change once OnceGrace has passed.
func (d *DB) ReleaseBotStatsKey(ws, botID string, at time.Time, key string) {
	totalID, dayID, _ := statsDocIDs(ws, botID, at)
	k, now := onceKey(key), d.now()
	d.once.add(totalID, k, now)
	d.once.add(dayID, k, now)
}

// incOnce applies inc and set to the counter document id unless it
// records once-key k, recording k in the same write, and forgets the keys
// the book holds for it. out (when not nil) receives the document after.
// Under this process's lock for the document, like AddBotStats.
func (d *DB) incOnce(ctx context.Context, id, k string, inc, set, onInsert bson.D, out any) error {
	unlock := d.feed.lockDoc(colBotStats, id)
	defer unlock()
	coll := d.db.Collection(colBotStats)
	field := "once." + k
	forget := d.once.take(id, d.now().Add(-OnceGrace))
	update := func() bson.D {
		doc := bson.D{{Key: "$inc", Value: inc},
			{Key: "$set", Value: append(append(bson.D{}, set...), bson.E{Key: field, Value: true})},
			{Key: "$setOnInsert", Value: onInsert}}
		if len(forget) > 0 {
			var unset bson.D
			seen := map[string]bool{k: true} // a path may appear once in an update
			for _, f := range forget {
				if !seen[f.key] {
					seen[f.key] = true
					unset = append(unset, bson.E{Key: "once." + f.key, Value: ""})
				}
			}
			if len(unset) > 0 {
				doc = append(doc, bson.E{Key: "$unset", Value: unset})
			}
		}
		return doc
	}
	recorded := func() (bool, error) {
		raw, err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
		if errors.Is(err, mongo.ErrNoDocuments) {
			return false, nil
		}
		if err != nil {
			return false, internal(err)
		}
		if out != nil {
			if err := bson.Unmarshal(raw, out); err != nil {
				return false, internal(err)
			}
		}
		_, ok := raw.Lookup("once", k).BooleanOK()
		return ok, nil
	}
	for attempt := 0; attempt < 3; attempt++ {
		filter := bson.D{{Key: "_id", Value: id}}
		if d.idOnly {
			// FerretDB (one process): check the key on the document, under the lock.
			if done, err := recorded(); err != nil || done {
				d.keepForgetting(id, forget)
				return err
			}
		} else {
			filter = append(filter, bson.E{Key: field, Value: bson.D{{Key: "$exists", Value: false}}})
		}
		raw, err := coll.FindOneAndUpdate(ctx, filter, update(),
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Raw()
		if err == nil {
			if out != nil {
				return mapErr(bson.Unmarshal(raw, out), "statistics")
			}
			return nil
		}
		if !isDuplicate(err) {
			d.keepForgetting(id, forget)
			return mapErr(err, "statistics")
		}
		// The document exists with the key (so the filter missed and the
		// upsert collided), or another instance inserted it first.
		if done, err := recorded(); err != nil || done {
			d.keepForgetting(id, forget)
			return err
		}
	}
	d.keepForgetting(id, forget)
	return internal(context.DeadlineExceeded)
}

// keepForgetting puts keys taken from the book back when the write that
// was to forget them did not happen.
func (d *DB) keepForgetting(id string, keys []released) {
	for _, k := range keys {
		d.once.add(id, k.key, k.at)
	}
}
