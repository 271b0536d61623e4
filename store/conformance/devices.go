package conformance

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

func fcmDevice(ws, memberID, token string) *models.Device {
	return &models.Device{WS: ws, MemberID: memberID, Kind: models.DeviceFCM, Name: "Pixel", Token: token, Key: "fcm:" + token}
}

// deviceIDs lists the ids of devices, in order.
func deviceIDs(list []*models.Device) string {
	out := make([]string, len(list))
	for i, d := range list {
		out[i] = d.ID
	}
	return fmt.Sprint(out)
}

// RunDevices checks models.DeviceStore.
func RunDevices(t *testing.T, open Open) { runDevices(t, newFixture(t, open)) }

func runDevices(t *testing.T, f *fixture) {
	s := f.s

	t.Run("save reads back every field; not found elsewhere", func(t *testing.T) {
		w := ws()
		at := f.clock.tick()
		in := &models.Device{WS: w, MemberID: "m1", Kind: models.DeviceAPNs, Name: "iPhone", Token: "ab12", Topic: "com.example.app",
			Sandbox: true, Key: "apns:ab12"}
		got, err := s.SaveDevice(ctx, in)
		ok(t, err, "save")
		if got.ID == "" || got.WS != w || got.MemberID != "m1" || got.Kind != models.DeviceAPNs || got.Name != "iPhone" ||
			got.Token != "ab12" || got.Topic != "com.example.app" || !got.Sandbox || got.Key != "apns:ab12" ||
			!got.CreatedAt.Equal(at) || got.LastOutcome != "" || got.LastSentAt != nil {
			t.Fatalf("saved %+v", got)
		}
		read, err := s.Device(ctx, w, got.ID)
		ok(t, err, "read")
		if *read != *got {
			t.Fatalf("read %+v, want %+v", read, got)
		}
		web, err := s.SaveDevice(ctx, &models.Device{WS: w, MemberID: "m1", Kind: models.DeviceWebPush, Endpoint: "https://push.example/1",
			P256dh: "p", Auth: "a", Key: "webpush:https://push.example/1"})
		ok(t, err, "save web push")
		if web.Endpoint != "https://push.example/1" || web.P256dh != "p" || web.Auth != "a" || web.ID == got.ID {
			t.Fatalf("saved %+v", web)
		}
		d, err := s.Device(ctx, ws(), got.ID)
		notFound(t, d, err, "device of another workspace")
		d, err = s.Device(ctx, w, "d-unknown")
		notFound(t, d, err, "unknown device")
	})

	t.Run("one device per address: saving again updates it, for whichever member", func(t *testing.T) {
		w := ws()
		created := f.clock.tick()
		first, err := s.SaveDevice(ctx, fcmDevice(w, "m1", "t1"))
		ok(t, err, "save")
		f.clock.tick()
		again := fcmDevice(w, "m1", "t1")
		again.Name = "Pixel 8"
		second, err := s.SaveDevice(ctx, again)
		ok(t, err, "save again")
		if second.ID != first.ID || second.Name != "Pixel 8" || !second.CreatedAt.Equal(created) {
			t.Fatalf("saved again %+v, want device %s renamed, created at %v", second, first.ID, created)
		}
		// The phone changed hands: the address moves to m2.
		moved, err := s.SaveDevice(ctx, fcmDevice(w, "m2", "t1"))
		ok(t, err, "save for another member")
		if moved.ID != first.ID || moved.MemberID != "m2" || !moved.CreatedAt.Equal(created) {
			t.Fatalf("moved %+v, want device %s of m2", moved, first.ID)
		}
		all, err := s.Devices(ctx, w, nil)
		ok(t, err, "list")
		if len(all) != 1 {
			t.Fatalf("workspace has %d devices, want 1", len(all))
		}
		// The same address in another workspace is another device.
		other, err := s.SaveDevice(ctx, fcmDevice(ws(), "m1", "t1"))
		ok(t, err, "save in another workspace")
		if other.ID == first.ID {
			t.Fatal("one device shared by two workspaces")
		}
	})

	t.Run("list by member, oldest first; nil is every member, empty none", func(t *testing.T) {
		w := ws()
		var saved []*models.Device
		for i, m := range []string{"m1", "m2", "m1", "m3"} {
			f.clock.tick()
			d, err := s.SaveDevice(ctx, fcmDevice(w, m, fmt.Sprintf("t%d", i)))
			ok(t, err, "save")
			saved = append(saved, d)
		}
		_, err := s.SaveDevice(ctx, fcmDevice(ws(), "m1", "elsewhere"))
		ok(t, err, "save in another workspace")
		for _, c := range []struct {
			members []string
			want    []*models.Device
		}{
			{nil, saved},
			{[]string{"m1"}, []*models.Device{saved[0], saved[2]}},
			{[]string{"m3", "m2"}, []*models.Device{saved[1], saved[3]}},
			{[]string{}, nil},
			{[]string{"m9"}, nil},
		} {
			got, err := s.Devices(ctx, w, c.members)
			ok(t, err, "list")
			if got == nil || deviceIDs(got) != deviceIDs(c.want) {
				t.Fatalf("devices of %v: %s, want %s", c.members, deviceIDs(got), deviceIDs(c.want))
			}
		}
	})

	t.Run("delete by id, checking the owner unless none is given", func(t *testing.T) {
		w := ws()
		a, err := s.SaveDevice(ctx, fcmDevice(w, "m1", "a"))
		ok(t, err, "save")
		b, err := s.SaveDevice(ctx, fcmDevice(w, "m2", "b"))
		ok(t, err, "save")
		n, err := s.DeleteDevices(ctx, w, "m1", []string{a.ID, b.ID})
		ok(t, err, "delete as m1")
		if n != 1 {
			t.Fatalf("deleted %d as m1, want 1 (m2's device stays)", n)
		}
		n, err = s.DeleteDevices(ctx, ws(), "", []string{b.ID})
		ok(t, err, "delete from another workspace")
		if n != 0 {
			t.Fatalf("deleted %d devices of another workspace", n)
		}
		n, err = s.DeleteDevices(ctx, w, "", []string{a.ID, b.ID, "d-unknown"})
		ok(t, err, "delete with no owner check")
		if n != 1 {
			t.Fatalf("deleted %d, want 1", n)
		}
		n, err = s.DeleteDevices(ctx, w, "", nil)
		if err != nil || n != 0 {
			t.Fatalf("delete nothing: %d, %v", n, err)
		}
		d, err := s.Device(ctx, w, b.ID)
		notFound(t, d, err, "deleted device")
	})

	t.Run("a Telegram chat is found in any workspace", func(t *testing.T) {
		w := ws()
		chat := time.Now().UnixNano()
		saved, err := s.SaveDevice(ctx, &models.Device{WS: w, MemberID: "m1", Kind: models.DeviceTelegram, TelegramChatID: chat,
			TelegramUsername: "ann", Key: fmt.Sprintf("telegram:%d", chat)})
		ok(t, err, "save")
		got, err := s.DeviceByTelegramChat(ctx, chat)
		ok(t, err, "find")
		if got.ID != saved.ID || got.WS != w || got.TelegramChatID != chat || got.TelegramUsername != "ann" {
			t.Fatalf("found %+v, want %+v", got, saved)
		}
		got, err = s.DeviceByTelegramChat(ctx, chat+1)
		notFound(t, got, err, "unknown chat")
	})

	t.Run("outcomes: the last one, and the last send", func(t *testing.T) {
		w := ws()
		a, err := s.SaveDevice(ctx, fcmDevice(w, "m1", "a"))
		ok(t, err, "save")
		b, err := s.SaveDevice(ctx, fcmDevice(w, "m1", "b"))
		ok(t, err, "save")
		sent := f.clock.tick()
		ok(t, s.NoteOutcomes(ctx, w, map[string]string{a.ID: "sent", b.ID: "queued: UNAVAILABLE"}, sent), "note")
		later := f.clock.tick()
		ok(t, s.NoteOutcomes(ctx, w, map[string]string{a.ID: "failed: Unregistered"}, later), "note again")
		ok(t, s.NoteOutcomes(ctx, ws(), map[string]string{b.ID: "sent"}, later), "note in another workspace")
		got, err := s.Device(ctx, w, a.ID)
		ok(t, err, "read")
		if got.LastOutcome != "failed: Unregistered" || got.LastSentAt == nil || !got.LastSentAt.Equal(sent) {
			t.Fatalf("device a: outcome %q, sent at %v; want the failure and the send at %v", got.LastOutcome, got.LastSentAt, sent)
		}
		got, err = s.Device(ctx, w, b.ID)
		ok(t, err, "read")
		if got.LastOutcome != "queued: UNAVAILABLE" || got.LastSentAt != nil {
			t.Fatalf("device b: outcome %q, sent at %v; want queued and never sent", got.LastOutcome, got.LastSentAt)
		}
		// Registering the device again keeps what it did.
		again, err := s.SaveDevice(ctx, fcmDevice(w, "m1", "a"))
		ok(t, err, "save again")
		if again.LastOutcome != "failed: Unregistered" || again.LastSentAt == nil || !again.LastSentAt.Equal(sent) {
			t.Fatalf("saved again %+v, want its last outcome kept", again)
		}
	})

	t.Run("preferences: saved whole, per member and workspace", func(t *testing.T) {
		w := ws()
		none, err := s.PushPrefs(ctx, w, nil)
		ok(t, err, "read none")
		if none == nil || len(none) != 0 {
			t.Fatalf("preferences %v, want an empty map", none)
		}
		at := f.clock.tick()
		p1 := &models.PushPrefs{WS: w, MemberID: "m1", Off: []string{"new_chat:email", "message:push"}}
		ok(t, s.SavePushPrefs(ctx, p1), "save m1")
		ok(t, s.SavePushPrefs(ctx, &models.PushPrefs{WS: w, MemberID: "m2"}), "save m2, nothing off")
		ok(t, s.SavePushPrefs(ctx, &models.PushPrefs{WS: ws(), MemberID: "m3", Off: []string{"assigned:push"}}), "save elsewhere")
		if !p1.UpdatedAt.Equal(at) {
			t.Fatalf("updated at %v, want %v", p1.UpdatedAt, at)
		}
		all, err := s.PushPrefs(ctx, w, nil)
		ok(t, err, "read all")
		if len(all) != 2 || fmt.Sprint(all["m1"].Off) != "[new_chat:email message:push]" || all["m1"].MemberID != "m1" ||
			!all["m1"].UpdatedAt.Equal(at) || all["m2"] == nil || all["m2"].Off == nil || len(all["m2"].Off) != 0 {
			t.Fatalf("preferences %+v", all)
		}
		f.clock.tick()
		ok(t, s.SavePushPrefs(ctx, &models.PushPrefs{WS: w, MemberID: "m1", Off: []string{"badge:push"}}), "replace m1")
		some, err := s.PushPrefs(ctx, w, []string{"m1", "m9"})
		ok(t, err, "read m1")
		if len(some) != 1 || fmt.Sprint(some["m1"].Off) != "[badge:push]" {
			t.Fatalf("preferences of m1 %+v, want only the last save", some)
		}
		empty, err := s.PushPrefs(ctx, w, []string{})
		ok(t, err, "read none by an empty list")
		if len(empty) != 0 {
			t.Fatalf("preferences of no member: %+v", empty)
		}
	})

	t.Run("preferences: changed pair by pair, concurrent changes all land", func(t *testing.T) {
		w := ws()
		p, err := s.ChangePushPrefs(ctx, w, "m7", []string{"message:push"}, []string{"new_chat:email"})
		ok(t, err, "first change")
		if fmt.Sprint(p.Off) != "[new_chat:email]" || p.MemberID != "m7" {
			t.Fatalf("first change saved %+v", p)
		}
		// Many changes of different pairs at once: none is lost.
		pairs := []string{"message:push", "message:email", "assigned:push", "assigned:telegram", "followed_message:web_push", "new_chat:telegram"}
		var wg sync.WaitGroup
		errs := make(chan error, len(pairs))
		for _, k := range pairs {
			wg.Go(func() {
				_, err := s.ChangePushPrefs(ctx, w, "m7", nil, []string{k})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			ok(t, err, "concurrent change")
		}
		got, err := s.PushPrefs(ctx, w, []string{"m7"})
		ok(t, err, "read m7")
		if off := got["m7"].Off; len(off) != len(pairs)+1 {
			t.Fatalf("after %d concurrent changes off is %v: a change was lost", len(pairs), off)
		}
		// Turning pairs on removes them; others stay.
		p, err = s.ChangePushPrefs(ctx, w, "m7", []string{"new_chat:email", "message:push", "not:there"}, nil)
		ok(t, err, "turn on")
		if slices.Contains(p.Off, "new_chat:email") || slices.Contains(p.Off, "message:push") || len(p.Off) != len(pairs)-1 {
			t.Fatalf("after turning two on: %v", p.Off)
		}
		other, err := s.PushPrefs(ctx, ws(), nil)
		ok(t, err, "another workspace")
		if len(other) != 0 {
			t.Fatalf("another workspace sees %+v", other)
		}
	})
}
