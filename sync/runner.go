package sync

import (
	"context"
	"log/slog"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// Runner does sync's background work: it stamps changed statistics
// buckets every StatsInterval and purges tombstones past retention every
// PurgeInterval. Run owns its loop; it returns when ctx ends.
type Runner struct {
	st  models.SyncStore
	cfg Config
	now func() time.Time
	log *slog.Logger
	// chores run on every purge, after the tombstones.
	chores []chore
}

// chore is a named piece of housekeeping run with the purge.
type chore struct {
	name string
	run  func(ctx context.Context) error
}

// Also adds housekeeping to every purge (the embedded store's sweep of
// uploads a crash left half done); a failure is logged and retried at
// the next purge. Call it before Run.
func (r *Runner) Also(name string, run func(ctx context.Context) error) *Runner {
	r.chores = append(r.chores, chore{name: name, run: run})
	return r
}

// NewRunner returns the runner; now is the clock (time.Now when nil).
func NewRunner(st models.SyncStore, cfg Config, now func() time.Time, log *slog.Logger) *Runner {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Runner{st: st, cfg: cfg.withDefaults(), now: now, log: log}
}

// Run stamps and purges until ctx ends; a last stamp on the way out
// publishes the final counts.
func (r *Runner) Run(ctx context.Context) {
	stats := time.NewTicker(r.cfg.StatsInterval)
	defer stats.Stop()
	purge := time.NewTicker(r.cfg.PurgeInterval)
	defer purge.Stop()
	r.Purge(ctx)
	for {
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			r.StampStats(sctx)
			cancel()
			return
		case <-stats.C:
			r.StampStats(ctx)
		case <-purge.C:
			r.Purge(ctx)
		}
	}
}

// StampStats stamps the statistics buckets changed since the last stamp.
func (r *Runner) StampStats(ctx context.Context) int {
	n, err := r.st.StampDirtyStats(ctx)
	if err != nil && ctx.Err() == nil {
		r.log.Warn("stamping statistics for sync failed; retrying next interval", "err", err)
	}
	return n
}

// Purge deletes every workspace's tombstones older than the retention,
// then runs the chores added with Also.
func (r *Runner) Purge(ctx context.Context) {
	wss, err := r.st.WorkspaceIDs(ctx)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("purging tombstones failed; retrying next interval", "err", err)
		}
		return
	}
	if err := r.st.PurgeSyncCursors(ctx, r.now().Add(-CursorLifetime)); err != nil && ctx.Err() == nil {
		r.log.Warn("purging first-sync cursors failed; retrying next interval", "err", err)
	}
	cutoff := r.now().Add(-r.cfg.TombstoneRetention)
	for _, ws := range wss {
		if _, err := r.st.PurgeTombstones(ctx, ws, cutoff); err != nil && ctx.Err() == nil {
			r.log.Warn("purging tombstones failed; retrying next interval", "workspace", ws, "err", err)
		}
	}
	for _, c := range r.chores {
		if err := c.run(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn(c.name+" failed; retrying next interval", "err", err)
		}
	}
}
