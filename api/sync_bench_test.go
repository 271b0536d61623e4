package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store"
	"github.com/switchboardhq/switchboard/store/storetest"
	syncsvc "github.com/switchboardhq/switchboard/sync"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The delta-sync benchmarks: a device catching up on 10,000 changes, the
// wake-up of a waiting pull after a write, and 10,000 pulls waiting at
// once. Each reports its figures as custom metrics beside a baseline
// measured in the same run; ns/op is the cost of a whole iteration
// (set-up included) and is not the figure. Use -v to see their logs;
// SYNC_BENCH_DEBUG=1 logs the progress of starting 10,000 pulls.
//
//	go test -run '^$' -bench 'SyncCatchUp' -benchtime 1x -v -timeout 30m ./api/
//	go test -run '^$' -bench 'SyncWake' -benchtime 40x -v -timeout 30m ./api/
//	go test -run '^$' -bench 'SyncWaiting' -benchtime 1x -v -timeout 30m ./api/

// syncBench is a server on a database whose name the benchmark knows, so
// that baselines can read it with the bare driver or a second instance
// can open it.
type syncBench struct {
	e   *env
	opt store.Options
	tm  team
	bot models.Bot
	key models.Principal // the API key's principal, for ingestion
	ws  string
}

func newSyncBench(b *testing.B, sc syncsvc.Config) *syncBench {
	opt := storetest.Options(b)
	db := storetest.NewWith(b, opt)
	e := newSyncEnv(b, db, sc, func(c *authConfig, _ *apiOptions) { c.LoginAttempts = 1 << 30 })
	sb := &syncBench{e: e, opt: opt, tm: e.team()}
	sb.ws = sb.tm.admin.Workspace.ID
	sb.bot = e.bot(sb.tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG", "queue": ids(sb.tm.emp1, sb.tm.emp2)})
	p, _, err := e.auth.Authenticate(context.Background(), sb.tm.key)
	if err != nil {
		b.Fatal(err)
	}
	sb.key = p
	return sb
}

// secondDB opens another store on the same database: another instance,
// whose writes this process's hub only learns of by polling.
func secondDB(b *testing.B, opt store.Options) *store.DB {
	db, err := store.Open(context.Background(), opt)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = db.Close(ctx)
	})
	return db
}

// benchClient is a keep-alive HTTP/1.1 client with room for parallel requests.
func benchClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	return &http.Client{Transport: tr}
}

// syncPage is the part of a pull answer the benchmarks look at.
type syncPage struct {
	Changes map[string]struct {
		Created []json.RawMessage `json:"created"`
		Updated []json.RawMessage `json:"updated"`
		Deleted []string          `json:"deleted"`
	} `json:"changes"`
	Timestamp int64 `json:"timestamp"`
	HasMore   bool  `json:"has_more"`
}

func (p *syncPage) records() int {
	n := 0
	for _, c := range p.Changes {
		n += len(c.Created) + len(c.Updated) + len(c.Deleted)
	}
	return n
}

// getPull sends GET /v1/sync and returns the raw body of a 200 answer.
func getPull(client *http.Client, base, token string, last int64, limit, wait int) ([]byte, error) {
	body, _, err := getPullWire(client, base, token, last, limit, wait)
	return body, err
}

// getPullWire is getPull accepting gzip, as the app does: it returns the
// decompressed body and how many bytes came over the wire.
func getPullWire(client *http.Client, base, token string, last int64, limit, wait int) ([]byte, int, error) {
	q := "/v1/sync?last_pulled_at=" + strconv.FormatInt(last, 10)
	if limit > 0 {
		q += "&limit=" + strconv.Itoa(limit)
	}
	if wait > 0 {
		q += "&wait=" + strconv.Itoa(wait)
	}
	req, err := http.NewRequest("GET", base+q, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	// Set explicitly, so that the transport leaves the body compressed.
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, 0, err
	}
	wire := len(body)
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, 0, err
		}
		if body, err = io.ReadAll(zr); err != nil {
			return nil, 0, err
		}
	}
	if res.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("GET %s: status %d: %s", q, res.StatusCode, body)
	}
	return body, wire, nil
}

