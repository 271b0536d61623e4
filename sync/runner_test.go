package sync

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboardhq/switchboard/store/storetest"
)

// TestRunnerRunsChoresWithThePurge: every purge runs the chores added with
// Also, in order, and a failing chore does not keep the next from running.
func TestRunnerRunsChoresWithThePurge(t *testing.T) {
	var ran []string
	r := NewRunner(storetest.OpenSQLite(t, t.TempDir()), Config{}, nil, nil).
		Also("first", func(context.Context) error { ran = append(ran, "first"); return errors.New("boom") }).
		Also("second", func(context.Context) error { ran = append(ran, "second"); return nil })
	r.Purge(context.Background())
	r.Purge(context.Background())
	if len(ran) != 4 || ran[0] != "first" || ran[1] != "second" || ran[3] != "second" {
		t.Fatalf("chores ran %v; want first, second on each purge", ran)
	}
}
