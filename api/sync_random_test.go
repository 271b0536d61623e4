package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/storetest"
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

// rsCursorBase is where first-sync continuation timestamps start (2^52):
// a paged first sync answers them until its last page, which answers the
// change sequence it started at.
const rsCursorBase = int64(1) << 52

// rsCheckAnswer checks what every pull answer must satisfy, for a device
// that pulled at last: ids once per table, member records without private
// columns, continuation timestamps only between first-sync pages, a delta's
// timestamp never going back, in a follower's delta only chats they follow,
// and when all is set (a member seeing everything), a delta holding only
// changes after last up to the timestamp.
func rsCheckAnswer(a pullAnswer, last int64, follower string, all bool) error {
	firstSync := last == 0 || last >= rsCursorBase
	delta := !firstSync && a.Strategy == ""
	switch {
	case a.Strategy != "" && a.Strategy != "replacement":
		return fmt.Errorf("unknown strategy %q", a.Strategy)
	case last == 0 && a.Strategy != "":
		return fmt.Errorf("first sync with strategy %q", a.Strategy)
	case a.Strategy == "replacement" && a.HasMore:
		return fmt.Errorf("a replacement must be whole, not paged")
	case a.Timestamp >= rsCursorBase && (!a.HasMore || !firstSync || a.Strategy != ""):
		return fmt.Errorf("continuation timestamp %d answering a pull at %d (has_more %v, strategy %q)", a.Timestamp, last, a.HasMore, a.Strategy)
	case delta && a.Timestamp < last:
		return fmt.Errorf("timestamp went back from %d to %d", last, a.Timestamp)
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
				if int64(seq) <= last || int64(seq) > a.Timestamp {
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

// TestSyncHeldWriterIsNeverSkipped holds one writer between reserving its
// sequence and writing while others commit above it: pulls must stop below
// the held sequence (a device that went past it would never get the held
// record), and once the writer finishes, the next pull from the timestamp
// given meanwhile delivers it with everything written around it.
func TestSyncHeldWriterIsNeverSkipped(t *testing.T) {
	hold := rsNewHold()
	opt := storetest.Options(t)
	opt.SeqLease = 10 * time.Minute // the held writer must not expire
	opt.AfterReserve = hold.afterReserve
	db := storetest.NewWith(t, opt)
	e := newSyncEnv(t, db, testSync)
	tm := e.team()
	ws := tm.admin.Workspace.ID
	ctx := context.Background()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	chatA := e.event(tm.key, b.ID, say("a1", "sa", "hello from A"))
	chatB := e.event(tm.key, b.ID, say("b1", "sb", "hello from B"))

	dev := newReplica()
	dev.sync(e, tm.emp1.AccessToken, nil)

	// An agent's reply is held after reserving its sequence.
	var (
		heldStatus int
		heldBody   []byte
		heldErr    error
	)
	done := make(chan struct{})
	hold.armed.Store(true)
	go func() {
		defer close(done)
		heldStatus, heldBody, heldErr = e.rsCall(t, "POST", "/v1/conversations/"+chatA.ConversationID+"/messages",
			tm.emp2.AccessToken, map[string]string{"text": "held reply"})
	}()
	t.Cleanup(func() { hold.free(); <-done }) // before the server closes
	held := hold.wait(t)

	// Others commit above it: a note, a reply, a subscriber's message and a new chat.
	r := e.call("POST", "/v1/subscribers/"+chatB.SubscriberID+"/notes", tm.emp1.AccessToken, map[string]string{"text": "note on B"})
	wantStatus(t, r, http.StatusCreated)
	var note models.Note
	r.JSON(t, &note)
	r = e.call("POST", "/v1/conversations/"+chatB.ConversationID+"/messages", tm.emp1.AccessToken, map[string]string{"text": "reply on B"})
	wantStatus(t, r, http.StatusCreated)
	var replyB models.Message
	r.JSON(t, &replyB)
	inB := e.event(tm.key, b.ID, say("b2", "sb", "more from B"))
	chatC := e.event(tm.key, b.ID, say("c1", "sc", "hello from C"))
	top, err := db.ReservedSeq(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if top <= held+3 {
		t.Fatalf("the other writers reserved up to %d only, the held writer has %d", top, held)
	}

	// Pulls meanwhile, in pages of every size, stop below the held sequence.
	heldText := func(a pullAnswer) bool {
		for _, m := range rsRecords(a, models.TableMessages) {
			if m["text"] == "held reply" {
				return true
			}
		}
		return false
	}
	for _, limit := range []int{1, 2, 3, 500} {
		last := dev.last
		for i := 0; ; i++ {
			a := e.pull(tm.emp1.AccessToken, last, url.Values{"limit": {strconv.Itoa(limit)}})
			if err := rsCheckAnswer(a, last, "", true); err != nil {
				t.Fatal(err)
			}
			if a.Timestamp >= held {
				t.Fatalf("limit %d: timestamp %d passed the held writer's sequence %d", limit, a.Timestamp, held)
			}
			rsAllBelow(t, a, held)
			if heldText(a) {
				t.Fatal("the held reply was served before it was written")
			}
			last = a.Timestamp
			if !a.HasMore {
				break
			}
			if i > 1000 {
				t.Fatal("paging never ended")
			}
		}
	}
	dev.sync(e, tm.emp1.AccessToken, nil)
	if dev.last >= held {
		t.Fatalf("device timestamp %d passed the held sequence %d", dev.last, held)
	}
	// A waiting pull cannot pass it either: it ends empty when its wait ends.
	w := e.pull(tm.emp1.AccessToken, dev.last, url.Values{"wait": {"1"}})
	if w.Timestamp >= held || !w.rsEmpty() {
		t.Fatalf("waiting pull: timestamp %d (held %d), changes %+v", w.Timestamp, held, w.Changes)
	}
	// A first sync meanwhile is stamped below it too.
	other := newReplica()
	first := e.pull(tm.admin.AccessToken, 0, nil)
	if first.Timestamp >= held {
		t.Fatalf("first sync timestamp %d passed the held sequence %d", first.Timestamp, held)
	}
	if heldText(first) {
		t.Fatal("the held reply was in a first sync before it was written")
	}
	other.apply(first)

	// The writer finishes: the next pull from the timestamp given meanwhile
	// delivers its record, and what the others wrote above it.
	hold.free()
	<-done
	if heldErr != nil || heldStatus != http.StatusCreated {
		t.Fatalf("held reply: %v status %d: %s", heldErr, heldStatus, heldBody)
	}
	var heldMsg models.Message
	if err := json.Unmarshal(heldBody, &heldMsg); err != nil {
		t.Fatal(err)
	}
	if heldMsg.Seq != held {
		t.Fatalf("held reply has seq %d, want the held %d", heldMsg.Seq, held)
	}
	a := e.pull(tm.emp1.AccessToken, dev.last, nil)
	if err := rsCheckAnswer(a, dev.last, "", true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct{ table, id string }{{models.TableMessages, heldMsg.ID}, {models.TableNotes, note.ID},
		{models.TableMessages, replyB.ID}, {models.TableMessages, inB.MessageID}, {models.TableConversations, chatC.ConversationID},
		{models.TableSubscribers, chatC.SubscriberID}, {models.TableMessages, chatC.MessageID}} {
		if !rsHas(a, want.table, want.id) {
			t.Fatalf("the pull after the release lacks %s %s: %+v", want.table, want.id, a.Changes[want.table])
		}
	}
	dev.apply(a)
	e.rsStampStats()
	dev.sync(e, tm.emp1.AccessToken, nil)
	if d := rsDiff(dev, e.rsFresh(tm.emp1.AccessToken)); d != nil {
		t.Fatalf("device differs from a first sync:\n%s", rsFirst(d, 20))
	}
	other.sync(e, tm.admin.AccessToken, nil)
	if !rsHolds(other, models.TableMessages, heldMsg.ID) {
		t.Fatal("the device that first synced while the writer was held never got its record")
	}
	if d := rsDiff(other, e.rsFresh(tm.admin.AccessToken)); d != nil {
		t.Fatalf("device that first synced meanwhile differs from a first sync:\n%s", rsFirst(d, 20))
	}
}

func rsHolds(r *replica, table, id string) bool {
	_, ok := r.tables[table][id]
	return ok
}

func (a pullAnswer) rsEmpty() bool {
	for _, c := range a.Changes {
		if len(c.Created)+len(c.Updated)+len(c.Deleted) > 0 {
			return false
		}
	}
	return true
}

// TestSyncDeadWriterStallsAtMostTheLease: a writer that reserved a sequence
// and never writes holds readers back until its lease (plus the skew
// margin) ends on the store's clock, not a moment less and not forever;
// then pulls pass it, deliver what was written above it, and the writer,
// waking late, must not land its write.
func TestSyncDeadWriterStallsAtMostTheLease(t *testing.T) {
	const lease, skew = time.Minute, 2 * time.Second
	hold := rsNewHold()
	// BSON keeps milliseconds: a clock on a millisecond makes the lease end exact.
	clock := storetest.NewClock(time.Now().Truncate(time.Millisecond))
	opt := storetest.Options(t)
	opt.Now, opt.SeqLease, opt.SeqSkew, opt.AfterReserve = clock.Now, lease, skew, hold.afterReserve
	db := storetest.NewWith(t, opt)
	e := newSyncEnv(t, db, testSync)
	tm := e.team()
	ws := tm.admin.Workspace.ID
	ctx := context.Background()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	chat := e.event(tm.key, b.ID, say("a1", "sa", "hello"))

	dev := newReplica()
	dev.sync(e, tm.emp1.AccessToken, nil)
	before := dev.last

	// The dead writer: a note that reserves its sequence and hangs.
	var deadErr error
	done := make(chan struct{})
	hold.armed.Store(true)
	go func() {
		defer close(done)
		deadErr = db.CreateNote(context.Background(), ws, &models.Note{ID: "dead-note", SubscriberID: chat.SubscriberID,
			AuthorID: tm.emp1.Member.ID, Text: "never lands"})
	}()
	t.Cleanup(func() { hold.free(); <-done })
	dead := hold.wait(t)

	// Later writes.
	r := e.call("POST", "/v1/subscribers/"+chat.SubscriberID+"/notes", tm.emp1.AccessToken, map[string]string{"text": "later note"})
	wantStatus(t, r, http.StatusCreated)
	var later models.Note
	r.JSON(t, &later)
	r = e.call("POST", "/v1/conversations/"+chat.ConversationID+"/messages", tm.emp2.AccessToken, map[string]string{"text": "later reply"})
	wantStatus(t, r, http.StatusCreated)
	var reply models.Message
	r.JSON(t, &reply)
	top, err := db.ReservedSeq(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if top <= dead {
		t.Fatalf("later writes reserved up to %d, the dead writer %d", top, dead)
	}

	stalled := func(when string) {
		t.Helper()
		a := e.pull(tm.emp1.AccessToken, before, nil)
		if err := rsCheckAnswer(a, before, "", true); err != nil {
			t.Fatal(err)
		}
		if a.Timestamp >= dead {
			t.Fatalf("%s: timestamp %d passed the dead writer's sequence %d", when, a.Timestamp, dead)
		}
		rsAllBelow(t, a, dead)
	}
	stalled("at once")
	clock.Advance(lease)
	stalled("at the lease end")
	clock.Advance(skew - time.Millisecond)
	stalled("a millisecond before the lease end plus skew")

	clock.Advance(time.Millisecond)
	a := e.pull(tm.emp1.AccessToken, before, nil)
	if err := rsCheckAnswer(a, before, "", true); err != nil {
		t.Fatal(err)
	}
	if a.Timestamp < top {
		t.Fatalf("past the lease: timestamp %d, want at least %d (the dead writer had %d)", a.Timestamp, top, dead)
	}
	if !rsHas(a, models.TableNotes, later.ID) || !rsHas(a, models.TableMessages, reply.ID) {
		t.Fatalf("past the lease the later writes are not delivered: notes %+v messages %+v", a.Changes[models.TableNotes], a.Changes[models.TableMessages])
	}
	if rsHas(a, models.TableNotes, "dead-note") {
		t.Fatal("the dead writer's note was delivered")
	}
	dev.apply(a)

	// The writer wakes after readers passed it: its write must not land.
	hold.free()
	<-done
	if deadErr == nil {
		t.Fatal("a write whose lease ended was accepted")
	}
	if _, err := db.Note(ctx, ws, "dead-note"); !models.IsNotFound(err) {
		t.Fatalf("the expired writer's note: %v, want not found", err)
	}
	// Writes go on and reach the device.
	r = e.call("POST", "/v1/conversations/"+chat.ConversationID+"/messages", tm.emp2.AccessToken, map[string]string{"text": "after"})
	wantStatus(t, r, http.StatusCreated)
	var after models.Message
	r.JSON(t, &after)
	e.rsStampStats()
	dev.sync(e, tm.emp1.AccessToken, nil)
	if !rsHolds(dev, models.TableMessages, after.ID) || rsHolds(dev, models.TableNotes, "dead-note") {
		t.Fatalf("device after the lease: messages %v notes %v", dev.ids(models.TableMessages), dev.ids(models.TableNotes))
	}
	if d := rsDiff(dev, e.rsFresh(tm.emp1.AccessToken)); d != nil {
		t.Fatalf("device differs from a first sync:\n%s", rsFirst(d, 20))
	}
}

// ---------------------------------------------------------------------------
// Randomised convergence.

// rsSeed is the base seed of the randomised rounds: SWITCHBOARD_SYNC_SEED
// replays a failed run (the seed is in the failing subtest's name).
func rsSeed(t *testing.T) int64 {
	if s := os.Getenv("SWITCHBOARD_SYNC_SEED"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("SWITCHBOARD_SYNC_SEED: %v", err)
		}
		return n
	}
	return time.Now().UnixNano() % 1_000_000_000
}

// TestSyncRandomisedConvergence runs writers making random changes across
// every synced table through the HTTP API (subscriber events with the API
// key, replies, message deletes, notes, tags, assignment, followers,
// close/reopen/read/open, mute, links, deals, subscriber edits, deletes
// and revivals, member renames and role changes, pipeline and bot edits)
// with statistics stamped as sync.Runner does, while devices of an admin,
// an employee, a follower and a member whose role flips pull concurrently
// in pages of random sizes (1..50), sometimes waiting, sometimes pushing,
// sometimes starting over. Every answer is checked on the way. Once the
// writers stop, every device that catches up must hold exactly what a new
// device's first sync holds, record by record, at the same timestamp; and
// each first sync must hold what its role may see of the admin's: a
// follower exactly the chats they follow, with their records.
func TestSyncRandomisedConvergence(t *testing.T) {
	base := rsSeed(t)
	// Five rounds in CI (about a minute under -race on two cores);
	// SWITCHBOARD_SYNC_ROUNDS runs more, for a soak.
	rounds := 5
	if s := os.Getenv("SWITCHBOARD_SYNC_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("SWITCHBOARD_SYNC_ROUNDS=%q: want a positive integer", s)
		}
		rounds = n
	}
	for i := 0; i < rounds; i++ {
		seed := base + int64(i)
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Logf("replay with SWITCHBOARD_SYNC_SEED=%d (goroutine interleavings still vary)", seed)
			rsRound(t, seed)
		})
	}
}

type rsChat struct{ conv, sub, ext string }

// rsWorld is what the writers know of the workspace, to aim their changes.
type rsWorld struct {
	mu     sync.Mutex
	chats  []rsChat
	exts   map[string]bool
	notes  map[string]string // id -> author
	deals  []string
	msgs   [][2]string // deletable messages: conversation, id
	events int
}

func (w *rsWorld) chat(r *rand.Rand) (rsChat, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.chats) == 0 {
		return rsChat{}, false
	}
	return w.chats[r.Intn(len(w.chats))], true
}

func (w *rsWorld) addChat(c rsChat) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c.conv == "" || w.exts[c.ext] {
		return
	}
	w.exts[c.ext] = true
	w.chats = append(w.chats, c)
}

