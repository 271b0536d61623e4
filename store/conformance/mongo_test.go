package conformance_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store"
	"github.com/switchboardhq/switchboard/store/conformance"
	"github.com/switchboardhq/switchboard/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// TestMongoDB runs the suite on the MongoDB store: on the embedded
// stand-in, or on SWITCHBOARD_TEST_MONGODB_URI when set.
func TestMongoDB(t *testing.T) {
	conformance.Run(t, func(t *testing.T, now func() time.Time) conformance.Subject {
		opt := storetest.Options(t)
		opt.Now = now
		db := storetest.NewWith(t, opt)
		return conformance.Subject{Store: db, Log: mongoLog(db)}
	})
}

// mongoLog reads the change log through the store's sync interface.
func mongoLog(db *store.DB) func(ctx context.Context, ws string, after int64) ([]conformance.Entry, error) {
	return func(ctx context.Context, ws string, after int64) ([]conformance.Entry, error) {
		upTo, err := db.SafeSeq(ctx, ws)
		if err != nil {
			return nil, err
		}
		changes, err := db.Changes(ctx, ws, after, upTo, 10000)
		if err != nil {
			return nil, err
		}
		out := make([]conformance.Entry, 0, len(changes))
		for _, c := range changes {
			e := conformance.Entry{Seq: c.Seq, Table: c.Table, ID: c.ID, Created: c.Created}
			synced := false
			for _, tb := range models.SyncTables {
				synced = synced || tb == c.Table
			}
			// The log carries the record of synced tables only: there, no
			// record means the write did not land.
			e.Landed = c.Record != nil || !synced
			if r, ok := c.Record.(interface{ Tombstone() bool }); ok {
				e.Deleted = r.Tombstone()
			}
			out = append(out, e)
		}
		return out, nil
	}
}
