package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/switchboardhq/switchboard/push"
)

func TestPushDevicesAreTheMembersOwn(t *testing.T) {
	pe := newPushEnv(t, push.Config{}, nil)
	tm := pe.team()
	d := pe.device(tm.emp1.AccessToken, map[string]any{"kind": "fcm", "token": "fcm-token-1", "name": "Pixel"})
	pe.device(tm.emp1.AccessToken, map[string]any{"kind": "apns", "token": apnsToken(1), "topic": "com.example.app", "sandbox": true})
	if d.Kind != "fcm" || d.Name != "Pixel" || d.MemberID != tm.emp1.Member.ID {
		t.Fatalf("device %+v", d)
	}
	// The same token again updates the device; it does not add one.
	again := pe.device(tm.emp1.AccessToken, map[string]any{"kind": "fcm", "token": "fcm-token-1", "name": "Pixel 9"})
	if again.ID != d.ID || again.Name != "Pixel 9" || !again.CreatedAt.Equal(d.CreatedAt) {
		t.Fatalf("re-registering gave %+v, want the same device renamed", again)
	}
	if got := pe.devices(tm.emp1.AccessToken); len(got) != 2 {
		t.Fatalf("emp1 has %d devices, want 2", len(got))
	}
	// Tokens never leave the server.
	r := pe.call("GET", "/v1/push/devices", tm.emp1.AccessToken, nil)
	if strings.Contains(string(r.Body), "fcm-token-1") || strings.Contains(string(r.Body), apnsToken(1)) {
		t.Fatalf("device list shows a token: %s", r.Body)
	}
	// Another member sees none of them and cannot remove or test them.
	if got := pe.devices(tm.emp2.AccessToken); len(got) != 0 {
		t.Fatalf("emp2 sees %d devices", len(got))
	}
	wantStatus(t, pe.call("DELETE", "/v1/push/devices/"+d.ID, tm.emp2.AccessToken, nil), http.StatusNotFound)
	wantStatus(t, pe.call("POST", "/v1/push/devices/"+d.ID+"/test", tm.emp2.AccessToken, nil), http.StatusNotFound)
	// The same token registered by another member moves to them (the phone changed hands).
	moved := pe.device(tm.emp2.AccessToken, map[string]any{"kind": "fcm", "token": "fcm-token-1"})
	if moved.ID != d.ID || moved.MemberID != tm.emp2.Member.ID || len(pe.devices(tm.emp1.AccessToken)) != 1 {
		t.Fatalf("token did not move to emp2: %+v", moved)
	}
	wantStatus(t, pe.call("DELETE", "/v1/push/devices/"+d.ID, tm.emp2.AccessToken, nil), http.StatusNoContent)
	wantStatus(t, pe.call("DELETE", "/v1/push/devices/"+d.ID, tm.emp2.AccessToken, nil), http.StatusNotFound)
	// Another workspace never sees this one's devices.
	other := pe.admin("other@example.com")
	if got := pe.devices(other.AccessToken); len(got) != 0 {
		t.Fatalf("another workspace sees %d devices", len(got))
	}
	// API keys have no devices.
	wantStatus(t, pe.call("GET", "/v1/push/devices", tm.key, nil), http.StatusForbidden)
}