func (w *rsWorld) pick(r *rand.Rand, list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[r.Intn(len(list))]
}

type rsRun struct {
	t      *testing.T
	e      *env
	tm     team
	flip   tokens
	bot    string
	pl     models.Pipeline
	w      *rsWorld
	agents []tokens

	mu       sync.Mutex
	outcomes map[string]map[int]int // action -> status -> count
}

// do runs one write and checks its status: 5xx is a failure; 404 and 409
// are what concurrent writers cause each other (a note deleted meanwhile, a
// chat closed twice), and 400 is allowed only where a concurrent change
// makes the request invalid.
func (x *rsRun) do(action, method, path, token string, body any) (int, []byte) {
	st, b, err := x.e.rsCall(x.t, method, path, token, body)
	if err != nil {
		x.t.Errorf("%s %s %s: %v", action, method, path, err)
		return 0, nil
	}
	x.mu.Lock()
	if x.outcomes[action] == nil {
		x.outcomes[action] = map[int]int{}
	}
	x.outcomes[action][st]++
	x.mu.Unlock()
	ok := st < 300 || st == http.StatusNotFound || st == http.StatusConflict ||
		st == http.StatusBadRequest && rsMayBeInvalid[action]
	if !ok {
		x.t.Errorf("%s: %s %s -> %d: %s", action, method, path, st, b)
	}
	return st, b
}

