package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/internal/benchseed"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/sqlite"
)

// The write benchmarks of the native SQLite store (BENCHMARKS.md, "Issue
// 12: the native SQLite store"): an inbound subscriber message and an
// agent reply, one at a time (p50, p95, statements per operation) and
// from 8 concurrent senders (messages per second), at 10,000 chats and
// 100,000 messages, and with SWITCHBOARD_BENCH_BIG=1 also at 100,000
// chats and 1,000,000 messages. Each runs over HTTP on loopback, through
// the inbox service directly, and as the same-run baseline the store
// writes the operation makes (message, chat, counters, event record) in
// one store transaction (Store.Batch): the ratios show what the layers
// above the store cost. The store is opened as the server opens it
// (synchronous=FULL); the throughput runs also with NORMAL.
//
//	go test -run '^$' -bench 'SQLiteWrites' -benchtime 1x -timeout 60m ./api/

// writeSizes are the seeded chat counts measured: SWITCHBOARD_BENCH_CHATS
// alone when set (a quick look at another size).
func writeSizes() []int {
	if v := os.Getenv("SWITCHBOARD_BENCH_CHATS"); v != "" {
		var n int
		if _, err := fmt.Sscan(v, &n); err == nil && n > 0 {
			return []int{n}
		}
	}
	if os.Getenv("SWITCHBOARD_BENCH_BIG") != "" {
		return []int{10_000, 100_000}
	}
	return []int{10_000}
}

// writeBench is a server on a copy of a seeded database (benchseed).
type writeBench struct {
	e      *env
	st     *sqlite.Store
	seed   *benchseed.Seed
	chats  int
	apiKey string // an API key's secret, for bot events
	key    models.Principal
	admin  models.Principal
	token  string // the admin's access token
	client *http.Client
}

