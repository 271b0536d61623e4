package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestOutboundAllowPrivateSetting(t *testing.T) {
	cfg, err := LoadConfig(envOf(nil), "")
	if err != nil || cfg.OutboundAllowPrivate {
		t.Fatalf("default: %v, allow private %v; want off", err, cfg.OutboundAllowPrivate)
	}
	if cfg, err := LoadConfig(envOf(map[string]string{"SWITCHBOARD_OUTBOUND_ALLOW_PRIVATE": "true"}), ""); err != nil || !cfg.OutboundAllowPrivate {
		t.Fatalf("true: %v", err)
	}
	for _, v := range []string{"yes", "on", ""} {
		if _, err := LoadConfig(envOf(map[string]string{"SWITCHBOARD_OUTBOUND_ALLOW_PRIVATE": v}), ""); err == nil || !strings.Contains(err.Error(), "SWITCHBOARD_OUTBOUND_ALLOW_PRIVATE") {
			t.Errorf("%q: error %v, want one naming the setting", v, err)
		}
	}
}

// TestServeChecksWebPushEndpoints: the served API checks Web Push
// subscriptions under the outbound policy: off by default, loopback and
// private endpoints are refused; on, they are taken (metadata and other
// link-local addresses still are not) and the start warns.
func TestServeChecksWebPushEndpoints(t *testing.T) {
	for _, allow := range []bool{false, true} {
		env := baseEnv(t, t.TempDir())
		env["SWITCHBOARD_VAPID_SUBJECT"] = "mailto:ops@example.com"
		if allow {
			env["SWITCHBOARD_OUTBOUND_ALLOW_PRIVATE"] = "true"
		}
		out := &syncBuffer{}
		if code := run(context.Background(), []string{"create-admin", "--email", "owner@acme.test", "--password", "owner-password", "--workspace", "Acme"}, envOf(env), out, out); code != 0 {
			t.Fatalf("create-admin exited %d:\n%s", code, out.String())
		}
		s := startServer(t, env)
		if warned := strings.Contains(s.stderr.String(), "SWITCHBOARD_OUTBOUND_ALLOW_PRIVATE"); warned != allow {
			t.Errorf("allow private %v: start warned %v:\n%s", allow, warned, s.stderr.String())
		}
		_, body := apiCall(t, s.addr, "POST", "/v1/auth/login", "", map[string]string{"email": "owner@acme.test", "password": "owner-password"})
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		_ = json.Unmarshal([]byte(body), &tok)
		cases := map[string]int{ // endpoint: status with the setting off, on
			"http://127.0.0.1:9/push/x":                 http.StatusBadRequest,
			"https://localhost/push/x":                  http.StatusBadRequest,
			"https://10.1.2.3/push/x":                   http.StatusBadRequest,
			"https://169.254.169.254/latest/meta-data/": http.StatusBadRequest,
		}
		if allow {
			cases["http://127.0.0.1:9/push/x"], cases["https://localhost/push/x"], cases["https://10.1.2.3/push/x"] = http.StatusCreated, http.StatusCreated, http.StatusCreated
		}
		for ep, want := range cases {
			dev := map[string]any{"kind": "webpush", "subscription": map[string]any{"endpoint": ep,
				"keys": map[string]string{"p256dh": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4", "auth": "BTBZMqHH6r4Tts7J_aSIgg"}}}
			status, body := apiCall(t, s.addr, "POST", "/v1/push/devices", tok.AccessToken, dev)
			if status != want || want == http.StatusBadRequest && !strings.Contains(body, `"field":"subscription.endpoint"`) {
				t.Errorf("allow private %v, %s: %d %s, want %d", allow, ep, status, body, want)
			}
		}
		s.stop()
	}
}
