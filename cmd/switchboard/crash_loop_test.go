package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push/fcm/fcmfake"
	"github.com/switchboardhq/switchboard/store/sqlite"
)

// TestKillNineLoopKeepsInvariants drives a `switchboard serve` child on
// the SQLite store with concurrent multi-write operations (inbound
// messages, new subscribers' first messages, chat openings by event and
// by agent, assignment, closing, agent replies, notes, follower changes,
// uploads), kills it with SIGKILL at a random moment, restarts it on the
// same data directory and checks after every restart that no operation
// was half applied and nothing acknowledged was lost or doubled: see
// checkInvariants. Requests that were not acknowledged are then retried
// as their senders would (same event id, same Idempotency-Key) and must
// land exactly once.
func TestKillNineLoopKeepsInvariants(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server once per round")
	}
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewSource(seed))

	dir := t.TempDir()
	env := baseEnv(t, dir)
	fcmSrv := fcmfake.New(t)
	sa := filepath.Join(t.TempDir(), "sa.json")
	writeFile(t, sa, fcmSrv.ServiceAccountJSON("sb-project"))
	env["SWITCHBOARD_FCM_CREDENTIALS_FILE"] = sa
	env["SWITCHBOARD_FCM_ENDPOINT"] = fcmSrv.URL()
	out := &syncBuffer{}
	if code := run(context.Background(), []string{"create-admin", "--email", "owner@acme.test", "--password", "owner-password", "--workspace", "Acme"}, envOf(env), out, out); code != 0 {
		t.Fatalf("create-admin: %s", out.String())
	}
	c := startChild(t, env)
	var login struct {
		AccessToken string           `json:"access_token"`
		Member      models.Member    `json:"member"`
		Workspace   models.Workspace `json:"workspace"`
	}
	c.want(t, 200, "POST", "/v1/auth/login", "", map[string]string{"email": "owner@acme.test", "password": "owner-password"}, &login)
	var key struct{ Secret string }
	c.want(t, 201, "POST", "/v1/api-keys", login.AccessToken, map[string]string{"name": "engine"}, &key)
	var bot models.Bot
	c.want(t, 201, "POST", "/v1/bots", login.AccessToken, map[string]any{"channel": "telegram", "name": "Shop", "auto_reply": "Soon", "greeting": "Hello"}, &bot)
	c.want(t, 201, "POST", "/v1/push/devices", login.AccessToken, map[string]any{"kind": "fcm", "token": "owner-phone"}, nil)

	d := &driver{t: t, ws: login.Workspace.ID, bot: bot.ID, token: login.AccessToken, key: key.Secret, me: login.Member.ID,
		acked: map[string]bool{}, tried: map[string]bool{}, notes: map[string]string{}, files: map[string][]byte{}}
	const rounds, workers = 6, 4
	d.owned = make([][]int, workers)
	for round := 0; round < rounds; round++ {
		d.c = c
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int, rnd *rand.Rand) {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					d.step(w, round, i, rnd)
				}
			}(w, rand.New(rand.NewSource(rnd.Int63())))
		}
		// Kill once a random number of operations were acknowledged in
		// this round, so that the kill lands amid writes however slow the
		// machine is.
		target := 8 + rnd.Intn(32)
		start := d.ackCount()
		for hang := time.Now().Add(time.Minute); d.ackCount()-start < target; {
			if time.Now().After(hang) { // a guard against a hang, not a measure
				close(stop)
				wg.Wait()
				t.Fatalf("round %d: %d operations acknowledged in a minute:\n%s", round, d.ackCount()-start, c.out.String())
			}
			time.Sleep(time.Duration(1+rnd.Intn(5)) * time.Millisecond)
		}
		// No new operation starts; those under way are cut by the kill.
		close(stop)
		if err := c.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = c.cmd.Wait()
		wg.Wait()

		t0 := time.Now()
		c = startChild(t, env) // the same data directory
		d.c = c
		t1 := time.Now()
		d.checkInvariants(round, false)
		d.retryUnacknowledged()
		d.checkInvariants(round, true)
		t.Logf("round %d: %d acknowledged, restart %v, checks %v", round, d.ackCount(), t1.Sub(t0), time.Since(t1))
		if t.Failed() {
			t.Logf("child output:\n%s", c.out.String())
			return
		}
	}
	t0 := time.Now()
	d.checkAlerts(fcmSrv)
	t.Logf("alerts checked in %v", time.Since(t0))
}

