package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/switchboardhq/switchboard/api"
	"github.com/switchboardhq/switchboard/auth"
	"github.com/switchboardhq/switchboard/channels"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/jobs"
	"github.com/switchboardhq/switchboard/models"
	syncsvc "github.com/switchboardhq/switchboard/sync"
)

// app holds the opened components in start order; close stops them in reverse.
type app struct {
	cfg      *Config
	log      *slog.Logger
	registry *prometheus.Registry
	db       models.Store
	// closeDB closes the store within ctx's deadline.
	closeDB func(ctx context.Context) error
	// chores are the store's housekeeping, run by the sync runner.
	chores []chore
	auth   *auth.Service
	inbox  *inbox.Service
	hub    *syncsvc.Hub
	sync   *syncsvc.Service
	runner *syncsvc.Runner
	push   *gateway
	// jobs runs the durable jobs; channels are the native messenger connections.
	jobs     *jobs.Runner
	channels *channels.Service
}

func newLogger(cfg *Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(api.NewLogHandler(h))
}

// openApp opens the store (embedded unless a URI is set) and the auth service.
func openApp(ctx context.Context, cfg *Config, logw io.Writer) (*app, error) {
	a := &app{cfg: cfg, log: newLogger(cfg, logw), registry: prometheus.NewRegistry()}
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := a.openStore(ctx); err != nil {
		return nil, err
	}
	db := a.db
	var err error
	key := cfg.SigningKey
	if key == "" {
		var b [32]byte
		_, _ = rand.Read(b[:])
		if key, err = db.EnsureSetting(ctx, "jwt_signing_key", hex.EncodeToString(b[:])); err != nil {
			a.closeNow()
			return nil, fmt.Errorf("load the token signing key: %w", err)
		}
	}
	a.auth, err = auth.New(auth.Stores{Workspaces: db, Members: db, Sessions: db, APIKeys: db}, auth.Config{
		SigningKey:      []byte(key),
		AccessTokenTTL:  cfg.AccessTokenTTL,
		RefreshTokenTTL: cfg.RefreshTokenTTL,
		InviteTTL:       cfg.InviteTTL,
		LoginAttempts:   cfg.LoginAttempts,
		LoginWindow:     cfg.LoginWindow,
		Password:        auth.PasswordParams{MemoryKiB: uint32(cfg.PasswordMemoryKiB), Iterations: uint32(cfg.PasswordIterations), Parallelism: 1},
	})
	if err != nil {
		a.closeNow()
		return nil, err
	}
	a.inbox = inbox.New(inbox.Stores{Members: db, Bots: db, Subscribers: db, Conversations: db, Messages: db, Notes: db, Events: db, CRM: db, Flows: db, Stats: db, Files: db, Jobs: db}, nil)
	if err := a.openChannels(ctx); err != nil {
		a.closeNow()
		return nil, err
	}
	sc := cfg.SyncConfig()
	a.hub = syncsvc.NewHub(db, sc.PollInterval)
	if a.push, err = a.openGateway(ctx); err != nil {
		a.closeNow()
		return nil, err
	}
	db.OnChange(func(ws string) { a.hub.Notify(ws); a.push.g.Notify(ws); a.jobs.Wake() })
	a.sync = syncsvc.New(db, a.inbox, sc, a.hub, nil)
	a.runner = syncsvc.NewRunner(db, sc, nil, a.log)
	for _, c := range a.chores {
		a.runner.Also(c.name, c.run)
	}
	return a, nil
}

// close shuts the store within ctx's deadline.
func (a *app) close(ctx context.Context) {
	if a.hub != nil {
		a.hub.Close()
	}
	if a.closeDB != nil {
		if err := a.closeDB(ctx); err != nil {
			a.log.Error("close store", "error", err.Error())
		}
	}
}

// closeNow closes what opened so far after a start-up failure.
func (a *app) closeNow() {
	ctx, cancel := shutdownCtx(a.cfg.ShutdownTimeout)
	defer cancel()
	a.close(ctx)
}

func shutdownCtx(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
