package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

func pendingAlert(id string, due time.Time) *models.Alert {
	return &models.Alert{ID: id, WS: "ws1", Event: models.EventNewChat, State: models.AlertPending, DueAt: due,
		CreatedAt: due, ExpiresAt: due.Add(time.Hour),
		Deliveries: []models.Delivery{{DeviceID: "d1", MemberID: "m1", Kind: "fcm", State: models.DeliveryPending}}}
}

func dueIDs(t *testing.T, s *Store, now time.Time) string {
	t.Helper()
	list, err := s.DueAlerts(context.Background(), now, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, a := range list {
		out = append(out, a.ID)
	}
	return fmt.Sprint(out)
}

func claim(t *testing.T, s *Store, id string, now time.Time, lease time.Duration) *models.Alert {
	t.Helper()
	held, err := s.ClaimAlerts(context.Background(), []*models.Alert{{ID: id}}, now, lease)
	if err != nil || len(held) != 1 {
		t.Fatalf("claim %s at %v: %d held, %v", id, now, len(held), err)
	}
	return held[0]
}

// TestHeldAlertsLeaveTheDueListing: while a lease holds an alert it is
// not listed (other workers list what nobody holds), and at the lease's
// end it is due again by itself.
func TestHeldAlertsLeaveTheDueListing(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	if _, err := s.CreateAlerts(ctx, []*models.Alert{pendingAlert("a", now), pendingAlert("b", now)}); err != nil {
		t.Fatal(err)
	}
	claim(t, s, "a", now, time.Minute)
	if got := dueIDs(t, s, now.Add(time.Minute-time.Millisecond)); got != "[b]" {
		t.Fatalf("due under a's lease: %s, want [b]", got)
	}
	if got := dueIDs(t, s, now.Add(time.Minute)); got != "[b a]" {
		t.Fatalf("due at the lease's end: %s, want [b a]", got)
	}
}

// TestOvertakenAttempts: an attempt whose lease ran out and was claimed
// again writes nothing once the later claim's attempt is written, and
// leaves the job to the later claim while that one holds it.
func TestOvertakenAttempts(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	if _, err := s.CreateAlerts(ctx, []*models.Alert{pendingAlert("a", now)}); err != nil {
		t.Fatal(err)
	}
	first := claim(t, s, "a", now, time.Minute)
	second := claim(t, s, "a", now.Add(time.Minute), time.Minute)
	if second.Claims <= first.Claims {
		t.Fatalf("claims %d then %d", first.Claims, second.Claims)
	}
	// The first worker, late, writes a retry while the second holds it:
	// its outcome is stored, the job stays under the second lease.
	retry := now.Add(10 * time.Second)
	first.DueAt, first.Deliveries[0].Attempts = retry, 1
	if err := s.FinishAttempts(ctx, []*models.Alert{first}); err != nil {
		t.Fatal(err)
	}
	if got := dueIDs(t, s, now.Add(2*time.Minute-time.Millisecond)); got != "[]" {
		t.Fatalf("due under the second lease: %s", got)
	}
	// The second finishes: sent. A repeat of the first's write changes nothing.
	second.State, second.Deliveries[0].State = models.AlertDone, models.DeliveryDone
	if err := s.FinishAttempts(ctx, []*models.Alert{second}); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishAttempts(ctx, []*models.Alert{first}); err != nil {
		t.Fatal(err)
	}
	a, err := s.Alert(ctx, "ws1", "a")
	if err != nil || a.State != models.AlertDone || a.Claims != second.Claims {
		t.Fatalf("alert %+v, %v; want done by claim %d", a, err, second.Claims)
	}
	if got := dueIDs(t, s, now.Add(time.Hour)); got != "[]" {
		t.Fatalf("due after it was sent: %s", got)
	}
}

// TestRequeueMendsTheJobs: a pending alert whose job is lost is queued
// again, once; the job of an alert no longer pending is dropped.
func TestRequeueMendsTheJobs(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	done := pendingAlert("done", now)
	done.State = models.AlertDone
	if _, err := s.CreateAlerts(ctx, []*models.Alert{pendingAlert("lost", now), pendingAlert("kept", now), done}); err != nil {
		t.Fatal(err)
	}
	if err := s.WithTx(ctx, func(tx *Tx) error {
		if err := dropJob(tx, jobAlert, "lost"); err != nil {
			return err
		}
		_, err := queueJob(tx, jobAlert, "done", "ws1", now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := dueIDs(t, s, now); got != "[kept]" {
		t.Fatalf("due %s, want [kept]", got)
	}
	for i, want := range []int{1, 0} {
		n, err := s.RequeuePending(ctx)
		if err != nil || n != want {
			t.Fatalf("requeue %d: %d, %v; want %d", i, n, err, want)
		}
	}
	if got := dueIDs(t, s, now); got != "[kept lost]" {
		t.Fatalf("due after the requeue: %s, want [kept lost]", got)
	}
	var jobs int
	if err := s.Reader().QueryRow(`SELECT count(*) FROM jobs WHERE kind = ?`, jobAlert).Scan(&jobs); err != nil || jobs != 2 {
		t.Fatalf("%d alert jobs, %v; want 2 (the finished alert's dropped)", jobs, err)
	}
}

// TestClaimsOfADeadProcessEndAtOpen: a claim the process never ended (it
// was killed while sending) does not hold its alert past the next Open:
// one process uses a data directory at a time, so the restarted server
// sends it at once instead of waiting out the dead process's lease.
func TestClaimsOfADeadProcessEndAtOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	s, err := Open(ctx, dir, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAlerts(ctx, []*models.Alert{pendingAlert("held", now), pendingAlert("later", now.Add(time.Hour))}); err != nil {
		t.Fatal(err)
	}
	first := claim(t, s, "held", now, time.Hour)
	if err := s.Close(); err != nil { // the claim's end is never written, as under kill -9
		t.Fatal(err)
	}
	restarted := now.Add(time.Second)
	s, err = Open(ctx, dir, Options{Now: func() time.Time { return restarted }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := dueIDs(t, s, restarted); got != "[held]" {
		t.Fatalf("due after the restart: %s, want [held] (the alert not due yet stays so)", got)
	}
	if again := claim(t, s, "held", restarted, 2*time.Hour); again.Claims <= first.Claims {
		t.Fatalf("claim after the restart %d, the dead process's %d", again.Claims, first.Claims)
	}
	if got := dueIDs(t, s, now.Add(time.Hour)); got != "[later]" {
		t.Fatalf("due in an hour: %s, want [later] (held by the new claim)", got)
	}
}

// TestLeasesOfADeadProcessEndAtOpen: a lease the process held when it died
// (a bot's long poll, a workspace's alert dispatch) does not keep the
// restarted server, under another holder name, from that work until the
// lease's slot runs out: one process uses a data directory at a time, so
// every lease found at Open is a dead process's.
func TestLeasesOfADeadProcessEndAtOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	s, err := Open(ctx, dir, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	const slot = 50 * time.Second
	for _, name := range []string{"poll:b1", "dispatch:ws1"} {
		if ok, err := s.TakeLease(ctx, name, "dead-holder", now, slot); err != nil || !ok {
			t.Fatalf("take %s: %v %v", name, ok, err)
		}
		if ok, err := s.TakeLease(ctx, name, "other", now, slot); err != nil || ok {
			t.Fatalf("%s taken twice in one slot by two holders: %v %v", name, ok, err)
		}
	}
	if err := s.Close(); err != nil { // the process dies holding both
		t.Fatal(err)
	}
	s, err = Open(ctx, dir, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, name := range []string{"poll:b1", "dispatch:ws1"} {
		if ok, err := s.TakeLease(ctx, name, "restarted", now, slot); err != nil || !ok {
			t.Fatalf("after the restart %s in the same slot: %v %v, want it taken by the restarted process", name, ok, err)
		}
		if ok, err := s.TakeLease(ctx, name, "dead-holder", now, slot); err != nil || ok {
			t.Fatalf("after the restart %s still held by the dead holder too: %v %v", name, ok, err)
		}
	}
}
