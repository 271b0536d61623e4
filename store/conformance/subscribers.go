package conformance

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

func subscriber(ws, bot, ext, name string) *models.Subscriber {
	return &models.Subscriber{ID: models.SubscriberID(ws, bot, ext), BotID: bot, Channel: models.ChannelTelegram, ExternalID: ext,
		Name: name, Username: "u" + ext, Subscribed: true, Stamp: models.Stamp{WS: ws}}
}

func subscriberID(s *models.Subscriber) string { return s.ID }

// RunSubscribers checks models.SubscriberStore.
func RunSubscribers(t *testing.T, open Open) { runSubscribers(t, newFixture(t, open)) }

func runSubscribers(t *testing.T, f *fixture) {
	s := f.s

	t.Run("ensure creates once", func(t *testing.T) {
		w := ws()
		in := subscriber(w, "bot1", "100", "Anna Smith")
		at := f.clock.tick()
		sub, created, err := s.EnsureSubscriber(ctx, in)
		ok(t, err, "ensure")
		if !created || sub.ID != in.ID || sub.NameKey != "anna smith" || sub.Variables == nil || sub.Tags == nil || !sub.CreatedAt.Equal(at) {
			t.Fatalf("ensured %+v, created %v; want it created now, name key lower-cased, variables and tags empty, not nil", sub, created)
		}
		stamped(t, sub.Stamp, w, at, false, "ensure")
		f.inserted(t, w, models.TableSubscribers, sub.ID, sub.Seq)
		f.clock.tick()
		again, created, err := s.EnsureSubscriber(ctx, subscriber(w, "bot1", "100", "Other Name"))
		ok(t, err, "ensure again")
		if created || again.ID != sub.ID || again.Name != "Anna Smith" || again.Stamp != sub.Stamp || !again.CreatedAt.Equal(at) {
			t.Fatalf("ensured again %+v, created %v; want the stored one %+v", again, created, sub)
		}
		f.highest(t, w, sub.Seq)
		got, err := s.Subscriber(ctx, w, sub.ID)
		ok(t, err, "read")
		if got.BotID != "bot1" || got.Channel != models.ChannelTelegram || got.ExternalID != "100" || got.Name != "Anna Smith" ||
			got.Username != "u100" || !got.Subscribed || got.Disabled || len(got.Tags) != 0 || len(got.Variables) != 0 ||
			got.ActiveFlow != nil || !got.CreatedAt.Equal(at) || got.Stamp != sub.Stamp {
			t.Fatalf("read %+v, want %+v", got, sub)
		}
		other, created, err := s.EnsureSubscriber(ctx, subscriber(w, "bot2", "100", "Anna"))
		ok(t, err, "same external id, another bot")
		if !created || other.ID == sub.ID {
			t.Fatalf("another bot's subscriber %+v, created %v; want a new one", other, created)
		}
		w2 := ws()
		x, created, err := s.EnsureSubscriber(ctx, subscriber(w2, "bot1", "100", "Anna"))
		ok(t, err, "another workspace")
		if !created || x.WS != w2 {
			t.Fatalf("another workspace's subscriber %+v, created %v", x, created)
		}
		got, err = s.Subscriber(ctx, w2, sub.ID)
		notFound(t, got, err, "read from another workspace")
		got, err = s.Subscriber(ctx, w, models.NewID())
		notFound(t, got, err, "unknown")
	})

	// Channel events of one new subscriber may arrive together: each call
	// returns the same subscriber, exactly one reports creating it, and
	// one insert is logged.
	t.Run("ensure concurrently creates once", func(t *testing.T) {
		w := ws()
		const n = 8
		var wg sync.WaitGroup
		subs := make([]*models.Subscriber, n)
		created := make([]bool, n)
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				subs[i], created[i], errs[i] = s.EnsureSubscriber(ctx, subscriber(w, "bot1", "7", "Ann"))
			}()
		}
		wg.Wait()
		creators := 0
		for i := range n {
			ok(t, errs[i], "ensure")
			if subs[i].ID != models.SubscriberID(w, "bot1", "7") || subs[i].Seq != subs[0].Seq {
				t.Fatalf("call %d returned %+v, call 0 %+v", i, subs[i], subs[0])
			}
			if created[i] {
				creators++
			}
		}
		if creators != 1 {
			t.Fatalf("%d calls report creating the subscriber, want 1", creators)
		}
		if f.Log != nil {
			if entries := f.landed(t, w, 0); len(entries) != 1 || !entries[0].Created {
				t.Fatalf("change log %+v, want the one insert", entries)
			}
		}
	})

	t.Run("update merges", func(t *testing.T) {
		w := ws()
		sub, _, err := s.EnsureSubscriber(ctx, subscriber(w, "bot1", "1", "Ann"))
		ok(t, err, "ensure")
		at := f.clock.tick()
		until := at.Add(time.Hour)
		up, err := s.UpdateSubscriber(ctx, w, sub.ID, models.SubscriberUpdate{
			Profile:   &models.SubscriberProfile{Name: "Ann Lee", Email: "ann@example.com", Phone: "+1", Variables: map[string]string{"a": "1", "b": "1"}},
			Variables: map[string]string{"b": "2"}, Tags: &[]string{"vip"}, FirstName: ptr("Ann"), LastActivityAt: &at,
			Phone: ptr("+2"), AutomationPausedUntil: ptr(&until)})
		ok(t, err, "update")
		rises(t, sub.Seq, up.Seq, "update")
		stamped(t, up.Stamp, w, at, false, "update")
		if up.Name != "Ann Lee" || up.NameKey != "ann lee" || up.Username != "u1" || up.Email != "ann@example.com" || up.Phone != "+2" || up.FirstName != "Ann" ||
			sprint(up.Variables) != "map[a:1 b:2]" || sprint(up.Tags) != "[vip]" || up.LastActivityAt == nil || !up.LastActivityAt.Equal(at) ||
			up.AutomationPausedUntil == nil || !up.AutomationPausedUntil.Equal(until) {
			t.Fatalf("updated %+v", up)
		}
		f.logged(t, w, models.TableSubscribers, sub.ID, up.Seq, false)
		up2, err := s.UpdateSubscriber(ctx, w, sub.ID, models.SubscriberUpdate{Profile: &models.SubscriberProfile{Variables: map[string]string{"c": "3"}},
			AutomationPausedUntil: new(*time.Time), Disabled: ptr(true)})
		ok(t, err, "second update")
		rises(t, up.Seq, up2.Seq, "second update")
		if up2.Name != "Ann Lee" || up2.Email != "ann@example.com" || sprint(up2.Variables) != "map[a:1 b:2 c:3]" ||
			up2.AutomationPausedUntil != nil || !up2.Disabled || sprint(up2.Tags) != "[vip]" {
			t.Fatalf("after an empty profile, a cleared pause and disabling: %+v", up2)
		}
		got, err := s.Subscriber(ctx, w, sub.ID)
		ok(t, err, "read")
		if got.Stamp != up2.Stamp || sprint(got.Variables) != sprint(up2.Variables) || got.AutomationPausedUntil != nil ||
			!got.LastActivityAt.Equal(at) || !got.Disabled {
			t.Fatalf("read %+v, want %+v", got, up2)
		}
		// An agent's email edit replaces the profile's; an empty one clears it.
		up3, err := s.UpdateSubscriber(ctx, w, sub.ID, models.SubscriberUpdate{Email: ptr("ann.lee@example.org")})
		ok(t, err, "email edit")
		if up3.Email != "ann.lee@example.org" || up3.Phone != "+2" {
			t.Fatalf("after an email edit: %+v", up3)
		}
		up4, err := s.UpdateSubscriber(ctx, w, sub.ID, models.SubscriberUpdate{Email: ptr("")})
		ok(t, err, "email clear")
		if got, err := s.Subscriber(ctx, w, sub.ID); err != nil || up4.Email != "" || got.Email != "" {
			t.Fatalf("after clearing the email: %+v, read %+v (%v)", up4, got, err)
		}
		nf, err := s.UpdateSubscriber(ctx, ws(), sub.ID, models.SubscriberUpdate{Tags: &[]string{}})
		notFound(t, nf, err, "update from another workspace")
		nf, err = s.UpdateSubscriber(ctx, w, models.NewID(), models.SubscriberUpdate{Tags: &[]string{}})
		notFound(t, nf, err, "update an unknown subscriber")
	})

	t.Run("delete leaves a tombstone, ensure brings it back new", func(t *testing.T) {
		w := ws()
		sub, _, err := s.EnsureSubscriber(ctx, subscriber(w, "bot1", "1", "Ann"))
		ok(t, err, "ensure")
		up, err := s.UpdateSubscriber(ctx, w, sub.ID, models.SubscriberUpdate{Tags: &[]string{"vip"}, LastName: ptr("Lee"), Disabled: ptr(true)})
		ok(t, err, "update")
		wantCode(t, s.DeleteSubscriber(ctx, ws(), sub.ID), models.CodeNotFound, "delete from another workspace")
		ok(t, s.DeleteSubscriber(ctx, w, sub.ID), "delete")
		f.deletion(t, w, models.TableSubscribers, sub.ID, up.Seq)
		got, err := s.Subscriber(ctx, w, sub.ID)
		notFound(t, got, err, "deleted")
		wantCode(t, s.DeleteSubscriber(ctx, w, sub.ID), models.CodeNotFound, "delete again")
		nf, err := s.UpdateSubscriber(ctx, w, sub.ID, models.SubscriberUpdate{Tags: &[]string{}})
		notFound(t, nf, err, "update a deleted subscriber")
		list, _, err := s.Subscribers(ctx, w, models.SubscriberFilter{Page: models.Page{Limit: 10}})
		ok(t, err, "list")
		if len(list) != 0 {
			t.Fatalf("listed %s, want no tombstone", ids(list, subscriberID))
		}

		tomb, err := s.SafeSeq(ctx, w)
		ok(t, err, "high-water mark")
		at := f.clock.tick()
		back, created, err := s.EnsureSubscriber(ctx, subscriber(w, "bot1", "1", "Ann B"))
		ok(t, err, "ensure after delete")
		if !created || back.ID != sub.ID || back.Name != "Ann B" || len(back.Tags) != 0 || back.LastName != "" || back.Disabled ||
			!back.CreatedAt.Equal(at) {
			t.Fatalf("back %+v, created %v; want it created anew, the team's fields gone", back, created)
		}
		stamped(t, back.Stamp, w, at, false, "ensure after delete")
		rises(t, tomb, back.Seq, "ensure after delete")
		if f.Log != nil {
			entries := f.landed(t, w, tomb)
			if len(entries) != 1 || entries[0].ID != sub.ID || entries[0].Seq != back.Seq || entries[0].Deleted {
				t.Fatalf("change log after the tombstone: %+v; want the live subscriber once", entries)
			}
		}
		got, err = s.Subscriber(ctx, w, sub.ID)
		ok(t, err, "read back")
		if got.Stamp != back.Stamp || len(got.Tags) != 0 || got.Disabled || got.LastName != "" {
			t.Fatalf("read %+v, want %+v", got, back)
		}
	})

	t.Run("list filters and pages by id", func(t *testing.T) {
		w := ws()
		names := []string{"Anna", "ANDY", "Joan", "Ánna", "andrew", "Bob"}
		var all []string
		for i, n := range names {
			bot := "bot1"
			if i == 5 {
				bot = "bot2"
			}
			sub, _, err := s.EnsureSubscriber(ctx, subscriber(w, bot, n, n))
			ok(t, err, "ensure")
			all = append(all, sub.ID)
		}
		gone, _, err := s.EnsureSubscriber(ctx, subscriber(w, "bot1", "gone", "Andrea"))
		ok(t, err, "ensure")
		ok(t, s.DeleteSubscriber(ctx, w, gone.ID), "delete")
		_, _, err = s.EnsureSubscriber(ctx, subscriber(ws(), "bot1", "x", "Anna"))
		ok(t, err, "another workspace")
		slices.Sort(all)

		list := func(f models.SubscriberFilter) ([]string, string) {
			t.Helper()
			got, next, err := s.Subscribers(ctx, w, f)
			ok(t, err, "list")
			out := make([]string, 0, len(got))
			for _, g := range got {
				out = append(out, g.ID)
			}
			return out, next
		}
		// Every page at limit 2, then the limit at the count (no cursor)
		// and one below it (a cursor).
		var paged []string
		cursor := ""
		for range 4 {
			page, next := list(models.SubscriberFilter{Page: models.Page{Limit: 2, Cursor: cursor}})
			paged = append(paged, page...)
			if next == "" {
				break
			}
			if next != page[len(page)-1] {
				t.Fatalf("cursor %q, want the page's last id %q", next, page[len(page)-1])
			}
			cursor = next
		}
		if sprint(paged) != sprint(all) {
			t.Fatalf("paged %v, want %v", paged, all)
		}
		// A page of no subscribers (a limit of 0 or less) is empty, with no cursor.
		for _, limit := range []int{0, -1} {
			if page, next := list(models.SubscriberFilter{Page: models.Page{Limit: limit}}); len(page) != 0 || next != "" {
				t.Fatalf("limit %d: %v and cursor %q, want none", limit, page, next)
			}
		}
		if page, next := list(models.SubscriberFilter{Page: models.Page{Limit: 6}}); sprint(page) != sprint(all) || next != "" {
			t.Fatalf("limit 6 of 6: %v, cursor %q", page, next)
		}
		if page, next := list(models.SubscriberFilter{Page: models.Page{Limit: 5}}); sprint(page) != sprint(all[:5]) || next != all[4] {
			t.Fatalf("limit 5 of 6: %v, cursor %q", page, next)
		}
		if page, next := list(models.SubscriberFilter{Page: models.Page{Limit: 10, Cursor: all[5]}}); len(page) != 0 || next != "" {
			t.Fatalf("after the last id: %v, cursor %q", page, next)
		}

		want := func(ns ...string) string {
			var out []string
			for _, n := range ns {
				out = append(out, models.SubscriberID(w, "bot1", n))
			}
			slices.Sort(out)
			return sprint(out)
		}
		if page, _ := list(models.SubscriberFilter{NamePrefix: "aN", Page: models.Page{Limit: 10}}); sprint(page) != want("Anna", "ANDY", "andrew") {
			t.Fatalf("name prefix aN: %v, want %s (case-insensitive, start of the name only)", page, want("Anna", "ANDY", "andrew"))
		}
		if page, _ := list(models.SubscriberFilter{NamePrefix: "ánn", Page: models.Page{Limit: 10}}); sprint(page) != want("Ánna") {
			t.Fatalf("name prefix ánn: %v", page)
		}
		if page, _ := list(models.SubscriberFilter{NamePrefix: "andy", Page: models.Page{Limit: 10}}); sprint(page) != want("ANDY") {
			t.Fatalf("name prefix andy, the whole name: %v", page)
		}
		if page, _ := list(models.SubscriberFilter{NamePrefix: "andyx", Page: models.Page{Limit: 10}}); len(page) != 0 {
			t.Fatalf("name prefix longer than the name: %v", page)
		}
		// A prefix ending in a byte such as ÿ's last (0xbf), where a range
		// bound one byte higher is not UTF-8.
		w2 := ws()
		yves, _, err := s.EnsureSubscriber(ctx, subscriber(w2, "bot1", "y", "Ÿves"))
		ok(t, err, "ensure")
		_, _, err = s.EnsureSubscriber(ctx, subscriber(w2, "bot1", "z", "Zoe"))
		ok(t, err, "ensure")
		if got, _, err := s.Subscribers(ctx, w2, models.SubscriberFilter{NamePrefix: "ÿ", Page: models.Page{Limit: 10}}); err != nil ||
			ids(got, subscriberID) != sprint([]string{yves.ID}) {
			t.Fatalf("name prefix ÿ: %s, %v; want %s", ids(got, subscriberID), err, yves.ID)
		}
		if page, _ := list(models.SubscriberFilter{BotID: "bot2", Page: models.Page{Limit: 10}}); sprint(page) != sprint([]string{models.SubscriberID(w, "bot2", "Bob")}) {
			t.Fatalf("bot2: %v", page)
		}
		pick := []string{all[0], all[2], all[4], gone.ID, "unknown"}
		if page, next := list(models.SubscriberFilter{IDs: pick, Page: models.Page{Limit: 2}}); sprint(page) != sprint([]string{all[0], all[2]}) || next != all[2] {
			t.Fatalf("ids, limit 2: %v, cursor %q", page, next)
		}
		if page, next := list(models.SubscriberFilter{IDs: pick, Page: models.Page{Limit: 2, Cursor: all[2]}}); sprint(page) != sprint([]string{all[4]}) || next != "" {
			t.Fatalf("ids after %s: %v, cursor %q; want the live ids listed above the cursor", all[2], page, next)
		}
	})
}
