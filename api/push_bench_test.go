package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/messaging"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/jwt"
	"google.golang.org/api/option"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/internal/benchseed"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
	"github.com/switchboardhq/switchboard/push/fcm"
	"github.com/switchboardhq/switchboard/store/sqlite"
	"github.com/switchboardhq/switchboard/store/storetest"
)

// BenchmarkPushFanOut: a burst of N new chats (a subscriber message, then
// the chat opened), each alerting D FCM devices (spread over the admin
// and the two employees, who all hear of an unassigned new chat). The
// chats are made and their alerts dispatched (stored) outside the
// measure; then the gateway's Run loop (4 workers of 50 alerts, 64 FCM
// sends in flight at most) sends them to the loopback FCM fake, and the
// figure is sends per second from stored alert to the last provider
// answer. The same-run baselines send the same messages (read back from
// the stored alerts, sent over again up to at least 2,000) from 64
// goroutines: through the FCM sender alone ("sender": the Firebase SDK
// and our classification) and through the bare Firebase messaging client
// ("sdk"). It also reports database commands per alert while dispatching
// and while sending, where the send's time goes (database, NoteOutcomes,
// provider, CPU), and the peak heap during it (the embedded FerretDB and
// the FCM fake run in the same process and count in it). The timer is
// stopped throughout: ns/op means nothing here.
//
// PUSH_FANOUT_CHATS overrides N (200), PUSH_FANOUT_WORKERS the gateway's
// Workers (4 batches of SendBatch 50 alerts; PUSH_FANOUT_BATCH overrides
// SendBatch); PUSH_FANOUT_CPUPROFILE=<dir> writes a CPU profile of each
// send phase there; PUSH_FANOUT_UNSERIALISED=1 drops the benchmark's
// NoteOutcomes timer (oneNoteAtATime).
//
//	go test -run '^$' -bench 'PushFanOut' -benchtime 1x -v ./api/
func BenchmarkPushFanOut(b *testing.B) {
	chats := 200
	if v, err := strconv.Atoi(os.Getenv("PUSH_FANOUT_CHATS")); err == nil && v > 0 {
		chats = v
	}
	var rows []fanOutResult
	for _, d := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("D=%d", d), func(b *testing.B) {
			for range b.N {
				r := runFanOut(b, chats, d)
				r.report(b)
				rows = append(rows, r)
			}
		})
	}
	if len(rows) == 0 {
		return
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "\nN = %d new chats, FCM devices per alert D, gateway Run (%d workers of %d alerts, 64 FCM sends in flight) against 64 goroutines sending the same messages\n",
		chats, rows[0].workers, rows[0].batch)
	fmt.Fprintf(&sb, "%4s %10s %10s %10s %8s %8s %9s %9s %9s %9s %9s %9s %9s %9s\n", "D", "gw send/s", "sender/s", "sdk/s", "gw/sndr", "gw/sdk",
		"cmds disp", "cmds send", "wall ms/a", "CPU ms/a", "notes ms", "send ms", "heap MiB", "base MiB")
	for _, r := range rows {
		fmt.Fprintf(&sb, "%4d %10.0f %10.0f %10.0f %8.3f %8.3f %9.2f %9.2f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n", r.d, r.gatewayRate, r.senderRate, r.sdkRate,
			r.gatewayRate/r.senderRate, r.gatewayRate/r.sdkRate, r.dispatchCmds, r.sendCmds, ms64(r.settle)/float64(r.chats),
			ms64(r.cpuPerSend)*float64(r.d), ms64(r.notesHeld)/float64(r.chats), r.sendMs, r.peakMiB, r.basePeakMiB)
	}
	sb.WriteString("(wall ms/a, CPU ms/a: per alert over the send; notes ms: NoteOutcomes per alert; send ms: provider round trip)\n")
	b.Log(sb.String())
}

