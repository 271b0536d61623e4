package channels_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/channels"
	tgchan "github.com/switchboardhq/switchboard/channels/telegram"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/jobs"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store"
	"github.com/switchboardhq/switchboard/store/storetest"
)

const token = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"

// faults fails the n-th inbox write point reached, as if the process died
// right after that write.
type faults struct {
	mu     sync.Mutex
	n, hit int
	fired  string
}

func (f *faults) point(p string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hit++
	if f.n > 0 && f.hit == f.n {
		f.fired = p
		return errors.New("the process died here")
	}
	return nil
}

func (f *faults) arm(n int) (hits int, fired string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	hits, fired = f.hit, f.fired
	f.n, f.hit, f.fired = n, 0, ""
	return hits, fired
}

// mongoEnv is the messenger connections on the MongoDB store (no
// transactions: every inbox operation writes step by step), with a
// webhook Telegram bot whose updates the test hands to Intake and whose
// jobs it runs by hand.
type mongoEnv struct {
	t      *testing.T
	db     *store.DB
	clock  *storetest.Clock
	tg     *telegramfake.Server
	in     *inbox.Service
	runner *jobs.Runner
	svc    *channels.Service
	ws     string
	bot    *models.Bot
	// msgs is the connections' message store: it can fail the next
	// attachment writes.
	msgs *cutMessages
	// jobs is the connections' job store: it can fail the next queueing
	// of a file's fetch.
	jobs *cutJobs
}

// cutJobs fails the next fail queueings of a job of kind.
type cutJobs struct {
	*store.DB
	mu   sync.Mutex
	kind string
	fail int
}

func (c *cutJobs) QueueJob(ctx context.Context, kind, id, ws string, due time.Time) error {
	c.mu.Lock()
	cut := kind == c.kind && c.fail > 0
	if cut {
		c.fail--
	}
	c.mu.Unlock()
	if cut {
		return errors.New("the process died here")
	}
	return c.DB.QueueJob(ctx, kind, id, ws, due)
}

// cutMessages fails the next fail writes of a message's attachment, as a
// process that died after the write before would.
type cutMessages struct {
	*store.DB
	mu   sync.Mutex
	fail int
}

func (c *cutMessages) UpdateMessage(ctx context.Context, ws, id string, u models.MessageUpdate) (*models.Message, error) {
	c.mu.Lock()
	cut := u.File != nil && c.fail > 0
	if cut {
		c.fail--
	}
	c.mu.Unlock()
	if cut {
		return nil, errors.New("the process died here")
	}
	return c.DB.UpdateMessage(ctx, ws, id, u)
}

func newMongoEnv(t *testing.T) *mongoEnv {
	t.Helper()
	e := &mongoEnv{t: t, db: storetest.New(t), clock: storetest.NewClock(time.Now().UTC().Truncate(time.Millisecond)),
		tg: telegramfake.New(t, token), ws: "ws-" + models.NewID()}
	db := e.db
	e.msgs, e.jobs = &cutMessages{DB: db}, &cutJobs{DB: db}
	e.in = inbox.New(inbox.Stores{Members: db, Bots: db, Subscribers: db, Conversations: db, Messages: db, Notes: db, Events: db,
		CRM: db, Flows: db, Stats: db, Files: db, Jobs: db}, e.clock.Now)
	e.runner = jobs.New(db, e.clock.Now, nil)
	// A public URL the fake does not deliver to (not loopback): the test
	// hands each update to Intake itself, as the webhook would.
	e.svc = channels.New(channels.Stores{Bots: db, Members: db, Subscribers: db, Messages: e.msgs, Files: db, Updates: db, Jobs: e.jobs,
		State: db, Native: db}, channels.Config{PublicURL: "https://inbox.example.test", MediaKey: []byte("k"), Holder: "test", Now: e.clock.Now},
		map[models.Channel]channels.Adapter{models.ChannelTelegram: tgchan.New(tgchan.Config{BaseURL: e.tg.URL()})}, e.in, e.runner, nil)
	name := "Shop"
	b, err := e.svc.Connect(context.Background(), models.Principal{WS: e.ws, MemberID: "m1", Role: models.RoleAdmin},
		inbox.BotInput{Channel: models.ChannelTelegram, Name: &name, Credentials: map[string]string{"token": token}})
	if err != nil {
		t.Fatal(err)
	}
	e.bot = b
	return e
}