// rsMayBeInvalid are the writes a concurrent change can make invalid.
var rsMayBeInvalid = map[string]bool{
	"deal": true, // its subscriber or chat was deleted meanwhile
}

func (x *rsRun) text(r *rand.Rand) string { return fmt.Sprintf("t%d", r.Intn(1_000_000)) }

func (x *rsRun) agent(r *rand.Rand) tokens { return x.agents[r.Intn(len(x.agents))] }

// write makes one random change.
func (x *rsRun) write(r *rand.Rand, writer int) {
	w := x.w
	who := x.agent(r)
	c, haveChat := w.chat(r)
	switch n := r.Intn(100); {
	case n < 18 || !haveChat: // a subscriber (or the bot engine) reports an event
		w.mu.Lock()
		w.events++
		id := fmt.Sprintf("ev%d-%d", writer, w.events)
		ext := fmt.Sprintf("s%d", w.events)
		if len(w.chats) > 0 && (len(w.chats) >= 5 || r.Intn(4) > 0) {
			ext = w.chats[r.Intn(len(w.chats))].ext
		}
		w.mu.Unlock()
		var ev map[string]any
		switch r.Intn(10) {
		case 0:
			ev = openChat(id, ext)
		case 1:
			ev = map[string]any{"id": id, "type": "subscribed", "subscriber": map[string]any{"id": ext, "name": "Sub " + x.text(r)}}
		default:
			ev = say(id, ext, x.text(r))
		}
		st, body := x.do("event", "POST", "/v1/bots/"+x.bot+"/events", x.tm.key, ev)
		if st == http.StatusOK {
			var res eventResult
			if err := json.Unmarshal(body, &res); err == nil {
				w.addChat(rsChat{conv: res.ConversationID, sub: res.SubscriberID, ext: ext})
				w.mu.Lock()
				for _, m := range res.Replies {
					w.msgs = append(w.msgs, [2]string{res.ConversationID, m.ID})
				}
				w.mu.Unlock()
			}
		}
	case n < 26:
		st, body := x.do("reply", "POST", "/v1/conversations/"+c.conv+"/messages", who.AccessToken, map[string]string{"text": x.text(r)})
		var m models.Message
		if st == http.StatusCreated && json.Unmarshal(body, &m) == nil {
			w.mu.Lock()
			w.msgs = append(w.msgs, [2]string{c.conv, m.ID})
			w.mu.Unlock()
		}
	case n < 30:
		w.mu.Lock()
		var m [2]string
		if len(w.msgs) > 0 {
			m = w.msgs[r.Intn(len(w.msgs))]
		}
		w.mu.Unlock()
		if m[1] != "" {
			x.do("delete message", "DELETE", "/v1/conversations/"+m[0]+"/messages/"+m[1], who.AccessToken, nil)
		}
	case n < 38:
		st, body := x.do("note", "POST", "/v1/subscribers/"+c.sub+"/notes", who.AccessToken, map[string]string{"text": x.text(r)})
		var note models.Note
		if st == http.StatusCreated && json.Unmarshal(body, &note) == nil {
			w.mu.Lock()
			w.notes[note.ID] = note.AuthorID
			w.mu.Unlock()
		}
	case n < 46:
		w.mu.Lock()
		var id, author string
		for id, author = range w.notes { // map order is random enough
			break
		}
		w.mu.Unlock()
		if id == "" {
			return
		}
		token := x.tm.admin.AccessToken
		for _, a := range x.agents {
			if a.Member.ID == author && r.Intn(2) == 0 {
				token = a.AccessToken
			}
		}
		if r.Intn(3) == 0 {
			if st, _ := x.do("delete note", "DELETE", "/v1/notes/"+id, token, nil); st == http.StatusNoContent || st == http.StatusNotFound {
				w.mu.Lock()
				delete(w.notes, id)
				w.mu.Unlock()
			}
		} else {
			x.do("edit note", "PATCH", "/v1/notes/"+id, token, map[string]string{"text": x.text(r)})
		}
	case n < 49:
		tags := []string{}
		for _, tag := range []string{"vip", "lead", "spam", "later"} {
			if r.Intn(2) == 0 {
				tags = append(tags, tag)
			}
		}
		x.do("tags", "PUT", "/v1/conversations/"+c.conv+"/tags", who.AccessToken, map[string]any{"tags": tags})
	case n < 52:
		var to any
		if k := r.Intn(len(x.agents) + 1); k < len(x.agents) {
			to = x.agents[k].Member.ID
		}
		x.do("assign", "PUT", "/v1/conversations/"+c.conv+"/assignee", who.AccessToken, map[string]any{"member_id": to})
	case n < 66: // mostly followers, whose devices' scope changes
		m := x.tm.follower.Member.ID
		switch r.Intn(4) {
		case 0:
			m = x.tm.emp2.Member.ID
		case 1:
			m = x.flip.Member.ID
		}
		method := "PUT"
		if r.Intn(2) == 0 {
			method = "DELETE"
		}
		x.do("follow", method, "/v1/conversations/"+c.conv+"/followers/"+m, who.AccessToken, nil)
	case n < 70:
		verb := []string{"close", "reopen", "read"}[r.Intn(3)]
		x.do(verb, "POST", "/v1/conversations/"+c.conv+"/"+verb, who.AccessToken, nil)
	case n < 72:
		x.do("open", "POST", "/v1/conversations", who.AccessToken, map[string]string{"subscriber_id": c.sub})
	case n < 74:
		method := "PUT"
		if r.Intn(2) == 0 {
			method = "DELETE"
		}
		x.do("mute", method, "/v1/conversations/"+c.conv+"/mute", who.AccessToken, nil)
	case n < 75:
		x.do("links", "PUT", "/v1/conversations/"+c.conv+"/links", who.AccessToken,
			map[string]any{"links": []map[string]string{{"kind": "task", "ref": x.text(r), "title": "T"}}})
	case n < 79:
		body := map[string]any{"pipeline_id": x.pl.ID, "name": "Deal " + x.text(r), "amount": float64(r.Intn(1000))}
		if r.Intn(2) == 0 {
			body["subscriber_id"] = c.sub
		} else {
			body["conversation_id"] = c.conv
		}
		if r.Intn(2) == 0 {
			body["stage_id"] = x.pl.Stages[r.Intn(len(x.pl.Stages))].ID
		}
		st, b := x.do("deal", "POST", "/v1/deals", who.AccessToken, body)
		var d models.Deal
		if st == http.StatusCreated && json.Unmarshal(b, &d) == nil {
			w.mu.Lock()
			w.deals = append(w.deals, d.ID)
			w.mu.Unlock()
		}
	case n < 83:
		w.mu.Lock()
		id := w.pick(r, w.deals)
		w.mu.Unlock()
		if id == "" {
			return
		}
		if r.Intn(3) == 0 {
			x.do("delete deal", "DELETE", "/v1/deals/"+id, who.AccessToken, nil)
		} else {
			x.do("edit deal", "PATCH", "/v1/deals/"+id, who.AccessToken, map[string]any{
				"stage_id": x.pl.Stages[r.Intn(len(x.pl.Stages))].ID, "amount": float64(r.Intn(1000))})
		}
	case n < 87:
		edit := map[string]any{"first_name": x.text(r)}
		if r.Intn(2) == 0 {
			edit["tags"] = []string{x.text(r)}
		}
		if r.Intn(2) == 0 {
			edit["variables"] = map[string]string{"k" + strconv.Itoa(r.Intn(3)): x.text(r)}
		}
		x.do("edit subscriber", "PATCH", "/v1/subscribers/"+c.sub, who.AccessToken, edit)
	case n < 90:
		// The subscriber's next event brings them back as new.
		x.do("delete subscriber", "DELETE", "/v1/subscribers/"+c.sub, who.AccessToken, nil)
	case n < 91:
		method := "PUT"
		if r.Intn(2) == 0 {
			method = "DELETE"
		}
		x.do("disable", method, "/v1/subscribers/"+c.sub+"/disabled", who.AccessToken, nil)
	case n < 93:
		m := []tokens{x.tm.emp1, x.tm.emp2, x.tm.follower}[r.Intn(3)]
		x.do("rename member", "PATCH", "/v1/members/"+m.Member.ID, x.tm.admin.AccessToken, map[string]string{"name": "M " + x.text(r)})
	case n < 98:
		role := []string{"employee", "follower"}[r.Intn(2)]
		x.do("flip role", "PATCH", "/v1/members/"+x.flip.Member.ID, x.tm.admin.AccessToken, map[string]string{"role": role})
	case n < 99:
		x.do("rename pipeline", "PATCH", "/v1/pipelines/"+x.pl.ID, x.tm.admin.AccessToken, map[string]string{"name": "P " + x.text(r)})
	default:
		x.do("edit bot", "PATCH", "/v1/bots/"+x.bot, x.tm.admin.AccessToken, map[string]string{"greeting": "Hi " + x.text(r)})
	}
}

