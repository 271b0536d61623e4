package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"testing"

	"github.com/switchboardhq/switchboard/models"
	syncsvc "github.com/switchboardhq/switchboard/sync"
)

// shop is a team with a Telegram bot.
func (e *env) shop() (team, models.Bot) {
	e.t.Helper()
	tm := e.team()
	return tm, e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "Shop"})
}

// pullAnswer is a decoded GET /v1/sync answer.
type pullAnswer struct {
	Changes   map[string]tableChanges `json:"changes"`
	Timestamp int64                   `json:"timestamp"`
	HasMore   bool                    `json:"has_more"`
	Strategy  string                  `json:"experimentalStrategy"`
}

type tableChanges struct {
	Created []map[string]any `json:"created"`
	Updated []map[string]any `json:"updated"`
	Deleted []string         `json:"deleted"`
}

// pull calls GET /v1/sync and wants 200.
func (e *env) pull(token string, last int64, extra url.Values) pullAnswer {
	e.t.Helper()
	q := url.Values{}
	for k, v := range extra {
		q[k] = v
	}
	if last > 0 {
		q.Set("last_pulled_at", fmt.Sprint(last))
	}
	r := e.call("GET", "/v1/sync?"+q.Encode(), token, nil)
	wantStatus(e.t, r, http.StatusOK)
	var a pullAnswer
	r.JSON(e.t, &a)
	for _, t := range models.SyncTables {
		c, ok := a.Changes[t]
		if !ok || c.Created == nil || c.Updated == nil || c.Deleted == nil {
			e.t.Fatalf("table %s lacks one of created/updated/deleted: %s", t, r.Body)
		}
	}
	if a.Timestamp <= 0 || a.Timestamp >= 1<<53 {
		e.t.Fatalf("timestamp %d out of range", a.Timestamp)
	}
	return a
}

// A pull's timestamp is a change sequence times 2^20, or between the pages
// of a first sync a continuation: low 20 bits not all zero (README).
const tsShift = 20

func isContinuation(ts int64) bool { return ts&(1<<tsShift-1) != 0 }

// seqOf is the change sequence delta timestamp ts names.
func seqOf(ts int64) int64 { return ts >> tsShift }

// replica is a device's copy: table -> id -> record, applied as
// WatermelonDB applies pull answers.
type replica struct {
	tables map[string]map[string]map[string]any
	last   int64
	// problems are what WatermelonDB would log as server bugs: a
	// timestamp going back, a created record the device holds, an updated
	// one it lacks.
	problems []string
}

func newReplica() *replica {
	r := &replica{tables: map[string]map[string]map[string]any{}}
	for _, t := range models.SyncTables {
		r.tables[t] = map[string]map[string]any{}
	}
	return r
}

func (r *replica) apply(a pullAnswer) {
	if a.Timestamp < r.last {
		r.problems = append(r.problems, fmt.Sprintf("timestamp went back from %d to %d", r.last, a.Timestamp))
	}
	for t, c := range a.Changes {
		tab := r.tables[t]
		if a.Strategy != "replacement" {
			for _, rec := range c.Created {
				if _, ok := tab[rec["id"].(string)]; ok {
					r.problems = append(r.problems, fmt.Sprintf("%s %s sent as created, held already", t, rec["id"]))
				}
			}
			for _, rec := range c.Updated {
				if _, ok := tab[rec["id"].(string)]; !ok {
					r.problems = append(r.problems, fmt.Sprintf("%s %s sent as updated, not held", t, rec["id"]))
				}
			}
		}
		if a.Strategy == "replacement" {
			keep := map[string]bool{}
			for _, rec := range append(append([]map[string]any{}, c.Created...), c.Updated...) {
				keep[rec["id"].(string)] = true
			}
			for id := range tab {
				if !keep[id] {
					delete(tab, id)
				}
			}
		}
		for _, rec := range c.Created {
			tab[rec["id"].(string)] = rec
		}
		for _, rec := range c.Updated {
			tab[rec["id"].(string)] = rec
		}
		for _, id := range c.Deleted {
			delete(tab, id)
		}
	}
	r.last = a.Timestamp
}

// created records, as WatermelonDB does, that the device created the
// record id of table itself (and pushed it).
func (r *replica) created(table, id string) {
	r.tables[table][id] = map[string]any{"id": id}
}

// clone returns a copy of the replica.
func (r *replica) clone() *replica {
	c := newReplica()
	for t, tab := range r.tables {
		for id, rec := range tab {
			c.tables[t][id] = rec
		}
	}
	c.last = r.last
	c.problems = append([]string(nil), r.problems...)
	return c
}

// sync pulls pages until caught up.
func (r *replica) sync(e *env, token string, extra url.Values) {
	e.t.Helper()
	for i := 0; ; i++ {
		a := e.pull(token, r.last, extra)
		r.apply(a)
		if len(r.problems) > 0 {
			e.t.Fatalf("the device would log server bugs: %v", r.problems)
		}
		if !a.HasMore {
			return
		}
		if i > 100000 {
			e.t.Fatal("pulling never caught up")
		}
	}
}

// ids returns the sorted ids the replica holds of table.
func (r *replica) ids(table string) []string {
	out := []string{}
	for id := range r.tables[table] {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func sortedCopy(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}

func wantIDs(t testing.TB, what string, got, want []string) {
	t.Helper()
	got, want = sortedCopy(got), sortedCopy(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

type syncCfg = syncsvc.Config
