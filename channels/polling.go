package channels

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// poller long-polls one bot.
type poller struct {
	// key changes when the bot is reconnected (new credentials).
	key    string
	cancel context.CancelFunc
	done   chan struct{}
}

// Rescan asks the polling loop to read the set of polling bots again.
func (s *Service) Rescan() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Run long-polls the native bots that have no webhook until ctx ends,
// reading which they are at start, on Rescan and every Config.Rescan; it
// returns when every poll has stopped. Each bot is polled by one instance
// at a time (a lease per bot).
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Rescan)
	defer t.Stop()
	for {
		s.reconcile(ctx)
		select {
		case <-ctx.Done():
			s.mu.Lock()
			for id, p := range s.pollers {
				p.cancel()
				<-p.done
				delete(s.pollers, id)
			}
			s.mu.Unlock()
			return
		case <-s.kick:
		case <-t.C:
		}
	}
}

// reconcile starts a poll for each connected polling bot and stops those
// of bots no longer polling.
func (s *Service) reconcile(ctx context.Context) {
	if ctx.Err() != nil || s.st.Native == nil {
		return
	}
	bots, err := s.st.Native.NativeBots(ctx)
	if err != nil {
		s.log.WarnContext(ctx, "listing the native bots failed", "error", err.Error())
		return
	}
	want := map[string]*models.Bot{}
	for _, b := range bots {
		s.checkWebhook(ctx, b)
		_, canPoll := s.adapters[b.Channel].(Poller)
		if canPoll && b.Connection != nil && b.Connection.State == models.ConnConnected && b.Connection.Transport == models.TransportPolling {
			want[b.ID] = b
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, p := range s.pollers {
		if want[id] == nil || pollKey(want[id]) != p.key {
			p.cancel()
			<-p.done
			delete(s.pollers, id)
		}
	}
	for id, b := range want {
		if s.pollers[id] == nil {
			pctx, cancel := context.WithCancel(ctx)
			p := &poller{key: pollKey(b), cancel: cancel, done: make(chan struct{})}
			s.pollers[id] = p
			go func() { defer close(p.done); s.poll(pctx, b) }()
		}
	}
}

// poll long-polls bot b until ctx ends or the messenger refuses its
// credentials, storing each update before asking for the next ones (the
// offset confirms them to the messenger only then).
func (s *Service) poll(ctx context.Context, b *models.Bot) {
	pl := s.adapters[b.Channel].(Poller)
	lease := "poll:" + b.ID
	var offset int64
	failures := 0
	for ctx.Err() == nil {
		held, err := s.st.State.TakeLease(ctx, lease, s.cfg.Holder, s.cfg.Now(), 2*s.cfg.PollWait)
		if err != nil || !held {
			sleep(ctx, s.cfg.PollWait)
			continue
		}
		raws, err := pl.Poll(ctx, b.Credentials, offset, s.cfg.PollWait)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			var ce *Error
			if errors.As(err, &ce) && ce.Revoked {
				s.broken(ctx, b, err)
				return
			}
			failures++
			s.noteError(ctx, b, err)
			wait := min(time.Duration(failures)*time.Second, time.Minute)
			if ce != nil && ce.RetryAfter > wait {
				wait = ce.RetryAfter
			}
			sleep(ctx, wait)
			continue
		}
		failures = 0
		if _, err := s.store(ctx, b, raws); err != nil {
			if ctx.Err() == nil {
				s.log.WarnContext(ctx, "storing polled updates failed; they are asked for again", "bot_id", b.ID, "error", err.Error())
				sleep(ctx, time.Second)
			}
			continue
		}
		for _, r := range raws {
			if k, err := strconv.ParseInt(r.Key, 10, 64); err == nil && k >= offset {
				offset = k + 1
			}
		}
	}
}

// webhookCheckEvery is how often a webhook bot's delivery is checked.
const webhookCheckEvery = 5 * time.Minute

// checkWebhook records, at most every webhookCheckEvery, the messenger's
// last failure to deliver to webhook bot b (a webhook failing shows in
// its health), and a refused token as a broken bot.
func (s *Service) checkWebhook(ctx context.Context, b *models.Bot) {
	wc, ok := s.adapters[b.Channel].(WebhookChecker)
	c := b.Connection
	if !ok || c == nil || c.State != models.ConnConnected || c.Transport != models.TransportWebhook {
		return
	}
	now := s.now()
	s.mu.Lock()
	last := s.checked[b.ID]
	if now.Sub(last) < webhookCheckEvery {
		s.mu.Unlock()
		return
	}
	s.checked[b.ID] = now
	s.mu.Unlock()
	msg, at, err := wc.WebhookHealth(ctx, b.Credentials)
	var ce *Error
	switch {
	case errors.As(err, &ce) && ce.Revoked:
		s.broken(ctx, b, err)
	case err != nil:
		s.log.DebugContext(ctx, "checking a webhook failed", "bot_id", b.ID, "error", err.Error())
	case msg != "" && (c.LastErrorAt == nil || at.After(*c.LastErrorAt)):
		conn := *c
		conn.LastError, conn.LastErrorAt = "webhook: "+msg, &at
		if _, err := s.st.Bots.UpdateBot(ctx, b.WS, b.ID, models.BotUpdate{Connection: &conn}); err != nil {
			s.log.WarnContext(ctx, "recording a failing webhook failed", "bot_id", b.ID, "error", err.Error())
		}
	}
}

// pollKey identifies a bot's connection: a reconnect changes it.
func pollKey(b *models.Bot) string {
	key := ""
	if b.Connection.ConnectedAt != nil {
		key = b.Connection.ConnectedAt.String()
	}
	for _, k := range slices.Sorted(maps.Keys(b.Credentials)) {
		key += "\x00" + k + "=" + b.Credentials[k]
	}
	return key
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