// rsDevice is one app install pulling for a member.
type rsDevice struct {
	name     string
	tk       tokens
	follower bool
	rep      *replica
	pulls    int
	resets   int
	pushes   map[int]int
}

// pull pulls one page of a random size and applies it.
func (d *rsDevice) pull(x *rsRun, r *rand.Rand, wait bool) (pullAnswer, error) {
	q := url.Values{"limit": {strconv.Itoa(1 + r.Intn(50))}}
	if wait {
		q.Set("wait", "1")
	}
	a, err := x.e.rsPull(x.t, d.tk.AccessToken, d.rep.last, q)
	if err != nil {
		return a, fmt.Errorf("%s: %v", d.name, err)
	}
	fol := ""
	if d.follower {
		fol = d.tk.Member.ID
	}
	// A member whose role flips may be a follower: their delta may carry
	// the current records of chats they gained.
	all := !d.follower && d.tk.Member.ID != x.flip.Member.ID
	if err := rsCheckAnswer(a, d.rep.last, fol, all); err != nil {
		return a, fmt.Errorf("%s pulling at %d: %v", d.name, d.rep.last, err)
	}
	d.rep.apply(a)
	d.pulls++
	return a, nil
}

// push sends a random offline change from the device's replica: a note or
// a message with the app's own id, or a chat's read mark, mute and tags.
func (d *rsDevice) push(x *rsRun, r *rand.Rand, n int) {
	if d.rep.last == 0 {
		return
	}
	pick := func(table string) map[string]any {
		ids := d.rep.ids(table)
		if len(ids) == 0 {
			return nil
		}
		return d.rep.tables[table][ids[r.Intn(len(ids))]]
	}
	changes := map[string]any{}
	empty := []any{}
	switch k := r.Intn(4); {
	case k == 0 && !d.follower:
		sub := pick(models.TableSubscribers)
		if sub == nil {
			return
		}
		changes[models.TableNotes] = map[string]any{"created": []map[string]any{{"id": fmt.Sprintf("%s-n%d", d.name, n),
			"subscriber_id": sub["id"], "text": x.text(r)}}, "updated": empty, "deleted": empty}
	case k == 1 && !d.follower:
		conv := pick(models.TableConversations)
		if conv == nil {
			return
		}
		changes[models.TableMessages] = map[string]any{"created": []map[string]any{{"id": fmt.Sprintf("%s-m%d", d.name, n),
			"conversation_id": conv["id"], "text": x.text(r)}}, "updated": empty, "deleted": empty}
	default:
		conv := pick(models.TableConversations)
		if conv == nil {
			return
		}
		rec := map[string]any{"id": conv["id"], "unread": false, "muted": r.Intn(2) == 0}
		if !d.follower && r.Intn(2) == 0 {
			rec["tags"] = fmt.Sprintf(`["pushed-%d"]`, r.Intn(3))
		}
		changes[models.TableConversations] = map[string]any{"created": empty, "updated": []map[string]any{rec}, "deleted": empty}
	}
	st, body, err := x.e.rsCall(x.t, "POST", "/v1/sync?last_pulled_at="+strconv.FormatInt(d.rep.last, 10), d.tk.AccessToken,
		map[string]any{"changes": changes})
	if err != nil {
		x.t.Errorf("%s push: %v", d.name, err)
		return
	}
	d.pushes[st]++
	// 409: something changed on the server after the device's last pull;
	// 400: a record it names is gone or out of its reach by now; 403: the
	// member whose role flips may be a follower by now.
	forbidden := st == http.StatusForbidden && d.tk.Member.ID == x.flip.Member.ID
	if st != http.StatusOK && st != http.StatusConflict && st != http.StatusBadRequest && !forbidden {
		x.t.Errorf("%s push: status %d: %s", d.name, st, body)
	}
}