// deliver hands update u to the webhook intake, as Telegram does.
func (e *mongoEnv) deliver(u telegramfake.Update) {
	e.t.Helper()
	body, _ := json.Marshal(u)
	h := http.Header{}
	h.Set("X-Telegram-Bot-Api-Secret-Token", e.bot.Connection.Secret)
	if _, err := e.svc.Intake(context.Background(), models.ChannelTelegram, e.ws, e.bot.ID, h, body); err != nil {
		e.t.Fatalf("intake: %v", err)
	}
}

// runJobs runs every job due now, then moves the clock past any retry's
// backoff so that the next run finds it due.
func (e *mongoEnv) runJobs() {
	e.runner.RunDue(context.Background())
	e.clock.Advance(time.Hour)
}

func (e *mongoEnv) update(key int64) *models.InboundUpdate {
	e.t.Helper()
	u, err := e.db.InboundUpdate(context.Background(), e.ws, models.UpdateID(e.bot.ID, fmt.Sprint(key)))
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// chatPrint describes chat's state with the user's text replaced by
// "TEXT", to compare one chat with another: its messages in order, the
// chat's status, counters and pending operations.
func (e *mongoEnv) chatPrint(chat int64, text string) string {
	e.t.Helper()
	ctx := context.Background()
	conv, err := e.db.Conversation(ctx, e.ws, models.ConversationID(models.SubscriberID(e.ws, e.bot.ID, fmt.Sprint(chat))))
	if err != nil {
		return "no chat: " + err.Error()
	}
	ms, err := e.db.Messages(ctx, e.ws, models.MessageFilter{ConversationID: conv.ID, Limit: 200})
	if err != nil {
		e.t.Fatal(err)
	}
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%s/%s/%s/%q/%s; ", m.Sender, m.Kind, m.Event, strings.ReplaceAll(m.Text, text, "TEXT"), m.Status)
	}
	fmt.Fprintf(&b, "status %s, unread %v %d, last %q, opened once %v, pending %d", conv.Status, conv.Unread, conv.UnreadCount,
		strings.ReplaceAll(conv.LastMessagePreview, text, "TEXT"), conv.EverOpened, conv.PendingN)
	return b.String()
}

