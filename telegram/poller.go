package telegram

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// confirmTimeout bounds the call that confirms the last updates handled
// when the poller stops.
const confirmTimeout = 2 * time.Second

// Poller receives the bot's updates by long polling getUpdates, for
// servers without a public HTTPS webhook. Set its fields before Run.
type Poller struct {
	c *Client
	// Timeout is how long one getUpdates call waits for an update
	// (whole seconds, at least 1; default 25 s).
	Timeout time.Duration
	// AllowedUpdates are the update kinds asked for (default message and
	// callback_query).
	AllowedUpdates []string
	// MinBackoff and MaxBackoff bound the wait after a failed call, which
	// doubles from MinBackoff (default 1 s and 30 s).
	MinBackoff, MaxBackoff time.Duration
	// Logger receives the failed calls (slog.Default when nil).
	Logger *slog.Logger
}

// NewPoller returns a poller reading c's bot with the defaults.
func NewPoller(c *Client) *Poller {
	return &Poller{c: c, Timeout: 25 * time.Second, AllowedUpdates: []string{"message", "callback_query"},
		MinBackoff: time.Second, MaxBackoff: 30 * time.Second}
}

// Run deletes any webhook (getUpdates is refused while one is set), then
// hands every update to handle, one at a time and in order, until ctx
// ends: then the call in flight is cancelled, the updates handled are
// confirmed to Telegram, and Run returns ctx's error. Failed calls are
// retried with backoff (at least the retry_after Telegram asks for); a
// refused token (401) or a missing bot (404) ends Run with that error.
func (p *Poller) Run(ctx context.Context, handle func(context.Context, Update)) error {
	b := p.backoff()
	for {
		err := p.c.DeleteWebhook(ctx, false)
		if err == nil {
			break
		}
		if stop := p.failed(ctx, "deleteWebhook", err, b); stop != nil {
			return stop
		}
	}
	secs := max(1, int(p.Timeout/time.Second))
	var offset, confirmed int64
	defer func() { p.confirm(ctx, offset, confirmed) }()
	b = p.backoff()
	for {
		ups, err := p.c.GetUpdates(ctx, GetUpdatesParams{Offset: offset, Timeout: secs, AllowedUpdates: p.AllowedUpdates})
		if err != nil {
			var api *APIError
			if errors.As(err, &api) && api.Code == http.StatusConflict {
				_ = p.c.DeleteWebhook(ctx, false) // a webhook was set since; another poller would still conflict
			}
			if stop := p.failed(ctx, "getUpdates", err, b); stop != nil {
				return stop
			}
			continue
		}
		b = p.backoff()
		confirmed = offset
		for _, u := range ups {
			if u.UpdateID < offset {
				continue // already handled
			}
			offset = u.UpdateID + 1
			handle(ctx, u)
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
}

// failed logs a failed call and waits out the backoff; it returns the
// error that ends Run, or nil to try again.
func (p *Poller) failed(ctx context.Context, method string, err error, b *backoff) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var api *APIError
	if errors.As(err, &api) && (api.Code == http.StatusUnauthorized || api.Code == http.StatusNotFound) {
		return err
	}
	wait := b.next()
	if api != nil && api.RetryAfter > wait {
		wait = api.RetryAfter
	}
	p.logger().WarnContext(ctx, "telegram: polling failed", "method", method, "error", err.Error(), "retry_in", wait)
	return pauseFor(ctx, wait)
}

// confirm tells Telegram the updates before offset are handled, so that
// a restart does not get them again; ctx has ended by then.
func (p *Poller) confirm(ctx context.Context, offset, confirmed int64) {
	if offset == confirmed {
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), confirmTimeout)
	defer cancel()
	if _, err := p.c.GetUpdates(cctx, GetUpdatesParams{Offset: offset, Limit: 1}); err != nil {
		p.logger().WarnContext(cctx, "telegram: confirming the last updates failed", "error", err.Error())
	}
}

func (p *Poller) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.Default()
}

func (p *Poller) backoff() *backoff {
	lo, hi := p.MinBackoff, p.MaxBackoff
	if lo <= 0 {
		lo = time.Second
	}
	if hi < lo {
		hi = max(lo, 30*time.Second)
	}
	return &backoff{cur: lo, max: hi}
}

// backoff doubles a wait up to a bound.
type backoff struct{ cur, max time.Duration }

func (b *backoff) next() time.Duration {
	d := b.cur
	b.cur = min(b.cur*2, b.max)
	return d
}