func TestPushDeviceValidationNamesTheField(t *testing.T) {
	pe := newPushEnv(t, push.Config{}, nil, func(g *push.Gateway, o *apiOptions) {
		g.CheckWebPush = func(endpoint, p256dh, auth string) error { return nil }
	})
	tm := pe.team()
	long := strings.Repeat("x", 4097)
	cases := []struct {
		body  any
		field string
	}{
		{map[string]any{"token": "x"}, "kind"},
		{map[string]any{"kind": "sms", "token": "x"}, "kind"},
		{map[string]any{"kind": "fcm"}, "token"},
		{map[string]any{"kind": "fcm", "token": long}, "token"},
		{map[string]any{"kind": "fcm", "token": "has space"}, "token"},
		{map[string]any{"kind": "apns", "token": "zz", "topic": "com.example.app"}, "token"},
		{map[string]any{"kind": "apns", "token": apnsToken(2)[:63], "topic": "com.example.app"}, "token"},
		{map[string]any{"kind": "apns", "token": apnsToken(2)}, "topic"},
		{map[string]any{"kind": "apns", "token": apnsToken(2), "topic": "bad topic"}, "topic"},
		{map[string]any{"kind": "webpush"}, "subscription"},
		{map[string]any{"kind": "fcm", "token": "t", "name": strings.Repeat("n", 101)}, "name"},
		{map[string]any{"kind": "apns", "token": strings.Repeat("ab", 101), "topic": "com.example.app"}, "token"},
		{map[string]any{"kind": "fcm", "token": "t", "colour": "red"}, "colour"},
	}
	for _, tc := range cases {
		r := pe.call("POST", "/v1/push/devices", tm.emp1.AccessToken, tc.body)
		wantStatus(t, r, http.StatusBadRequest)
		p := r.Problem(t)
		found := strings.Contains(p.Detail, tc.field)
		for _, f := range p.Errors {
			found = found || f.Field == tc.field || strings.HasPrefix(f.Field, tc.field)
		}
		if !found {
			t.Errorf("%v: problem %+v does not name %q", tc.body, p, tc.field)
		}
	}
	// Boundaries: a 4096-character FCM token, 64- and 200-digit APNs tokens and a 100-character name are taken.
	pe.device(tm.emp1.AccessToken, map[string]any{"kind": "fcm", "token": long[:4096], "name": strings.Repeat("n", 100)})
	pe.device(tm.emp1.AccessToken, map[string]any{"kind": "apns", "token": apnsToken(3), "topic": "com.example.app"})
	pe.device(tm.emp1.AccessToken, map[string]any{"kind": "apns", "token": strings.Repeat("ab", 100), "topic": "com.example.app"})
	if n := len(pe.devices(tm.emp1.AccessToken)); n != 3 {
		t.Fatalf("%d devices after the refused ones, want 3 (nothing half-written)", n)
	}
}

func TestPushPreferences(t *testing.T) {
	pe := newPushEnv(t, push.Config{}, nil)
	tm := pe.team()
	type prefs struct {
		Events map[string]map[string]bool `json:"events"`
	}
	var p prefs
	r := pe.call("GET", "/v1/push/preferences", tm.emp1.AccessToken, nil)
	wantStatus(t, r, http.StatusOK)
	r.JSON(t, &p)
	for _, ev := range []string{"new_chat", "message", "assigned", "followed_message", "bot_broken"} {
		for _, ch := range []string{"push", "web_push", "telegram", "email"} {
			if !p.Events[ev][ch] {
				t.Fatalf("%s on %s is off by default", ev, ch)
			}
		}
	}
	r = pe.call("PATCH", "/v1/push/preferences", tm.emp1.AccessToken, map[string]any{"events": map[string]any{"new_chat": map[string]bool{"email": false}, "message": map[string]bool{"push": false}}})
	wantStatus(t, r, http.StatusOK)
	r = pe.call("PATCH", "/v1/push/preferences", tm.emp1.AccessToken, map[string]any{"events": map[string]any{"assigned": map[string]bool{"telegram": false}}})
	wantStatus(t, r, http.StatusOK)
	r = pe.call("GET", "/v1/push/preferences", tm.emp1.AccessToken, nil)
	r.JSON(t, &p)
	if p.Events["new_chat"]["email"] || p.Events["message"]["push"] || p.Events["assigned"]["telegram"] || !p.Events["new_chat"]["push"] {
		t.Fatalf("preferences after two changes: %v", p.Events)
	}
	// Another member's preferences are their own.
	r = pe.call("GET", "/v1/push/preferences", tm.emp2.AccessToken, nil)
	r.JSON(t, &p)
	if !p.Events["new_chat"]["email"] {
		t.Fatal("emp1's change reached emp2")
	}
	for _, bad := range []map[string]any{
		{"events": map[string]any{"lunch": map[string]bool{"push": false}}},
		{"events": map[string]any{"new_chat": map[string]bool{"pigeon": false}}},
		{"events": map[string]any{"new_chat": map[string]any{"push": "no"}}},
		{},
	} {
		wantStatus(t, pe.call("PATCH", "/v1/push/preferences", tm.emp1.AccessToken, bad), http.StatusBadRequest)
	}
}

