package api_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/benchseed"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/sqlite"
	"github.com/switchboardhq/switchboard/store/storetest"
	syncsvc "github.com/switchboardhq/switchboard/sync"
)

// The read benchmarks of the native SQLite store: each operation over
// HTTP on loopback (a real server on a seeded store), beside, in the same
// run, the store methods the handler calls ("store") and the bare SQL
// statement the store runs for it on the store's reader pool ("sql").
// Each reports p50 and p95 in milliseconds and the statements run per
// operation (db-stmts/op, the store's Commands()); the summary logged at
// the end sets both sizes side by side with their growth. ns/op is the
// mean and not the figure. 10,000 chats (100,000 messages) always;
// 100,000 chats (1,000,000 messages) with SWITCHBOARD_BENCH_BIG=1. The
// seeds are cached (internal/benchseed): the first run seeds them.
//
//	go test -run '^$' -bench 'Reads$' -benchtime 2s -v -timeout 60m ./api/
//	SWITCHBOARD_BENCH_BIG=1 go test -run '^$' -bench 'Reads$' -benchtime 2s -v -timeout 60m ./api/
//
// BenchmarkReadsMongoDB runs the same HTTP operations on the MongoDB
// store (on the FerretDB stand-in) at 1,000 chats and reports only the
// driver commands per operation:
//
//	go test -run '^$' -bench 'ReadsMongoDB' -benchtime 20x -v -timeout 60m ./api/

// readStat is one operation's figures at one layer and size.
type readStat struct {
	p50, p95 time.Duration
	stmts    float64
}

// readResults collects the figures for the summary: op -> layer -> chats.
var readResults = struct {
	sync.Mutex
	m map[string]map[string]map[int]readStat
}{m: map[string]map[string]map[int]readStat{}}

func keepResult(op, layer string, chats int, s readStat) {
	readResults.Lock()
	defer readResults.Unlock()
	if readResults.m[op] == nil {
		readResults.m[op] = map[string]map[int]readStat{}
	}
	if readResults.m[op][layer] == nil {
		readResults.m[op][layer] = map[int]readStat{}
	}
	readResults.m[op][layer][chats] = s
}

// catchUp is how many changes the catching-up device is behind.
const catchUp = 10000

// readBench is a server on a seeded store.
type readBench struct {
	e      *env
	seed   *benchseed.Seed
	sq     *sqlite.Store // nil on MongoDB
	client *http.Client
	token  string
	// cursor is the API's cursor of the open tab after cursorDepth chats,
	// storeCursor the store's, sqlAt and sqlID the last chat before it.
	cursor, storeCursor string
	sqlAt               int64
	sqlID               string
}

// cursorDepth is how deep the "later page" is: page 21 of 50 chats.
const cursorDepth = 1000

func newReadBench(b *testing.B, db storetest.Store, seed *benchseed.Seed, sq *sqlite.Store) *readBench {
	e := newSyncEnv(b, db, syncsvc.Config{}, func(c *authConfig, _ *apiOptions) {
		c.LoginAttempts = 1 << 30
		c.Password = benchseed.PasswordParams
	})
	rb := &readBench{e: e, seed: seed, sq: sq, client: benchClient()}
	rb.token = e.login(seed.AdminEmail, benchseed.Password).AccessToken
	// The later page's cursors, by paging through the API and the store.
	next := ""
	for i := 0; i < cursorDepth/50; i++ {
		var page struct {
			Items      []struct{ ID string }
			NextCursor string `json:"next_cursor"`
		}
		r := e.call("GET", "/v1/conversations?tab=open&cursor="+url.QueryEscape(next), rb.token, nil)
		wantStatus(b, r, http.StatusOK)
		r.JSON(b, &page)
		next = page.NextCursor
	}
	rb.cursor = next
	ctx := context.Background()
	f := models.ConversationFilter{Statuses: []models.ConversationStatus{models.StatusOpen}, Page: models.Page{Limit: 50}}
	var last *models.Conversation
	for i := 0; i < cursorDepth/50; i++ {
		convs, c, err := db.Conversations(ctx, seed.Workspace, f)
		if err != nil {
			b.Fatal(err)
		}
		f.Page.Cursor, last = c, convs[len(convs)-1]
	}
	rb.storeCursor, rb.sqlAt, rb.sqlID = f.Page.Cursor, last.Activity.UnixMilli(), last.ID
	return rb
}

