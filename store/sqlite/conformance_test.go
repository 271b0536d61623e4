package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/store/conformance"
)

// TestConformance runs the store interfaces' shared suite on this store,
// reading the change log with LogEntries up to the high-water mark.
func TestConformance(t *testing.T) {
	t.Parallel()
	conformance.Run(t, func(t *testing.T, now func() time.Time) conformance.Subject {
		// NORMAL: the suite checks behaviour, not durability, and FULL
		// would spend most of its time in fsync.
		s, err := Open(context.Background(), t.TempDir(), Options{Now: now, Synchronous: "NORMAL"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return conformance.Subject{Store: s, Log: func(ctx context.Context, ws string, after int64) ([]conformance.Entry, error) {
			upTo, err := s.HighWater(ctx, ws)
			if err != nil {
				return nil, err
			}
			entries, err := s.LogEntries(ctx, ws, after, upTo, 10000)
			out := make([]conformance.Entry, 0, len(entries))
			for _, e := range entries {
				out = append(out, conformance.Entry{Seq: e.Seq, Table: e.Table, ID: e.ID, Deleted: e.Deleted, Landed: e.Record != nil})
			}
			return out, err
		}}
	})
}
