package push

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/switchboardhq/switchboard/models"
)

// Gateway is the push gateway: a dispatcher that turns the change log
// into stored alerts, and workers that send them. Any number of instances
// may run one over the same store.
type Gateway struct {
	st      Stores
	cfg     Config
	now     func() time.Time
	senders map[Provider]Sender
	slots   map[Provider]chan struct{}
	metrics *metrics
	wake    chan struct{}
	// notified holds the workspaces written on this instance since the
	// dispatcher last looked; signal tells it there are some.
	notifyMu sync.Mutex
	notified map[string]struct{}
	signal   chan struct{}
	jitter   func() float64

	// CheckWebPush validates a Web Push subscription, naming the bad
	// field; web push registration is refused while it is nil.
	CheckWebPush func(endpoint, p256dh, auth string) error
	actions      Actions

	// VAPIDPublicKey is the key browsers subscribe with ("" when web push is off).
	VAPIDPublicKey string

	mu      sync.Mutex
	running map[string]bool // alerts being sent by this instance
	// lists counts the due listings begun; finished holds, for each alert
	// this instance finished, the count when it did, so that a listing
	// begun before that (a stale copy) does not start it again.
	lists    uint64
	finished map[string]uint64
	wg       sync.WaitGroup
}

// New returns a gateway sending through senders (a provider without one
// is disabled: its devices are kept and not sent to). now is the clock
// (time.Now when nil); reg receives the counters (none when nil).
func New(st Stores, cfg Config, senders map[Provider]Sender, now func() time.Time, reg prometheus.Registerer) *Gateway {
	if now == nil {
		now = time.Now
	}
	cfg = cfg.Defaults()
	g := &Gateway{st: st, cfg: cfg, now: now, senders: senders, slots: map[Provider]chan struct{}{},
		metrics: newMetrics(reg), wake: make(chan struct{}, 1), notified: map[string]struct{}{}, signal: make(chan struct{}, 1),
		jitter: rand.Float64, running: map[string]bool{}, finished: map[string]uint64{}}
	for p := range senders {
		g.slots[p] = make(chan struct{}, cfg.Concurrency[p])
	}
	return g
}

// WithActions plugs in what Telegram alert buttons and replies do.
func (g *Gateway) WithActions(a Actions) *Gateway {
	g.actions = a
	return g
}

// Config is the gateway's configuration with defaults applied.
func (g *Gateway) Config() Config { return g.cfg }

// Enabled reports whether provider p is configured.
func (g *Gateway) Enabled(p Provider) bool { return g.enabled(p) }

func (g *Gateway) enabled(p Provider) bool { return g.senders[p] != nil }

// Notify tells the dispatcher that ws's log grew on this instance.
// No notification is lost: a workspace notified while the dispatcher is
// busy is read when it is done.
func (g *Gateway) Notify(ws string) {
	g.notifyMu.Lock()
	g.notified[ws] = struct{}{}
	g.notifyMu.Unlock()
	select {
	case g.signal <- struct{}{}:
	default: // a signal is pending already
	}
}

// takeNotified returns the workspaces notified since the last call.
func (g *Gateway) takeNotified() []string {
	g.notifyMu.Lock()
	defer g.notifyMu.Unlock()
	out := make([]string, 0, len(g.notified))
	for ws := range g.notified {
		out = append(out, ws)
	}
	clear(g.notified)
	return out
}

// Wake tells the workers that alerts are due.
func (g *Gateway) Wake() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// Run dispatches and sends until ctx ends, then waits for the sends in
// flight (each bounded by SendTimeout) and returns.
func (g *Gateway) Run(ctx context.Context) {
	if _, err := g.st.Alerts.RequeuePending(ctx); err != nil {
		g.logErr(ctx, "requeue pending alerts", err)
	}
	var loops sync.WaitGroup
	loops.Add(2)
	go func() { defer loops.Done(); g.dispatchLoop(ctx) }()
	go func() { defer loops.Done(); g.workLoop(ctx) }()
	loops.Wait()
	g.wg.Wait()
}

// dispatchLoop reads every workspace's log on each poll, and a workspace's
// at once when this instance wrote to it. Alone, it polls only every
// AlonePoll: every write is this instance's and notified.
func (g *Gateway) dispatchLoop(ctx context.Context) {
	poll := g.cfg.PollInterval
	if g.cfg.Alone {
		poll = AlonePoll
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	purge := time.NewTicker(time.Hour)
	defer purge.Stop()
	g.DispatchAll(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-g.signal:
			for _, ws := range g.takeNotified() {
				g.dispatchLeased(ctx, ws)
			}
		case <-tick.C:
			g.DispatchAll(ctx)
		case <-purge.C:
			if err := g.Purge(ctx); err != nil {
				g.logErr(ctx, "purge alerts", err)
			}
		}
	}
}

// DispatchAll reads the log of every workspace whose dispatch lease this
// instance can take, and returns how many alerts it stored.
func (g *Gateway) DispatchAll(ctx context.Context) int {
	ids, err := g.st.Sync.WorkspaceIDs(ctx)
	if err != nil {
		g.logErr(ctx, "list workspaces", err)
		return 0
	}
	made := 0
	for _, ws := range ids {
		made += g.dispatchLeased(ctx, ws)
	}
	return made
}

