package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// ---------------------------------------------------------------------------
// Helpers that may run on any goroutine: they never stop the test, they
// report (t.Errorf is safe from any goroutine) or return an error.

// rsCall sends a request like e.call, checks the answer against openapi.yaml,
// and returns the status and body.
func (e *env) rsCall(t testing.TB, method, path, token string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.http.URL+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := e.http.Client().Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, nil, err
	}
	checkAgainstSpec(t, req, res, b)
	return res.StatusCode, b, nil
}

// rsPull is e.pull that returns an error instead of stopping the test.
func (e *env) rsPull(t testing.TB, token string, last int64, q url.Values) (pullAnswer, error) {
	var a pullAnswer
	v := url.Values{}
	for k, x := range q {
		v[k] = x
	}
	if last > 0 {
		v.Set("last_pulled_at", strconv.FormatInt(last, 10))
	}
	st, body, err := e.rsCall(t, "GET", "/v1/sync?"+v.Encode(), token, nil)
	if err != nil {
		return a, err
	}
	if st != http.StatusOK {
		return a, fmt.Errorf("GET /v1/sync?%s: status %d: %s", v.Encode(), st, body)
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return a, fmt.Errorf("decode pull answer: %v: %s", err, body)
	}
	for _, tab := range models.SyncTables {
		c, ok := a.Changes[tab]
		if !ok || c.Created == nil || c.Updated == nil || c.Deleted == nil {
			return a, fmt.Errorf("table %s lacks one of created/updated/deleted: %s", tab, body)
		}
	}
	if a.Timestamp <= 0 || a.Timestamp >= 1<<53 {
		return a, fmt.Errorf("timestamp %d out of range", a.Timestamp)
	}
	return a, nil
}

// rsMemberColumns are the member columns a device may receive.
var rsMemberColumns = map[string]bool{"id": true, "name": true, "role": true, "status": true,
	"created_at": true, "updated_at": true, "seq": true}

// rsCheckAnswer checks what every pull answer must satisfy, for a device
// that pulled at last: ids once per table, member records without private
// columns, continuation timestamps only between first-sync pages, a delta's
// timestamp never going back, in a follower's delta only chats they follow,
// and when all is set (a member seeing everything), a delta holding only
// changes after last up to the timestamp.
func rsCheckAnswer(a pullAnswer, last int64, follower string, all bool) error {
	firstSync := last == 0 || isContinuation(last)
	delta := !firstSync && a.Strategy == ""
	switch {
	case a.Strategy != "" && a.Strategy != "replacement":
		return fmt.Errorf("unknown strategy %q", a.Strategy)
	case last == 0 && a.Strategy != "":
		return fmt.Errorf("first sync with strategy %q", a.Strategy)
	case a.Strategy == "replacement" && a.HasMore:
		return fmt.Errorf("a replacement must be whole, not paged")
	case a.Timestamp < last:
		return fmt.Errorf("timestamp went back from %d to %d", last, a.Timestamp)
	case isContinuation(a.Timestamp) && (!a.HasMore || !firstSync || a.Strategy != ""):
		return fmt.Errorf("continuation timestamp %d answering a pull at %d (has_more %v, strategy %q)", a.Timestamp, last, a.HasMore, a.Strategy)
	}
	for _, tab := range models.SyncTables {
		c := a.Changes[tab]
		seen := map[string]bool{}
		for _, rec := range append(append([]map[string]any{}, c.Created...), c.Updated...) {
			id, ok := rec["id"].(string)
			if !ok || id == "" {
				return fmt.Errorf("%s: record without id: %v", tab, rec)
			}
			if seen[id] {
				return fmt.Errorf("%s %s: listed twice in one answer", tab, id)
			}
			seen[id] = true
			if delta && all {
				seq, _ := rec["seq"].(float64)
				// A chat is resent, unchanged, with its subscriber's change or
				// deletion (it carries the subscriber's automation pause).
				subs := a.Changes[models.TableSubscribers]
				sub, _ := rec["subscriber_id"].(string)
				resent := tab == models.TableConversations && (rsListed(subs.Updated, sub) || rsContains(subs.Deleted, sub))
				if int64(seq) > seqOf(a.Timestamp) || (int64(seq) <= seqOf(last) && !resent) {
					return fmt.Errorf("%s %s: seq %v outside the delta (%d, %d]", tab, id, rec["seq"], last, a.Timestamp)
				}
			}
			if tab == models.TableMembers {
				for k := range rec {
					if !rsMemberColumns[k] {
						return fmt.Errorf("member %s: private column %q reached the device", id, k)
					}
				}
			}
			// (A first sync's page reads the chats after the scope, so a chat
			// unfollowed in between may come, to go with the next delta.)
			if delta && follower != "" && tab == models.TableConversations && !rsContains(rsList(rec["followers"]), follower) {
				return fmt.Errorf("conversation %s reached follower %s, who does not follow it (followers %v)", id, follower, rec["followers"])
			}
		}
		for _, id := range c.Deleted {
			if seen[id] {
				return fmt.Errorf("%s %s: listed twice in one answer", tab, id)
			}
			seen[id] = true
		}
	}
	return nil
}