// driver sends the operations and records what was acknowledged.
type driver struct {
	t                  *testing.T
	c                  *child
	ws, bot, token, me string
	key                string

	mu    sync.Mutex
	owned [][]int // subscribers by worker: each chat's operations are sequential
	nsubs int
	// acked and tried hold the texts of messages and replies sent,
	// by whether a 2xx answered them.
	acked, tried map[string]bool
	retry        []retryReq        // unacknowledged requests to send again after the restart
	notes        map[string]string // acknowledged note text -> subscriber id
	files        map[string][]byte // acknowledged upload id -> bytes
	ackN         int
}

type retryReq struct {
	text, method, path string
	body               map[string]any
	header             string // Idempotency-Key
	api                bool   // an agent request (token), else an event (API key)
}

func (d *driver) ackCount() int { d.mu.Lock(); defer d.mu.Unlock(); return d.ackN }

func (d *driver) subID(k int) string {
	return models.SubscriberID(d.ws, d.bot, fmt.Sprintf("s%d", k))
}

func (d *driver) convID(k int) string { return models.ConversationID(d.subID(k)) }

// step runs one random operation of worker w on one of its chats.
func (d *driver) step(w, round, i int, rnd *rand.Rand) {
	d.mu.Lock()
	mine := d.owned[w]
	var k int
	newSub := len(mine) == 0 || rnd.Intn(100) < 20
	if newSub {
		k = d.nsubs
		d.nsubs++
		d.owned[w] = append(d.owned[w], k)
	} else {
		k = mine[rnd.Intn(len(mine))]
	}
	d.mu.Unlock()
	tag := fmt.Sprintf("r%d-w%d-%d", round, w, i)
	if newSub {
		d.inbound(k, tag)
		return
	}
	conv := "/v1/conversations/" + d.convID(k)
	switch n := rnd.Intn(100); {
	case n < 25:
		d.inbound(k, tag)
	case n < 37:
		d.send(false, "", "POST", "/v1/bots/"+d.bot+"/events", map[string]any{"id": "open-" + tag, "type": "open_chat",
			"subscriber": map[string]any{"id": fmt.Sprintf("s%d", k)}})
	case n < 44:
		d.send(true, "", "POST", "/v1/conversations", map[string]any{"subscriber_id": d.subID(k)})
	case n < 52:
		var member any = d.me
		if rnd.Intn(2) == 0 {
			member = nil
		}
		d.send(true, "", "PUT", conv+"/assignee", map[string]any{"member_id": member})
	case n < 60:
		d.send(true, "", "POST", conv+"/close", nil)
	case n < 80:
		text := "reply " + tag
		d.track(text, d.send(true, tag, "POST", conv+"/messages", map[string]any{"text": text}), retryReq{text: text, method: "POST",
			path: conv + "/messages", body: map[string]any{"text": text}, header: tag, api: true})
	case n < 88:
		text := "note " + tag
		if d.send(true, "", "POST", "/v1/subscribers/"+d.subID(k)+"/notes", map[string]any{"text": text}) {
			d.mu.Lock()
			d.notes[text] = d.subID(k)
			d.mu.Unlock()
		}
	case n < 95:
		method := "PUT"
		if rnd.Intn(2) == 0 {
			method = "DELETE"
		}
		d.send(true, "", method, conv+"/followers/"+d.me, nil)
	default:
		d.upload(conv, tag)
	}
}

