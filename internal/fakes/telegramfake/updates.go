package telegramfake

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"time"
)

// maxPollTimeout bounds a long poll, as Telegram does (50 s).
const maxPollTimeout = 50

func getUpdates(s *Server, r *http.Request, p params) (any, *apiError) {
	offset, _ := p.int64("offset")
	limit, ok := p.int64("limit")
	if !ok || limit < 1 || limit > 100 {
		limit = 100
	}
	timeout, _ := p.int64("timeout")
	timeout = min(max(timeout, 0), maxPollTimeout)

	s.mu.Lock()
	if s.webhook.url != "" {
		s.mu.Unlock()
		return nil, conflict("can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
	}
	if _, ok := p["allowed_updates"]; ok {
		s.allowed = nil
		p.decode("allowed_updates", &s.allowed)
	}
	s.confirm(offset)
	close(s.pollKick) // a newer getUpdates ends the one in flight
	s.pollKick = make(chan struct{})
	kick := s.pollKick
	timer := time.NewTimer(time.Duration(timeout) * time.Second)
	defer timer.Stop()
	for {
		ups := s.pending(int(limit))
		if len(ups) > 0 || timeout == 0 {
			s.mu.Unlock()
			return ups, nil
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-kick:
			return nil, conflict("terminated by other getUpdates request; make sure that only one bot instance is running")
		case <-timer.C:
			return []Update{}, nil
		case <-r.Context().Done():
			return []Update{}, nil // the client went away
		case <-s.ctx.Done():
			return []Update{}, nil
		}
		s.mu.Lock()
		if s.webhook.url != "" {
			s.mu.Unlock()
			return []Update{}, nil
		}
	}
}

func conflict(desc string) *apiError {
	return &apiError{status: http.StatusConflict, description: "Conflict: " + desc}
}

// confirm forgets the updates before offset (a negative offset keeps the
// last -offset updates) and those allowed_updates excludes; s.mu is held.
func (s *Server) confirm(offset int64) {
	keep := s.queue[:0:0]
	for i, u := range s.queue {
		switch {
		case offset > 0 && u.UpdateID < offset:
		case offset < 0 && int64(len(s.queue)-i) > -offset:
		case !s.isAllowed(u):
		default:
			keep = append(keep, u)
		}
	}
	s.queue = keep
}

// pending is the first limit queued updates (never nil); s.mu is held.
func (s *Server) pending(limit int) []Update {
	n := min(limit, len(s.queue))
	return append([]Update{}, s.queue[:n]...)
}

// deliverWebhooks POSTs queued updates, oldest first, to the webhook
// while one is set, with the secret header; an update stays queued until
// the webhook answers 200 and is retried after the retry delay. Only
// loopback webhooks are called: the fake never leaves the machine, and
// updates for any other webhook stay queued as if it were unreachable.
func (s *Server) deliverWebhooks() {
	defer s.wg.Done()
	client := &http.Client{Timeout: 10 * time.Second}
	for {
		s.mu.Lock()
		hook, changed, delay := s.webhook, s.changed, s.retryDelay
		var next *Update
		if hook.url != "" && loopback(hook.url) && len(s.queue) > 0 {
			u := s.queue[0]
			next = &u
		}
		s.mu.Unlock()
		if next == nil {
			select {
			case <-changed:
				continue
			case <-s.ctx.Done():
				return
			}
		}
		if s.post(client, hook, *next) {
			s.mu.Lock()
			if len(s.queue) > 0 && s.queue[0].UpdateID == next.UpdateID {
				s.queue = s.queue[1:]
			}
			s.mu.Unlock()
			continue
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-s.ctx.Done():
			t.Stop()
			return
		}
	}
}

// loopback reports whether rawURL's host is this machine.
func loopback(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

// post sends one update to the webhook; true when it answered 200.
func (s *Server) post(client *http.Client, hook webhookConfig, u Update) bool {
	if g, err := generic(u); err == nil {
		if e := s.spec.check("update", g, []string{"Update"}); e != nil {
			s.mu.Lock()
			s.bugs = append(s.bugs, "webhook update off-spec: "+e.Error())
			s.mu.Unlock()
		}
	}
	body, err := json.Marshal(u)
	if err != nil {
		return false
	}
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.url, bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	if hook.secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", hook.secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		s.webhookFailed("Connection refused")
		return false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.webhookFailed("Wrong response from the webhook: " + resp.Status)
		return false
	}
	return true
}

// webhookFailed records a delivery failure as getWebhookInfo reports it.
func (s *Server) webhookFailed(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookError, s.webhookErrorAt = msg, s.now().Unix()
}