func openWriteBench(b *testing.B, chats int, synchronous string) *writeBench {
	b.Helper()
	st, seed := benchseed.OpenSQLite(b, benchseed.Config{Chats: chats}, sqlite.Options{Synchronous: synchronous})
	e := newSyncEnv(b, st, testSync, func(c *authConfig, _ *apiOptions) { c.LoginAttempts = 1 << 30 })
	wb := &writeBench{e: e, st: st.Store, seed: seed, chats: chats}
	wb.token = e.login(seed.AdminEmail, benchseed.Password).AccessToken
	r := e.call("POST", "/v1/api-keys", wb.token, map[string]string{"name": "engine"})
	wantStatus(b, r, http.StatusCreated)
	var k struct{ Secret string }
	r.JSON(b, &k)
	wb.apiKey = k.Secret
	var err error
	if wb.key, _, err = e.auth.Authenticate(context.Background(), wb.apiKey); err != nil {
		b.Fatal(err)
	}
	if wb.admin, _, err = e.auth.Authenticate(context.Background(), wb.token); err != nil {
		b.Fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	wb.client = &http.Client{Transport: tr}
	return wb
}

// open is the index of the k-th open chat of the seed (benchseed opens
// the chats i with i mod 20 below 12), wrapping around.
func (wb *writeBench) open(k int) int {
	k %= wb.chats * 12 / 20
	return k/12*20 + k%12
}

// bot, sub and conv are chat i's bot, subscriber and chat ids.
func (wb *writeBench) bot(i int) string { return wb.seed.Bots[i%len(wb.seed.Bots)] }
func (wb *writeBench) sub(i int) string {
	return models.SubscriberID(wb.seed.Workspace, wb.bot(i), fmt.Sprint(i))
}
func (wb *writeBench) conv(i int) string { return models.ConversationID(wb.sub(i)) }

// inboundHTTP posts subscriber message id into chat i.
func (wb *writeBench) inboundHTTP(id string, chat int) error {
	return wb.do(http.StatusOK, jsonRequest("POST", wb.e.http.URL+"/v1/bots/"+wb.bot(chat)+"/events", wb.apiKey,
		fmt.Sprintf(`{"id":%q,"type":"message","subscriber":{"id":"%d"},"message":{"text":"where is my order?"}}`, id, chat)))
}

func (wb *writeBench) inboundDirect(id string, chat int) error {
	_, err := wb.e.srv.Inbox().Ingest(context.Background(), wb.key, wb.bot(chat), inbox.Event{ID: id, Type: inbox.EventMessage,
		Subscriber: inbox.SubscriberInfo{ExternalID: fmt.Sprint(chat)}, Message: &inbox.InboundMessage{Text: "where is my order?"}})
	return err
}

// inboundStore makes the writes an inbound message makes (the message,
// the chat's preview, unread count and activity, the bot's counters, the
// event record) in one store transaction.
func (wb *writeBench) inboundStore(id string, chat int) error {
	ctx, ws, bot := context.Background(), wb.seed.Workspace, wb.bot(chat)
	conv := wb.conv(chat)
	return wb.st.Batch(ctx, func(ctx context.Context) error {
		at := time.Now().UTC().Truncate(time.Millisecond)
		m := &models.Message{ID: models.DerivedID("b", id), ConversationID: conv, SubscriberID: wb.sub(chat),
			BotID: bot, Sender: models.SenderSubscriber, Kind: models.KindText, Text: "where is my order?", CreatedAt: at}
		if err := wb.st.CreateMessage(ctx, ws, m); err != nil {
			return err
		}
		preview := m.Text
		if _, err := wb.st.UpdateConversation(ctx, ws, conv, models.ConversationUpdate{LastMessagePreview: &preview, LastMessageAt: &at,
			LastInboundAt: &at, Activity: &at, AddUnread: true}); err != nil {
			return err
		}
		if err := wb.st.AddBotStatsOnce(ctx, ws, bot, at, models.StatsDelta{Received: 1}, m.ID); err != nil {
			return err
		}
		return wb.st.RecordEvent(ctx, ws, ws+":"+bot+":"+id)
	})
}

// replyHTTP sends the admin's reply into chat i.
func (wb *writeBench) replyHTTP(chat int) error {
	return wb.do(http.StatusCreated, jsonRequest("POST", wb.e.http.URL+"/v1/conversations/"+wb.conv(chat)+"/messages", wb.token, `{"text":"On it!"}`))
}

func (wb *writeBench) replyDirect(chat int) error {
	_, _, err := wb.e.srv.Inbox().Send(context.Background(), wb.admin, wb.conv(chat), inbox.SendInput{Text: "On it!"})
	return err
}

// replyStore makes the writes of a reply (the message, the chat's preview
// and activity, the bot's counters, the outbound command) in one store
// transaction.
func (wb *writeBench) replyStore(id string, chat int) error {
	ctx, ws, bot := context.Background(), wb.seed.Workspace, wb.bot(chat)
	conv := wb.conv(chat)
	return wb.st.Batch(ctx, func(ctx context.Context) error {
		at := time.Now().UTC().Truncate(time.Millisecond)
		m := &models.Message{ID: models.DerivedID("r", id), ConversationID: conv, SubscriberID: wb.sub(chat), BotID: bot,
			Sender: models.SenderAgent, AuthorID: wb.seed.Admin, Kind: models.KindText, Text: "On it!", CreatedAt: at}
		if err := wb.st.CreateMessage(ctx, ws, m); err != nil {
			return err
		}
		preview := m.Text
		if _, err := wb.st.UpdateConversation(ctx, ws, conv, models.ConversationUpdate{LastMessagePreview: &preview, LastMessageAt: &at,
			Activity: &at}); err != nil {
			return err
		}
		return wb.st.AddBotStatsOnce(ctx, ws, bot, at, models.StatsDelta{Sent: 1}, m.ID)
	})
}

func (wb *writeBench) do(want int, req *http.Request) error {
	res, err := wb.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d", req.Method, req.URL.Path, res.StatusCode, want)
	}
	return nil
}

var writeSeq atomic.Int64

// latency runs op n times one after the other and reports p50, p95,
// statements and the process's CPU time per operation under name.
func (wb *writeBench) latency(b *testing.B, name string, n int, op func(i int) error) {
	b.Helper()
	times := make([]time.Duration, n)
	before, cpu := wb.st.Commands(), processCPU()
	for i := range n {
		start := time.Now()
		if err := op(i); err != nil {
			b.Fatal(err)
		}
		times[i] = time.Since(start)
	}
	stmts := float64(wb.st.Commands()-before) / float64(n)
	cpuPer := (processCPU() - cpu) / time.Duration(n)
	slices.Sort(times)
	p50, p95 := times[n/2], times[n*95/100]
	b.ReportMetric(float64(p50.Microseconds())/1000, name+"-p50-ms")
	b.ReportMetric(float64(p95.Microseconds())/1000, name+"-p95-ms")
	b.ReportMetric(stmts, name+"-stmts/op")
	b.ReportMetric(ms(cpuPer), name+"-cpu-ms/op")
	b.Logf("%-16s p50 %6.2f ms  p95 %6.2f ms  %5.1f statements/op  %5.2f ms CPU/op", name, ms(p50), ms(p95), stmts, ms(cpuPer))
}