// inbound sends a subscriber message (the first of a new subscriber too).
func (d *driver) inbound(k int, tag string) {
	text := "in " + tag
	// No time of its own: a redelivery after the restart is stamped when
	// it lands, as a late event is, so each chat's events stay in order.
	body := map[string]any{"id": "ev-" + tag, "type": "message",
		"subscriber": map[string]any{"id": fmt.Sprintf("s%d", k), "name": fmt.Sprintf("Sub %d", k)},
		"message":    map[string]any{"text": text}}
	d.track(text, d.send(false, "", "POST", "/v1/bots/"+d.bot+"/events", body),
		retryReq{text: text, method: "POST", path: "/v1/bots/" + d.bot + "/events", body: body})
}

func (d *driver) track(text string, ok bool, r retryReq) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ok {
		d.acked[text] = true
		return
	}
	d.tried[text] = true
	d.retry = append(d.retry, r)
}

// send makes one request and reports whether a 2xx answered it.
func (d *driver) send(agent bool, idemKey, method, path string, body any) bool {
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, "http://"+d.c.addr+path, rd)
	req.Header.Set("Content-Type", "application/json")
	return d.do(req, agent, idemKey, nil)
}

func (d *driver) do(req *http.Request, agent bool, idemKey string, out any) bool {
	if agent {
		req.Header.Set("Authorization", "Bearer "+d.token)
	} else {
		req.Header.Set("Authorization", "Bearer "+d.key)
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return false // the process is gone
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 500 {
		d.t.Errorf("%s %s: %d %s", req.Method, req.URL.Path, res.StatusCode, b)
	}
	ok := res.StatusCode/100 == 2
	if ok {
		d.mu.Lock()
		d.ackN++
		d.mu.Unlock()
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				d.t.Errorf("%s %s: %v", req.Method, req.URL.Path, err)
			}
		}
	}
	return ok
}

func (d *driver) upload(conv, tag string) {
	data := bytes.Repeat([]byte("attachment "+tag+"\n"), 2000)
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	part, _ := mw.CreateFormFile("file", tag+".txt")
	_, _ = part.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", "http://"+d.c.addr+conv+"/files", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var f struct{ ID string }
	if d.do(req, true, "", &f) {
		d.mu.Lock()
		d.files[f.ID] = data
		d.mu.Unlock()
	}
}

// retryUnacknowledged sends again, in order, what the kill left
// unanswered: its sender would.
func (d *driver) retryUnacknowledged() {
	d.mu.Lock()
	retry := d.retry
	d.retry = nil
	d.mu.Unlock()
	for _, r := range retry {
		if d.send(r.api, r.header, r.method, r.path, r.body) {
			d.mu.Lock()
			d.acked[r.text] = true
			delete(d.tried, r.text)
			d.mu.Unlock()
		} else {
			d.t.Errorf("retry of %q after the restart refused", r.text)
		}
	}
}