// fanOutResult is one burst's figures.
type fanOutResult struct {
	d, chats, workers, batch         int
	gatewayRate, senderRate, sdkRate float64 // sends per second
	dispatchCmds, sendCmds           float64 // database commands per alert
	dispatchTime, sendTime, settle   time.Duration
	dbMsPerAlert                     float64 // summed database command time per alert, ms
	dbBusy, sendsBusy                float64 // database commands and provider sends in flight, on average
	sendMs                           float64 // mean provider round trip in the gateway, ms
	cpuPerSend                       time.Duration
	notesHeld, notesWait             time.Duration // NoteOutcomes: running, and waiting for its turn
	heapBeforeMiB, peakMiB, afterMiB float64
	basePeakMiB                      float64
	dispatchByCmd, sendByCmd         string
}

func (r fanOutResult) report(b *testing.B) {
	b.ReportMetric(r.gatewayRate, "gw-sends/s")
	b.ReportMetric(r.senderRate, "sender-sends/s")
	b.ReportMetric(r.sdkRate, "sdk-sends/s")
	b.ReportMetric(r.gatewayRate/r.senderRate, "gw/sender")
	b.ReportMetric(r.gatewayRate/r.sdkRate, "gw/sdk")
	b.ReportMetric(r.dispatchCmds, "db-cmds/alert-dispatch")
	b.ReportMetric(r.sendCmds, "db-cmds/alert-send")
	b.ReportMetric(r.dbMsPerAlert, "db-ms/alert-send")
	b.ReportMetric(r.peakMiB, "peak-heap-MiB")
	b.ReportMetric(r.basePeakMiB, "sender-peak-heap-MiB")
	b.Logf("D=%d: %d alerts, %d sends. dispatch %s (%.2f commands per alert: %s)", r.d, r.chats, r.chats*r.d,
		r.dispatchTime.Round(time.Millisecond), r.dispatchCmds, r.dispatchByCmd)
	b.Logf("D=%d: gateway sent in %s (%.0f sends/s; all alerts settled after %s), %.2f commands per alert: %s",
		r.d, r.sendTime.Round(time.Millisecond), r.gatewayRate, r.settle.Round(time.Millisecond), r.sendCmds, r.sendByCmd)
	b.Logf("D=%d: database %.2f ms of commands per alert, %.1f commands in flight on average; provider round trip %.2f ms, %.1f sends in flight",
		r.d, r.dbMsPerAlert, r.dbBusy, r.sendMs, r.sendsBusy)
	b.Logf("D=%d: %.1f ms wall and %.1f ms CPU per alert (%s CPU per send), the process using %.0f%% of %d CPUs",
		r.d, ms64(r.settle)/float64(r.chats), ms64(r.cpuPerSend)*float64(r.d), r.cpuPerSend.Round(time.Microsecond),
		100*float64(r.cpuPerSend)*float64(r.chats*r.d)/float64(r.settle)/float64(runtime.GOMAXPROCS(0)), runtime.GOMAXPROCS(0))
	if r.notesHeld > 0 {
		b.Logf("D=%d: NoteOutcomes (one at a time) ran %.1f ms per alert, %.0f%% of the send's wall time; alerts waited %.1f ms each for their turn",
			r.d, ms64(r.notesHeld)/float64(r.chats), 100*float64(r.notesHeld)/float64(r.settle), ms64(r.notesWait)/float64(r.chats))
	}
	b.Logf("D=%d: baselines sender %.0f sends/s (gateway %.3fx), sdk %.0f sends/s (gateway %.3fx)", r.d, r.senderRate,
		r.gatewayRate/r.senderRate, r.sdkRate, r.gatewayRate/r.sdkRate)
	b.Logf("D=%d: heap %.1f MiB before, peak %.1f MiB during the gateway's send, %.1f MiB after; peak %.1f MiB during the sender baseline",
		r.d, r.heapBeforeMiB, r.peakMiB, r.afterMiB, r.basePeakMiB)
}

// fanOutEnv is a mobile push env whose database reports its command
// times, and whose FCM sender is timed.
type fanOutEnv struct {
	*mobile
	dbreg *prometheus.Registry
	timed *timedSender
	notes *oneNoteAtATime // nil when unserialised
	ws    string
}

