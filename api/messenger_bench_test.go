package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/channels"
	tgchan "github.com/switchboardhq/switchboard/channels/telegram"
	vbchan "github.com/switchboardhq/switchboard/channels/viber"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/internal/fakes/viberfake"
	"github.com/switchboardhq/switchboard/jobs"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/sqlite"
	"github.com/switchboardhq/switchboard/store/storetest"
	tg "github.com/switchboardhq/switchboard/telegram"
)

// The messenger benchmarks (BENCHMARKS.md, "Issue 13: messengers"): a
// server wired as `switchboard serve` wires it (the job runner at its
// production poll, woken by every store change; the SQLite store opened
// with synchronous=FULL) to the loopback Telegram fake.
//
//   - inbound: a burst of Telegram updates POSTed to the bot's webhook by
//     concurrent senders; accepted per second, the time from a POST's start
//     to its message being applied (p50/p99), and store statements per
//     update; in the same run the same burst as bot-engine events
//     (POST /v1/bots/{id}/events, the message stored before the 200) and
//     against a bare HTTP handler that answers 200.
//   - outbound: agent replies queued with the workers stopped, then sent by
//     the workers until the fake has them all and every one is marked sent;
//     in the same run the same number of sendMessage calls through
//     telegram.Client from as many goroutines as the send workers (8).
//
// Both sides run with Telegram's per-bot and per-chat limits raised (the
// adapter's GlobalRate and PerChatRate): at the real 30 a second per bot
// the limiter, not Switchboard, is the bound. SWITCHBOARD_BENCH_TG_DELAY_MS
// puts a proxy answering each Bot API call that much later between the
// fake and both senders (the round trip to the real Bot API).
//
//	go test -run '^$' -bench Messengers -benchtime 1x -timeout 30m -v ./api/
//
// SWITCHBOARD_BENCH_UPDATES (2000), SWITCHBOARD_BENCH_MSG_CHATS (200),
// SWITCHBOARD_BENCH_SENDERS (16) and SWITCHBOARD_BENCH_REPLIES (1000) set
// the sizes; SWITCHBOARD_TEST_STORE=mongodb runs it on the MongoDB store.

// benchInt is the environment variable name as a positive integer, or def.
func benchInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// msgTaps records, without a statement of their own, when the workers
// finish their steps: an update applied, a reply marked sent, a job done.
type msgTaps struct {
	mu       sync.Mutex
	applied  map[string]time.Time // update id: when its done outcome was about to be written
	sent     atomic.Int64
	listings atomic.Int64 // due-job listings
	finished sync.Map     // job kind: *atomic.Int64
}

func (t *msgTaps) finishedOf(kind string) int64 {
	v, _ := t.finished.LoadOrStore(kind, new(atomic.Int64))
	return v.(*atomic.Int64).Load()
}

// updateTap notes the moment an applied update's outcome is recorded: the
// inbox has committed its message by then (apply returned).
type updateTap struct {
	models.UpdateStore
	t *msgTaps
}

func (u updateTap) SetUpdateOutcome(ctx context.Context, ws, id string, o models.UpdateOutcome) (*models.InboundUpdate, error) {
	at := time.Now()
	r, err := u.UpdateStore.SetUpdateOutcome(ctx, ws, id, o)
	if err == nil && o.State == models.UpdateDone {
		u.t.mu.Lock()
		u.t.applied[id] = at
		u.t.mu.Unlock()
	}
	return r, err
}

// messageTap counts replies marked sent.
type messageTap struct {
	models.MessageStore
	t *msgTaps
}

func (m messageTap) UpdateMessage(ctx context.Context, ws, id string, upd models.MessageUpdate) (*models.Message, error) {
	r, err := m.MessageStore.UpdateMessage(ctx, ws, id, upd)
	if err == nil && upd.Status != nil && *upd.Status == models.DeliverySent {
		m.t.sent.Add(1)
	}
	return r, err
}