// rsRound is one randomised run on a fresh workspace.
func rsRound(t *testing.T, seed int64) {
	const (
		writers = 3
		writes  = 25 // per writer, at most
		// budget bounds the writing phase (the embedded FerretDB under the
		// race detector is slow, and slower on a busy machine); it only
		// sizes the round, it decides nothing.
		budget    = 8 * time.Second
		stampIval = 100 * time.Millisecond
	)
	start := time.Now()
	e := newEnv(t)
	tm := e.team()
	// flip is a member whose role the writers switch between employee and
	// follower: their device gets a replacement at each switch.
	flip := e.member(tm.admin.AccessToken, "flip@example.com", models.RoleEmployee)
	r := e.call("POST", "/v1/pipelines", tm.admin.AccessToken, map[string]any{"name": "Sales",
		"stages": []map[string]string{{"name": "New"}, {"name": "Talk"}, {"name": "Won"}}})
	wantStatus(t, r, http.StatusCreated)
	var pl models.Pipeline
	r.JSON(t, &pl)
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG", "queue": ids(tm.emp1, tm.emp2),
		"pipeline_id": pl.ID, "greeting": "Hello"})
	x := &rsRun{t: t, e: e, tm: tm, flip: flip, bot: b.ID, pl: pl, agents: []tokens{tm.admin, tm.emp1, tm.emp2},
		w: &rsWorld{exts: map[string]bool{}, notes: map[string]string{}}, outcomes: map[string]map[int]int{}}
	// A chat the follower follows from the start.
	first := e.event(tm.key, b.ID, say("ev-first", "s-first", "hi"))
	x.w.addChat(rsChat{conv: first.ConversationID, sub: first.SubscriberID, ext: "s-first"})
	wantStatus(t, e.call("PUT", "/v1/conversations/"+first.ConversationID+"/followers/"+tm.follower.Member.ID, tm.admin.AccessToken, nil), http.StatusOK)

	devices := []*rsDevice{
		{name: "admin", tk: tm.admin},
		{name: "emp1", tk: tm.emp1},
		{name: "follower", tk: tm.follower, follower: true},
		{name: "flip", tk: flip},
	}
	for _, d := range devices {
		d.rep, d.pushes = newReplica(), map[int]int{}
	}

	t.Logf("setup: %s", time.Since(start))
	start = time.Now()
	deadline := start.Add(budget)
	var stopped atomic.Bool
	var wg, readers sync.WaitGroup
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed*100 + int64(i)))
			for n := 0; n < writes && time.Now().Before(deadline) && !t.Failed(); n++ {
				x.write(rng, i)
			}
		}(i)
	}
	for i, d := range devices {
		readers.Add(1)
		go func(i int, d *rsDevice) {
			defer readers.Done()
			rng := rand.New(rand.NewSource(seed*100 + 50 + int64(i)))
			for n := 0; !stopped.Load() && !t.Failed(); n++ {
				switch k := rng.Intn(100); {
				case k < 3: // the app is reinstalled: a first sync mid-stream
					d.rep = newReplica()
					d.resets++
				case k < 15:
					d.push(x, rng, n)
					continue
				}
				a, err := d.pull(x, rng, rng.Intn(10) == 0)
				if err != nil {
					t.Error(err)
					return
				}
				if !a.HasMore {
					time.Sleep(time.Duration(10+rng.Intn(50)) * time.Millisecond)
				}
			}
		}(i, d)
	}
	// The statistics stamper, as sync.Runner runs it.
	readers.Add(1)
	go func() {
		defer readers.Done()
		for !stopped.Load() {
			if _, err := e.db.StampDirtyStats(context.Background()); err != nil {
				t.Errorf("stamp statistics: %v", err)
				return
			}
			time.Sleep(stampIval)
		}
	}()
	wg.Wait()
	stopped.Store(true)
	readers.Wait()
	x.mu.Lock()
	t.Logf("writes (%s): %v", time.Since(start), x.outcomes)
	start = time.Now()
	x.mu.Unlock()
	if t.Failed() {
		return
	}
	e.rsStampStats()

	// Every device catches up and holds exactly what a first sync holds.
	rng := rand.New(rand.NewSource(seed))
	fresh := map[string]*replica{}
	for _, d := range devices {
		for i := 0; ; i++ {
			a, err := d.pull(x, rng, false)
			if err != nil {
				t.Fatal(err)
			}
			if !a.HasMore {
				break
			}
			if i > 100000 {
				t.Fatalf("%s never caught up", d.name)
			}
		}
		t.Logf("%s: %d pulls, %d resets, pushes %v, %d messages, %d conversations", d.name, d.pulls, d.resets, d.pushes,
			len(d.rep.tables[models.TableMessages]), len(d.rep.tables[models.TableConversations]))
		want := fresh[d.tk.Member.ID]
		if want == nil {
			want = e.rsFresh(d.tk.AccessToken)
			fresh[d.tk.Member.ID] = want
		}
		if d.rep.last != want.last {
			t.Errorf("%s: caught up at %d, a first sync is at %d", d.name, d.rep.last, want.last)
		}
		if diff := rsDiff(d.rep, want); diff != nil {
			t.Errorf("%s (seed %d): the device differs from a first sync:\n%s", d.name, seed, rsFirst(diff, 30))
		}
	}
	t.Logf("catch-up and comparison: %s", time.Since(start))
	// The admin's and the employee's views differ only in their own mute.
	if diff := rsDiff(fresh[tm.emp1.Member.ID], fresh[tm.admin.Member.ID], "muted"); diff != nil {
		t.Errorf("employee and admin see different data:\n%s", rsFirst(diff, 30))
	}
	// A follower holds exactly the chats they follow, with their records;
	// anyone else everything.
	all := fresh[tm.admin.Member.ID]
	for id, rep := range fresh {
		role := all.tables[models.TableMembers][id]["role"]
		want := map[string][]string{}
		if role == string(models.RoleFollower) {
			want = rsFollowerView(all, id)
		} else {
			for _, tab := range models.SyncTables {
				want[tab] = all.ids(tab)
			}
		}
		for _, tab := range models.SyncTables {
			wantIDs := append([]string{}, want[tab]...)
			sort.Strings(wantIDs)
			if got := rep.ids(tab); fmt.Sprint(got) != fmt.Sprint(wantIDs) {
				t.Errorf("%s %s's first sync: %s %v, want %v", role, id, tab, got, wantIDs)
			}
		}
	}
}

