package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/storetest"
)

// TestNoteOutcomesOfManyDevices: one alert's outcomes for more devices than
// FerretDB's SQLite pool has connections (100) are written, and the store
// still answers; a statement per device stalled the embedded store.
func TestNoteOutcomesOfManyDevices(t *testing.T) {
	db := storetest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	outcomes := map[string]string{}
	for i := 0; i < 150; i++ {
		d, err := db.SaveDevice(ctx, &models.Device{WS: "ws1", MemberID: "m1", Kind: models.DeviceFCM, Key: fmt.Sprintf("fcm:t%d", i), Token: fmt.Sprintf("t%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		outcomes[d.ID] = "sent"
		if i%3 == 0 {
			outcomes[d.ID] = "queued: UNAVAILABLE"
		}
	}
	if err := db.NoteOutcomes(ctx, "ws1", outcomes, time.Now()); err != nil {
		t.Fatal(err)
	}
	devs, err := db.Devices(ctx, "ws1", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		if d.LastOutcome != outcomes[d.ID] || (d.LastOutcome == "sent") != (d.LastSentAt != nil) {
			t.Fatalf("device %s: outcome %q sent at %v, want %q", d.ID, d.LastOutcome, d.LastSentAt, outcomes[d.ID])
		}
	}
	// Another workspace's devices are not touched by ws1's notes.
	if err := db.NoteOutcomes(ctx, "ws2", map[string]string{devs[0].ID: "failed"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if d, _ := db.Device(ctx, "ws1", devs[0].ID); d.LastOutcome == "failed" {
		t.Fatal("a note of another workspace landed")
	}
}