// get is one GET of path as the admin; it fails on any status but 200.
func (rb *readBench) get(path string) error {
	req, err := http.NewRequest("GET", rb.e.http.URL+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+rb.token)
	res, err := rb.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, res.StatusCode, body)
	}
	return nil
}

// catchUpHTTP pulls from the device's position until the last page.
func (rb *readBench) catchUpHTTP() error {
	cursor := (rb.seed.HighWater - catchUp) << syncStampShift
	for pages := 0; ; pages++ {
		body, _, err := getPullWire(rb.client, rb.e.http.URL, rb.token, cursor, 0, 0)
		if err != nil {
			return err
		}
		p, err := decodePage(body)
		if err != nil {
			return err
		}
		cursor = p.Timestamp
		if !p.HasMore {
			break
		}
		if pages > 1000 {
			return fmt.Errorf("no end to the catch-up")
		}
	}
	if cursor != rb.seed.HighWater<<syncStampShift {
		return fmt.Errorf("caught up to %d, want %d", cursor>>syncStampShift, rb.seed.HighWater)
	}
	return nil
}

// firstSyncHTTP is a device's first pull (no last_pulled_at).
func (rb *readBench) firstSyncHTTP() error {
	req, err := http.NewRequest("GET", rb.e.http.URL+"/v1/sync", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+rb.token)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := rb.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("first sync: %d %s", res.StatusCode, body)
	}
	return nil
}

// forgetCursors removes the first syncs' continuation cursors (not
// timed): a first sync from a mark others started from tries their
// continuation numbers first, one failed insert each, so repeating it
// thousands of times would measure that loop instead.
func (rb *readBench) forgetCursors() {
	if err := rb.e.db.PurgeSyncCursors(context.Background(), time.Now().Add(48*time.Hour)); err != nil {
		rb.e.t.Fatal(err)
	}
}

// readOp is one operation at each layer (nil: not measured there); after
// runs untimed after each call.
type readOp struct {
	name         string
	http, store  func() error
	sql          func() error
	after        func()
	storeIsQuery bool // the store baseline is the query (no single statement)
}