// rsFollowerView is what a follower may see of the whole dataset all: the
// workspace-wide tables, and the chats they follow with their subscribers,
// messages, notes and deals.
func rsFollowerView(all *replica, follower string) map[string][]string {
	out := map[string][]string{}
	convs, subs := map[string]bool{}, map[string]bool{}
	for id, c := range all.tables[models.TableConversations] {
		if rsContains(rsList(c["followers"]), follower) {
			convs[id] = true
			subs[c["subscriber_id"].(string)] = true
			out[models.TableConversations] = append(out[models.TableConversations], id)
		}
	}
	for _, tab := range []string{models.TableBots, models.TableMembers, models.TablePipelines, models.TableBotStats} {
		out[tab] = all.ids(tab)
	}
	for id := range all.tables[models.TableSubscribers] {
		if subs[id] {
			out[models.TableSubscribers] = append(out[models.TableSubscribers], id)
		}
	}
	for id, m := range all.tables[models.TableMessages] {
		if convs[m["conversation_id"].(string)] {
			out[models.TableMessages] = append(out[models.TableMessages], id)
		}
	}
	for _, tab := range []string{models.TableNotes, models.TableDeals} {
		for id, rec := range all.tables[tab] {
			if s, _ := rec["subscriber_id"].(string); s != "" && subs[s] {
				out[tab] = append(out[tab], id)
			}
		}
	}
	return out
}