// newFanOutEnv is newMobileEnv with a registry on the database (for the
// command times) and a timed FCM sender.
//
// The store is the engine of the test run (storetest.Engine): the SQLite
// store as the server opens it (synchronous=FULL) and with the gateway
// alone on it (Config.Alone, as the server sets it there), whose
// statements are counted but not timed; or the MongoDB store, whose
// commands are timed too.
func newFanOutEnv(b *testing.B, cfg push.Config) *fanOutEnv {
	dbreg := prometheus.NewRegistry()
	var db storetest.Store
	if storetest.Engine() == storetest.EngineSQLite {
		s, err := sqlite.Open(context.Background(), b.TempDir(), sqlite.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = s.Close() })
		db, cfg.Alone = benchseed.Store{Store: s}, true
	} else {
		opt := storetest.Options(b)
		opt.Registerer = dbreg
		db = storetest.NewWith(b, opt)
	}
	senders, ff, af := mobileSenders(b)
	plain := senders[push.ProviderFCM]
	ts := &timedSender{s: plain}
	senders[push.ProviderFCM] = ts
	if cfg.AppURL == "" {
		cfg.AppURL = "https://app.example.com"
	}
	pe := &pushEnv{preg: prometheus.NewRegistry(), stors: gatewayStores(db)}
	var notes *oneNoteAtATime
	if os.Getenv("PUSH_FANOUT_UNSERIALISED") == "" && storetest.Engine() == storetest.EngineMongoDB {
		notes = &oneNoteAtATime{DeviceStore: db}
		pe.stors.Devices = notes
	}
	var e *env
	now := func() time.Time { return e.inboxClock.Now() }
	pe.g = push.New(pe.stors, cfg, senders, now, pe.preg)
	pe.cfg = pe.g.Config()
	e = newSyncEnv(b, db, testSync, func(_ *authConfig, o *apiOptions) { o.Push = pe.g })
	pe.g.WithActions(inbox.AlertActions{S: e.inbox})
	pe.env = e
	return &fanOutEnv{mobile: &mobile{pushEnv: pe, fcm: ff, apns: af, fcmSender: plain}, dbreg: dbreg, timed: ts, notes: notes}
}

// oneNoteAtATime times NoteOutcomes, one call at a time: the time it
// runs and the time calls wait for their turn. FerretDB v1.24
// (handler/msg_update.go, updateDocument) keeps each statement's SQLite
// cursor open until the whole update command ends, with a pool of 100
// connections, so the store itself runs one multi-document update at a
// time per process (DB.manyMu); this wrapper adds the timing.
type oneNoteAtATime struct {
	models.DeviceStore
	mu         sync.Mutex
	held, wait atomic.Int64 // ns inside NoteOutcomes, and waiting for the turn
}

func (s *oneNoteAtATime) NoteOutcomes(ctx context.Context, ws string, outcomes map[string]string, at time.Time) error {
	t0 := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t1 := time.Now()
	defer func() { s.held.Add(int64(time.Since(t1))) }()
	s.wait.Add(int64(t1.Sub(t0)))
	return s.DeviceStore.NoteOutcomes(ctx, ws, outcomes, at)
}

// timedSender counts the sends through s and the time spent in them, and
// closes reached when the want-th answer is in.
type timedSender struct {
	s       push.Sender
	n, busy atomic.Int64
	failed  atomic.Int64
	want    int64
	reached chan struct{}
}

func (t *timedSender) Send(ctx context.Context, d *models.Device, n *push.Notification) push.Result {
	start := time.Now()
	r := t.s.Send(ctx, d, n)
	t.busy.Add(int64(time.Since(start)))
	if r.Outcome != push.OutcomeSent {
		t.failed.Add(1)
	}
	if t.n.Add(1) == t.want && t.reached != nil {
		close(t.reached)
	}
	return r
}

// dbFigures sums the database command metrics: commands by name and the
// total time of all commands.
type dbFigures struct {
	byCmd   map[string]float64 // commands
	secsBy  map[string]float64 // seconds of commands
	seconds float64
}

