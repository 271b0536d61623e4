package conformance

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// RunNative checks the fields of the messengers' native connections on
// bots and messages (models.BotStore, models.MessageStore).
func RunNative(t *testing.T, open Open) { runNative(t, newFixture(t, open)) }

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// connString renders every field of c, the server's own included.
func connString(c *models.Connection) string {
	if c == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%s %s %s %s %s secret=%s %s %s %s %s", c.State, c.Transport, c.Account, c.AccountID, c.WebhookURL,
		c.Secret, when(c.ConnectedAt), when(c.LastUpdateAt), c.LastError, when(c.LastErrorAt))
}

func fileString(a *models.Attachment) string {
	if a == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%s %s %d %s pending=%v ref=%s", a.Name, a.MimeType, a.Size, a.URL, a.Pending, a.Ref)
}

func runNative(t *testing.T, f *fixture) {
	s := f.s

	t.Run("bot fields round-trip and update", func(t *testing.T) {
		w := ws()
		at := start.Add(-time.Hour)
		b := bot(w, models.NewID(), "Native")
		b.Delivery, b.OpenOn = models.DeliveryNative, models.OpenOnMessage
		b.Connection = &models.Connection{State: models.ConnBroken, Transport: models.TransportWebhook, Account: "@shop_bot",
			AccountID: "123", WebhookURL: "https://example.com/hook", Secret: "hook-secret", ConnectedAt: ptr(at),
			LastUpdateAt: ptr(at.Add(time.Second)), LastError: "Unauthorized", LastErrorAt: ptr(at.Add(2 * time.Second))}
		b.Initiated = map[string]int{"2026-11": 3}
		ok(t, s.CreateBot(ctx, b), "create")
		got, err := s.Bot(ctx, w, b.ID)
		ok(t, err, "read")
		if got.Delivery != models.DeliveryNative || got.OpenOn != models.OpenOnMessage || connString(got.Connection) != connString(b.Connection) ||
			fmt.Sprint(got.Initiated) != "map[2026-11:3]" {
			t.Fatalf("read %v %v %s %v, want %v %v %s %v", got.Delivery, got.OpenOn, connString(got.Connection), got.Initiated,
				b.Delivery, b.OpenOn, connString(b.Connection), b.Initiated)
		}

		conn := &models.Connection{State: models.ConnConnected, Transport: models.TransportPolling, Account: "@shop_bot", Secret: "new"}
		upd, err := s.UpdateBot(ctx, w, b.ID, models.BotUpdate{Delivery: ptr(models.DeliveryEngine), OpenOn: ptr(models.OpenOnEngine),
			Connection: conn, QueueNext: ptr(1)})
		ok(t, err, "update")
		rises(t, got.Seq, upd.Seq, "update")
		f.logged(t, w, models.TableBots, b.ID, upd.Seq, false)
		got, err = s.Bot(ctx, w, b.ID)
		ok(t, err, "read")
		if got.Delivery != models.DeliveryEngine || got.OpenOn != models.OpenOnEngine || connString(got.Connection) != connString(conn) ||
			fmt.Sprint(got.Initiated) != "map[2026-11:3]" || got.Seq != upd.Seq {
			t.Fatalf("after the update %v %v %s %v seq %d, want engine, engine, %s (the whole connection replaced), the counts kept, seq %d",
				got.Delivery, got.OpenOn, connString(got.Connection), got.Initiated, got.Seq, connString(conn), upd.Seq)
		}
	})

	t.Run("concurrent counts of initiated messages all land", func(t *testing.T) {
		w := ws()
		b := bot(w, models.NewID(), "Viber")
		ok(t, s.CreateBot(ctx, b), "create")
		const n = 12
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				month := "2026-12"
				if i%4 == 0 {
					month = "2027-01"
				}
				if _, err := s.UpdateBot(ctx, w, b.ID, models.BotUpdate{CountInitiated: month}); err != nil {
					t.Errorf("count: %v", err)
				}
			}()
		}
		wg.Wait()
		got, err := s.Bot(ctx, w, b.ID)
		ok(t, err, "read")
		if fmt.Sprint(got.Initiated) != "map[2026-12:9 2027-01:3]" {
			t.Fatalf("initiated %v after %d concurrent counts, want map[2026-12:9 2027-01:3]", got.Initiated, n)
		}
		f.logged(t, w, models.TableBots, b.ID, got.Seq, false)
	})

	t.Run("message fields round-trip and update", func(t *testing.T) {
		w := ws()
		edited := start.Add(-time.Minute)
		m := message(models.NewID(), "c1", "Here")
		m.Kind, m.Error, m.EditedAt = models.KindLocation, "blocked by the user", ptr(edited)
		m.Location = &models.Location{Latitude: 52.52, Longitude: 13.405, Title: "Office", Address: "Main St 1"}
		m.Contact = &models.Contact{Name: "Ann", Phone: "+4912345"}
		m.File = &models.Attachment{Name: "photo.jpg", MimeType: "image/jpeg", Pending: true, Ref: "tg-file-id"}
		ok(t, s.CreateMessage(ctx, w, m), "create")
		got, err := s.Message(ctx, w, m.ID)
		ok(t, err, "read")
		if got.Kind != models.KindLocation || got.Error != m.Error || when(got.EditedAt) != when(m.EditedAt) ||
			fmt.Sprint(got.Location) != fmt.Sprint(m.Location) || fmt.Sprint(got.Contact) != fmt.Sprint(m.Contact) ||
			fileString(got.File) != fileString(m.File) {
			t.Fatalf("read %+v\nwant %+v (file %s, want %s)", got, m, fileString(got.File), fileString(m.File))
		}

		fetched := &models.Attachment{Name: "photo.jpg", MimeType: "image/jpeg", Size: 2048, URL: "/v1/files/f1"}
		upd, err := s.UpdateMessage(ctx, w, m.ID, models.MessageUpdate{File: fetched, Error: ptr("")})
		ok(t, err, "update")
		rises(t, got.Seq, upd.Seq, "update")
		f.logged(t, w, models.TableMessages, m.ID, upd.Seq, false)
		got, err = s.Message(ctx, w, m.ID)
		ok(t, err, "read")
		if fileString(got.File) != fileString(fetched) || got.Error != "" || got.Location == nil || got.Seq != upd.Seq {
			t.Fatalf("after the update: file %s error %q location %v, want file %s (replaced whole), no error, the rest kept",
				fileString(got.File), got.Error, got.Location, fileString(fetched))
		}
	})

	t.Run("an edit is what the search finds", func(t *testing.T) {
		w := ws()
		m := message(models.NewID(), "c1", "Original wording here")
		ok(t, s.CreateMessage(ctx, w, m), "create")
		ok(t, s.CreateMessage(ctx, w, message(models.NewID(), "c1", "something else")), "create another")
		search := func(q string) string {
			got, err := s.Messages(ctx, w, models.MessageFilter{ConversationID: "c1", Query: q, Limit: 50})
			ok(t, err, "search")
			return msgIDs(got)
		}
		want := "[" + m.ID + "]"
		if got := search("original"); got != want {
			t.Fatalf("search before the edit: %s, want %s", got, want)
		}
		edited := f.clock.tick()
		upd, err := s.UpdateMessage(ctx, w, m.ID, models.MessageUpdate{Text: ptr("Corrected Phrase"), EditedAt: ptr(edited)})
		ok(t, err, "edit")
		if upd.Text != "Corrected Phrase" || when(upd.EditedAt) != when(&edited) {
			t.Fatalf("edit returned %q edited %s", upd.Text, when(upd.EditedAt))
		}
		f.logged(t, w, models.TableMessages, m.ID, upd.Seq, false)
		for q, want := range map[string]string{"original": "[]", "wording": "[]", "corrected phrase": want, "PHRASE": want, "ph": want, "wo": "[]"} {
			if got := search(q); got != want {
				t.Fatalf("search %q after the edit: %s, want %s", q, got, want)
			}
		}
		got, err := s.Message(ctx, w, m.ID)
		ok(t, err, "read")
		if got.Text != "Corrected Phrase" || when(got.EditedAt) != when(&edited) {
			t.Fatalf("read %q edited %s after the edit", got.Text, when(got.EditedAt))
		}
	})
}
