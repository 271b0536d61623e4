package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

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
