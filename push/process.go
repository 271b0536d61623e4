package push

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// ProcessBatch leases the listed alerts, sends every due delivery of the
// ones it holds at once (each provider within its bound), and records the
// outcomes: sent, retry later (backoff with jitter, at least the
// provider's Retry-After), failed, or removed with its device. It returns
// how many alerts it held. The database work is per batch, whatever the
// number of alerts and devices: the claim (one insert, and a lookup per
// claim found taken), per workspace one read of devices and (shared by
// the batches of one listing) one each of members and unread chats, one
// write of device notes and one delete of gone devices, and the alerts'
// outcomes in bulk writes. Once ctx ends no further send
// starts; what started is finished and recorded.
func (g *Gateway) ProcessBatch(ctx context.Context, listed []*models.Alert) (int, error) {
	return g.processBatch(ctx, listed, newWSReads())
}

// processBatch is ProcessBatch sharing reads with the batches of the
// same listing.
func (g *Gateway) processBatch(ctx context.Context, listed []*models.Alert, reads *wsReads) (int, error) {
	wctx := context.WithoutCancel(ctx)
	now := g.now()
	held, err := g.st.Alerts.ClaimAlerts(wctx, listed, now, g.cfg.Lease)
	if err != nil || len(held) == 0 {
		return 0, err
	}
	// No send starts once its answer and the writes after it could come
	// after the lease ends (when another instance may take the alerts).
	last := now.Add(g.cfg.Lease - g.cfg.SendTimeout - g.cfg.Lease/4)
	b := &sendBatch{g: g, now: now, byWS: map[string]*wsJobs{}, reads: reads,
		may: func() bool { return ctx.Err() == nil && !g.now().After(last) }}
	for _, a := range held {
		b.add(a)
	}
	gone, err := b.send(wctx)
	if err != nil {
		return len(held), err // nothing was sent; the lease runs out
	}
	for _, a := range held {
		g.settle(a)
	}
	if err := g.st.Alerts.FinishAttempts(wctx, held); err != nil {
		return len(held), err
	}
	for ws, ids := range gone {
		if _, err := g.st.Devices.DeleteDevices(wctx, ws, "", ids); err != nil {
			return len(held), err
		}
	}
	return len(held), nil
}

// sendBatch is one ProcessBatch's due deliveries, by workspace.
type sendBatch struct {
	g     *Gateway
	now   time.Time
	may   func() bool // whether a send may still start
	byWS  map[string]*wsJobs
	reads *wsReads
}

// wsJobs are a workspace's due deliveries: delivery i of alert a.
type wsJobs struct {
	jobs    []job
	members map[string]bool
}

type job struct {
	a *models.Alert
	i int
}

// add expires a's deliveries past its TTL and queues the due ones.
func (b *sendBatch) add(a *models.Alert) {
	for i, d := range a.Deliveries {
		if d.State != models.DeliveryPending {
			continue
		}
		if !b.now.Before(a.ExpiresAt) {
			a.Deliveries[i].State, a.Deliveries[i].NextAt = models.DeliveryGaveUp, nil
			a.Deliveries[i].Reason = expiredReason(d.Reason)
			b.g.metrics.count(d.Kind, "expired")
			continue
		}
		if d.NextAt != nil && d.NextAt.After(b.now) {
			continue
		}
		w := b.byWS[a.WS]
		if w == nil {
			w = &wsJobs{members: map[string]bool{}}
			b.byWS[a.WS] = w
		}
		w.jobs = append(w.jobs, job{a: a, i: i})
		w.members[d.MemberID] = true
	}
}

// send reads what every workspace's sends need (an error there sends
// nothing), sends every queued delivery at once, and notes each device's
// outcome; it returns the devices to remove, by workspace.
func (b *sendBatch) send(ctx context.Context) (map[string][]string, error) {
	contexts := make(map[string]*sendContext, len(b.byWS))
	for ws, w := range b.byWS {
		c, err := b.g.sendContext(ctx, ws, w.members, b.reads)
		if err != nil {
			return nil, err
		}
		contexts[ws] = c
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	notes := map[string]map[string]string{}
	gone := map[string][]string{}
	for ws, w := range b.byWS {
		c := contexts[ws]
		notes[ws] = map[string]string{}
		for _, j := range w.jobs {
			a, d := j.a, &j.a.Deliveries[j.i]
			m := c.members[d.MemberID]
			if a.BotID == "" { // an alert about a bot leaves the badge as it is
				d.Badge = c.badges.of(m, d.MemberID)
			}
			dev := c.devices[d.DeviceID]
			if d.Kind == string(ProviderEmail) {
				dev = &models.Device{ID: d.DeviceID, MemberID: d.MemberID, Kind: models.DeviceKind(ProviderEmail)}
			}
			if dev == nil {
				d.State, d.Reason = models.DeliveryGaveUp, "the device was removed"
				continue
			}
			n := b.g.notification(a, d, m)
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, sent := b.g.send(ctx, Provider(d.Kind), dev, n, b.may)
				if !sent {
					return // left due for the next lease
				}
				mu.Lock()
				defer mu.Unlock()
				b.g.apply(a, d, r, b.now)
				if d.State == models.DeliveryRemoved {
					gone[ws] = append(gone[ws], d.DeviceID)
				}
				if d.Kind != string(ProviderEmail) {
					notes[ws][d.DeviceID] = string(d.State) + reasonSuffix(d.Reason)
				}
			}()
		}
	}
	wg.Wait()
	for ws, n := range notes {
		if len(n) == 0 {
			continue
		}
		// The devices' last outcome is a convenience; the alerts' own
		// outcomes must still be written.
		if err := b.g.st.Devices.NoteOutcomes(ctx, ws, n, b.now); err != nil {
			b.g.logErr(ctx, "note device outcomes", err)
		}
	}
	return gone, nil
}