// TestUpdateCutAtEveryWriteOnMongoDB: on the MongoDB store an update's
// events are applied write by write (a new subscriber, their chat, the
// message, the chat's opening, the counters). The update's processing
// dies after each of those writes in turn (the inbox's fault points);
// its job, run again (after the start-up recovery pass every other time),
// leaves exactly what an uncut run leaves: the same messages, one
// "opened" entry, the same counters, the update done.
func TestUpdateCutAtEveryWriteOnMongoDB(t *testing.T) {
	t.Parallel()
	e := newMongoEnv(t)
	f := &faults{}
	e.in.WithFaults(f.point)
	ctx := context.Background()

	// The uncut run: what every cut run must end as.
	const base = int64(700)
	u := e.tg.UserSends(base, telegramfake.User{ID: base, FirstName: "Ann"}, "text-0")
	e.deliver(u)
	e.runJobs()
	points, _ := f.arm(0)
	want := e.chatPrint(base, "text-0")
	if e.update(u.UpdateID).State != models.UpdateDone || !strings.Contains(want, `subscriber/text//"TEXT"`) || strings.Count(want, "/opened/") != 1 {
		t.Fatalf("the uncut run: %s", want)
	}
	if points < 3 {
		t.Fatalf("an update passed %d fault points", points)
	}
	var fired []string
	for n := 1; n <= points; n++ {
		chat, text := base+int64(n), fmt.Sprintf("text-%d", n)
		u := e.tg.UserSends(chat, telegramfake.User{ID: chat, FirstName: "Ann"}, text)
		e.deliver(u)
		f.arm(n)
		e.runJobs()
		_, at := f.arm(0)
		if at == "" {
			t.Fatalf("fault point %d of %d was not reached", n, points)
		}
		fired = append(fired, at)
		if st := e.update(u.UpdateID).State; st != models.UpdatePending {
			t.Fatalf("cut after %s, the update is %s, want pending (to be retried)", at, st)
		}
		if n%2 == 0 {
			if _, err := e.in.Recover(ctx); err != nil {
				t.Fatalf("recover after %s: %v", at, err)
			}
		}
		e.runJobs()
		if got := e.chatPrint(chat, text); got != want {
			t.Errorf("cut after %s (point %d), then run again:\n got %s\nwant %s", at, n, got, want)
		}
		if st := e.update(u.UpdateID).State; st != models.UpdateDone {
			t.Errorf("cut after %s, the update ends %s", at, st)
		}
	}
	tot, err := e.db.BotTotals(ctx, e.ws, e.bot.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := int64(points + 1); tot.Subscribers != n || tot.Received != n {
		t.Errorf("counters after %d updates, %d of them cut: %+v", n, points, *tot)
	}
	t.Logf("cut after: %v", fired)
}

// TestUpdateStoredWithoutItsJobOnMongoDB: on MongoDB, SaveUpdate writes the
// update, then its job; a process that dies between the two leaves a
// pending update no worker will run. Telegram, never answered 200,
// delivers it again, and that redelivery queues it: it is applied once.
func TestUpdateStoredWithoutItsJobOnMongoDB(t *testing.T) {
	t.Parallel()
	e := newMongoEnv(t)
	ctx := context.Background()
	u := e.tg.UserSends(800, telegramfake.User{ID: 800, FirstName: "Bob"}, "hello")
	id := models.UpdateID(e.bot.ID, fmt.Sprint(u.UpdateID))
	raw, _ := json.Marshal(u)
	if _, err := e.db.SaveUpdate(ctx, &models.InboundUpdate{ID: id, WS: e.ws, BotID: e.bot.ID, Channel: models.ChannelTelegram,
		Key: fmt.Sprint(u.UpdateID), Raw: raw}); err != nil {
		t.Fatal(err)
	}
	// The second write undone: the job leased and removed, as if never queued.
	job, ok, err := e.db.ClaimJob(ctx, models.JobUpdate, id, e.clock.Now(), e.clock.Now().Add(time.Minute))
	if err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if err := e.db.FinishJob(ctx, models.JobUpdate, id, job.Claims); err != nil {
		t.Fatal(err)
	}
	e.runJobs()
	if st := e.update(u.UpdateID).State; st != models.UpdatePending {
		t.Fatalf("an update without its job is %s before the redelivery", st)
	}
	e.deliver(u) // Telegram's redelivery
	e.runJobs()
	e.deliver(u) // and one more, after it was applied
	e.runJobs()
	got := e.chatPrint(800, "hello")
	if e.update(u.UpdateID).State != models.UpdateDone || strings.Count(got, `subscriber/text//"TEXT"`) != 1 || strings.Count(got, "/opened/") != 1 {
		t.Fatalf("after the redeliveries: %s", got)
	}
}

// TestFetchCutBeforeTheAttachmentOnMongoDB: an inbound file's fetch writes
// the file, then the message's attachment; a refused one (an executable)
// writes a system note, then the attachment. Cut between the two, the
// job's next run completes it: the file attached once (its bytes whole),
// or one note and the attachment no longer pending.
func TestFetchCutBeforeTheAttachmentOnMongoDB(t *testing.T) {
	t.Parallel()
	e := newMongoEnv(t)
	ctx := context.Background()
	ann := telegramfake.User{ID: 900, FirstName: "Ann"}
	photo := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 3000)...)
	exe := append([]byte("MZ\x90\x00"), make([]byte, 500)...)
	e.deliver(e.tg.UserSendsMessage(900, ann, telegramfake.Inbound{Photo: &telegramfake.FileSpec{Data: photo}, Caption: "look"}))
	e.deliver(e.tg.UserSendsMessage(900, ann, telegramfake.Inbound{Document: &telegramfake.FileSpec{Name: "run.exe", Data: exe}, Caption: "run"}))
	e.msgs.mu.Lock()
	e.msgs.fail = 2
	e.msgs.mu.Unlock()
	e.runJobs() // the updates (two messages with pending files), then their fetches, each cut before the attachment
	conv := models.ConversationID(models.SubscriberID(e.ws, e.bot.ID, "900"))
	byText := func() map[string][]*models.Message {
		ms, err := e.db.Messages(ctx, e.ws, models.MessageFilter{ConversationID: conv, Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]*models.Message{}
		for _, m := range ms {
			out[m.Text] = append(out[m.Text], m)
			if m.Event == "file_refused" {
				out["note"] = append(out["note"], m)
			}
		}
		return out
	}
	cut := byText()
	if len(cut["look"]) != 1 || len(cut["run"]) != 1 || !cut["look"][0].File.Pending || !cut["run"][0].File.Pending || len(cut["note"]) != 1 {
		t.Fatalf("after the cut fetches: %d look, %d run, %d notes; the attachments should still be pending", len(cut["look"]), len(cut["run"]), len(cut["note"]))
	}
	e.runJobs() // their retries
	got := byText()
	look, run := got["look"][0], got["run"][0]
	if look.File == nil || look.File.Pending || look.File.URL == "" || run.File == nil || run.File.Pending || run.File.URL != "" || len(got["note"]) != 1 {
		t.Fatalf("after the retries: photo %+v, executable %+v, %d notes", look.File, run.File, len(got["note"]))
	}
	var buf strings.Builder
	if err := e.db.OpenFile(ctx, e.ws, strings.TrimPrefix(look.File.URL, "/v1/files/"), &buf); err != nil || buf.String() != string(photo) {
		t.Fatalf("the stored photo: %d bytes (%v), want %d", buf.Len(), err, len(photo))
	}
}