// jobTap counts due-job listings and finished jobs by kind.
type jobTap struct {
	models.JobStore
	t *msgTaps
}

func (j jobTap) DueJobs(ctx context.Context, kind string, now time.Time, limit int) ([]models.Job, error) {
	j.t.listings.Add(1)
	return j.JobStore.DueJobs(ctx, kind, now, limit)
}

func (j jobTap) FinishJob(ctx context.Context, kind, id string, claim int) error {
	err := j.JobStore.FinishJob(ctx, kind, id, claim)
	if err == nil {
		v, _ := j.t.finished.LoadOrStore(kind, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	}
	return err
}

// fullSQLite is the SQLite store opened as the server opens it.
type fullSQLite struct{ *sqlite.Store }

func (s fullSQLite) Close(context.Context) error { return s.Store.Close() }

// msgBench is a server wired to the Telegram fake, whose job runner the
// benchmark starts and stops.
type msgBench struct {
	*env
	tg     *telegramfake.Server
	taps   *msgTaps
	runner *jobs.Runner
	ch     *channels.Service
	public string
	api    string // the Bot API base URL the server and the bare client call
	client *http.Client
	stop   func() // stops the runner (nil when stopped)
}

// benchRates are the Telegram limits of the benchmark's clients: high
// enough never to wait.
const benchRates = 1e6

func newMsgBench(b *testing.B) *msgBench {
	b.Helper()
	var db storetest.Store
	if storetest.Engine() == storetest.EngineSQLite {
		s, err := sqlite.Open(context.Background(), b.TempDir(), sqlite.Options{Synchronous: "FULL"})
		if err != nil {
			b.Fatal(err)
		}
		db = fullSQLite{s}
		b.Cleanup(func() { _ = s.Close() })
	} else {
		db = storetest.Open(b)
	}
	mb := &msgBench{tg: telegramfake.New(b, nativeToken), taps: &msgTaps{applied: map[string]time.Time{}}}
	mb.api = mb.tg.URL()
	if d := benchInt("SWITCHBOARD_BENCH_TG_DELAY_MS", 0); d > 0 {
		// Each Bot API call answered d ms later, as over a real network.
		target, _ := url.Parse(mb.tg.URL())
		rp := httputil.NewSingleHostReverseProxy(target)
		rp.Transport = benchTransport()
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(time.Duration(d) * time.Millisecond)
			rp.ServeHTTP(w, r)
		}))
		b.Cleanup(slow.Close)
		mb.api = slow.URL
	}
	vb := viberfake.New()
	b.Cleanup(vb.Close)
	var handler http.Handler
	var mu sync.Mutex
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := handler
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	b.Cleanup(front.Close)
	mb.public = front.URL
	mb.env = newSyncEnv(b, db, testSync, func(c *authConfig, opt *apiOptions) {
		c.LoginAttempts = 1 << 30
		in := opt.Inbox.(*inbox.Service)
		mb.runner = jobs.New(jobTap{db, mb.taps}, in.Now, nil) // the production poll (1 s)
		adapters := map[models.Channel]channels.Adapter{
			models.ChannelTelegram: tgchan.New(tgchan.Config{BaseURL: mb.api, GlobalRate: benchRates, PerChatRate: benchRates}),
			models.ChannelViber:    vbchan.New(vb.BaseURL(), nil),
		}
		mb.ch = channels.New(channels.Stores{Bots: db, Members: db, Subscribers: db, Messages: messageTap{db, mb.taps}, Files: db,
			Updates: updateTap{db, mb.taps}, Jobs: db, State: db, Native: db},
			channels.Config{PublicURL: mb.public, MediaKey: []byte("bench-media-key"), Holder: "bench", Now: in.Now}, adapters, in, mb.runner, nil)
		opt.Channels = mb.ch
	})
	// As the server does: every change wakes the sync hub and the runner.
	db.OnChange(func(ws string) { mb.hub.Notify(ws); mb.runner.Wake() })
	mu.Lock()
	handler = mb.srv.Handler()
	mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); mb.ch.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done })
	b.Cleanup(func() {
		if mb.stop != nil {
			mb.stop()
		}
	})
	mb.client = &http.Client{Transport: benchTransport()}
	mb.start()
	return mb
}

