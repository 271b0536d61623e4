package sqlite

import (
	"strings"
	"testing"
)

// planCase is a query whose plan a test checks: each of want appears in
// it, no table is scanned, and no temporary b-tree sorts it unless sortOK
// (a small set the index found, sorted after).
type planCase struct {
	name, query string
	want        []string
	sortOK      bool
}

// wantPlans checks the plan of every case. A SCAN line (every row, of a
// table or of a whole index) is allowed only of a virtual table
// (full-text matches), json_each (the ids a query is given), a subquery
// read as it is produced (a co-routine, such as a count's) or one the
// case wants by name (a partial index of the few rows it reads, such as
// the pending alerts).
func wantPlans(t *testing.T, s *Store, cases []planCase) {
	t.Helper()
	for _, c := range cases {
		plan := planOf(t, s, c.query)
		text := strings.Join(plan, " | ")
		bad := false
		for _, w := range c.want {
			bad = bad || !strings.Contains(text, w)
		}
		for _, line := range plan {
			if strings.HasPrefix(line, "SCAN ") && !strings.Contains(line, "VIRTUAL TABLE") &&
				!strings.Contains(line, "json_each") && !strings.HasPrefix(line, "SCAN (subquery-") && !wanted(line, c.want) {
				bad = true
			}
			if strings.Contains(line, "TEMP B-TREE") && !c.sortOK {
				bad = true
			}
		}
		if bad {
			t.Errorf("%s: want %q without a table scan or sort, plan: %s", c.name, c.want, text)
		}
	}
}

// wanted reports whether line is one of the plan lines want names.
func wanted(line string, want []string) bool {
	for _, w := range want {
		if strings.Contains(line, w) {
			return true
		}
	}
	return false
}
