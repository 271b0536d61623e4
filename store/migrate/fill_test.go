package migrate

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/sqlite"
	"github.com/switchboardhq/switchboard/store/storetest"
)

// start is now: the MongoDB store bounds a write by its lease on the real clock.
var start = time.Now().UTC().Truncate(time.Millisecond)

// source opens a SQLite store in a new directory, filled through the
// store interfaces with every kind of record the copy covers: updates,
// tombstones, a used refresh token, a revoked key, inbound updates in
// every state, jobs of every kind (one held by a claim, as a server
// stopped mid-job leaves it), in two workspaces.
func source(t *testing.T) (*sqlite.Store, *storetest.Clock, *filled) {
	t.Helper()
	clock := storetest.NewClock(start)
	s, err := sqlite.Open(context.Background(), t.TempDir(), sqlite.Options{Now: clock.Now, Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	f := &filled{clock: clock}
	for i := range 2 {
		fill(t, s, clock, f, fmt.Sprintf("ws%d", i+1))
	}
	return s, clock, f
}

// filled remembers what fill wrote, to read it back from both stores.
type filled struct {
	workspaces, sessions, apiKeys, events, tokens []string
	devices, alerts, files                        map[string][]string
	onceAt                                        time.Time
	members, bots, subscribers, messages, notes   map[string][]string // by workspace
	pipelines, deals, flows, chats                map[string][]string
	updates                                       map[string][]string // by workspace
	raw                                           map[string][]byte   // an update's bytes as received, by id
	clock                                         *storetest.Clock
}

func add(m *map[string][]string, ws, id string) {
	if *m == nil {
		*m = map[string][]string{}
	}
	(*m)[ws] = append((*m)[ws], id)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func fill(t *testing.T, s *sqlite.Store, clock *storetest.Clock, f *filled, ws string) {
	t.Helper()
	ctx := context.Background()
	tick := func() time.Time { clock.Advance(time.Second); return clock.Now() }
	tick()
	must(t, s.CreateWorkspace(ctx, &models.Workspace{ID: ws, Name: "Team " + ws}))
	f.workspaces = append(f.workspaces, ws)
	admin := &models.Member{ID: ws + "-m1", Email: ws + "-ann@example.com", Name: "Ann", Role: models.RoleAdmin,
		Status: models.MemberActive, PasswordHash: "hash-ann", Stamp: models.Stamp{WS: ws}}
	must(t, s.CreateMember(ctx, admin))
	invited := &models.Member{ID: ws + "-m2", Email: ws + "-bob@example.com", Name: "Bob", Role: models.RoleEmployee,
		Status: models.MemberInvited, InviteHash: ws + "-invite", InviteExpiry: start.Add(48 * time.Hour), Stamp: models.Stamp{WS: ws}}
	must(t, s.CreateMember(ctx, invited))
	name := "Ann B."
	tick()
	_, err := s.UpdateMember(ctx, ws, admin.ID, models.MemberUpdate{Name: &name})
	must(t, err)
	add(&f.members, ws, admin.ID)
	add(&f.members, ws, invited.ID)

	sess := &models.Session{ID: ws + "-s1", WS: ws, MemberID: admin.ID, CreatedAt: start, ExpiresAt: start.Add(720 * time.Hour), UserAgent: "app/1.0"}
	must(t, s.CreateSession(ctx, sess, &models.RefreshToken{Hash: ws + "-rt1", SessionID: sess.ID, CreatedAt: start, ExpiresAt: start.Add(time.Hour)}))
	must(t, s.AddRefreshToken(ctx, &models.RefreshToken{Hash: ws + "-rt2", SessionID: sess.ID, CreatedAt: start, ExpiresAt: start.Add(time.Hour)}))
	tick()
	_, err = s.UseRefreshToken(ctx, ws+"-rt1")
	must(t, err)
	sess2 := &models.Session{ID: ws + "-s2", WS: ws, MemberID: admin.ID, CreatedAt: start, ExpiresAt: start.Add(720 * time.Hour)}
	must(t, s.CreateSession(ctx, sess2, &models.RefreshToken{Hash: ws + "-rt3", SessionID: sess2.ID, CreatedAt: start, ExpiresAt: start.Add(time.Hour)}))
	must(t, s.RevokeSession(ctx, sess2.ID))
	f.sessions = append(f.sessions, sess.ID, sess2.ID)
	f.tokens = append(f.tokens, ws+"-rt1", ws+"-rt2", ws+"-rt3")

	for i, id := range []string{ws + "-k1", ws + "-k2"} {
		tick()
		must(t, s.CreateAPIKey(ctx, &models.APIKey{ID: id, WS: ws, Name: "engine", Prefix: "sb_" + id, Hash: "h-" + id, CreatedBy: admin.ID}))
		if i == 0 {
			must(t, s.TouchAPIKey(ctx, id, tick()))
		} else {
			must(t, s.RevokeAPIKey(ctx, ws, id))
		}
		f.apiKeys = append(f.apiKeys, id)
	}
	_, err = s.EnsureSetting(ctx, ws+"-setting", "value of "+ws)
	must(t, err)
	must(t, s.RecordEvent(ctx, ws, ws+"-event"))
	f.events = append(f.events, ws+"-event")

	p := &models.Pipeline{ID: ws + "-p1", Name: "Sales", Stages: []models.Stage{{ID: "s1", Name: "New"}, {ID: "s2", Name: "Won"}}, Stamp: models.Stamp{WS: ws}}
	must(t, s.CreatePipeline(ctx, p))
	add(&f.pipelines, ws, p.ID)
	bot := &models.Bot{ID: ws + "-b1", Channel: models.ChannelTelegram, Name: "Shop", Credentials: map[string]string{"token": "secret"},
		CredentialsHint: map[string]string{"token": "…cret"}, Queue: []string{admin.ID}, Greeting: "Hi", PipelineID: p.ID, StageID: "s1",
		Stamp: models.Stamp{WS: ws}}
	must(t, s.CreateBot(ctx, bot))
	gone := &models.Bot{ID: ws + "-b2", Channel: models.ChannelViber, Name: "Old", Queue: []string{}, Stamp: models.Stamp{WS: ws}}
	must(t, s.CreateBot(ctx, gone))
	must(t, s.DeleteBot(ctx, ws, gone.ID))
	add(&f.bots, ws, bot.ID)
	add(&f.bots, ws, gone.ID)

	for i := range 3 {
		tick()
		sub, _, err := s.EnsureSubscriber(ctx, &models.Subscriber{ID: models.SubscriberID(ws, bot.ID, fmt.Sprint(i)), BotID: bot.ID,
			Channel: models.ChannelTelegram, ExternalID: fmt.Sprint(i), Name: fmt.Sprintf("Carla %d", i), Username: "c", Subscribed: true,
			Stamp: models.Stamp{WS: ws}})
		must(t, err)
		add(&f.subscribers, ws, sub.ID)
		tags := []string{"vip"}
		_, err = s.UpdateSubscriber(ctx, ws, sub.ID, models.SubscriberUpdate{Tags: &tags, Variables: map[string]string{"city": "Lima"}})
		must(t, err)
		conv, _, err := s.EnsureConversation(ctx, &models.Conversation{ID: models.ConversationID(sub.ID), BotID: bot.ID, SubscriberID: sub.ID,
			Channel: models.ChannelTelegram, Status: models.StatusIdle, SubscriberName: sub.Name, Stamp: models.Stamp{WS: ws}})
		must(t, err)
		chat := conv.ID
		add(&f.chats, ws, chat)
		open, tags, preview, unread := models.StatusOpen, []string{"sale"}, "Hello", true
		_, err = s.UpdateConversation(ctx, ws, chat, models.ConversationUpdate{Status: &open, Tags: &tags, AddFollower: admin.ID,
			LastMessagePreview: &preview, Unread: &unread})
		must(t, err)
		must(t, s.AddBotStats(ctx, ws, bot.ID, clock.Now().Add(time.Duration(i)*24*time.Hour), models.StatsDelta{Received: 4, NewSubscribers: 1, Subscribers: 1}))
		for j := range 4 {
			tick()
			m := &models.Message{ID: fmt.Sprintf("%s-msg%d-%d", ws, i, j), ConversationID: chat, SubscriberID: sub.ID, BotID: bot.ID,
				Sender: models.SenderSubscriber, Kind: models.KindText, Text: fmt.Sprintf("Hello %d", j), ExternalID: fmt.Sprintf("x%d-%d", i, j)}
			must(t, s.CreateMessage(ctx, ws, m))
			add(&f.messages, ws, m.ID)
			switch j {
			case 1:
				st := models.DeliveryStatus("delivered")
				r := []string{"👍"}
				_, err = s.UpdateMessage(ctx, ws, m.ID, models.MessageUpdate{Status: &st, Reactions: &r})
				must(t, err)
			case 2:
				must(t, s.DeleteMessage(ctx, ws, m.ID))
			}
		}
		n := &models.Note{ID: fmt.Sprintf("%s-n%d", ws, i), SubscriberID: sub.ID, AuthorID: admin.ID, Text: "called", Stamp: models.Stamp{WS: ws}}
		must(t, s.CreateNote(ctx, ws, n))
		_, err = s.UpdateNoteText(ctx, ws, n.ID, "called back", tick())
		must(t, err)
		add(&f.notes, ws, n.ID)
		d := &models.Deal{ID: fmt.Sprintf("%s-d%d", ws, i), PipelineID: p.ID, StageID: "s1", Name: "Deal", Amount: 12.5, Currency: "EUR",
			SubscriberID: sub.ID, ConversationID: chat, Stamp: models.Stamp{WS: ws}}
		must(t, s.CreateDeal(ctx, d))
		add(&f.deals, ws, d.ID)
		c := &models.Command{ID: fmt.Sprintf("%s-cmd%d", ws, i), BotID: bot.ID, SubscriberID: sub.ID, Kind: models.CommandStartFlow,
			FlowID: ws + "-f1", Stamp: models.Stamp{WS: ws}}
		must(t, s.AddCommand(ctx, c))
	}
	stage := "s2"
	_, err = s.UpdateDeal(ctx, ws, ws+"-d0", models.DealUpdate{StageID: &stage})
	must(t, err)
	must(t, s.DeleteDeal(ctx, ws, ws+"-d2"))
	must(t, s.DeleteNote(ctx, ws, ws+"-n1"))
	must(t, s.DeleteSubscriber(ctx, ws, f.subscribers[ws][2]))
	dev, err := s.SaveDevice(ctx, &models.Device{WS: ws, MemberID: admin.ID, Kind: models.DeviceAPNs, Name: "iPhone", Token: "ab12",
		Topic: "com.example.app", Sandbox: true, Key: "apns:ab12-" + ws})
	must(t, err)
	tg, err := s.SaveDevice(ctx, &models.Device{WS: ws, MemberID: admin.ID, Kind: models.DeviceTelegram, TelegramChatID: int64(len(ws)*1000 + len(f.workspaces)),
		TelegramUsername: "ann", Key: "tg:" + ws})
	must(t, err)
	must(t, s.NoteOutcomes(ctx, ws, map[string]string{dev.ID: "sent"}, tick()))
	add(&f.devices, ws, dev.ID)
	add(&f.devices, ws, tg.ID)
	must(t, s.SavePushPrefs(ctx, &models.PushPrefs{WS: ws, MemberID: admin.ID, Off: []string{"new_chat:email"}}))
	must(t, s.SavePushCursor(ctx, ws, 7))
	must(t, s.SaveLinkCode(ctx, ws+"-code", ws, admin.ID, start.Add(time.Hour)))
	must(t, s.SaveSyncCursor(ctx, &models.SyncCursor{ID: ws + "-cursor", WS: ws, MemberID: admin.ID, Base: 5, Table: 2, After: "x"}))
	must(t, s.SavePushed(ctx, ws, admin.ID, 5, []string{"notes a", "notes b"}))
	must(t, s.SavePushed(ctx, ws, admin.ID, 9, []string{"deals c"}))
	f.onceAt = tick()
	must(t, s.AddBotStatsOnce(ctx, ws, bot.ID, f.onceAt, models.StatsDelta{Received: 1, NewSubscribers: 1, Subscribers: 1}, ws+"-once"))
	for i, body := range []string{"hello " + ws, strings.Repeat("x", 300<<10)} { // the second over a GridFS chunk
		fl := &models.File{ID: fmt.Sprintf("%s-file%d", ws, i), WS: ws, Name: "f.txt", MimeType: "text/plain", UploadedBy: admin.ID,
			ConversationID: f.chats[ws][0]}
		must(t, s.SaveFile(ctx, fl, strings.NewReader(body), 1<<20))
		add(&f.files, ws, fl.ID)
	}
	goneFile := &models.File{ID: ws + "-gone", WS: ws, Name: "g.txt", MimeType: "text/plain", UploadedBy: admin.ID}
	must(t, s.SaveFile(ctx, goneFile, strings.NewReader("bye"), 1<<20))
	must(t, s.DeleteFile(ctx, ws, goneFile.ID))
	add(&f.files, ws, goneFile.ID)
	// Two alerts: one sent (done, with its Telegram reference), one
	// pending a retry; and a third never claimed.
	now := tick()
	mk := func() *models.Alert {
		return &models.Alert{ID: "al-" + models.NewID(), WS: ws, Event: models.EventNewChat, ConversationID: f.chats[ws][0], Source: "msg-1",
			SubscriberName: "Sam", Channel: models.ChannelTelegram, BotName: "Shop", Preview: "hello", State: models.AlertPending,
			CreatedAt: now, ExpiresAt: now.Add(6 * time.Hour), DueAt: now,
			Deliveries: []models.Delivery{{DeviceID: dev.ID, MemberID: admin.ID, Kind: "apns", Event: models.EventNewChat, State: models.DeliveryPending}}}
	}
	sent, retry, idle := mk(), mk(), mk()
	_, err = s.CreateAlerts(ctx, []*models.Alert{sent, retry, idle})
	must(t, err)
	listed, err := s.DueAlerts(ctx, now, 10, nil)
	must(t, err)
	var two []*models.Alert
	for _, a := range listed {
		if a.WS == ws && a.ID != idle.ID {
			two = append(two, a)
		}
	}
	held, err := s.ClaimAlerts(ctx, two, now, time.Hour)
	must(t, err)
	if len(held) != 2 {
		t.Fatalf("claimed %d alerts", len(held))
	}
	next := now.Add(10 * time.Minute)
	for _, a := range held {
		if a.ID == sent.ID {
			a.State, a.TelegramRefs = models.AlertDone, []string{ws + ":42"}
			a.Deliveries[0].State, a.Deliveries[0].Attempts, a.Deliveries[0].SentAt, a.Deliveries[0].ProviderID = models.DeliveryDone, 1, &now, "p-1"
		} else {
			a.Deliveries[0].Attempts, a.Deliveries[0].Reason, a.Deliveries[0].NextAt = 1, "UNAVAILABLE", &next
			a.DueAt = next
		}
	}
	must(t, s.FinishAttempts(ctx, held))
	add(&f.alerts, ws, sent.ID)
	add(&f.alerts, ws, retry.ID)
	add(&f.alerts, ws, idle.ID)
	fillUpdatesAndJobs(t, s, clock, f, ws, bot.ID, f.subscribers[ws][0], f.messages[ws][0], f.messages[ws][3])
	fl := &models.Flow{ID: ws + "-f1", BotID: bot.ID, Name: "Welcome", Steps: []models.FlowStep{{Text: "Hi"}}, Stamp: models.Stamp{WS: ws}}
	must(t, s.CreateFlow(ctx, fl))
	add(&f.flows, ws, fl.ID)
}

// fillUpdatesAndJobs stores three inbound updates of bot, the way the
// update worker leaves them: one pending (its job queued at once), one
// done and one failed (their jobs finished); and queues a job of each
// messenger kind: a send due in a minute, a profile fetch tried once and
// put back for ten minutes, and a file fetch a claim still holds (the
// server was stopped while fetching).
func fillUpdatesAndJobs(t *testing.T, s *sqlite.Store, clock *storetest.Clock, f *filled, ws, bot, sub, sendMsg, fetchMsg string) {
	t.Helper()
	ctx := context.Background()
	if f.raw == nil {
		f.raw = map[string][]byte{}
	}
	raws := [][]byte{
		[]byte(`{"update_id":1,"message":{"text":"h\u00e9llo 👋"}}` + "\n"),
		[]byte("{\"update_id\": 2,\t\"message\" : {\"text\":\"caf\xe9\"}}\x00\xff"), // bytes as they came, not even UTF-8
		[]byte(`{"update_id":3}`),
	}
	for i, raw := range raws {
		clock.Advance(time.Second)
		key := fmt.Sprint(i + 1)
		u := &models.InboundUpdate{ID: models.UpdateID(bot, key), WS: ws, BotID: bot, Channel: models.ChannelTelegram, Key: key,
			Raw: append([]byte(nil), raw...)}
		created, err := s.SaveUpdate(ctx, u)
		must(t, err)
		if !created {
			t.Fatalf("update %s not created", u.ID)
		}
		add(&f.updates, ws, u.ID)
		f.raw[u.ID] = raw
		if i == 0 {
			continue // pending
		}
		now := clock.Now()
		j, ok, err := s.ClaimJob(ctx, models.JobUpdate, u.ID, now, now.Add(time.Minute))
		must(t, err)
		if !ok {
			t.Fatalf("update job %s not claimed", u.ID)
		}
		o := models.UpdateOutcome{State: models.UpdateDone, Attempts: 1, At: now}
		if i == 2 {
			o = models.UpdateOutcome{State: models.UpdateFailed, Error: "no chat for the update", Attempts: 5, At: now}
		}
		_, err = s.SetUpdateOutcome(ctx, ws, u.ID, o)
		must(t, err)
		must(t, s.FinishJob(ctx, models.JobUpdate, u.ID, j.Claims))
	}
	now := clock.Now()
	must(t, s.QueueJob(ctx, models.JobSend, sendMsg, ws, now.Add(time.Minute)))
	must(t, s.QueueJob(ctx, models.JobProfile, sub, ws, models.AtOnce))
	j, ok, err := s.ClaimJob(ctx, models.JobProfile, sub, now, now.Add(time.Minute))
	must(t, err)
	if !ok {
		t.Fatal("profile job not claimed")
	}
	must(t, s.ReleaseJob(ctx, models.JobProfile, sub, ws, j.Claims, now.Add(10*time.Minute)))
	must(t, s.QueueJob(ctx, models.JobFetch, fetchMsg, ws, models.AtOnce))
	if _, ok, err := s.ClaimJob(ctx, models.JobFetch, fetchMsg, now, now.Add(time.Hour)); err != nil || !ok {
		t.Fatalf("fetch job not claimed: %v", err)
	}
}