func TestPushAlertsAreForAdmins(t *testing.T) {
	pe := newPushEnv(t, push.Config{}, nil)
	tm := pe.team()
	pe.alerts(tm.admin.AccessToken, "")
	for _, tok := range []string{tm.emp1.AccessToken, tm.follower.AccessToken, tm.key} {
		wantStatus(t, pe.call("GET", "/v1/push/alerts", tok, nil), http.StatusForbidden)
	}
	wantStatus(t, pe.call("GET", "/v1/push/alerts?limit=0", tm.admin.AccessToken, nil), http.StatusBadRequest)
	wantStatus(t, pe.call("GET", "/v1/push/alerts?limit=201", tm.admin.AccessToken, nil), http.StatusBadRequest)
	pe.alerts(tm.admin.AccessToken, "?limit=200")
	wantStatus(t, pe.call("GET", "/v1/push/alerts/nope", tm.admin.AccessToken, nil), http.StatusNotFound)
	// Web push is off on this server: no key to hand out, and subscriptions are refused.
	wantStatus(t, pe.call("GET", "/v1/push/vapid-public-key", "", nil), http.StatusNotFound)
	r := pe.call("POST", "/v1/push/devices", tm.emp1.AccessToken, map[string]any{"kind": "webpush",
		"subscription": map[string]any{"endpoint": "https://push.example.com/x", "keys": map[string]string{"p256dh": "a", "auth": "b"}}})
	wantStatus(t, r, http.StatusBadRequest)
	// The Telegram bot is off: linking says so.
	wantStatus(t, pe.call("POST", "/v1/push/telegram/link", tm.emp1.AccessToken, nil), http.StatusConflict)
	wantStatus(t, pe.call("DELETE", "/v1/push/telegram/link", tm.emp1.AccessToken, nil), http.StatusNotFound)
}

// Changes of different switches at the same moment (two tabs, the app and
// a tab) all land: none reads the whole and writes it back over another.
func TestPushPreferencesConcurrentChanges(t *testing.T) {
	t.Parallel()
	pe := newPushEnv(t, push.Config{}, nil)
	tm := pe.team()
	var pairs [][2]string
	for _, ev := range []string{"new_chat", "message", "assigned", "followed_message"} {
		for _, ch := range []string{"push", "web_push", "email"} {
			pairs = append(pairs, [2]string{ev, ch})
		}
	}
	var wg sync.WaitGroup
	statuses := make(chan int, len(pairs))
	for _, pr := range pairs {
		wg.Go(func() {
			body, _ := json.Marshal(map[string]any{"events": map[string]any{pr[0]: map[string]bool{pr[1]: false}}})
			req, _ := http.NewRequest("PATCH", pe.http.URL+"/v1/push/preferences", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tm.emp1.AccessToken)
			res, err := pe.http.Client().Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			res.Body.Close()
			statuses <- res.StatusCode
		})
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != http.StatusOK {
			t.Fatalf("a concurrent change answered %d", st)
		}
	}
	var p struct {
		Events map[string]map[string]bool `json:"events"`
	}
	pe.call("GET", "/v1/push/preferences", tm.emp1.AccessToken, nil).JSON(t, &p)
	for _, pr := range pairs {
		if p.Events[pr[0]][pr[1]] {
			t.Errorf("%s on %s is still on: a concurrent change was lost", pr[0], pr[1])
		}
	}
	if !p.Events["new_chat"]["telegram"] {
		t.Error("a switch no change named turned off")
	}
}
