package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/storetest"
)

// TestSyncHeldWriterIsNeverSkipped holds one writer between reserving its
// sequence and writing while others commit above it: pulls must stop below
// the held sequence (a device that went past it would never get the held
// record), and once the writer finishes, the next pull from the timestamp
// given meanwhile delivers it with everything written around it.
func TestSyncHeldWriterIsNeverSkipped(t *testing.T) {
	hold := rsNewHold()
	opt := storetest.Options(t)
	opt.SeqLease = 10 * time.Minute // the held writer must not expire
	opt.AfterReserve = hold.afterReserve
	db := storetest.NewWith(t, opt)
	e := newSyncEnv(t, db, testSync)
	tm := e.team()
	ws := tm.admin.Workspace.ID
	ctx := context.Background()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	chatA := e.event(tm.key, b.ID, say("a1", "sa", "hello from A"))
	chatB := e.event(tm.key, b.ID, say("b1", "sb", "hello from B"))

	dev := newReplica()
	dev.sync(e, tm.emp1.AccessToken, nil)

	// An agent's reply is held after reserving its sequence.
	var (
		heldStatus int
		heldBody   []byte
		heldErr    error
	)
	done := hold.run(t, func() {
		heldStatus, heldBody, heldErr = e.rsCall(t, "POST", "/v1/conversations/"+chatA.ConversationID+"/messages",
			tm.emp2.AccessToken, map[string]string{"text": "held reply"})
	})
	held := hold.wait(t)

	// Others commit above it: a note, a reply, a subscriber's message and a new chat.
	r := e.call("POST", "/v1/subscribers/"+chatB.SubscriberID+"/notes", tm.emp1.AccessToken, map[string]string{"text": "note on B"})
	wantStatus(t, r, http.StatusCreated)
	var note models.Note
	r.JSON(t, &note)
	r = e.call("POST", "/v1/conversations/"+chatB.ConversationID+"/messages", tm.emp1.AccessToken, map[string]string{"text": "reply on B"})
	wantStatus(t, r, http.StatusCreated)
	var replyB models.Message
	r.JSON(t, &replyB)
	inB := e.event(tm.key, b.ID, say("b2", "sb", "more from B"))
	chatC := e.event(tm.key, b.ID, say("c1", "sc", "hello from C"))
	top, err := db.ReservedSeq(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if top <= held+3 {
		t.Fatalf("the other writers reserved up to %d only, the held writer has %d", top, held)
	}

	// Pulls meanwhile, in pages of every size, stop below the held sequence.
	heldText := func(a pullAnswer) bool {
		for _, m := range rsRecords(a, models.TableMessages) {
			if m["text"] == "held reply" {
				return true
			}
		}
		return false
	}
	for _, limit := range []int{1, 2, 3, 500} {
		last := dev.last
		for i := 0; ; i++ {
			a := e.pull(tm.emp1.AccessToken, last, url.Values{"limit": {strconv.Itoa(limit)}})
			if err := rsCheckAnswer(a, last, "", true); err != nil {
				t.Fatal(err)
			}
			if seqOf(a.Timestamp) >= held {
				t.Fatalf("limit %d: timestamp %d passed the held writer's sequence %d", limit, a.Timestamp, held)
			}
			rsAllBelow(t, a, held)
			if heldText(a) {
				t.Fatal("the held reply was served before it was written")
			}
			last = a.Timestamp
			if !a.HasMore {
				break
			}
			if i > 1000 {
				t.Fatal("paging never ended")
			}
		}
	}
	dev.sync(e, tm.emp1.AccessToken, nil)
	if seqOf(dev.last) >= held {
		t.Fatalf("device timestamp %d passed the held sequence %d", dev.last, held)
	}
	// A waiting pull cannot pass it either: it ends empty when its wait ends.
	w := e.pull(tm.emp1.AccessToken, dev.last, url.Values{"wait": {"1"}})
	if seqOf(w.Timestamp) >= held || !w.rsEmpty() {
		t.Fatalf("waiting pull: timestamp %d (held %d), changes %+v", w.Timestamp, held, w.Changes)
	}
	// A first sync meanwhile is stamped below it too.
	other := newReplica()
	first := e.pull(tm.admin.AccessToken, 0, nil)
	if seqOf(first.Timestamp) >= held {
		t.Fatalf("first sync timestamp %d passed the held sequence %d", first.Timestamp, held)
	}
	if heldText(first) {
		t.Fatal("the held reply was in a first sync before it was written")
	}
	other.apply(first)

	// The writer finishes: the next pull from the timestamp given meanwhile
	// delivers its record, and what the others wrote above it.
	hold.free()
	<-done
	if heldErr != nil || heldStatus != http.StatusCreated {
		t.Fatalf("held reply: %v status %d: %s", heldErr, heldStatus, heldBody)
	}
	var heldMsg models.Message
	if err := json.Unmarshal(heldBody, &heldMsg); err != nil {
		t.Fatal(err)
	}
	// The held write is the reply's first (the chat's, with the record of
	// the pending reply); the message itself is written after it.
	if heldMsg.Seq <= held {
		t.Fatalf("held reply has seq %d, want above the held %d", heldMsg.Seq, held)
	}
	a := e.pull(tm.emp1.AccessToken, dev.last, nil)
	if err := rsCheckAnswer(a, dev.last, "", true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct{ table, id string }{{models.TableMessages, heldMsg.ID}, {models.TableNotes, note.ID},
		{models.TableMessages, replyB.ID}, {models.TableMessages, inB.MessageID}, {models.TableConversations, chatC.ConversationID},
		{models.TableSubscribers, chatC.SubscriberID}, {models.TableMessages, chatC.MessageID}} {
		if !rsHas(a, want.table, want.id) {
			t.Fatalf("the pull after the release lacks %s %s: %+v", want.table, want.id, a.Changes[want.table])
		}
	}
	dev.apply(a)
	e.rsStampStats()
	dev.sync(e, tm.emp1.AccessToken, nil)
	if d := rsDiff(dev, e.rsFresh(tm.emp1.AccessToken)); d != nil {
		t.Fatalf("device differs from a first sync:\n%s", rsFirst(d, 20))
	}
	other.sync(e, tm.admin.AccessToken, nil)
	if !rsHolds(other, models.TableMessages, heldMsg.ID) {
		t.Fatal("the device that first synced while the writer was held never got its record")
	}
	if d := rsDiff(other, e.rsFresh(tm.admin.AccessToken)); d != nil {
		t.Fatalf("device that first synced meanwhile differs from a first sync:\n%s", rsFirst(d, 20))
	}
}

func rsHolds(r *replica, table, id string) bool {
	_, ok := r.tables[table][id]
	return ok
}

func (a pullAnswer) rsEmpty() bool {
	for _, c := range a.Changes {
		if len(c.Created)+len(c.Updated)+len(c.Deleted) > 0 {
			return false
		}
	}
	return true
}

// TestSyncDeadWriterStallsAtMostTheLease: a writer that reserved a sequence
// and never writes holds readers back until its lease (plus the skew
// margin) ends on the store's clock, not a moment less and not forever;
// then pulls pass it, deliver what was written above it, and the writer,
// waking late, must not land its write.
func TestSyncDeadWriterStallsAtMostTheLease(t *testing.T) {
	const lease, skew = time.Minute, 2 * time.Second
	hold := rsNewHold()
	// BSON keeps milliseconds: a clock on a millisecond makes the lease end exact.
	clock := storetest.NewClock(time.Now().Truncate(time.Millisecond))
	opt := storetest.Options(t)
	opt.Now, opt.SeqLease, opt.SeqSkew, opt.AfterReserve = clock.Now, lease, skew, hold.afterReserve
	db := storetest.NewWith(t, opt)
	e := newSyncEnv(t, db, testSync)
	tm := e.team()
	ws := tm.admin.Workspace.ID
	ctx := context.Background()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	chat := e.event(tm.key, b.ID, say("a1", "sa", "hello"))

	dev := newReplica()
	dev.sync(e, tm.emp1.AccessToken, nil)
	before := dev.last

	// The dead writer: a note that reserves its sequence and hangs.
	var deadErr error
	done := hold.run(t, func() {
		deadErr = db.CreateNote(context.Background(), ws, &models.Note{ID: "dead-note", SubscriberID: chat.SubscriberID,
			AuthorID: tm.emp1.Member.ID, Text: "never lands"})
	})
	dead := hold.wait(t)

	// Later writes.
	r := e.call("POST", "/v1/subscribers/"+chat.SubscriberID+"/notes", tm.emp1.AccessToken, map[string]string{"text": "later note"})
	wantStatus(t, r, http.StatusCreated)
	var later models.Note
	r.JSON(t, &later)
	r = e.call("POST", "/v1/conversations/"+chat.ConversationID+"/messages", tm.emp2.AccessToken, map[string]string{"text": "later reply"})
	wantStatus(t, r, http.StatusCreated)
	var reply models.Message
	r.JSON(t, &reply)
	top, err := db.ReservedSeq(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if top <= dead {
		t.Fatalf("later writes reserved up to %d, the dead writer %d", top, dead)
	}

	stalled := func(when string) {
		t.Helper()
		a := e.pull(tm.emp1.AccessToken, before, nil)
		if err := rsCheckAnswer(a, before, "", true); err != nil {
			t.Fatal(err)
		}
		if seqOf(a.Timestamp) >= dead {
			t.Fatalf("%s: timestamp %d passed the dead writer's sequence %d", when, a.Timestamp, dead)
		}
		rsAllBelow(t, a, dead)
	}
	stalled("at once")
	clock.Advance(lease)
	stalled("at the lease end")
	clock.Advance(skew - time.Millisecond)
	stalled("a millisecond before the lease end plus skew")

	clock.Advance(time.Millisecond)
	a := e.pull(tm.emp1.AccessToken, before, nil)
	if err := rsCheckAnswer(a, before, "", true); err != nil {
		t.Fatal(err)
	}
	if seqOf(a.Timestamp) < top {
		t.Fatalf("past the lease: timestamp %d, want at least %d (the dead writer had %d)", a.Timestamp, top, dead)
	}
	if !rsHas(a, models.TableNotes, later.ID) || !rsHas(a, models.TableMessages, reply.ID) {
		t.Fatalf("past the lease the later writes are not delivered: notes %+v messages %+v", a.Changes[models.TableNotes], a.Changes[models.TableMessages])
	}
	if rsHas(a, models.TableNotes, "dead-note") {
		t.Fatal("the dead writer's note was delivered")
	}
	dev.apply(a)

	// The writer wakes after readers passed it: its write must not land.
	hold.free()
	<-done
	if deadErr == nil {
		t.Fatal("a write whose lease ended was accepted")
	}
	if _, err := db.Note(ctx, ws, "dead-note"); !models.IsNotFound(err) {
		t.Fatalf("the expired writer's note: %v, want not found", err)
	}
	// Writes go on and reach the device.
	r = e.call("POST", "/v1/conversations/"+chat.ConversationID+"/messages", tm.emp2.AccessToken, map[string]string{"text": "after"})
	wantStatus(t, r, http.StatusCreated)
	var after models.Message
	r.JSON(t, &after)
	e.rsStampStats()
	dev.sync(e, tm.emp1.AccessToken, nil)
	if !rsHolds(dev, models.TableMessages, after.ID) || rsHolds(dev, models.TableNotes, "dead-note") {
		t.Fatalf("device after the lease: messages %v notes %v", dev.ids(models.TableMessages), dev.ids(models.TableNotes))
	}
	if d := rsDiff(dev, e.rsFresh(tm.emp1.AccessToken)); d != nil {
		t.Fatalf("device differs from a first sync:\n%s", rsFirst(d, 20))
	}
}