func readDB(b *testing.B, reg *prometheus.Registry) dbFigures {
	mfs, err := reg.Gather()
	if err != nil {
		b.Fatal(err)
	}
	f := dbFigures{byCmd: map[string]float64{}, secsBy: map[string]float64{}}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			switch mf.GetName() {
			case "switchboard_db_commands_total":
				for _, l := range m.GetLabel() {
					if l.GetName() == "command" {
						f.byCmd[l.GetValue()] += m.GetCounter().GetValue()
					}
				}
			case "switchboard_db_command_duration_seconds":
				f.seconds += m.GetHistogram().GetSampleSum()
				for _, l := range m.GetLabel() {
					if l.GetName() == "command" {
						f.secsBy[l.GetValue()] += m.GetHistogram().GetSampleSum()
					}
				}
			}
		}
	}
	return f
}

// perAlert renders the commands between two readings, per alert.
func perAlert(before, after dbFigures, alerts int) string {
	var names []string
	for k := range after.byCmd {
		if after.byCmd[k] > before.byCmd[k] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, k := range names {
		share := 0.0
		if t := after.seconds - before.seconds; t > 0 {
			share = 100 * (after.secsBy[k] - before.secsBy[k]) / t
		}
		parts = append(parts, fmt.Sprintf("%s %.2f (%.0f%% of the time)", k, (after.byCmd[k]-before.byCmd[k])/float64(alerts), share))
	}
	return strings.Join(parts, ", ")
}

// heapSampler records the peak HeapAlloc, sampled every 5 ms, until stopped.
type heapSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	done chan struct{}
}