func (rb *readBench) ops() []readOp {
	ctx := context.Background()
	s, ws := rb.seed, rb.seed.Workspace
	db := rb.e.db
	open := []models.ConversationStatus{models.StatusOpen}
	listStore := func(cursor string) func() error {
		return func() error {
			convs, _, err := db.Conversations(ctx, ws, models.ConversationFilter{Statuses: open, Page: models.Page{Limit: 50, Cursor: cursor}})
			if err != nil {
				return err
			}
			ids := make([]string, len(convs))
			for i, c := range convs {
				ids[i] = c.SubscriberID
			}
			_, _, err = db.Subscribers(ctx, ws, models.SubscriberFilter{IDs: ids, Page: models.Page{Limit: len(ids)}})
			return err
		}
	}
	ops := []readOp{
		{name: "list", http: func() error { return rb.get("/v1/conversations?tab=open") }, store: listStore("")},
		{name: "list-cursor", http: func() error { return rb.get("/v1/conversations?tab=open&cursor=" + url.QueryEscape(rb.cursor)) },
			store: listStore(rb.storeCursor)},
		{name: "counts", http: func() error { return rb.get("/v1/conversations/counts") },
			store: func() error {
				_, err := db.ConversationTallies(ctx, ws, models.ConversationFilter{})
				return err
			}},
		{name: "history", http: func() error { return rb.get("/v1/conversations/" + s.Chat + "/messages") },
			store: func() error {
				if _, err := db.Conversation(ctx, ws, s.Chat); err != nil {
					return err
				}
				_, err := db.Messages(ctx, ws, models.MessageFilter{ConversationID: s.Chat, Limit: 50})
				return err
			}},
		{name: "search", http: func() error { return rb.get("/v1/conversations/" + s.Chat + "/messages?q=" + s.SearchTerm) },
			store: func() error {
				if _, err := db.Conversation(ctx, ws, s.Chat); err != nil {
					return err
				}
				_, err := db.Messages(ctx, ws, models.MessageFilter{ConversationID: s.Chat, Query: s.SearchTerm, Limit: 50})
				return err
			}},
		{name: "first-sync", http: rb.firstSyncHTTP, after: rb.forgetCursors, storeIsQuery: true,
			store: func() error {
				// The first page's reads: every table in order until 500
				// records (bots, members, pipelines, statistics, subscribers).
				budget, after := 500, ""
				for _, t := range []string{models.TableBots, models.TableMembers, models.TablePipelines, models.TableBotStats, models.TableSubscribers} {
					recs, err := db.RecordsAfter(ctx, ws, t, "", nil, after, budget)
					if err != nil {
						return err
					}
					if budget -= len(recs); budget <= 0 {
						break
					}
				}
				return nil
			}},
		{name: "catch-up-10k", http: rb.catchUpHTTP, storeIsQuery: true,
			store: func() error {
				cursor := s.HighWater - catchUp
				for cursor < s.HighWater {
					ch, err := db.Changes(ctx, ws, cursor, s.HighWater, 500)
					if err != nil {
						return err
					}
					if len(ch) == 0 {
						return fmt.Errorf("no changes after %d", cursor)
					}
					cursor = ch[len(ch)-1].Seq
				}
				return nil
			}},
	}
	if rb.sq != nil {
		r := rb.sq.Reader()
		ops[0].sql = rawQuery(r, listSQLText(false), ws, "open", 51)
		ops[1].sql = rawQuery(r, listSQLText(true), ws, "open", rb.sqlAt, rb.sqlID, 51)
		// The counts kept as chats change (migration 4).
		ops[2].sql = rawQuery(r, `SELECT status, assignee_id, unread, followers, n FROM conversation_tallies WHERE ws = ? AND n > 0`, ws)
		ops[3].sql = rawQuery(r, `SELECT `+msgColsText+` FROM messages m WHERE m.ws = ? AND m.conversation_id = ? AND m.deleted = 0
			ORDER BY m.pos DESC LIMIT ?`, ws, s.Chat, 50)
		// A search counts the chat (up to 201 messages) and walks a chat
		// that short, probing the trigram index per message.
		size := rawQuery(r, `SELECT count(*) FROM (SELECT 1 FROM messages m WHERE m.ws = ? AND m.conversation_id = ? AND m.deleted = 0 LIMIT ?)`,
			ws, s.Chat, 201)
		walk := rawQuery(r, `SELECT `+msgColsText+` FROM messages m CROSS JOIN messages_fts ON messages_fts.rowid = m.n
			WHERE messages_fts MATCH ? AND m.ws = ? AND m.conversation_id = ? AND m.deleted = 0 ORDER BY m.pos DESC LIMIT ?`,
			`"`+s.SearchTerm+`"`, ws, s.Chat, 50)
		ops[4].sql = func() error {
			if err := size(); err != nil {
				return err
			}
			return walk()
		}
	}
	return ops
}

// The store's statements, as store/sqlite writes them (conversations_list.go,
// messages.go); the bare baseline reads their rows without decoding them.
const convColsText = `id, ws, bot_id, subscriber_id, channel, status, assignee_id, name_key, unread, activity, followers,
	pending_n, pending, seq, deleted, created_at, updated_at, doc`

const msgColsText = `m.id, m.ws, m.conversation_id, m.subscriber_id, m.bot_id, m.sender, m.kind, m.text, m.external_id,
	m.pos, m.seq, m.deleted, m.created_at, m.updated_at, m.doc`

func listSQLText(cursor bool) string {
	where := `ws = ? AND deleted = 0 AND status = ?`
	if cursor {
		where += ` AND (activity, id) < (?, ?)`
	}
	return `SELECT ` + convColsText + ` FROM conversations WHERE ` + where + ` ORDER BY activity DESC, id DESC LIMIT ?`
}

// rawQuery runs q on the reader pool and reads every row's columns as
// bytes.
func rawQuery(db *sql.DB, q string, args ...any) func() error {
	return func() error {
		rows, err := db.QueryContext(context.Background(), q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return err
		}
		vals := make([]any, len(cols))
		for i := range vals {
			vals[i] = new(sql.RawBytes)
		}
		n := 0
		for rows.Next() {
			if err := rows.Scan(vals...); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return fmt.Errorf("no rows: %s", q)
		}
		return rows.Err()
	}
}

