package conformance

import (
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// RunSync checks models.SyncStore: the change feed delta-sync reads
// (Changes within its bounds, by rising sequence, none skipped, typed
// records, tombstones, creations), the listings a first sync pages
// through, its cursors and pushes, the purge horizon, and that every
// read stays in its workspace.
func RunSync(t *testing.T, open Open) { runSync(t, newFixture(t, open)) }

// syncRecord is a synced record's stamp.
type syncRecord interface{ Stamps() models.Stamp }

// recordIDs lists the ids of synced records (any of the models' types).
func recordIDs(recs []any) []string {
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		switch v := r.(type) {
		case *models.Note:
			out = append(out, v.ID)
		case *models.Bot:
			out = append(out, v.ID)
		case *models.Member:
			out = append(out, v.ID)
		case *models.Pipeline:
			out = append(out, v.ID)
		case *models.Deal:
			out = append(out, v.ID)
		case *models.Subscriber:
			out = append(out, v.ID)
		case *models.Message:
			out = append(out, v.ID)
		default:
			out = append(out, "?")
		}
	}
	return out
}

// allChanges reads workspace w's whole change log after after, up to
// its mark.
func allChanges(t *testing.T, s Store, w string, after int64) []models.Change {
	t.Helper()
	safe, err := s.SafeSeq(ctx, w)
	ok(t, err, "safe sequence")
	list, err := s.Changes(ctx, w, after, safe, 10000)
	ok(t, err, "changes")
	return list
}

// runSync runs the sync part's concerns in order: the change feed, the
// listings, the cursors and pushes, the purge.
func runSync(t *testing.T, f *fixture) {
	runSyncChanges(t, f)
	runSyncRecords(t, f)
	runSyncCursors(t, f)
	runSyncPurge(t, f)
}
