package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/api"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store"
	"github.com/switchboardhq/switchboard/web"
)

// serve runs the API until ctx ends, then shuts down in reverse order:
// stop accepting and finish requests in flight, close the store, stop the
// embedded server; all within the shutdown timeout.
func serve(ctx context.Context, cfg *Config, logw io.Writer) error {
	a, err := openApp(ctx, cfg, logw)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := shutdownCtx(cfg.ShutdownTimeout)
		defer cancel()
		a.close(sctx)
		a.log.Info("stopped")
	}()
	slog.SetDefault(a.log)

	admin, password, err := a.auth.FirstRun(ctx, cfg.BootstrapEmail, cfg.BootstrapWorkspace)
	if err != nil {
		return fmt.Errorf("first-run setup: %w", err)
	}
	// Chat operations a process that died left half-done are finished
	// before the API takes requests (later touches of a chat would too).
	if n, err := a.inbox.Recover(ctx); err != nil {
		a.log.Error("finish pending chat operations", "error", err.Error())
	} else if n > 0 {
		a.log.Info("finished pending chat operations", "chats", n)
	}
	opts := api.Options{Auth: a.auth, Inbox: a.inbox, Sync: a.sync, Push: a.push.g, VAPIDPublicKey: a.push.vapidKey,
		Channels: a.channels, Console: web.New(), Store: a.db, Spec: switchboard.OpenAPI, BodyLimit: cfg.BodyLimit, TrustProxy: cfg.TrustProxy, Registry: a.registry}
	if a.push.secret != "" {
		opts.TelegramSecret, opts.TelegramWebhook = a.push.secret, a.push.bot.HandleJSON
	}
	srv := api.New(opts)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("SWITCHBOARD_ADDR=%q cannot be used (%v); choose a free port, for example SWITCHBOARD_ADDR=:8081", cfg.Addr, err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		IdleTimeout: 120 * time.Second, ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	fmt.Fprint(logw, banner(cfg, ln.Addr().String(), cfg.MongoURI == "", admin != nil, adminEmail(admin), password))
	a.log.Info("listening", "addr", ln.Addr().String(), "store", storeName(cfg))

	// Waiting pulls end at once on shutdown instead of holding it up.
	hs.RegisterOnShutdown(a.hub.Close)
	rctx, stopRunner := context.WithCancel(context.WithoutCancel(ctx))
	runnerDone := make(chan struct{})
	go func() { defer close(runnerDone); a.runner.Run(rctx) }()
	defer func() { stopRunner(); <-runnerDone }()
	// The push gateway stops after the HTTP server (deferred calls run in
	// reverse): sends in flight finish, each within its timeout; what is
	// left stays stored for the next start or another instance.
	pctx, stopPush := context.WithCancel(context.WithoutCancel(ctx))
	pushDone := make(chan struct{})
	go func() { defer close(pushDone); a.push.run(pctx, a) }()
	defer func() { stopPush(); <-pushDone }()
	// The messenger connections stop after the HTTP server too: sends and
	// updates in flight finish or stay queued for the next start.
	cctx, stopChannels := context.WithCancel(context.WithoutCancel(ctx))
	channelsDone := make(chan struct{})
	go func() { defer close(channelsDone); a.runChannels(cctx) }()
	defer func() { stopChannels(); <-channelsDone }()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	a.log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := shutdownCtx(cfg.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		a.log.Error("http shutdown", "error", err.Error())
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func storeName(cfg *Config) string {
	if cfg.MongoURI != "" {
		return "mongodb " + store.RedactURI(cfg.MongoURI)
	}
	abs, _ := filepath.Abs(cfg.DataDir)
	return "embedded SQLite in " + abs
}

func adminEmail(m *models.Member) string {
	if m == nil {
		return ""
	}
	return m.Email
}

// banner is the one readable block that tells a newcomer how to log in.
func banner(cfg *Config, addr string, embedded, firstRun bool, email, password string) string {
	host := addr
	if h, p, err := net.SplitHostPort(addr); err == nil && (h == "::" || h == "0.0.0.0" || h == "") {
		host = "localhost:" + p
	}
	var b strings.Builder
	line := strings.Repeat("-", 72)
	fmt.Fprintf(&b, "\n%s\n Switchboard %s is running at http://%s\n", line, version, host)
	fmt.Fprintf(&b, " Store: %s\n", storeName(cfg))
	if firstRun {
		fmt.Fprintf(&b, " First run: created workspace %q with this admin (shown only once):\n", cfg.BootstrapWorkspace)
		fmt.Fprintf(&b, "   email:    %s\n   password: %s\n", email, password)
		fmt.Fprintf(&b, " Change the password after logging in: POST /v1/me/password\n")
	} else {
		fmt.Fprintf(&b, " Log in with a member of your team. To add an admin and workspace:\n")
		fmt.Fprintf(&b, "   switchboard create-admin --email you@example.com --password '...' --workspace 'Acme'\n")
		email, password = "you@example.com", "..."
	}
	fmt.Fprintf(&b, " Log in:\n   curl -s http://%s/v1/auth/login -H 'Content-Type: application/json' \\\n", host)
	fmt.Fprintf(&b, "     -d '{\"email\":\"%s\",\"password\":\"%s\"}'\n", email, password)
	fmt.Fprintf(&b, " Console (in a browser): http://%s/\n", host)
	fmt.Fprintf(&b, " API contract: http://%s/openapi.yaml\n%s\n\n", host, line)
	return b.String()
}