// benchTransport keeps enough idle connections for every sender.
func benchTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return tr
}

// start runs the job runner until stop.
func (mb *msgBench) start() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); mb.runner.Run(ctx) }()
	mb.runner.Wake()
	mb.stop = func() { cancel(); <-done; mb.stop = nil }
}

// burstResult is one burst's figures.
type burstResult struct {
	n              int
	accepted       time.Duration // first POST to the last 200
	done           time.Duration // first POST to the last message applied
	p50, p99, max  time.Duration // per update: POST start to applied (or to the 200)
	stmts, cpu     float64       // statements and CPU ms per update
	ackP50, ackP99 time.Duration // per POST: start to its 200
}

func (r burstResult) String() string {
	s := fmt.Sprintf("%5d in %6.2fs: %7.0f accepted/s; POST p50 %6.2f ms p99 %7.2f ms", r.n, r.accepted.Seconds(),
		float64(r.n)/r.accepted.Seconds(), ms(r.ackP50), ms(r.ackP99))
	if r.done > 0 {
		s += fmt.Sprintf("; all applied in %6.2fs (%6.0f/s); to stored p50 %7.2f ms p99 %7.2f ms max %7.2f ms",
			r.done.Seconds(), float64(r.n)/r.done.Seconds(), ms(r.p50), ms(r.p99), ms(r.max))
	}
	return s + fmt.Sprintf("; %5.1f statements/update; %5.2f ms CPU/update", r.stmts, r.cpu)
}

