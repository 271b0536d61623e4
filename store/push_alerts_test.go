package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/storetest"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func pendingAlert(id string, due time.Time) *models.Alert {
	return &models.Alert{ID: id, WS: "ws1", Event: models.EventNewChat, State: models.AlertPending, DueAt: due,
		CreatedAt: due, ExpiresAt: due.Add(time.Hour),
		Deliveries: []models.Delivery{{DeviceID: "d1", MemberID: "m1", Kind: "fcm", State: models.DeliveryPending}}}
}

func ids(alerts []*models.Alert) []string {
	out := []string{}
	for _, a := range alerts {
		out = append(out, a.ID)
	}
	return out
}

// TestDueQueueHoldsOnlyPendingAlerts: the due listing reads a queue of the
// pending alerts (finished ones leave it), repeats and crashes between the
// two inserts still leave every pending alert due, stale entries are
// mended, and a claim taken by one worker is refused to the next.
func TestDueQueueHoldsOnlyPendingAlerts(t *testing.T) {
	opt := storetest.Options(t)
	db := storetest.NewWith(t, opt)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, err := mongo.Connect(options.Client().ApplyURI(opt.URI))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	queue := client.Database(opt.Database).Collection("jobs")
	queued := func() int64 {
		n, err := queue.CountDocuments(ctx, bson.D{{Key: "kind", Value: models.JobAlert}})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	var alerts []*models.Alert
	for i := range 4 {
		alerts = append(alerts, pendingAlert(fmt.Sprintf("a%d", i), now.Add(time.Duration(i)*time.Second)))
	}
	later := pendingAlert("later", now.Add(time.Hour))
	created, err := db.CreateAlerts(ctx, append(alerts, later))
	if err != nil || len(created) != 5 || !created[0] || !created[4] {
		t.Fatalf("created %v %v", created, err)
	}
	if again, err := db.CreateAlerts(ctx, alerts[:1]); err != nil || again[0] { // the same event dispatched twice
		t.Fatalf("created again %v %v", again, err)
	}
	due, err := db.DueAlerts(ctx, now.Add(time.Minute), 10, func(id string) bool { return id == "a3" })
	if err != nil || fmt.Sprint(ids(due)) != "[a0 a1 a2]" {
		t.Fatalf("due %v %v, want a0 a1 a2 soonest first (a3 skipped, later not due)", ids(due), err)
	}

	// One worker claims a0 and a1; a second worker listing them gets neither.
	held, err := db.ClaimAlerts(ctx, due[:2], now, time.Minute)
	if err != nil || len(held) != 2 {
		t.Fatalf("claimed %v %v", ids(held), err)
	}
	if other, err := db.ClaimAlerts(ctx, due[:2], now, time.Minute); err != nil || len(other) != 0 {
		t.Fatalf("a second worker claimed %v %v", ids(other), err)
	}
	// a0 is sent; a1 is retried in ten minutes.
	held[0].State, held[0].Deliveries[0].State = models.AlertDone, models.DeliveryDone
	held[1].DueAt = now.Add(10 * time.Minute)
	if err := db.FinishAttempts(ctx, held); err != nil {
		t.Fatal(err)
	}
	if n := queued(); n != 4 {
		t.Fatalf("%d queued after a0 finished, want 4 (a1, a2, a3, later)", n)
	}
	due, err = db.DueAlerts(ctx, now.Add(time.Minute), 10, nil)
	if err != nil || fmt.Sprint(ids(due)) != "[a2 a3]" {
		t.Fatalf("due %v %v, want a2 a3", ids(due), err)
	}
	// The next claim of a1 comes once it is due, without waiting for the lease.
	due, err = db.DueAlerts(ctx, now.Add(10*time.Minute), 10, nil)
	if err != nil || fmt.Sprint(ids(due)) != "[a2 a3 a1]" {
		t.Fatalf("due %v %v, want a2 a3 a1", ids(due), err)
	}
	if held, err := db.ClaimAlerts(ctx, due[2:], now.Add(10*time.Minute), time.Minute); err != nil || len(held) != 1 || held[0].Claims != 2 {
		t.Fatalf("second claim of a1: %+v %v", held, err)
	}

	// A crash between storing a2 and queueing it: dispatching it again queues it.
	if _, err := queue.DeleteOne(ctx, bson.D{{Key: "_id", Value: "alert/a2"}}); err != nil {
		t.Fatal(err)
	}
	if again, err := db.CreateAlerts(ctx, []*models.Alert{pendingAlert("a2", now.Add(2*time.Second))}); err != nil || again[0] {
		t.Fatalf("created again %v %v", again, err)
	}
	// A stale entry (a0 finished, its entry back by a repeat) and an entry
	// whose alert is gone are mended by the next listing.
	if _, err := db.CreateAlerts(ctx, []*models.Alert{pendingAlert("a0", now)}); err != nil {
		t.Fatal(err)
	}
	if _, err := queue.InsertOne(ctx, bson.D{{Key: "_id", Value: "alert/purged"}, {Key: "kind", Value: models.JobAlert}, {Key: "id", Value: "purged"},
		{Key: "ws", Value: "ws1"}, {Key: "due_at", Value: now}, {Key: "claims", Value: 0}, {Key: "lease_until", Value: time.UnixMilli(0)}}); err != nil {
		t.Fatal(err)
	}
	due, err = db.DueAlerts(ctx, now.Add(time.Minute), 10, nil)
	if err != nil || fmt.Sprint(ids(due)) != "[a2 a3]" {
		t.Fatalf("due %v %v, want a2 a3", ids(due), err)
	}
	if n := queued(); n != 4 {
		t.Fatalf("%d queued after mending, want 4 (a1, a2, a3, later)", n)
	}
	if a, err := db.Alert(ctx, "ws1", "a0"); err != nil || a.State != models.AlertDone {
		t.Fatalf("a0 after its repeat: %+v %v", a, err)
	}
	// A pending alert whose entry is lost, with no repeat to queue it
	// again, is queued by the sweep; one with its entry is left alone.
	if _, err := queue.DeleteOne(ctx, bson.D{{Key: "_id", Value: "alert/a3"}}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.RequeuePending(ctx); err != nil || n != 1 {
		t.Fatalf("requeued %d %v, want 1", n, err)
	}
	due, err = db.DueAlerts(ctx, now.Add(time.Minute), 10, nil)
	if err != nil || fmt.Sprint(ids(due)) != "[a2 a3]" {
		t.Fatalf("due %v %v after the sweep, want a2 a3", ids(due), err)
	}
}

// TestAbandonedClaimsNeverBlockAnAlert: workers that die holding claims,
// more times than one claim walks, leave the alert claimable once each
// lease ran out, and never while it holds.
func TestAbandonedClaimsNeverBlockAnAlert(t *testing.T) {
	db := storetest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	if _, err := db.CreateAlerts(ctx, []*models.Alert{pendingAlert("a", now)}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 12; i++ { // each worker claims, then dies
		due, err := db.DueAlerts(ctx, now, 10, nil)
		if err != nil || len(due) != 1 {
			t.Fatalf("death %d: due %v %v", i, ids(due), err)
		}
		held, err := db.ClaimAlerts(ctx, due, now, time.Minute)
		if err != nil || len(held) != 1 {
			t.Fatalf("death %d: claimed %v %v", i, ids(held), err)
		}
		if other, _ := db.ClaimAlerts(ctx, due, now.Add(59*time.Second), time.Minute); len(other) != 0 {
			t.Fatalf("death %d: claimed again under a live lease", i)
		}
		now = now.Add(time.Minute)
	}
	due, err := db.DueAlerts(ctx, now, 10, nil)
	if err != nil || len(due) != 1 {
		t.Fatalf("due %v %v", ids(due), err)
	}
	held, err := db.ClaimAlerts(ctx, due, now, time.Minute)
	if err != nil || len(held) != 1 {
		t.Fatalf("the alert could not be claimed after twelve abandoned claims: %v %v", ids(held), err)
	}
	held[0].State = models.AlertDone
	if err := db.FinishAttempts(ctx, held); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.DueAlerts(ctx, now.Add(time.Hour), 10, nil); len(due) != 0 {
		t.Fatalf("due %v after finishing", ids(due))
	}
}

// TestAlertsShareTheJobsCollection: a pending alert is a job of kind
// alert in the one jobs collection, beside the messengers' jobs; each
// listing reads its own kind only.
func TestAlertsShareTheJobsCollection(t *testing.T) {
	db := storetest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	if _, err := db.CreateAlerts(ctx, []*models.Alert{pendingAlert("a", now)}); err != nil {
		t.Fatal(err)
	}
	if err := db.QueueJob(ctx, models.JobUpdate, "u", "ws1", now); err != nil {
		t.Fatal(err)
	}
	alerts, err := db.DueJobs(ctx, models.JobAlert, now, 10)
	if err != nil || len(alerts) != 1 || alerts[0].ID != "a" || alerts[0].WS != "ws1" || !alerts[0].DueAt.Equal(now) {
		t.Fatalf("alert jobs %+v %v, want the alert's, due at %v", alerts, err, now)
	}
	due, err := db.DueAlerts(ctx, now, 10, nil)
	if err != nil || fmt.Sprint(ids(due)) != "[a]" {
		t.Fatalf("due alerts %v %v, want [a] alone", ids(due), err)
	}
	updates, err := db.DueJobs(ctx, models.JobUpdate, now, 10)
	if err != nil || len(updates) != 1 || updates[0].ID != "u" {
		t.Fatalf("update jobs %+v %v, want u alone", updates, err)
	}
}