// measure runs op b.N times one after another and reports its p50, p95
// and statements per call.
func (rb *readBench) measure(b *testing.B, op func() error, after func()) readStat {
	d := make([]time.Duration, 0, b.N)
	var stmts int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c0 := rb.e.db.Commands()
		t0 := time.Now()
		if err := op(); err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(t0))
		stmts += rb.e.db.Commands() - c0
		if after != nil {
			b.StopTimer()
			after()
			b.StartTimer()
		}
	}
	st := readStat{p50: percentile(d, 0.5), p95: percentile(d, 0.95), stmts: float64(stmts) / float64(b.N)}
	b.ReportMetric(ms(st.p50), "p50-ms")
	b.ReportMetric(ms(st.p95), "p95-ms")
	b.ReportMetric(st.stmts, "db-stmts/op")
	return st
}

func (rb *readBench) run(b *testing.B, chats int) {
	for _, op := range rb.ops() {
		for _, l := range []struct {
			layer string
			f     func() error
		}{{"http", op.http}, {"store", op.store}, {"sql", op.sql}} {
			if l.f == nil {
				continue
			}
			after := op.after
			if l.layer != "http" {
				after = nil
			}
			b.Run(op.name+"/"+l.layer, func(b *testing.B) {
				keepResult(op.name, l.layer, chats, rb.measure(b, l.f, after))
			})
		}
	}
}

// BenchmarkReads measures the read side on the SQLite store (see the top
// of this file).
func BenchmarkReads(b *testing.B) {
	sizes := []int{10000}
	if os.Getenv("SWITCHBOARD_BENCH_BIG") == "1" {
		sizes = append(sizes, 100000)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("chats=%d", n), func(b *testing.B) {
			st, seed := benchseed.OpenSQLite(b, benchseed.Config{Chats: n}, sqlite.Options{})
			b.Logf("seed: %d chats (%d open, %d closed, %d idle, %d unread, %d mine), %d messages, high water %d, %q in %.1f%% of messages",
				seed.Chats, seed.Open, seed.Closed, seed.Idle, seed.Unread, seed.Mine, seed.Chats*seed.Messages, seed.HighWater,
				seed.SearchTerm, 100*seed.SearchShare)
			rb := newReadBench(b, st, seed, st.Store)
			rb.run(b, n)
		})
	}
	b.Log("\n" + readSummary(sizes))
}

// BenchmarkReadsMongoDB runs the same HTTP operations on the MongoDB
// store at 1,000 chats, for its commands per operation.
func BenchmarkReadsMongoDB(b *testing.B) {
	const chats = 1000
	db := storetest.New(b)
	seed, err := benchseed.Fill(context.Background(), db, benchseed.Config{Chats: chats})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d chats, %d writes, on the MongoDB store in %s", chats, seed.Writes, seed.Took.Round(time.Millisecond))
	rb := newReadBench(b, db, seed, nil)
	for _, op := range rb.ops() {
		b.Run(op.name+"/http", func(b *testing.B) {
			keepResult(op.name, "mongodb-http", chats, rb.measure(b, op.http, op.after))
		})
	}
}

// readSummary is a table of the figures kept: per operation and size,
// the HTTP p50/p95 beside the store's and the bare statement's, the
// statements per operation, and the growth of p50 from the first size to
// the last.
func readSummary(sizes []int) string {
	readResults.Lock()
	defer readResults.Unlock()
	ops := make([]string, 0, len(readResults.m))
	for op := range readResults.m {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	var sb strings.Builder
	sb.WriteString("| operation | layer |")
	for _, n := range sizes {
		fmt.Fprintf(&sb, " %d: p50 / p95 ms | stmts |", n)
	}
	if len(sizes) > 1 {
		sb.WriteString(" growth p50 |")
	}
	sb.WriteString("\n|---|---|" + strings.Repeat("---|---|", len(sizes)))
	if len(sizes) > 1 {
		sb.WriteString("---|")
	}
	sb.WriteString("\n")
	for _, op := range ops {
		for _, layer := range []string{"http", "store", "sql"} {
			byN, ok := readResults.m[op][layer]
			if !ok {
				continue
			}
			fmt.Fprintf(&sb, "| %s | %s |", op, layer)
			for _, n := range sizes {
				st := byN[n]
				fmt.Fprintf(&sb, " %.2f / %.2f | %.1f |", ms(st.p50), ms(st.p95), st.stmts)
			}
			if len(sizes) > 1 {
				first, last := byN[sizes[0]], byN[sizes[len(sizes)-1]]
				fmt.Fprintf(&sb, " %.2fx |", float64(last.p50)/float64(max(first.p50, 1)))
			}
			sb.WriteString("\n")
		}
	}
	return sb.String()
}