// readDB opens the child's database read-only beside it.
func (d *driver) readDB() *sql.DB {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(d.dataDir(), sqlite.FileName)+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		d.t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

func (d *driver) dataDir() string {
	for _, kv := range d.c.cmd.Env {
		if v, ok := strings.CutPrefix(kv, "SWITCHBOARD_DATA_DIR="); ok {
			return v
		}
	}
	d.t.Fatal("no data directory")
	return ""
}

type histEntry struct {
	sender, kind, text, author string
	at                         int64
}

// checkInvariants checks the restarted child's data:
//   - every acknowledged message and reply is stored exactly once, an
//     unacknowledged one at most once;
//   - each chat's unread count and last message agree with its history;
//   - no chat records a pending operation once recovery ran;
//   - the change log's sequences are contiguous per workspace, up to the
//     high-water mark;
//   - PRAGMA integrity_check is ok;
//   - the bot's received and sent counters equal its stored messages and
//     its subscriber count its subscribers;
//   - every acknowledged note and upload is there, the upload byte for byte.
func (d *driver) checkInvariants(round int, retried bool) {
	t := d.t
	t.Helper()
	at := fmt.Sprintf("round %d (retried %v)", round, retried)
	db := d.readDB()
	defer db.Close()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()

	var integrity string
	if err := tx.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Errorf("%s: integrity_check: %q %v", at, integrity, err)
	}
	var pending int
	if err := tx.QueryRow("SELECT count(*) FROM conversations WHERE pending_n <> 0 OR (pending IS NOT NULL AND pending NOT IN ('', 'null', '{}'))").Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if pending != 0 {
		t.Errorf("%s: %d chats keep a pending operation after the restart's recovery", at, pending)
	}
	rows, err := tx.Query(`SELECT l.ws, min(l.seq), max(l.seq), count(*), s.seq, s.horizon FROM change_log l JOIN ws_seq s ON s.ws = l.ws GROUP BY l.ws`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var ws string
		var lo, hi, n, mark, horizon int64
		if err := rows.Scan(&ws, &lo, &hi, &n, &mark, &horizon); err != nil {
			t.Fatal(err)
		}
		if lo != horizon+1 || hi-lo+1 != n || hi != mark {
			t.Errorf("%s: change log of %s holds %d entries from %d to %d, horizon %d, high-water mark %d", at, ws, n, lo, hi, horizon, mark)
		}
	}
	rows.Close()

	// Messages: counted by text, and each chat's history in order.
	count := map[string]int{}
	hist := map[string][]histEntry{}
	var received, sent int
	rows, err = tx.Query(`SELECT conversation_id, sender, kind, text, created_at, json_extract(doc, '$.author_id') FROM messages WHERE ws = ? AND bot_id = ? AND deleted = 0 ORDER BY conversation_id, pos`, d.ws, d.bot)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var conv string
		var author sql.NullString
		var e histEntry
		if err := rows.Scan(&conv, &e.sender, &e.kind, &e.text, &e.at, &author); err != nil {
			t.Fatal(err)
		}
		e.author = author.String
		hist[conv] = append(hist[conv], e)
		if e.kind != string(models.KindEvent) {
			count[e.text]++
		}
		switch models.Sender(e.sender) {
		case models.SenderSubscriber:
			received++
		case models.SenderBot, models.SenderAgent:
			sent++
		}
	}
	rows.Close()
	var subs int
	if err := tx.QueryRow(`SELECT count(*) FROM subscribers WHERE ws = ? AND bot_id = ? AND deleted = 0`, d.ws, d.bot).Scan(&subs); err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	rows, err = tx.Query(`SELECT id FROM files WHERE state = 'stored'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		stored[id] = true
	}
	rows.Close()
	_ = tx.Rollback()

	d.mu.Lock()
	for text := range d.acked {
		if count[text] != 1 {
			t.Errorf("%s: acknowledged %q stored %d times", at, text, count[text])
		}
	}
	for text := range d.tried {
		if count[text] > 1 {
			t.Errorf("%s: unacknowledged %q stored %d times", at, text, count[text])
		}
	}
	notes := map[string]string{}
	for k, v := range d.notes {
		notes[k] = v
	}
	files := map[string][]byte{}
	for k, v := range d.files {
		files[k] = v
	}
	nsubs := d.nsubs
	d.mu.Unlock()

	if retried {
		// After the retries: what they wrote, counted; the rest was
		// checked on the state the kill left.
		nsubs, notes, files = 0, nil, nil
	}
	for k := 0; k < nsubs; k++ {
		id := d.convID(k)
		var conv models.Conversation
		code, b := d.c.call(t, "GET", "/v1/conversations/"+id, d.token, nil)
		if code == 404 {
			if len(hist[id]) > 0 {
				t.Errorf("%s: chat %s not found but has %d messages", at, id, len(hist[id]))
			}
			continue
		}
		if code != 200 || json.Unmarshal(b, &conv) != nil {
			t.Fatalf("%s: GET chat %s: %d %s", at, id, code, b)
		}
		unread := 0
		var last *histEntry
		for i := range hist[id] {
			e := &hist[id][i]
			if e.kind == string(models.KindEvent) {
				continue
			}
			last = e
			switch models.Sender(e.sender) {
			case models.SenderSubscriber:
				unread++
			case models.SenderAgent:
				unread = 0
			}
		}
		if conv.UnreadCount != unread || conv.Unread != (unread > 0) {
			t.Errorf("%s: chat %s shows %d unread (dot %v), its history %d", at, id, conv.UnreadCount, conv.Unread, unread)
		}
		if last != nil {
			want := inbox.Preview(&models.Message{Text: last.text})
			if conv.LastMessagePreview != want || conv.LastMessageAt == nil || conv.LastMessageAt.UnixMilli() != last.at {
				t.Errorf("%s: chat %s shows last message %q at %v, its history %q at %d", at, id, conv.LastMessagePreview, conv.LastMessageAt, want, last.at)
			}
		}
	}

	var st struct{ Totals models.BotTotals }
	d.c.want(t, 200, "GET", "/v1/bots/"+d.bot+"/stats", d.token, nil, &st)
	// A subscriber whose first event was cut between the subscriber's
	// record and their chat is counted when the event is redelivered
	// (there is no chat yet to record the pending welcome): the count is
	// checked once the unacknowledged events were sent again.
	if st.Totals.Received != int64(received) || st.Totals.Sent != int64(sent) || (retried && st.Totals.Subscribers != int64(subs)) {
		t.Errorf("%s: bot counters %+v; stored: %d received, %d sent, %d subscribers", at, st.Totals, received, sent, subs)
	}

	bySub := map[string][]string{}
	for text, sub := range notes {
		bySub[sub] = append(bySub[sub], text)
	}
	for sub, texts := range bySub {
		var list struct{ Items []models.Note }
		d.c.want(t, 200, "GET", "/v1/subscribers/"+sub+"/notes", d.token, nil, &list)
		have := map[string]int{}
		for _, n := range list.Items {
			have[n.Text]++
		}
		for _, text := range texts {
			if have[text] != 1 {
				t.Errorf("%s: acknowledged note %q stored %d times", at, text, have[text])
			}
		}
	}
	for id, data := range files {
		code, b := d.c.call(t, "GET", "/v1/files/"+id, d.token, nil)
		if code != 200 || !bytes.Equal(b, data) || !stored[id] {
			t.Errorf("%s: acknowledged upload %s: %d, %d bytes of %d", at, id, code, len(b), len(data))
		}
	}
}

// checkAlerts: every chat an event opened (an "opened" entry with no
// member as its author) has its new-chat alert, and the owner's phone
// gets it once the gateway has run.
func (d *driver) checkAlerts(fcmSrv *fcmfake.Server) {
	t := d.t
	db := d.readDB()
	defer db.Close()
	rows, err := db.Query(`SELECT id, conversation_id FROM messages WHERE ws = ? AND kind = 'event' AND text = '' AND json_extract(doc, '$.event') = 'opened' AND coalesce(json_extract(doc, '$.author_id'), '') = ''`, d.ws)
	if err != nil {
		t.Fatal(err)
	}
	opened := map[string]string{}
	for rows.Next() {
		var id, conv string
		_ = rows.Scan(&id, &conv)
		opened[id] = conv
	}
	rows.Close()
	if len(opened) == 0 {
		t.Fatal("no chat was opened by an event")
	}
	for id, conv := range opened {
		var list struct{ Items []models.Alert }
		d.c.want(t, 200, "GET", "/v1/push/alerts?limit=200&conversation_id="+conv, d.token, nil, &list)
		found := false
		for _, a := range list.Items {
			found = found || (a.Source == id && a.Event == models.EventNewChat)
		}
		if !found {
			t.Errorf("chat %s opened by an event (%s) has no new-chat alert", conv, id)
		}
	}
	// The gateway sends in the background; a lease the killed process
	// held must not hold its alert back (the store ends such claims at
	// start), so every push arrives well within the lease of a minute.
	var left []string
	for i := 0; i < 300; i++ {
		seen := map[string]bool{}
		for _, m := range fcmSrv.Messages() {
			if m.Token == "owner-phone" {
				seen[m.Data["conversation_id"]] = true
			}
		}
		left = left[:0]
		for _, conv := range opened {
			if !seen[conv] {
				left = append(left, conv)
			}
		}
		if len(left) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	sort.Strings(left)
	t.Errorf("chats opened by an event whose new-chat alert never reached the phone: %v", left)
}