// dispatchLeased dispatches ws's log under its lease; alone, the
// dispatcher is the only reader and takes none.
func (g *Gateway) dispatchLeased(ctx context.Context, ws string) int {
	if g.cfg.Alone {
		n, err := g.dispatchWS(ctx, ws)
		if err != nil {
			g.logErr(ctx, "dispatch alerts", err)
		}
		return n
	}
	ok, err := g.st.State.TakeLease(ctx, "dispatch:"+ws, g.cfg.Holder, g.now(), g.cfg.DispatchSlot)
	if err != nil || !ok {
		if err != nil {
			g.logErr(ctx, "take dispatch lease", err)
		}
		return 0
	}
	n, err := g.dispatchWS(ctx, ws)
	if err != nil {
		g.logErr(ctx, "dispatch alerts", err)
	}
	return n
}

// workLoop sends due alerts, waking on Wake and every poll.
func (g *Gateway) workLoop(ctx context.Context) {
	tick := time.NewTicker(g.cfg.PollInterval)
	defer tick.Stop()
	workers := make(chan struct{}, g.cfg.Workers)
	for {
		g.sendDue(ctx, workers)
		select {
		case <-ctx.Done():
			return
		case <-g.wake:
		case <-tick.C:
		}
	}
}

// sendDue lists the due alerts and sends them in batches of SendBatch,
// up to Workers batches at once, which share their reads of a workspace.
func (g *Gateway) sendDue(ctx context.Context, workers chan struct{}) {
	listing := g.beginListing()
	due, err := g.st.Alerts.DueAlerts(ctx, g.now(), g.cfg.Workers*g.cfg.SendBatch, func(id string) bool { return !g.startable(id, listing) })
	if err != nil {
		g.logErr(ctx, "list due alerts", err)
		return
	}
	var mine []*models.Alert
	for _, a := range due {
		if g.start(a.ID, listing) {
			mine = append(mine, a)
		}
	}
	reads := newWSReads()
	for len(mine) > 0 {
		b := mine[:min(len(mine), g.cfg.SendBatch)]
		mine = mine[len(b):]
		select {
		case workers <- struct{}{}:
		case <-ctx.Done():
			g.finish(append(b, mine...))
			return
		}
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			defer func() { <-workers; g.finish(b); g.Wake() }() // more may be due, and a worker is free
			if _, err := g.processBatch(ctx, b, reads); err != nil {
				g.logErr(ctx, "send alerts", err)
			}
		}()
	}
}

// beginListing numbers a new listing of due alerts; alerts finished
// before it began are forgotten, as it reads them as they now are.
func (g *Gateway) beginListing() uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.lists++
	for id, at := range g.finished {
		if at < g.lists {
			delete(g.finished, id)
		}
	}
	return g.lists
}

// start marks alert id as being sent, if it is startable.
func (g *Gateway) start(id string, listing uint64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.startableLocked(id, listing) {
		return false
	}
	g.running[id] = true
	return true
}

// startable reports whether alert id may be started from the listing:
// this instance is not sending it, nor finished it after the listing began.
func (g *Gateway) startable(id string, listing uint64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.startableLocked(id, listing)
}

func (g *Gateway) startableLocked(id string, listing uint64) bool {
	at, ok := g.finished[id]
	return !g.running[id] && !(ok && at >= listing)
}

func (g *Gateway) finish(alerts []*models.Alert) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, a := range alerts {
		delete(g.running, a.ID)
		g.finished[a.ID] = g.lists
	}
}

// Step does one turn of Run synchronously: it dispatches every workspace
// and sends every due alert this instance can lease, and returns how many
// alerts it sent to. Tests and tools drive the gateway with it.
func (g *Gateway) Step(ctx context.Context) (int, error) {
	g.DispatchAll(ctx)
	due, err := g.st.Alerts.DueAlerts(ctx, g.now(), 10_000, nil)
	if err != nil {
		return 0, err
	}
	sent := 0
	for len(due) > 0 {
		b := due[:min(len(due), g.cfg.SendBatch)]
		due = due[len(b):]
		n, err := g.ProcessBatch(ctx, b)
		sent += n
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// Purge deletes finished alerts older than the retention, and stale
// leases, and requeues pending alerts a crash left out of the due listing.
func (g *Gateway) Purge(ctx context.Context) error {
	if _, err := g.st.Alerts.RequeuePending(ctx); err != nil {
		return err
	}
	cutoff := g.now().Add(-g.cfg.Retention)
	if _, err := g.st.Alerts.PurgeAlerts(ctx, cutoff); err != nil {
		return err
	}
	return g.st.State.PurgePushState(ctx, g.now().Add(-time.Hour))
}

func (g *Gateway) logErr(ctx context.Context, what string, err error) {
	if ctx.Err() != nil {
		return
	}
	slog.ErrorContext(ctx, "push: "+what, "error", err.Error())
}