// burst POSTs n requests from senders goroutines, each answered want;
// req(i) builds the i-th.
// It returns each request's start time and response time.
func (mb *msgBench) burst(b *testing.B, n, senders, want int, req func(i int) *http.Request) (starts []time.Time, acks []time.Duration, elapsed time.Duration) {
	b.Helper()
	starts, acks = make([]time.Time, n), make([]time.Duration, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, senders)
	began := time.Now()
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				r := req(i)
				starts[i] = time.Now()
				res, err := mb.client.Do(r)
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				acks[i] = time.Since(starts[i])
				if res.StatusCode != want {
					errs <- fmt.Errorf("%s %s: status %d", r.Method, r.URL.Path, res.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed = time.Since(began)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return starts, acks, elapsed
}

func percentiles(ds []time.Duration) (p50, p99, mx time.Duration) {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2], s[len(s)*99/100], s[len(s)-1]
}

// tgUpdate is the webhook body of subscriber chat's k-th message.
func tgUpdate(updateID int64, chat int64, k int, at time.Time) []byte {
	from := telegramfake.User{ID: chat, FirstName: "User", LastName: strconv.FormatInt(chat, 10)}
	u := telegramfake.Update{UpdateID: updateID, Message: &telegramfake.Message{MessageID: int64(k + 1), From: &from,
		Chat: telegramfake.Chat{ID: chat, Type: "private", FirstName: from.FirstName, LastName: from.LastName},
		Date: at.Unix(), Text: fmt.Sprintf("where is my order? (%d)", updateID)}}
	body, err := json.Marshal(u)
	if err != nil {
		panic(err)
	}
	return body
}

// BenchmarkMessengers measures the native Telegram connection: the
// inbound webhook burst and the outbound sends, each beside its baseline.
func BenchmarkMessengers(b *testing.B) {
	n := benchInt("SWITCHBOARD_BENCH_UPDATES", 2000)
	chats := benchInt("SWITCHBOARD_BENCH_MSG_CHATS", 200)
	senders := benchInt("SWITCHBOARD_BENCH_SENDERS", 16)
	replies := benchInt("SWITCHBOARD_BENCH_REPLIES", 1000)
	for b.Loop() {
		mb := newMsgBench(b)
		ctx := context.Background()
		admin := mb.admin("admin@example.com")
		ws := admin.Workspace.ID
		r := mb.call("POST", "/v1/api-keys", admin.AccessToken, map[string]string{"name": "engine"})
		wantStatus(b, r, http.StatusCreated)
		var key struct{ Secret string }
		r.JSON(b, &key)
		// The fake knows each chat (as Telegram would: its user wrote to
		// the bot), so the new subscribers' profiles can be read.
		bare := tg.New(tg.Config{Token: nativeToken, BaseURL: mb.api, GlobalRate: benchRates, PerChatRate: benchRates})
		for c := 1; c <= chats; c++ {
			if _, err := bare.SendMessage(ctx, tg.SendMessageParams{ChatID: int64(c), Text: "hello"}); err != nil {
				b.Fatal(err)
			}
		}
		nb := mb.bot(admin.AccessToken, map[string]any{"channel": "telegram", "name": "Support", "credentials": map[string]string{"token": nativeToken}})
		if nb.Connection == nil || nb.Connection.Transport != models.TransportWebhook {
			b.Fatalf("bot connection %+v, want a webhook", nb.Connection)
		}
		stored, err := mb.db.Bot(ctx, ws, nb.ID)
		if err != nil {
			b.Fatal(err)
		}
		secret, hook := stored.Connection.Secret, mb.public+"/v1/hooks/telegram/"+ws+"/"+nb.ID
		eb := mb.bot(admin.AccessToken, map[string]any{"channel": "telegram", "name": "Engine"})

		// (a) Inbound.
		bodies := make([][]byte, n)
		now := time.Now()
		for i := range n {
			bodies[i] = tgUpdate(int64(i+1), int64(i%chats+1), i/chats, now)
		}
		before, cpu, lists := mb.db.Commands(), processCPU(), mb.taps.listings.Load()
		starts, acks, accepted := mb.burst(b, n, senders, http.StatusOK, func(i int) *http.Request {
			req, _ := http.NewRequest("POST", hook, bytes.NewReader(bodies[i]))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(tg.SecretHeader, secret)
			return req
		})
		waitFor(b, "every update applied", 10*time.Minute, func() bool {
			mb.taps.mu.Lock()
			defer mb.taps.mu.Unlock()
			return len(mb.taps.applied) == n
		})
		hookRes := burstResult{n: n, accepted: accepted}
		lat := make([]time.Duration, n)
		var last time.Time
		mb.taps.mu.Lock()
		for i := range n {
			at := mb.taps.applied[models.UpdateID(nb.ID, strconv.Itoa(i+1))]
			lat[i] = at.Sub(starts[i])
			if at.After(last) {
				last = at
			}
		}
		mb.taps.mu.Unlock()
		first := slices.MinFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
		hookRes.done = last.Sub(first)
		hookRes.p50, hookRes.p99, hookRes.max = percentiles(lat)
		hookRes.ackP50, hookRes.ackP99, _ = percentiles(acks)
		appliedStmts, appliedCPU := mb.db.Commands()-before, processCPU()-cpu
		hookRes.stmts, hookRes.cpu = float64(appliedStmts)/float64(n), ms(appliedCPU)/float64(n)
		// Amortized with the new subscribers' profiles (a job each).
		waitFor(b, "every profile read", 5*time.Minute, func() bool { return mb.taps.finishedOf(models.JobProfile) >= int64(chats) })
		withProfiles := float64(mb.db.Commands()-before) / float64(n)
		b.Logf("webhook    %s", hookRes)
		b.Logf("webhook    with the %d profile jobs: %.1f statements/update; %.2f due-job listings/update", chats, withProfiles,
			float64(mb.taps.listings.Load()-lists)/float64(n))
		b.ReportMetric(float64(n)/accepted.Seconds(), "webhook-accepted/s")
		b.ReportMetric(float64(n)/hookRes.done.Seconds(), "webhook-applied/s")
		b.ReportMetric(ms(hookRes.p50), "webhook-p50-ms")
		b.ReportMetric(ms(hookRes.p99), "webhook-p99-ms")
		b.ReportMetric(hookRes.stmts, "webhook-stmts/update")

		// Baseline: the same burst as bot-engine events.
		before, cpu = mb.db.Commands(), processCPU()
		_, acks, accepted = mb.burst(b, n, senders, http.StatusOK, func(i int) *http.Request {
			return jsonRequest("POST", mb.http.URL+"/v1/bots/"+eb.ID+"/events", key.Secret,
				fmt.Sprintf(`{"id":"e%d","type":"message","subscriber":{"id":"%d"},"message":{"text":"where is my order? (%d)"}}`, i, i%chats+1, i))
		})
		evRes := burstResult{n: n, accepted: accepted, stmts: float64(mb.db.Commands()-before) / float64(n), cpu: ms(processCPU()-cpu) / float64(n)}
		evRes.ackP50, evRes.ackP99, _ = percentiles(acks)
		b.Logf("events     %s", evRes)
		b.ReportMetric(float64(n)/accepted.Seconds(), "events-accepted/s")
		b.ReportMetric(ms(evRes.ackP50), "events-p50-ms")
		b.ReportMetric(ms(evRes.ackP99), "events-p99-ms")

		// Baseline: a bare handler answering 200 after reading the body.
		plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.WriteHeader(http.StatusOK)
		}))
		cpu = processCPU()
		_, acks, accepted = mb.burst(b, n, senders, http.StatusOK, func(i int) *http.Request {
			req, _ := http.NewRequest("POST", plain.URL+"/hook", bytes.NewReader(bodies[i]))
			req.Header.Set("Content-Type", "application/json")
			return req
		})
		plain.Close()
		bareRes := burstResult{n: n, accepted: accepted, cpu: ms(processCPU()-cpu) / float64(n)}
		bareRes.ackP50, bareRes.ackP99, _ = percentiles(acks)
		b.Logf("bare 200   %s", bareRes)
		b.ReportMetric(float64(n)/accepted.Seconds(), "bare200-accepted/s")

		// The webhook's two halves apart: a burst into new chats accepted
		// with the workers stopped, then applied by them alone.
		mb.stop()
		for c := chats + 1; c <= 2*chats; c++ {
			if _, err := bare.SendMessage(ctx, tg.SendMessageParams{ChatID: int64(c), Text: "hello"}); err != nil {
				b.Fatal(err)
			}
		}
		for i := range n {
			bodies[i] = tgUpdate(int64(n+i+1), int64(chats+i%chats+1), i/chats, now)
		}
		before, cpu = mb.db.Commands(), processCPU()
		_, acks, accepted = mb.burst(b, n, senders, http.StatusOK, func(i int) *http.Request {
			req, _ := http.NewRequest("POST", hook, bytes.NewReader(bodies[i]))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(tg.SecretHeader, secret)
			return req
		})
		acceptRes := burstResult{n: n, accepted: accepted, stmts: float64(mb.db.Commands()-before) / float64(n), cpu: ms(processCPU()-cpu) / float64(n)}
		acceptRes.ackP50, acceptRes.ackP99, _ = percentiles(acks)
		b.Logf("accept only %s", acceptRes)
		before, cpu, lists = mb.db.Commands(), processCPU(), mb.taps.listings.Load()
		began := time.Now()
		mb.start()
		waitFor(b, "every update applied", 10*time.Minute, func() bool {
			mb.taps.mu.Lock()
			defer mb.taps.mu.Unlock()
			return len(mb.taps.applied) == 2*n
		})
		applied := time.Since(began)
		applyStmts, applyCPU := float64(mb.db.Commands()-before)/float64(n), ms(processCPU()-cpu)/float64(n)
		waitFor(b, "every profile read", 5*time.Minute, func() bool { return mb.taps.finishedOf(models.JobProfile) >= int64(2*chats) })
		b.Logf("apply only  %d updates applied in %.2fs = %.0f/s; %.1f statements/update (%.1f with the %d profiles, %.2f due-job listings/update); %.2f ms CPU/update",
			n, applied.Seconds(), float64(n)/applied.Seconds(), applyStmts, float64(mb.db.Commands()-before)/float64(n), chats,
			float64(mb.taps.listings.Load()-lists)/float64(n), applyCPU)
		b.ReportMetric(float64(n)/accepted.Seconds(), "accept-only/s")
		b.ReportMetric(float64(n)/applied.Seconds(), "apply-only/s")

		// (b) Outbound: replies queued with the workers stopped.
		mb.stop()
		convs := make([]string, chats)
		for c := range chats {
			convs[c] = models.ConversationID(models.SubscriberID(ws, nb.ID, strconv.Itoa(c+1)))
		}
		before = mb.db.Commands()
		_, _, queued := mb.burst(b, replies, senders, http.StatusCreated, func(i int) *http.Request {
			return jsonRequest("POST", mb.http.URL+"/v1/conversations/"+convs[i%chats]+"/messages", admin.AccessToken, `{"text":"On it!"}`)
		})
		queueStmts := float64(mb.db.Commands()-before) / float64(replies)
		b.Logf("replies queued: %d in %.2fs, %.1f statements/reply", replies, queued.Seconds(), queueStmts)

		bareLoop := func() time.Duration {
			var next atomic.Int64
			var wg sync.WaitGroup
			began := time.Now()
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := int(next.Add(1)) - 1; i < replies; i = int(next.Add(1)) - 1 {
						if _, err := bare.SendMessage(ctx, tg.SendMessageParams{ChatID: int64(i%chats + 1), Text: "On it!"}); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			return time.Since(began)
		}
		bare1 := bareLoop()

		calls0 := mb.tg.Calls("sendMessage")
		sent0 := mb.taps.sent.Load()
		before, cpu, lists = mb.db.Commands(), processCPU(), mb.taps.listings.Load()
		began = time.Now()
		mb.start()
		var atFake time.Duration
		waitFor(b, "every reply sent", 10*time.Minute, func() bool {
			if atFake == 0 && mb.tg.Calls("sendMessage")-calls0 >= replies {
				atFake = time.Since(began)
			}
			return mb.taps.sent.Load()-sent0 >= int64(replies)
		})
		allSent := time.Since(began)
		if atFake == 0 {
			atFake = allSent
		}
		sendStmts, sendCPU := float64(mb.db.Commands()-before)/float64(replies), ms(processCPU()-cpu)/float64(replies)
		sendLists := float64(mb.taps.listings.Load()-lists) / float64(replies)
		bare2 := bareLoop()
		bareRate := float64(2*replies) / (bare1 + bare2).Seconds()
		rate := float64(replies) / allSent.Seconds()
		b.Logf("outbound   %d replies: at the fake in %.2fs, all marked sent in %.2fs = %.0f sends/s; %.1f statements/send (%.2f due-job listings); %.2f ms CPU/send",
			replies, atFake.Seconds(), allSent.Seconds(), rate, sendStmts, sendLists, sendCPU)
		b.Logf("bare loop  %d sendMessage from 8 goroutines: %.2fs and %.2fs = %.0f sends/s; workers / bare = %.2f",
			replies, bare1.Seconds(), bare2.Seconds(), bareRate, rate/bareRate)
		b.ReportMetric(rate, "sends/s")
		b.ReportMetric(bareRate, "bare-sends/s")
		b.ReportMetric(rate/bareRate, "sends/bare")
		b.ReportMetric(sendStmts, "stmts/send")
	}
}