func decodePage(body []byte) (*syncPage, error) {
	var p syncPage
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// mark returns the workspace's current high-water mark, as the serving
// instance computes it for a pull.
func (sb *syncBench) mark(b *testing.B) int64 {
	m, err := sb.e.db.SafeSeq(context.Background(), sb.ws)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// rename renames member id through the API of the server at base and
// returns when the answer is read.
func rename(client *http.Client, base, adminToken, id string, n int) error {
	req := jsonRequest("PATCH", base+"/v1/members/"+id, adminToken, fmt.Sprintf(`{"name":"Renamed %d"}`, n))
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("PATCH member: status %d: %s", res.StatusCode, body)
	}
	return nil
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(p*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// waitFor polls cond every 200µs for up to limit.
func waitFor(b *testing.B, what string, limit time.Duration, cond func() bool) {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// --- 1. Catch-up of 10,000 changes ---------------------------------------

const catchUpChanges = 10000

// seedChanges writes n changes into the workspace after its current mark:
// chatsN chats opened by the bot engine (subscriber, chat, timeline), a
// follower added to the first ten, then messages into the chats from 8
// writers with every fifth change an update of a chat (preview, unread),
// straight into the store.
func (sb *syncBench) seedChanges(b *testing.B, n, chatsN int) (from, top int64) {
	ctx := context.Background()
	e := sb.e
	from, err := e.db.ReservedSeq(ctx, sb.ws)
	if err != nil {
		b.Fatal(err)
	}
	type chat struct{ conv, sub string }
	chats := make([]chat, chatsN)
	for i := range chats {
		res, err := e.srv.Inbox().Ingest(ctx, sb.key, sb.bot.ID, inbox.Event{ID: fmt.Sprintf("cu-open-%d", i), Type: inbox.EventOpenChat,
			Subscriber: inbox.SubscriberInfo{ExternalID: fmt.Sprintf("cu-%d", i), SubscriberProfile: models.SubscriberProfile{Name: fmt.Sprintf("Customer %d", i)}}})
		if err != nil {
			b.Fatal(err)
		}
		chats[i] = chat{res.ConversationID, res.SubscriberID}
	}
	for _, c := range chats[:10] {
		r := e.call("PUT", "/v1/conversations/"+c.conv+"/followers/"+sb.tm.follower.Member.ID, sb.tm.admin.AccessToken, nil)
		if r.StatusCode != http.StatusOK && r.StatusCode != http.StatusNoContent {
			b.Fatalf("add follower: %d %s", r.StatusCode, r.Body)
		}
	}
	now, err := e.db.ReservedSeq(ctx, sb.ws)
	if err != nil {
		b.Fatal(err)
	}
	left := n - int(now-from)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j := int(next.Add(1) - 1)
				if j >= left {
					return
				}
				c := chats[j%len(chats)]
				var err error
				if j%5 == 4 {
					preview := fmt.Sprintf("message %d", j)
					_, err = e.db.UpdateConversation(ctx, sb.ws, c.conv, models.ConversationUpdate{LastMessagePreview: &preview, AddUnread: true})
				} else {
					err = e.db.CreateMessage(ctx, sb.ws, &models.Message{ID: models.NewID(), ConversationID: c.conv, SubscriberID: c.sub,
						BotID: sb.bot.ID, Sender: models.SenderSubscriber, Kind: models.KindText, Text: fmt.Sprintf("message %d from the customer", j)})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	top, err = e.db.ReservedSeq(ctx, sb.ws)
	if err != nil {
		b.Fatal(err)
	}
	return from, top
}

// syncStampShift turns a change sequence into the sync timestamp of that
// delta position (sync/timestamp.go: s * 2^20).
const syncStampShift = 20

// BenchmarkSyncCatchUp: a device whose last pull was before 10,000 changes
// catches up page by page over HTTP, against reading the same documents
// (and the same change log) with the bare driver.
func BenchmarkSyncCatchUp(b *testing.B) {
	ctx := context.Background()
	sb := newSyncBench(b, syncsvc.Config{}) // production defaults
	e := sb.e
	client := benchClient()

	// The mark's cost before the changes, for comparison with after.
	warmMark := func(db models.SyncStore) time.Duration {
		var d []time.Duration
		for i := 0; i < 5; i++ {
			t0 := time.Now()
			if _, err := db.SafeSeq(ctx, sb.ws); err != nil {
				b.Fatal(err)
			}
			d = append(d, time.Since(t0))
		}
		return percentile(d, 0.5)
	}
	smallMark := warmMark(e.db)

	last := sb.mark(b)
	seedStart := time.Now()
	from, top := sb.seedChanges(b, catchUpChanges, 200)
	b.Logf("seeded %d changes (%d..%d) in %s; the device's last pull is at %d", top-from, from+1, top, time.Since(seedStart).Round(time.Millisecond), last)

	// The first mark after the burst walks it once (this instance's cached
	// mark); a fresh instance walks the workspace's whole reservation history.
	t0 := time.Now()
	if _, err := e.db.SafeSeq(ctx, sb.ws); err != nil {
		b.Fatal(err)
	}
	burstWalk := time.Since(t0)
	db2 := secondDB(b, sb.opt)
	c0 := db2.Commands()
	t0 = time.Now()
	safe, err := db2.SafeSeq(ctx, sb.ws)
	if err != nil {
		b.Fatal(err)
	}
	coldMark, coldCmds := time.Since(t0), db2.Commands()-c0
	bigMark := warmMark(e.db)
	if safe != top {
		b.Fatalf("mark %d, want %d", safe, top)
	}
	b.Logf("SafeSeq: warm %.2f ms before the changes, %.2f ms after; first after the burst %.1f ms; fresh instance %.1f ms (%d commands)",
		ms(smallMark), ms(bigMark), ms(burstWalk), ms(coldMark), coldCmds)

	b.Run("store/safeseq", func(b *testing.B) {
		b.ReportMetric(ms(smallMark), "warm-ms-before")
		b.ReportMetric(ms(bigMark), "warm-ms-after")
		b.ReportMetric(ms(burstWalk), "first-after-burst-ms")
		b.ReportMetric(ms(coldMark), "fresh-instance-ms")
		b.ReportMetric(float64(coldCmds), "fresh-instance-cmds")
	})

	// The agent at both page sizes; the follower (10 chats) at 5,000 only,
	// for the one extra query of its scope.
	for _, c := range []struct {
		who   string
		token string
		limit int
	}{{"agent", sb.tm.emp1.AccessToken, 500}, {"agent", sb.tm.emp1.AccessToken, 5000}, {"follower", sb.tm.follower.AccessToken, 5000}} {
		b.Run(fmt.Sprintf("http/%s/limit=%d", c.who, c.limit), func(b *testing.B) {
			var pages, records, bytesIn, gzBytes int
			var perPage []int64
			var pageTimes []time.Duration
			start := e.db.Commands()
			for i := 0; i < b.N; i++ {
				cursor := last << syncStampShift // a delta position's timestamp
				for {
					c0 := e.db.Commands()
					t0 := time.Now()
					body, wire, err := getPullWire(client, e.http.URL, c.token, cursor, c.limit, 0)
					if err != nil {
						b.Fatal(err)
					}
					pageTimes = append(pageTimes, time.Since(t0))
					perPage = append(perPage, e.db.Commands()-c0)
					p, err := decodePage(body)
					if err != nil {
						b.Fatal(err)
					}
					pages++
					records += p.records()
					bytesIn += len(body)
					gzBytes += wire // as sent: gzip when the answer is 1 KiB or more
					cursor = p.Timestamp
					if !p.HasMore {
						break
					}
				}
				if cursor != top<<syncStampShift {
					b.Fatalf("caught up to %d, want %d", cursor, top<<syncStampShift)
				}
			}
			sort.Slice(perPage, func(i, j int) bool { return perPage[i] < perPage[j] })
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/catch-up")
			b.ReportMetric(float64(pages)/float64(b.N), "pages")
			b.ReportMetric(float64(records)/float64(b.N), "records")
			b.ReportMetric(float64(bytesIn)/float64(b.N)/1024, "KiB")
			b.ReportMetric(float64(gzBytes)/float64(b.N)/1024, "KiB-gzip")
			b.ReportMetric(float64(e.db.Commands()-start)/float64(pages), "db-cmds/page")
			b.ReportMetric(float64(perPage[0]), "db-cmds/page-min")
			b.ReportMetric(float64(perPage[len(perPage)-1]), "db-cmds/page-max")
			b.ReportMetric(ms(percentile(pageTimes, 0.5)), "ms/page-p50")
		})
	}

	// Baselines with the bare driver on the same database.
	var bareCmds atomic.Int64
	mc, err := mongo.Connect(options.Client().ApplyURI(sb.opt.URI).SetMonitor(&event.CommandMonitor{
		Started: func(context.Context, *event.CommandStartedEvent) { bareCmds.Add(1) }}))
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = mc.Disconnect(context.Background()) }()
	mdb := mc.Database(sb.opt.Database)
	after := bson.D{{Key: "ws", Value: sb.ws}, {Key: "seq", Value: bson.D{{Key: "$gt", Value: last}}}}

	// The documents themselves: every synced collection's documents changed
	// after the device's last pull, read in one find each.
	b.Run("driver/documents", func(b *testing.B) {
		docs, size := 0, 0
		for i := 0; i < b.N; i++ {
			for _, t := range models.SyncTables {
				cur, err := mdb.Collection(t).Find(ctx, after)
				if err != nil {
					b.Fatal(err)
				}
				var rows []bson.Raw
				if err := cur.All(ctx, &rows); err != nil {
					b.Fatal(err)
				}
				for _, r := range rows {
					docs++
					size += len(r)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/catch-up")
		b.ReportMetric(float64(docs)/float64(b.N), "records")
		b.ReportMetric(float64(size)/float64(b.N)/1024, "KiB-bson")
	})

	// The change log the pull pages read: the same query as store.Changes,
	// pages of 500, decoded to raw BSON only, with a batch size that makes
	// each page one command.
	b.Run("driver/log/limit=500", func(b *testing.B) {
		pages, size := 0, 0
		c0 := bareCmds.Load()
		for i := 0; i < b.N; i++ {
			cursor := last
			for {
				cur, err := mdb.Collection("seq_done").Find(ctx, bson.D{{Key: "ws", Value: sb.ws},
					{Key: "seq", Value: bson.D{{Key: "$gt", Value: cursor}, {Key: "$lte", Value: top}}}},
					options.Find().SetSort(bson.D{{Key: "seq", Value: 1}}).SetLimit(501).SetBatchSize(502))
				if err != nil {
					b.Fatal(err)
				}
				var rows []bson.Raw
				if err := cur.All(ctx, &rows); err != nil {
					b.Fatal(err)
				}
				pages++
				for _, r := range rows {
					size += len(r)
				}
				if len(rows) <= 500 {
					break
				}
				cursor = rows[499].Lookup("seq").Int64()
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/catch-up")
		b.ReportMetric(float64(pages)/float64(b.N), "pages")
		b.ReportMetric(float64(size)/float64(b.N)/1024, "KiB-bson")
		b.ReportMetric(float64(bareCmds.Load()-c0)/float64(pages), "db-cmds/page")
	})

	// One pull waiting on this workspace: what its watcher costs while
	// nothing changes, with 10,000 entries in the log.
	b.Run("waiting-pull-idle", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			done := make(chan error, 1)
			go func() { _, err := getPull(client, e.http.URL, sb.tm.emp1.AccessToken, top, 0, 30); done <- err }()
			waitFor(b, "the pull to wait", time.Minute, func() bool { n, _ := e.hub.Waiting(); return n == 1 })
			time.Sleep(time.Second)
			c0, cpu0 := e.db.Commands(), cpuTime()
			time.Sleep(5 * time.Second)
			b.ReportMetric(float64(e.db.Commands()-c0)/5, "db-cmds/s")
			b.ReportMetric(ms(cpuTime()-cpu0)/5, "cpu-ms/s")
			if err := rename(client, e.http.URL, sb.tm.admin.AccessToken, sb.tm.emp2.Member.ID, int(next())); err != nil {
				b.Fatal(err)
			}
			if err := <-done; err != nil {
				b.Fatal(err)
			}
			waitFor(b, "the watcher to stop", time.Minute, func() bool { _, w := e.hub.Waiting(); return w == 0 })
		}
	})

	// The wake-up of benchmark SyncWake on this workspace (same instance).
	b.Run("wake", func(b *testing.B) { benchWake(b, sb, e, time.Second, max(b.N, 3)) })
}

// --- 2. Wake-up latency ---------------------------------------------------

// BenchmarkSyncWake: a pull waits (wait=30) at the workspace's mark, a
// write is made through the API at a random moment of the watcher's poll
// period, and the time from the write's answer to the pull's answer is
// measured. The write goes to the same instance
// (its end wakes the watcher at once) or to a second instance on the same
// database (only the watcher's poll finds it). The baselines are the
// write itself and an immediate pull without wait, in the same iterations.
func BenchmarkSyncWake(b *testing.B) {
	for _, c := range []struct {
		name  string
		poll  time.Duration
		other bool
	}{
		{"same-instance/poll=1s", time.Second, false},
		{"other-instance/poll=1s", time.Second, true},
		{"other-instance/poll=50ms", 50 * time.Millisecond, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			sb := newSyncBench(b, syncsvc.Config{PollInterval: c.poll})
			writer := sb.e
			if c.other {
				writer = newSyncEnv(b, secondDB(b, sb.opt), syncsvc.Config{PollInterval: c.poll})
			}
			b.Run("wake", func(b *testing.B) { benchWake(b, sb, writer, c.poll, b.N) })
		})
	}
}

func benchWake(b *testing.B, sb *syncBench, writer *env, poll time.Duration, iterations int) {
	e := sb.e
	client := benchClient()
	var wake, fromStart, write, plain []time.Duration
	for i := 0; i < iterations; i++ {
		last := sb.mark(b)
		type answer struct {
			at   time.Time
			page *syncPage
			err  error
		}
		done := make(chan answer, 1)
		go func() {
			body, err := getPull(client, e.http.URL, sb.tm.emp1.AccessToken, last, 0, 30)
			at := time.Now()
			if err != nil {
				done <- answer{err: err}
				return
			}
			p, err := decodePage(body)
			done <- answer{at, p, err}
		}()
		waitFor(b, "the pull to wait", 10*time.Second, func() bool { n, _ := e.hub.Waiting(); return n == 1 })
		// Writes come at any moment of the watcher's poll period.
		time.Sleep(rand.N(poll))
		t0 := time.Now()
		if err := rename(client, writer.http.URL, sb.tm.admin.AccessToken, sb.tm.emp2.Member.ID, int(next())); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		a := <-done
		if a.err != nil {
			b.Fatal(a.err)
		}
		if a.page.Timestamp <= last || len(a.page.Changes[models.TableMembers].Updated) != 1 {
			b.Fatalf("the pull did not bring the change: timestamp %d after %d, members %+v", a.page.Timestamp, last, a.page.Changes[models.TableMembers])
		}
		wake = append(wake, a.at.Sub(t1))
		fromStart = append(fromStart, a.at.Sub(t0))
		write = append(write, t1.Sub(t0))
		// The baseline read: the same pull without wait, made now.
		t2 := time.Now()
		if _, err := getPull(client, e.http.URL, sb.tm.emp1.AccessToken, last, 0, 0); err != nil {
			b.Fatal(err)
		}
		plain = append(plain, time.Since(t2))
		waitFor(b, "the watcher to stop", 10*time.Second, func() bool { _, w := e.hub.Waiting(); return w == 0 })
	}
	b.ReportMetric(ms(percentile(wake, 0.5)), "wake-ms-p50")
	b.ReportMetric(ms(percentile(wake, 0.99)), "wake-ms-p99")
	b.ReportMetric(ms(percentile(fromStart, 0.5)), "write-start-to-answer-ms-p50")
	b.ReportMetric(ms(percentile(fromStart, 0.99)), "write-start-to-answer-ms-p99")
	b.ReportMetric(ms(percentile(write, 0.5)), "write-ms-p50")
	b.ReportMetric(ms(percentile(write, 0.99)), "write-ms-p99")
	b.ReportMetric(ms(percentile(plain, 0.5)), "pull-nowait-ms-p50")
	b.ReportMetric(ms(percentile(plain, 0.99)), "pull-nowait-ms-p99")
}

// --- 3. Many waiting pulls ------------------------------------------------

// h2Client serves handler over unencrypted HTTP/2 and returns a client
// speaking it: 10,000 waiting pulls share a few dozen connections (250
// streams each, Go's default) instead of needing 20,000 sockets in this
// process (the file limit here is 20,000).
func h2Client(b *testing.B, handler http.Handler) (*http.Client, string) {
	srv := httptest.NewUnstartedServer(handler)
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetHTTP1(true)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	b.Cleanup(srv.Close)
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	b.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}, srv.URL
}

func rssKiB() int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

type memPoint struct {
	heap, stack, sys uint64
	rss              int64
	goroutines       int
}

func measureMem() memPoint {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memPoint{heap: m.HeapInuse, stack: m.StackInuse, sys: m.Sys, rss: rssKiB(), goroutines: runtime.NumGoroutine()}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSyncWaiting: n pulls of one workspace wait at once (three
// members' tokens in turn). The figures are the memory and goroutines per
// waiting pull, the database commands and CPU per second while they wait
// (the workspace's one watcher polls every second), and how long after one
// write all of them have answered. "http2" sends real requests
// (unencrypted HTTP/2), "direct" calls the sync service's Pull with no
// HTTP; n=1 is the baseline. Pulls start in steps of 250 (each step
// waiting until the previous is parked); "burst" starts all 10,000 at
// once, as devices reconnecting after a restart would, and counts the
// pulls refused.
func BenchmarkSyncWaiting(b *testing.B) {
	// The embedded FerretDB is in this process: its CPU counts too.
	// Starting 10,000 pulls takes about half a minute on the embedded store
	// (about 300 a second), so pulls wait up to 2 minutes (wait=120) for the
	// first to be still waiting at the write; the hub works the same
	// whatever the wait.
	sb := newSyncBench(b, syncsvc.Config{MaxWait: 2 * time.Minute})
	e := sb.e
	h2, h2URL := h2Client(b, e.srv.Handler())
	tokens := []string{sb.tm.emp1.AccessToken, sb.tm.emp2.AccessToken, sb.tm.admin.AccessToken}
	var callers []waitCaller
	for _, tk := range tokens {
		p, me, err := e.auth.Authenticate(context.Background(), tk)
		if err != nil {
			b.Fatal(err)
		}
		callers = append(callers, waitCaller{tk, p, me})
	}
	w := &waiting{sb: sb, h2: h2, h2URL: h2URL, plain: benchClient(), callers: callers}
	for _, c := range []struct {
		mode    string
		n, step int
	}{
		{"http2", 1, 1},
		{"http2", 10000, 250},
		{"direct", 1, 1},
		{"direct", 10000, 250},
		{"http2-burst", 10000, 10000},
	} {
		b.Run(fmt.Sprintf("%s/pulls=%d", c.mode, c.n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				w.run(b, strings.TrimSuffix(c.mode, "-burst"), c.n, c.step)
			}
		})
	}
}

type waitCaller struct {
	token string
	p     models.Principal
	me    *models.Member
}

type waiting struct {
	sb      *syncBench
	h2      *http.Client
	h2URL   string
	plain   *http.Client
	callers []waitCaller
}

// pullWait is one waiting pull; it returns how many records it brought.
func (w *waiting) pullWait(mode string, j int, last int64) (int, error) {
	c := w.callers[j%len(w.callers)]
	if mode == "http2" {
		body, err := getPull(w.h2, w.h2URL, c.token, last, 0, 120)
		if err != nil {
			return 0, err
		}
		p, err := decodePage(body)
		if err != nil {
			return 0, err
		}
		return p.records(), nil
	}
	res, err := w.sb.e.sync.Pull(context.Background(), c.p, c.me, syncsvc.PullInput{LastPulledAt: last, Wait: 2 * time.Minute})
	if err != nil {
		return 0, err
	}
	return len(res.Changes[models.TableMembers].Updated), nil
}

// run parks n pulls in steps of step, measures them waiting, makes one
// write and waits for every answer. Pulls may fail (the figures count
// them): those that ended before the write were refused while starting,
// the others failed while answering the write.
func (w *waiting) run(b *testing.B, mode string, n, step int) {
	sb, e := w.sb, w.sb.e
	last := sb.mark(b)
	before := measureMem()
	c0 := e.db.Commands()
	start := time.Now()
	ended := make([]time.Time, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	var failed atomic.Int64
	for lo := 0; lo < n; lo += step {
		hi := min(lo+step, n)
		for j := lo; j < hi; j++ {
			wg.Add(1)
			go func(j int) {
				defer wg.Done()
				got, err := w.pullWait(mode, j, last)
				if err == nil && got == 0 {
					err = fmt.Errorf("a pull answered with no change")
				}
				ended[j], errs[j] = time.Now(), err
				if err != nil {
					failed.Add(1)
				}
			}(j)
		}
		waitFor(b, "the pulls to wait", time.Minute, func() bool {
			p, _ := e.hub.Waiting()
			return p+int(failed.Load()) == hi
		})
		if os.Getenv("SYNC_BENCH_DEBUG") != "" && hi%1000 == 0 {
			b.Logf("%d parked after %s, %d commands", hi, time.Since(start).Round(time.Millisecond), e.db.Commands()-c0)
		}
	}
	started := time.Since(start)
	startCmds := e.db.Commands() - c0
	parked, watchers := e.hub.Waiting()
	during := measureMem()

	c1, cpu1 := e.db.Commands(), cpuTime()
	time.Sleep(3 * time.Second)
	idleRate, idleCPU := float64(e.db.Commands()-c1)/3, cpuTime()-cpu1

	c2, cpu2 := e.db.Commands(), cpuTime()
	if err := rename(w.plain, e.http.URL, sb.tm.admin.AccessToken, sb.tm.follower.Member.ID, int(next())); err != nil {
		b.Fatal(err)
	}
	written := time.Now()
	writeCmds := e.db.Commands() - c2
	wg.Wait()
	wakeCPU := cpuTime() - cpu2
	wakeCmds := e.db.Commands() - c2 - writeCmds

	var ok, bad []time.Duration
	refused := 0
	var firstErr error
	for j := range ended {
		switch {
		case errs[j] == nil:
			ok = append(ok, ended[j].Sub(written))
		case ended[j].Before(written):
			refused++
		default:
			bad = append(bad, ended[j].Sub(written))
		}
		if errs[j] != nil && firstErr == nil {
			firstErr = errs[j]
		}
	}
	mem := func(after, before uint64) float64 {
		return float64(int64(after)-int64(before)) / float64(max(parked, 1)) / 1024
	}
	b.ReportMetric(float64(watchers), "watchers")
	b.ReportMetric(started.Seconds(), "s-to-start-all")
	b.ReportMetric(float64(startCmds)/float64(n), "db-cmds/pull-start")
	b.ReportMetric(float64(refused), "refused-at-start")
	b.ReportMetric(mem(during.heap, before.heap), "heap-KiB/pull")
	b.ReportMetric(mem(during.stack, before.stack), "stack-KiB/pull")
	b.ReportMetric(float64(during.rss-before.rss)/float64(max(parked, 1)), "rss-KiB/pull")
	b.ReportMetric(float64(during.goroutines-before.goroutines)/float64(max(parked, 1)), "goroutines/pull")
	b.ReportMetric(idleRate, "db-cmds/s-waiting")
	b.ReportMetric(ms(idleCPU)/3, "cpu-ms/s-waiting")
	b.ReportMetric(float64(len(ok)), "answered")
	b.ReportMetric(float64(len(bad)), "failed-after-write")
	b.ReportMetric(ms(percentile(ok, 0.5)), "answer-ms-p50")
	b.ReportMetric(ms(percentile(ok, 1)), "last-answer-ms")
	b.ReportMetric(float64(wakeCmds)/float64(max(parked, 1)), "db-cmds/pull-wake")
	b.ReportMetric(ms(wakeCPU)/float64(max(parked, 1)), "cpu-ms/pull-wake")
	b.Logf("%s n=%d: %d parked in %s (%d commands), %d refused; heap %+d KiB, stacks %+d KiB, RSS %+d KiB, goroutines %+d; "+
		"%d watcher(s), %.1f commands/s and %.0f ms CPU/s waiting; write %d commands; %d answered, p50 %.0f ms, last %.0f ms after it; "+
		"%d failed after the write (p50 %.0f ms after it); %d commands, %.0f ms CPU; first error: %v",
		mode, n, parked, started.Round(time.Millisecond), startCmds, refused, (int64(during.heap)-int64(before.heap))/1024,
		(int64(during.stack)-int64(before.stack))/1024, during.rss-before.rss, during.goroutines-before.goroutines,
		watchers, idleRate, ms(idleCPU)/3, writeCmds, len(ok), ms(percentile(ok, 0.5)), ms(percentile(ok, 1)),
		len(bad), ms(percentile(bad, 0.5)), wakeCmds, ms(wakeCPU), firstErr)
	waitFor(b, "the watcher to stop", 10*time.Second, func() bool { _, w := e.hub.Waiting(); return w == 0 })
	w.h2.CloseIdleConnections()
}