// rsList decodes a list column (JSON text).
func rsList(v any) []string {
	s, _ := v.(string)
	var out []string
	_ = json.Unmarshal([]byte(s), &out)
	return out
}

func rsContains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// rsDiff lists how got differs from want, record by record (columns
// named in ignore excepted), sorted; nil when they are equal.
func rsDiff(got, want *replica, ignore ...string) []string {
	skip := map[string]bool{}
	for _, k := range ignore {
		skip[k] = true
	}
	var out []string
	for _, tab := range models.SyncTables {
		g, w := got.tables[tab], want.tables[tab]
		for id, wr := range w {
			gr, ok := g[id]
			if !ok {
				out = append(out, fmt.Sprintf("%s %s: missing (want %v)", tab, id, wr))
				continue
			}
			var cols []string
			for k := range rsKeys(gr, wr) {
				if !skip[k] && !reflect.DeepEqual(gr[k], wr[k]) {
					cols = append(cols, fmt.Sprintf("%s=%v (want %v)", k, gr[k], wr[k]))
				}
			}
			if len(cols) > 0 {
				sort.Strings(cols)
				out = append(out, fmt.Sprintf("%s %s: %s", tab, id, strings.Join(cols, ", ")))
			}
		}
		for id, gr := range g {
			if _, ok := w[id]; !ok {
				out = append(out, fmt.Sprintf("%s %s: extra record %v", tab, id, gr))
			}
		}
	}
	sort.Strings(out)
	return out
}

func rsKeys(a, b map[string]any) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func rsFirst(lines []string, n int) string {
	if len(lines) > n {
		return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n... and %d more", len(lines)-n)
	}
	return strings.Join(lines, "\n")
}

// rsFresh is a new device's first sync by token (all its pages).
func (e *env) rsFresh(token string) *replica {
	e.t.Helper()
	r := newReplica()
	for i := 0; ; i++ {
		a := e.pull(token, r.last, nil)
		if err := rsCheckAnswer(a, r.last, "", false); err != nil {
			e.t.Fatal(err)
		}
		r.apply(a)
		if !a.HasMore {
			return r
		}
		if i > 1000 {
			e.t.Fatal("a first sync never ended")
		}
	}
}

// rsStampStats stamps the changed statistics buckets, as sync.Runner does
// every few seconds: until then devices hold the counts last stamped.
func (e *env) rsStampStats() {
	e.t.Helper()
	if _, err := e.db.StampDirtyStats(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

// rsRecords returns every record of an answer's table (created and updated).
func rsRecords(a pullAnswer, table string) []map[string]any {
	c := a.Changes[table]
	return append(append([]map[string]any{}, c.Created...), c.Updated...)
}

func rsHas(a pullAnswer, table, id string) bool {
	for _, r := range rsRecords(a, table) {
		if r["id"] == id {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------------------
// Holding a writer between its sequence reservation and its write.

// rsHold is a store.Options.AfterReserve hook: once armed, it holds the
// next writer to reserve a sequence until released.
type rsHold struct {
	armed   atomic.Bool
	held    chan int64
	release chan struct{}
	once    sync.Once
}

func rsNewHold() *rsHold {
	return &rsHold{held: make(chan int64, 1), release: make(chan struct{})}
}

func (h *rsHold) afterReserve(_ string, seq int64) {
	if !h.armed.CompareAndSwap(true, false) {
		return
	}
	h.held <- seq
	<-h.release
}

// wait returns the sequence of the held writer.
func (h *rsHold) wait(t testing.TB) int64 {
	t.Helper()
	select {
	case seq := <-h.held:
		return seq
	case <-time.After(30 * time.Second):
		t.Fatal("no writer reached the hold")
		return 0
	}
}

func (h *rsHold) free() { h.once.Do(func() { close(h.release) }) }

// run arms the hold and runs write in the background; the returned
// channel closes when write returns. The hold is freed, and write waited
// for, when the test ends (before the server closes).
func (h *rsHold) run(t testing.TB, write func()) <-chan struct{} {
	done := make(chan struct{})
	h.armed.Store(true)
	go func() {
		defer close(done)
		write()
	}()
	t.Cleanup(func() { h.free(); <-done })
	return done
}

// rsAllBelow fails unless every record of a has a sequence below seq.
func rsAllBelow(t testing.TB, a pullAnswer, seq int64) {
	t.Helper()
	for _, tab := range models.SyncTables {
		for _, r := range rsRecords(a, tab) {
			if s, _ := r["seq"].(float64); int64(s) >= seq {
				t.Fatalf("%s %v (seq %v) was served while the writer of %d was in flight", tab, r["id"], r["seq"], seq)
			}
		}
	}
}

// rsListed reports whether recs hold a record with id id.
func rsListed(recs []map[string]any, id any) bool {
	for _, r := range recs {
		if r["id"] == id {
			return true
		}
	}
	return false
}
