package conformance

import (
	"fmt"
	"sync"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// RunSettings checks models.SettingStore.
func RunSettings(t *testing.T, open Open) { runSettings(t, newFixture(t, open)) }

func runSettings(t *testing.T, f *fixture) {
	s := f.s

	t.Run("the first value stays", func(t *testing.T) {
		key := "k-" + models.NewID()
		got, err := s.EnsureSetting(ctx, key, "one")
		ok(t, err, "first")
		if got != "one" {
			t.Fatalf("first ensure returned %q", got)
		}
		got, err = s.EnsureSetting(ctx, key, "two")
		ok(t, err, "second")
		if got != "one" {
			t.Fatalf("second ensure returned %q, want the stored one", got)
		}
		got, err = s.EnsureSetting(ctx, "k-"+models.NewID(), "")
		ok(t, err, "empty value")
		if got != "" {
			t.Fatalf("empty value came back as %q", got)
		}
	})

	t.Run("concurrent callers get one value", func(t *testing.T) {
		key := "k-" + models.NewID()
		const n = 8
		got := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], errs[i] = s.EnsureSetting(ctx, key, fmt.Sprint("v", i))
			}()
		}
		wg.Wait()
		for i := range n {
			ok(t, errs[i], "ensure")
			if got[i] != got[0] {
				t.Fatalf("callers got %v, want one value", got)
			}
		}
	})
}

func sprint(v any) string { return fmt.Sprint(v) }
