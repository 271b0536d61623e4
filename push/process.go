package push

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// Process leases alert a, sends every delivery that is due, and records
// the outcomes: sent, retry later (backoff with jitter, at least the
// provider's Retry-After), failed, or removed with its device. It reports
// whether it held the lease. The database work is the same whatever the
// number of devices: the lease, one read each of devices, members and
// unread chats, one write of the outcomes, one of device notes, and one
// delete of gone devices.
func (g *Gateway) Process(ctx context.Context, a *models.Alert) (bool, error) {
	now := g.now()
	ok, err := g.st.Alerts.ClaimAlert(ctx, a, now, g.cfg.Lease)
	if err != nil || !ok {
		return false, err
	}
	var due []int
	members := map[string]bool{}
	for i, d := range a.Deliveries {
		if d.State != models.DeliveryPending {
			continue
		}
		if !now.Before(a.ExpiresAt) {
			a.Deliveries[i].State, a.Deliveries[i].NextAt = models.DeliveryGaveUp, nil
			a.Deliveries[i].Reason = expiredReason(d.Reason)
			g.metrics.count(d.Kind, "expired")
			continue
		}
		if d.NextAt != nil && d.NextAt.After(now) {
			continue
		}
		due = append(due, i)
		members[d.MemberID] = true
	}
	if len(due) > 0 {
		if err := g.sendAll(ctx, a, due, members, now); err != nil {
			return true, err
		}
	}
	gone := g.settle(a)
	if err := g.st.Alerts.FinishAttempt(ctx, a); err != nil {
		return true, err
	}
	if len(gone) > 0 {
		if _, err := g.st.Devices.DeleteDevices(ctx, a.WS, "", gone); err != nil {
			return true, err
		}
	}
	return true, nil
}

// sendAll sends the due deliveries at once, each provider within its bound.
func (g *Gateway) sendAll(ctx context.Context, a *models.Alert, due []int, memberSet map[string]bool, now time.Time) error {
	ids := make([]string, 0, len(memberSet))
	for id := range memberSet {
		ids = append(ids, id)
	}
	devices, err := g.st.Devices.Devices(ctx, a.WS, ids)
	if err != nil {
		return err
	}
	byID := map[string]*models.Device{}
	for _, d := range devices {
		byID[d.ID] = d
	}
	badges, err := g.badges(ctx, a.WS)
	if err != nil {
		return err
	}
	members, err := g.membersOf(ctx, a, due)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	notes := map[string]string{}
	for _, i := range due {
		d := &a.Deliveries[i]
		d.Badge = badges.of(members[d.MemberID], d.MemberID)
		dev := byID[d.DeviceID]
		if d.Kind == string(ProviderEmail) {
			dev = &models.Device{ID: d.DeviceID, MemberID: d.MemberID, Kind: models.DeviceKind(ProviderEmail)}
		}
		if dev == nil {
			d.State, d.Reason = models.DeliveryGaveUp, "the device was removed"
			continue
		}
		n := g.notification(a, d, members[d.MemberID])
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := g.send(ctx, Provider(d.Kind), dev, n)
			mu.Lock()
			defer mu.Unlock()
			g.apply(a, d, r, now)
			if d.Kind != string(ProviderEmail) {
				notes[d.DeviceID] = string(d.State) + reasonSuffix(d.Reason)
			}
		}()
	}
	wg.Wait()
	return g.st.Devices.NoteOutcomes(ctx, a.WS, notes, now)
}

// send calls the provider within its concurrency bound and SendTimeout.
func (g *Gateway) send(ctx context.Context, p Provider, dev *models.Device, n *Notification) Result {
	s := g.senders[p]
	if s == nil {
		return Result{Outcome: OutcomeFailed, Reason: string(p) + " is not configured on this server"}
	}
	slot := g.slots[p]
	slot <- struct{}{}
	defer func() { <-slot }()
	sctx, cancel := context.WithTimeout(ctx, g.cfg.SendTimeout)
	defer cancel()
	return s.Send(sctx, dev, n)
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

// settle sets the alert's state and next due time from its deliveries and
// returns the devices to remove.
func (g *Gateway) settle(a *models.Alert) []string {
	var gone []string
	a.State = models.AlertDone
	var next time.Time
	for _, d := range a.Deliveries {
		switch d.State {
		case models.DeliveryRemoved:
			gone = append(gone, d.DeviceID)
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
	return gone
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