func sampleHeap() *heapSampler {
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > h.peak.Load() {
				h.peak.Store(ms.HeapAlloc)
			}
			select {
			case <-h.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

// end stops the sampler and returns the peak in MiB.
func (h *heapSampler) end() float64 {
	close(h.stop)
	<-h.done
	return mib(h.peak.Load())
}

func ms64(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// liveHeap collects garbage and returns the live heap in MiB.
func liveHeap() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return mib(ms.HeapAlloc)
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// fanOutJob is one message of the baselines.
type fanOutJob struct {
	dev *models.Device
	n   *push.Notification
}

// runFanOut makes chats new chats alerting d devices each, dispatches
// them, sends them with the gateway, then sends the same messages with
// the baselines.
func runFanOut(b *testing.B, chats, d int) fanOutResult {
	b.StopTimer()
	ctx := context.Background()
	cfg := push.Config{PollInterval: time.Minute} // no idle polls during the burst
	if v, err := strconv.Atoi(os.Getenv("PUSH_FANOUT_WORKERS")); err == nil && v > 0 {
		cfg.Workers = v
	}
	if v, err := strconv.Atoi(os.Getenv("PUSH_FANOUT_BATCH")); err == nil && v > 0 {
		cfg.SendBatch = v
	}
	m := newFanOutEnv(b, cfg)
	tm, bot := m.shop()
	m.ws = tm.admin.Workspace.ID
	owners := []string{tm.admin.AccessToken, tm.emp1.AccessToken, tm.emp2.AccessToken}
	for i := range d {
		m.device(owners[i%len(owners)], map[string]any{"kind": "fcm", "token": fmt.Sprintf("fcm-%d-%d", d, i)})
	}
	setup := time.Now()
	for i := range chats {
		m.event(tm.key, bot.ID, say(fmt.Sprintf("m%d", i), fmt.Sprintf("s%d", i), "Hello, I need help with my order"))
		m.event(tm.key, bot.ID, openChat(fmt.Sprintf("o%d", i), fmt.Sprintf("s%d", i)))
	}
	b.Logf("D=%d: %d chats made in %s", d, chats, time.Since(setup).Round(time.Millisecond))

	// Warm the sender (its first send fetches an access token).
	warm := &models.Device{ID: "warm", Kind: models.DeviceFCM, Token: "warm-up"}
	if r := m.fcmSender.Send(ctx, warm, &push.Notification{Event: models.EventNewChat, CollapseKey: "warm"}); r.Outcome != push.OutcomeSent {
		b.Fatalf("warm-up send: %+v", r)
	}

	r := fanOutResult{d: d, chats: chats, workers: m.cfg.Workers, batch: m.cfg.SendBatch}

	// Dispatch: the log becomes stored alerts.
	db0, c0 := readDB(b, m.dbreg), m.db.Commands()
	t0 := time.Now()
	made := m.g.DispatchAll(ctx)
	r.dispatchTime = time.Since(t0)
	db1, c1 := readDB(b, m.dbreg), m.db.Commands()
	if made != chats {
		b.Fatalf("dispatch stored %d alerts, want %d", made, chats)
	}
	r.dispatchCmds = float64(c1-c0) / float64(chats)
	r.dispatchByCmd = perAlert(db0, db1, chats)

	// Send: the gateway's Run loop until every delivery has its answer.
	want := int64(chats * d)
	m.timed.want, m.timed.reached = want, make(chan struct{})
	fake0 := len(m.fcm.Messages())
	r.heapBeforeMiB = liveHeap()
	heap := sampleHeap()
	if dir := os.Getenv("PUSH_FANOUT_CPUPROFILE"); dir != "" {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("push-fanout-D%d.pprof", d)))
		if err != nil {
			b.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan struct{})
	cpu0 := processCPU()
	t0 = time.Now()
	go func() { defer close(ran); m.g.Run(runCtx) }()
	for last := int64(-1); ; {
		select {
		case <-m.timed.reached:
		case <-time.After(30 * time.Second):
			n := m.timed.n.Load()
			if n == last {
				b.Fatalf("the gateway stalled at %d of %d sends (%d not sent): is the database stuck? (see oneNoteAtATime)", n, want, m.timed.failed.Load())
			}
			last = n
			continue
		}
		break
	}
	r.sendTime = time.Since(t0)
	stop()
	<-ran
	r.settle = time.Since(t0)
	cpu := processCPU() - cpu0
	if os.Getenv("PUSH_FANOUT_CPUPROFILE") != "" {
		pprof.StopCPUProfile()
	}
	r.peakMiB = heap.end()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r.afterMiB = mib(ms.HeapAlloc)
	db2, c2 := readDB(b, m.dbreg), m.db.Commands()
	r.gatewayRate = float64(want) / r.sendTime.Seconds()
	r.sendCmds = float64(c2-c1) / float64(chats)
	r.sendByCmd = perAlert(db1, db2, chats)
	r.dbMsPerAlert = (db2.seconds - db1.seconds) * 1000 / float64(chats)
	r.dbBusy = (db2.seconds - db1.seconds) / r.settle.Seconds()
	r.sendMs = float64(m.timed.busy.Load()) / float64(want) / float64(time.Millisecond)
	r.sendsBusy = float64(m.timed.busy.Load()) / float64(r.settle)
	r.cpuPerSend = cpu / time.Duration(want)
	if m.notes != nil {
		r.notesHeld, r.notesWait = time.Duration(m.notes.held.Load()), time.Duration(m.notes.wait.Load())
	}
	if f := m.timed.failed.Load(); f != 0 {
		b.Fatalf("%d sends failed", f)
	}
	if got := len(m.fcm.Messages()) - fake0; got != int(want) {
		b.Fatalf("the fake got %d messages, want %d", got, want)
	}
	if due, err := m.db.DueAlerts(ctx, m.inboxClock.Now().Add(time.Hour), 10, nil); err != nil || len(due) != 0 {
		b.Fatalf("alerts still due after the send: %d (%v)", len(due), err)
	}

	// The same messages, for the baselines.
	jobs := fanOutJobs(b, m, chats, d)

	// Baseline 1: the FCM sender from 64 goroutines. The messages are
	// sent over again until at least 2,000 went, for a steadier figure.
	reps := max(1, (2000+len(jobs)-1)/len(jobs))
	total := reps * len(jobs)
	liveHeap()
	heap = sampleHeap()
	el := pool(64, total, func(i int) error {
		j := jobs[i%len(jobs)]
		if res := m.fcmSender.Send(ctx, j.dev, j.n); res.Outcome != push.OutcomeSent {
			return fmt.Errorf("sender: %+v", res)
		}
		return nil
	})
	r.basePeakMiB = heap.end()
	r.senderRate = float64(total) / el.Seconds()
	if got := len(m.fcm.Messages()) - fake0; got != int(want)+total {
		b.Fatalf("the fake got %d messages after the sender baseline, want %d", got, int(want)+total)
	}

	// Baseline 2: the bare Firebase messaging client, same messages.
	client := rawMessaging(b, m)
	fake1 := len(m.fcm.Messages())
	now := time.Now()
	el = pool(64, total, func(i int) error {
		j := jobs[i%len(jobs)]
		_, err := client.Send(ctx, fcm.Message(j.dev, j.n, now))
		return err
	})
	r.sdkRate = float64(total) / el.Seconds()
	if got := len(m.fcm.Messages()) - fake1; got != total {
		b.Fatalf("the fake got %d messages from the bare client, want %d", got, total)
	}
	b.StartTimer()
	return r
}

// fanOutJobs reads the sent alerts back and rebuilds each delivery's
// notification as the gateway built it.
func fanOutJobs(b *testing.B, m *fanOutEnv, chats, d int) []fanOutJob {
	ctx := context.Background()
	alerts, err := m.db.Alerts(ctx, m.ws, models.AlertFilter{Limit: chats + 10})
	if err != nil {
		b.Fatal(err)
	}
	devs, err := m.db.Devices(ctx, m.ws, nil)
	if err != nil {
		b.Fatal(err)
	}
	byID := map[string]*models.Device{}
	for _, dev := range devs {
		byID[dev.ID] = dev
	}
	var jobs []fanOutJob
	for _, a := range alerts {
		for _, del := range a.Deliveries {
			if del.State != models.DeliveryDone {
				b.Fatalf("delivery %+v not sent", del)
			}
			jobs = append(jobs, fanOutJob{dev: byID[del.DeviceID], n: &push.Notification{AlertID: a.ID, Event: a.Event,
				ConversationID: a.ConversationID, SubscriberName: a.SubscriberName, Channel: a.Channel, BotName: a.BotName,
				Preview: a.Preview, Badge: del.Badge, CollapseKey: push.CollapseKey(a), URL: m.cfg.ChatURL(a.ConversationID),
				Expires: a.ExpiresAt}})
		}
	}
	if len(alerts) != chats || len(jobs) != chats*d {
		b.Fatalf("%d alerts and %d deliveries stored, want %d and %d", len(alerts), len(jobs), chats, chats*d)
	}
	return jobs
}

// pool runs job 0..n-1 on workers goroutines and returns the time taken.
func pool(workers, n int, job func(i int) error) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := job(i); err != nil {
					once.Do(func() { first = err })
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	if first != nil {
		panic(first)
	}
	return el
}

// rawMessaging is a Firebase messaging client against the fake, signed in
// as a service account of the fake, with no wrapper of ours, warmed up.
func rawMessaging(b *testing.B, m *fanOutEnv) *messaging.Client {
	ctx := context.Background()
	var sa struct {
		ProjectID    string `json:"project_id"`
		PrivateKeyID string `json:"private_key_id"`
		PrivateKey   string `json:"private_key"`
		ClientEmail  string `json:"client_email"`
		TokenURI     string `json:"token_uri"`
	}
	if err := json.Unmarshal(m.fcm.ServiceAccountJSON("switchboard-test"), &sa); err != nil {
		b.Fatal(err)
	}
	jc := &jwt.Config{Email: sa.ClientEmail, PrivateKey: []byte(sa.PrivateKey), PrivateKeyID: sa.PrivateKeyID,
		Scopes: []string{"https://www.googleapis.com/auth/firebase.messaging"}, TokenURL: sa.TokenURI}
	base := &http.Client{Timeout: 30 * time.Second}
	hc := &http.Client{Timeout: base.Timeout,
		Transport: &oauth2.Transport{Source: jc.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, base)), Base: http.DefaultTransport}}
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: sa.ProjectID}, option.WithHTTPClient(hc), option.WithEndpoint(m.fcm.URL()))
	if err != nil {
		b.Fatal(err)
	}
	client, err := app.Messaging(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := client.Send(ctx, &messaging.Message{Token: "warm-up-sdk"}); err != nil {
		b.Fatal(err)
	}
	return client
}