// TestFetchQueueCutOnMongoDB: an inbound file's message is applied, then
// its fetch queued (a second write, outside the event's). Cut between the
// two, the update's job runs again and finds the event applied; the fetch
// must still be queued, or the file stays pending for ever.
func TestFetchQueueCutOnMongoDB(t *testing.T) {
	t.Parallel()
	e := newMongoEnv(t)
	ctx := context.Background()
	ann := telegramfake.User{ID: 950, FirstName: "Ann"}
	photo := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 2000)...)
	u := e.tg.UserSendsMessage(950, ann, telegramfake.Inbound{Photo: &telegramfake.FileSpec{Data: photo}, Caption: "look"})
	e.deliver(u)
	e.jobs.mu.Lock()
	e.jobs.kind, e.jobs.fail = models.JobFetch, 1
	e.jobs.mu.Unlock()
	e.runJobs() // applied, the fetch's queueing cut
	if st := e.update(u.UpdateID).State; st != models.UpdatePending {
		t.Fatalf("the update whose follow-up was cut is %s, want pending", st)
	}
	for i := 0; i < 3; i++ {
		e.runJobs() // the update again, then whatever it queued
	}
	ms, err := e.db.Messages(ctx, e.ws, models.MessageFilter{ConversationID: models.ConversationID(models.SubscriberID(e.ws, e.bot.ID, "950")), Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		if m.Text == "look" {
			n++
			if m.File == nil || m.File.Pending || m.File.URL == "" {
				t.Fatalf("the photo after the retries: %+v", m.File)
			}
		}
	}
	if n != 1 || e.update(u.UpdateID).State != models.UpdateDone {
		t.Fatalf("%d photo messages, update %s", n, e.update(u.UpdateID).State)
	}
}

// TestProfileQueueCutOnMongoDB: a new subscriber's first message is
// applied, then their profile's fetch queued. Cut between the two, the
// update's job runs again and finds the event applied; the profile is
// still fetched (the avatar stored).
func TestProfileQueueCutOnMongoDB(t *testing.T) {
	t.Parallel()
	e := newMongoEnv(t)
	ctx := context.Background()
	face := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 1000)...)
	e.tg.SetProfilePhotos(960, telegramfake.FileSpec{Data: face})
	u := e.tg.UserSends(960, telegramfake.User{ID: 960, FirstName: "Ann"}, "hello")
	e.deliver(u)
	e.jobs.mu.Lock()
	e.jobs.kind, e.jobs.fail = models.JobProfile, 1
	e.jobs.mu.Unlock()
	e.runJobs() // applied, the profile's queueing cut
	if st := e.update(u.UpdateID).State; st != models.UpdatePending {
		t.Fatalf("the update whose follow-up was cut is %s, want pending", st)
	}
	for i := 0; i < 3; i++ {
		e.runJobs()
	}
	sub, err := e.db.Subscriber(ctx, e.ws, models.SubscriberID(e.ws, e.bot.ID, "960"))
	if err != nil {
		t.Fatal(err)
	}
	if sub.AvatarURL == "" || e.update(u.UpdateID).State != models.UpdateDone {
		t.Fatalf("after the retries: avatar %q, update %s", sub.AvatarURL, e.update(u.UpdateID).State)
	}
}