// throughput runs n operations from senders goroutines and reports
// operations per second under name, and the process's CPU time per
// operation (the client's share included: it runs in this process); SWITCHBOARD_BENCH_CASE, when set,
// runs only the cases whose name contains it (for a profile of one).
func (wb *writeBench) throughput(b *testing.B, name string, senders, n int, op func(i int) error) {
	b.Helper()
	if only := os.Getenv("SWITCHBOARD_BENCH_CASE"); only != "" && !strings.Contains(name, only) {
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, senders)
	before, cpu := wb.st.Commands(), processCPU()
	start := time.Now()
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := op(i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed, cpuPer := time.Since(start), (processCPU()-cpu)/time.Duration(n)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	rate := float64(n) / elapsed.Seconds()
	stmts := float64(wb.st.Commands()-before) / float64(n)
	b.ReportMetric(rate, name+"-msg/s")
	b.ReportMetric(ms(cpuPer), name+"-cpu-ms/msg")
	b.Logf("%-24s %7.0f msg/s  %5.1f statements/op  %5.2f ms CPU/msg  (%d in %s)", name, rate, stmts, ms(cpuPer), n, elapsed.Round(time.Millisecond))
}

func writeOps() int {
	if v := os.Getenv("SWITCHBOARD_BENCH_OPS"); v != "" {
		var n int
		if _, err := fmt.Sscan(v, &n); err == nil && n > 0 {
			return n
		}
	}
	return 400
}

// BenchmarkSQLiteWrites measures one write at a time: an inbound message
// into chats spread over the workspace, and an agent's reply.
func BenchmarkSQLiteWrites(b *testing.B) {
	for _, chats := range writeSizes() {
		b.Run(fmt.Sprintf("chats=%d", chats), func(b *testing.B) {
			wb := openWriteBench(b, chats, "FULL")
			n := writeOps()
			for b.Loop() {
				wb.latency(b, "inbound-http", n, func(i int) error { return wb.inboundHTTP(fmt.Sprintf("wh%d", writeSeq.Add(1)), wb.open(i*7919)) })
				wb.latency(b, "inbound-direct", n, func(i int) error {
					return wb.inboundDirect(fmt.Sprintf("wd%d", writeSeq.Add(1)), wb.open(i*7919+1))
				})
				wb.latency(b, "inbound-store", n, func(i int) error { return wb.inboundStore(fmt.Sprintf("ws%d", writeSeq.Add(1)), wb.open(i*7919+2)) })
				wb.latency(b, "reply-http", n, func(i int) error { return wb.replyHTTP(wb.open(i*7919 + 3)) })
				wb.latency(b, "reply-direct", n, func(i int) error { return wb.replyDirect(wb.open(i*7919 + 4)) })
				wb.latency(b, "reply-store", n, func(i int) error { return wb.replyStore(fmt.Sprintf("rs%d", writeSeq.Add(1)), wb.open(i*7919+5)) })
			}
		})
	}
}

// BenchmarkSQLiteInboundThroughput measures inbound messages from 8
// concurrent senders, spread over the chats and all into one chat, under
// synchronous FULL (the server's default) and NORMAL.
func BenchmarkSQLiteInboundThroughput(b *testing.B) {
	const senders = 8
	for _, chats := range writeSizes() {
		for _, sync := range []string{"FULL", "NORMAL"} {
			b.Run(fmt.Sprintf("chats=%d/sync=%s", chats, sync), func(b *testing.B) {
				wb := openWriteBench(b, chats, sync)
				n := 4 * writeOps()
				for b.Loop() {
					wb.throughput(b, "spread-http", senders, n, func(i int) error {
						return wb.inboundHTTP(fmt.Sprintf("th%d", writeSeq.Add(1)), wb.open(i*7919))
					})
					wb.throughput(b, "spread-direct", senders, n, func(i int) error {
						return wb.inboundDirect(fmt.Sprintf("td%d", writeSeq.Add(1)), wb.open(i*7919+1))
					})
					wb.throughput(b, "spread-store", senders, n, func(i int) error {
						return wb.inboundStore(fmt.Sprintf("ts%d", writeSeq.Add(1)), wb.open(i*7919+2))
					})
					wb.throughput(b, "onechat-http", senders, n, func(int) error { return wb.inboundHTTP(fmt.Sprintf("oh%d", writeSeq.Add(1)), 3) })
					wb.throughput(b, "onechat-direct", senders, n, func(int) error { return wb.inboundDirect(fmt.Sprintf("od%d", writeSeq.Add(1)), 3) })
					wb.throughput(b, "onechat-store", senders, n, func(int) error { return wb.inboundStore(fmt.Sprintf("os%d", writeSeq.Add(1)), 3) })
				}
			})
		}
	}
}