// TestSyncFollowerLearnsDeletesInAChatItLost is the smallest case the
// randomised test found: a record of a followed chat is deleted, then the
// follower is removed from the chat, and only then does the follower's
// device pull. The device must end with nothing of the chat, the deleted
// record included.
func TestSyncFollowerLearnsDeletesInAChatItLost(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	chat := e.event(tm.key, b.ID, say("a1", "sa", "hello"))
	other := e.event(tm.key, b.ID, say("b1", "sb", "hello"))
	for _, c := range []string{chat.ConversationID, other.ConversationID} {
		wantStatus(t, e.call("PUT", "/v1/conversations/"+c+"/followers/"+tm.follower.Member.ID, tm.admin.AccessToken, nil), http.StatusOK)
	}
	r := e.call("POST", "/v1/subscribers/"+chat.SubscriberID+"/notes", tm.emp1.AccessToken, map[string]string{"text": "a note"})
	wantStatus(t, r, http.StatusCreated)
	var note models.Note
	r.JSON(t, &note)
	r = e.call("POST", "/v1/conversations/"+chat.ConversationID+"/messages", tm.emp1.AccessToken, map[string]string{"text": "a reply"})
	wantStatus(t, r, http.StatusCreated)
	var reply models.Message
	r.JSON(t, &reply)

	for _, limit := range []string{"1", "500"} {
		dev := newReplica()
		dev.sync(e, tm.follower.AccessToken, nil)
		if !rsHolds(dev, models.TableNotes, note.ID) || !rsHolds(dev, models.TableMessages, reply.ID) {
			t.Fatalf("the follower's device lacks the note or the reply of a chat it follows")
		}
		// Deleted, then the chat is lost, before the device pulls again.
		wantStatus(t, e.call("DELETE", "/v1/notes/"+note.ID, tm.emp1.AccessToken, nil), http.StatusNoContent)
		wantStatus(t, e.call("DELETE", "/v1/conversations/"+chat.ConversationID+"/messages/"+reply.ID, tm.emp1.AccessToken, nil), http.StatusNoContent)
		wantStatus(t, e.call("DELETE", "/v1/conversations/"+chat.ConversationID+"/followers/"+tm.follower.Member.ID, tm.admin.AccessToken, nil), http.StatusOK)
		e.rsStampStats()
		dev.sync(e, tm.follower.AccessToken, url.Values{"limit": {limit}})
		if d := rsDiff(dev, e.rsFresh(tm.follower.AccessToken)); d != nil {
			t.Errorf("limit %s: the follower's device differs from a first sync:\n%s", limit, rsFirst(d, 20))
		}
		// Again with new records, for the next page size.
		wantStatus(t, e.call("PUT", "/v1/conversations/"+chat.ConversationID+"/followers/"+tm.follower.Member.ID, tm.admin.AccessToken, nil), http.StatusOK)
		r = e.call("POST", "/v1/subscribers/"+chat.SubscriberID+"/notes", tm.emp1.AccessToken, map[string]string{"text": "a note"})
		wantStatus(t, r, http.StatusCreated)
		r.JSON(t, &note)
		r = e.call("POST", "/v1/conversations/"+chat.ConversationID+"/messages", tm.emp1.AccessToken, map[string]string{"text": "a reply"})
		wantStatus(t, r, http.StatusCreated)
		r.JSON(t, &reply)
	}
}

