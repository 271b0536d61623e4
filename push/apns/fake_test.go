package apns

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/sideshow/apns2"
	"github.com/sideshow/apns2/token"

	"github.com/switchboardhq/switchboard/push/apns/apnsfake"
)

// TestFakeChecksRequests shows the fake refuses what APNs refuses, so the
// sender's tests would catch a builder that broke Apple's rules.
func TestFakeChecksRequests(t *testing.T) {
	s, fake := tokenSender(t)
	good := func() *apns2.Notification { return Notification(device(), alert()) }
	tests := []struct {
		name   string
		change func(n *apns2.Notification)
		status int
		reason string
	}{
		{"accepted as built", func(n *apns2.Notification) {}, 200, ""},
		{"no topic", func(n *apns2.Notification) { n.Topic = "" }, 400, "MissingTopic"},
		{"collapse id over 64 bytes", func(n *apns2.Notification) { n.CollapseID = strings.Repeat("c", 65) }, 400, "BadCollapseId"},
		{"collapse id of 64 bytes", func(n *apns2.Notification) { n.CollapseID = strings.Repeat("c", 64) }, 200, ""},
		{"payload over 4096 bytes", func(n *apns2.Notification) {
			n.Payload = `{"aps":{"alert":"` + strings.Repeat("x", apnsfake.MaxPayload) + `"}}`
		}, 413, "PayloadTooLarge"},
		{"no aps dictionary", func(n *apns2.Notification) { n.Payload = `{"x":1}` }, 400, "BadPayload"},
		{"unknown push type", func(n *apns2.Notification) { n.PushType = apns2.PushTypeVOIP }, 400, "InvalidPushType"},
		{"background at priority 10", func(n *apns2.Notification) { n.PushType = apns2.PushTypeBackground }, 400, "InvalidPushType"},
		{"background without content-available", func(n *apns2.Notification) {
			n.PushType, n.Priority, n.Payload = apns2.PushTypeBackground, 5, `{"aps":{"badge":1}}`
		}, 400, "InvalidPushType"},
		{"background, priority 10", func(n *apns2.Notification) {
			n.PushType, n.Priority, n.Payload = apns2.PushTypeBackground, 10, `{"aps":{"content-available":1}}`
		}, 400, "BadPriority"},
		{"alert with nothing to show", func(n *apns2.Notification) { n.Payload = `{"aps":{}}` }, 400, "InvalidPushType"},
		{"device token not hex", func(n *apns2.Notification) { n.DeviceToken = "zz" }, 400, "BadDeviceToken"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := good()
			tc.change(n)
			resp, err := s.prod.PushWithContext(context.Background(), n)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || resp.Reason != tc.reason || resp.ApnsID == "" {
				t.Errorf("answer %d %q (apns-id %q), want %d %q", resp.StatusCode, resp.Reason, resp.ApnsID, tc.status, tc.reason)
			}
		})
	}
	// A 410 carries the time the token went stale, in milliseconds.
	at := time.Date(2025, 2, 1, 10, 0, 0, 0, time.UTC)
	fake.Answer(token1, apnsfake.Unregistered(at))
	resp, err := s.prod.PushWithContext(context.Background(), good())
	if err != nil || resp.StatusCode != 410 || !resp.Timestamp.Equal(at) {
		t.Errorf("410 answer = %+v, %v", resp, err)
	}
}

// TestFakeChecksProviderTokens shows the fake's token checks: a missing
// token, a stale one and one from another team are refused.
func TestFakeChecksProviderTokens(t *testing.T) {
	p8, pub := apnsfake.GenerateP8(t)
	fake := apnsfake.NewToken(t, pub, keyID, teamID)
	s, err := New(Config{KeyP8: p8, KeyID: keyID, TeamID: teamID, Host: fake.URL(), RootCAs: fake.CertPool()})
	if err != nil {
		t.Fatal(err)
	}
	key, err := token.AuthKeyFromBytes(p8)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(kid, iss string, iat time.Time) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{"iss": iss, "iat": iat.Unix()})
		tok.Header["kid"] = kid
		b, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return "bearer " + b
	}
	now := time.Now()
	tests := []struct {
		name, auth string
		status     int
		reason     string
	}{
		{"good", sign(keyID, teamID, now), 200, ""},
		{"missing", "", 403, "MissingProviderToken"},
		{"not a JWT", "bearer abc", 403, "InvalidProviderToken"},
		{"older than an hour", sign(keyID, teamID, now.Add(-2*time.Hour)), 403, "ExpiredProviderToken"},
		{"other team", sign(keyID, "OTHERTEAM1", now), 403, "InvalidProviderToken"},
		{"other key id", sign("OTHERKEY12", teamID, now), 403, "InvalidProviderToken"},
		{"issued in the future", sign(keyID, teamID, now.Add(time.Hour)), 403, "InvalidProviderToken"},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest(http.MethodPost, fake.URL()+"/3/device/"+token1, strings.NewReader(`{"aps":{"badge":1}}`))
		req.Header.Set("apns-topic", "com.example.switchboard")
		req.Header.Set("apns-push-type", "alert")
		if tc.auth != "" {
			req.Header.Set("authorization", tc.auth)
		}
		resp, err := s.prod.HTTPClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Reason string }
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || body.Reason != tc.reason {
			t.Errorf("%s: %d %q, want %d %q", tc.name, resp.StatusCode, body.Reason, tc.status, tc.reason)
		}
	}
}
