package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store"
	"github.com/switchboardhq/switchboard/store/storetest"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func rawDB(t *testing.T, opt store.Options) *mongo.Database {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(opt.URI))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(ctx) })
	return client.Database(opt.Database)
}

// TestChangeLogKeepsNoSecrets: the log holds each write's record for
// delta-sync, without password hashes, invite tokens or bot credentials.
func TestChangeLogKeepsNoSecrets(t *testing.T) {
	opt := storetest.Options(t)
	db := storetest.NewWith(t, opt)
	m := newMember("w", "a@example.com")
	m.PasswordHash, m.InviteHash = "argon2id$secret-hash", "invite-secret"
	if err := db.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	hash := "argon2id$new-secret"
	if _, err := db.UpdateMember(ctx, "w", m.ID, models.MemberUpdate{PasswordHash: &hash}); err != nil {
		t.Fatal(err)
	}
	b := &models.Bot{ID: models.NewID(), Channel: models.ChannelTelegram, Name: "B",
		Credentials: map[string]string{"token": "123:bot-secret"}, CredentialsHint: map[string]string{"token": "12…et"}}
	b.WS = "w"
	if err := db.CreateBot(ctx, b); err != nil {
		t.Fatal(err)
	}
	cur, err := rawDB(t, opt).Collection("seq_done").Find(ctx, bson.D{{Key: "ws", Value: "w"}})
	if err != nil {
		t.Fatal(err)
	}
	var log []bson.Raw
	if err := cur.All(ctx, &log); err != nil {
		t.Fatal(err)
	}
	if len(log) != 3 {
		t.Fatalf("%d log entries, want 3", len(log))
	}
	for _, e := range log {
		s := e.String()
		if _, ok := e.Lookup("rec").DocumentOK(); !ok {
			t.Fatalf("entry without its record: %s", s)
		}
		for _, secret := range []string{"secret", "password_hash", "invite_hash", "\"credentials\""} {
			if strings.Contains(s, secret) {
				t.Fatalf("log entry holds %q: %s", secret, s)
			}
		}
	}
	changes, err := db.Changes(ctx, "w", 0, 3, 10)
	if err != nil || len(changes) != 3 {
		t.Fatalf("changes %v (%v)", changes, err)
	}
	if got := changes[0].Record.(*models.Member); got.Email != "a@example.com" || got.PasswordHash != "" || !changes[0].Created {
		t.Fatalf("first change %+v", changes[0])
	}
	if changes[1].Created || changes[1].Record.(*models.Member).Seq != 2 {
		t.Fatalf("second change %+v", changes[1])
	}
}

// TestReaderLogsWriteWhoseWriterDiedBeforeLogging: a write that landed but
// whose writer died before logging it reaches the log when a reader passes
// its expired reservation; a reservation whose write never landed is
// logged without a record.
func TestReaderLogsWriteWhoseWriterDiedBeforeLogging(t *testing.T) {
	clk := storetest.NewClock(time.Now())
	opt := storetest.Options(t)
	opt.Now, opt.SeqLease, opt.SeqSkew = clk.Now, 10*time.Second, time.Second
	db := storetest.NewWith(t, opt)
	m := newMember("w", "a@example.com")
	if err := db.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	raw := rawDB(t, opt)
	// The crash: the document is written, its log entry never is.
	if _, err := raw.Collection("seq_done").DeleteOne(ctx, bson.D{{Key: "_id", Value: "w:1"}}); err != nil {
		t.Fatal(err)
	}
	restarted, err := store.Open(ctx, opt) // a fresh process, with no cached mark
	if err != nil {
		t.Fatal(err)
	}
	defer restarted.Close(ctx)
	if s, _ := restarted.SafeSeq(ctx, "w"); s != 0 {
		t.Fatalf("mark %d before the lease ended, want 0", s)
	}
	clk.Advance(11*time.Second + time.Millisecond)
	if s, _ := restarted.SafeSeq(ctx, "w"); s != 1 {
		t.Fatalf("mark %d after the lease, want 1", s)
	}
	changes, err := restarted.Changes(ctx, "w", 0, 1, 10)
	if err != nil || len(changes) != 1 || changes[0].Record == nil || changes[0].Record.(*models.Member).ID != m.ID {
		t.Fatalf("the landed write is not in the log: %+v (%v)", changes, err)
	}
}

// TestRestartedProcessWalksFromSavedMark: the mark is saved as it rises,
// and a new process starts its walk there rather than at the horizon.
func TestRestartedProcessWalksFromSavedMark(t *testing.T) {
	opt := storetest.Options(t)
	opt.MarkPersistEvery = 3
	db := storetest.NewWith(t, opt)
	for i := 0; i < 5; i++ {
		if err := db.CreateMember(ctx, newMember("w", models.NewID()+"@example.com")); err != nil {
			t.Fatal(err)
		}
	}
	if s, err := db.SafeSeq(ctx, "w"); err != nil || s != 5 {
		t.Fatalf("mark %d (%v), want 5", s, err)
	}
	var saved struct {
		Seq int64 `bson:"seq"`
	}
	if err := rawDB(t, opt).Collection("sync_marks").FindOne(ctx, bson.D{{Key: "_id", Value: "w"}}).Decode(&saved); err != nil || saved.Seq != 5 {
		t.Fatalf("saved mark %d (%v), want 5", saved.Seq, err)
	}
	// Below the saved mark the reservations are gone: a walk from the
	// horizon would stall on the missing sequences, one from the mark does not.
	if _, err := rawDB(t, opt).Collection("seq_reservations").DeleteMany(ctx, bson.D{{Key: "seq", Value: bson.D{{Key: "$lt", Value: 5}}}}); err != nil {
		t.Fatal(err)
	}
	restarted, err := store.Open(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer restarted.Close(ctx)
	if err := restarted.CreateMember(ctx, newMember("w", "late@example.com")); err != nil {
		t.Fatal(err)
	}
	if s, err := restarted.SafeSeq(ctx, "w"); err != nil || s != 6 {
		t.Fatalf("restarted mark %d (%v), want 6", s, err)
	}
}