// TestSyncRoleChangeDuringAWaitingPull changes a member's role while their
// device's pull waits for changes. The role change wakes the pull; the
// device must then end with what a first sync in the new role holds: as a
// follower nothing of chats they do not follow, as an employee every chat.
func TestSyncRoleChangeDuringAWaitingPull(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	e.event(tm.key, b.ID, say("a1", "sa", "hello"))
	e.event(tm.key, b.ID, say("b1", "sb", "hello"))
	m := tm.emp2
	for _, role := range []models.Role{models.RoleFollower, models.RoleEmployee} {
		dev := newReplica()
		dev.sync(e, m.AccessToken, nil)
		var (
			a   pullAnswer
			err error
		)
		done := make(chan struct{})
		before, _ := e.hub.Waiting()
		go func() {
			defer close(done)
			a, err = e.rsPull(t, m.AccessToken, dev.last, url.Values{"wait": {"20"}})
		}()
		for i := 0; ; i++ {
			if n, _ := e.hub.Waiting(); n > before {
				break
			}
			if i > 20000 {
				t.Fatal("the pull never started waiting")
			}
			time.Sleep(time.Millisecond)
		}
		wantStatus(t, e.call("PATCH", "/v1/members/"+m.Member.ID, tm.admin.AccessToken, map[string]string{"role": string(role)}), http.StatusOK)
		<-done
		if err != nil {
			t.Fatal(err)
		}
		dev.apply(a)
		e.rsStampStats()
		dev.sync(e, m.AccessToken, nil)
		if d := rsDiff(dev, e.rsFresh(m.AccessToken)); d != nil {
			t.Errorf("became %s during a waiting pull: the device differs from a first sync:\n%s", role, rsFirst(d, 20))
		}
	}
}

// TestSyncPushToAChatWhoseSubscriberIsGone pushes, with a tag change of one
// chat, a message to another chat whose subscriber was deleted before the
// push (the randomised test's devices do this). POST /v1/sync promises that
// every record is checked before anything is applied and that a bad record
// is a 400 naming it, nothing applied. A 409 ("pull, then push again") is
// wrong here: nothing changed meanwhile, and the same push fails the same
// way after every pull, so a device would retry it forever.
func TestSyncPushToAChatWhoseSubscriberIsGone(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	gone := e.event(tm.key, b.ID, say("a1", "sa", "hello"))
	kept := e.event(tm.key, b.ID, say("b1", "sb", "hello"))
	wantStatus(t, e.call("DELETE", "/v1/subscribers/"+gone.SubscriberID, tm.emp1.AccessToken, nil), http.StatusNoContent)
	dev := newReplica()
	dev.sync(e, tm.emp1.AccessToken, nil)
	none := []any{}
	push := map[string]any{"changes": map[string]any{
		models.TableConversations: map[string]any{"created": none, "deleted": none,
			"updated": []map[string]any{{"id": kept.ConversationID, "tags": `["pushed"]`}}},
		models.TableMessages: map[string]any{"updated": none, "deleted": none,
			"created": []map[string]any{{"id": "pushed-msg", "conversation_id": gone.ConversationID, "text": "hi"}}},
	}}
	r := e.call("POST", "/v1/sync?last_pulled_at="+strconv.FormatInt(dev.last, 10), tm.emp1.AccessToken, push)
	if r.StatusCode != http.StatusBadRequest {
		t.Errorf("push: status %d, want 400 naming the message: %s", r.StatusCode, r.Body)
	}
	if tags := e.conv(tm.emp1.AccessToken, kept.ConversationID).Tags; len(tags) != 0 {
		t.Errorf("the push was refused, yet its tag change was applied: tags %v", tags)
	}
	// What the app does next: pull, then push the same again.
	dev.sync(e, tm.emp1.AccessToken, nil)
	r = e.call("POST", "/v1/sync?last_pulled_at="+strconv.FormatInt(dev.last, 10), tm.emp1.AccessToken, push)
	if r.StatusCode == http.StatusConflict {
		t.Errorf("the same push after a pull: 409 again, so the app would pull and push forever: %s", r.Body)
	}
}

// TestSyncPushRacingADelete holds a push between its check and its first
// write while another member deletes the subscriber a later record of the
// push names (the randomised test's devices run into this). The answer
// must still be one POST /v1/sync documents (400 or 409), not the inbox's
// 404 for the record that went away meanwhile.
func TestSyncPushRacingADelete(t *testing.T) {
	hold := rsNewHold()
	opt := storetest.Options(t)
	opt.SeqLease = 10 * time.Minute
	opt.AfterReserve = hold.afterReserve
	e := newSyncEnv(t, storetest.NewWith(t, opt), testSync)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	chatA := e.event(tm.key, b.ID, say("a1", "sa", "hello"))
	chatB := e.event(tm.key, b.ID, say("b1", "sb", "hello"))
	dev := newReplica()
	dev.sync(e, tm.emp1.AccessToken, nil)
	none := []any{}
	push := map[string]any{"changes": map[string]any{
		models.TableConversations: map[string]any{"created": none, "deleted": none,
			"updated": []map[string]any{{"id": chatA.ConversationID, "tags": `["pushed"]`}}},
		models.TableNotes: map[string]any{"updated": none, "deleted": none,
			"created": []map[string]any{{"id": "pushed-note", "subscriber_id": chatB.SubscriberID, "text": "hi"}}},
	}}
	var (
		st   int
		body []byte
		err  error
	)
	done := make(chan struct{})
	hold.armed.Store(true)
	go func() {
		defer close(done)
		st, body, err = e.rsCall(t, "POST", "/v1/sync?last_pulled_at="+strconv.FormatInt(dev.last, 10), tm.emp1.AccessToken, push)
	}()
	t.Cleanup(func() { hold.free(); <-done })
	hold.wait(t) // the push checked every record and is writing the first
	wantStatus(t, e.call("DELETE", "/v1/subscribers/"+chatB.SubscriberID, tm.emp2.AccessToken, nil), http.StatusNoContent)
	hold.free()
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if st != http.StatusOK && st != http.StatusBadRequest && st != http.StatusConflict {
		t.Errorf("push racing a delete: status %d, want 200, 400 or 409: %s", st, body)
	}
	e.rsStampStats()
	dev.sync(e, tm.emp1.AccessToken, nil)
	if d := rsDiff(dev, e.rsFresh(tm.emp1.AccessToken)); d != nil {
		t.Errorf("the device differs from a first sync:\n%s", rsFirst(d, 20))
	}
}