// sendContext is what a workspace's sends need from the store: the
// members' devices, the members, and the unread chats for the badges.
type sendContext struct {
	devices map[string]*models.Device
	members map[string]*models.Member
	badges  unread
}

func (g *Gateway) sendContext(ctx context.Context, ws string, memberSet map[string]bool, reads *wsReads) (*sendContext, error) {
	ids := make([]string, 0, len(memberSet))
	for id := range memberSet {
		ids = append(ids, id)
	}
	devices, err := g.st.Devices.Devices(ctx, ws, ids)
	if err != nil {
		return nil, err
	}
	r, err := reads.of(ctx, g, ws)
	if err != nil {
		return nil, err
	}
	c := &sendContext{devices: make(map[string]*models.Device, len(devices)), members: r.members, badges: r.unread}
	for _, d := range devices {
		c.devices[d.ID] = d
	}
	return c, nil
}

// send calls the provider within its concurrency bound and SendTimeout,
// if may (nil: always) still allows it once it has a slot; sent is false
// when it did not.
func (g *Gateway) send(ctx context.Context, p Provider, dev *models.Device, n *Notification, may func() bool) (r Result, sent bool) {
	s := g.senders[p]
	if s == nil {
		return Result{Outcome: OutcomeFailed, Reason: string(p) + " is not configured on this server"}, true
	}
	slot := g.slots[p]
	slot <- struct{}{}
	defer func() { <-slot }()
	if may != nil && !may() {
		return Result{}, false
	}
	sctx, cancel := context.WithTimeout(ctx, g.cfg.SendTimeout)
	defer cancel()
	return s.Send(sctx, dev, n), true
}

// apply records one provider answer on delivery d.
func (g *Gateway) apply(a *models.Alert, d *models.Delivery, r Result, now time.Time) {
	d.Attempts++
	d.Reason = r.Reason
	g.metrics.count(d.Kind, string(r.Outcome))
	switch r.Outcome {
	case OutcomeSent:
		d.State, d.SentAt, d.NextAt, d.ProviderID = models.DeliveryDone, &now, nil, r.ProviderID
		if d.Kind == string(ProviderTelegram) && r.ProviderID != "" {
			a.TelegramRefs = append(a.TelegramRefs, telegramRef(d.DeviceID, r.ProviderID))
		}
	case OutcomeGone:
		d.State, d.NextAt = models.DeliveryRemoved, nil
	case OutcomeRetry:
		next := now.Add(Backoff(d.Attempts, g.cfg.BackoffBase, g.cfg.BackoffMax, r.RetryAfter, g.jitter()))
		if !next.Before(a.ExpiresAt) {
			d.State, d.NextAt, d.Reason = models.DeliveryGaveUp, nil, expiredReason(r.Reason)
			g.metrics.count(d.Kind, "expired")
			return
		}
		d.State, d.NextAt = models.DeliveryPending, &next
	default:
		d.State, d.NextAt = models.DeliveryGaveUp, nil
	}
}

// settle sets the alert's state and next due time from its deliveries.
func (g *Gateway) settle(a *models.Alert) {
	a.State = models.AlertDone
	var next time.Time
	for _, d := range a.Deliveries {
		switch d.State {
		case models.DeliveryPending:
			a.State = models.AlertPending
			at := a.DueAt
			if d.NextAt != nil {
				at = *d.NextAt
			}
			if next.IsZero() || at.Before(next) {
				next = at
			}
		}
	}
	if !next.IsZero() {
		a.DueAt = next
	}
}

func expiredReason(last string) string {
	if last == "" {
		return "expired: the alert's TTL passed"
	}
	return "expired: the alert's TTL passed (last answer: " + last + ")"
}

func reasonSuffix(r string) string {
	if r == "" {
		return ""
	}
	return ": " + r
}

// telegramRef names a sent Telegram message by device and message id;
// the device id stands for the chat, which is all a reply needs.
func telegramRef(deviceID, messageID string) string { return deviceID + ":" + messageID }

// TelegramRef is the reference of message id in the chat of device.
func TelegramRef(deviceID string, messageID int64) string {
	return telegramRef(deviceID, strconv.FormatInt(messageID, 10))
}
