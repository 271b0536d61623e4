package main

import (
	"bytes"
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

// TestServeRefusesAPrivateWebPushEndpoint: the served API checks Web Push
// subscriptions under the outbound policy, off by default.
func TestServeRefusesAPrivateWebPushEndpoint(t *testing.T) {
	env := baseEnv(t, t.TempDir())
	env["SWITCHBOARD_VAPID_SUBJECT"] = "mailto:ops@example.com"
	out := &syncBuffer{}
	if code := run(context.Background(), []string{"create-admin", "--email", "owner@acme.test", "--password", "owner-password", "--workspace", "Acme"}, envOf(env), out, out); code != 0 {
		t.Fatalf("create-admin exited %d:\n%s", code, out.String())
	}
	s := startServer(t, env)
	body, _ := json.Marshal(map[string]string{"email": "owner@acme.test", "password": "owner-password"})
	res, err := http.Post("http://"+s.addr+"/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	const p256 = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
	for _, ep := range []string{"http://127.0.0.1:9/push/x", "https://169.254.169.254/latest/meta-data/", "https://localhost/push/x"} {
		dev, _ := json.Marshal(map[string]any{"kind": "webpush", "subscription": map[string]any{"endpoint": ep,
			"keys": map[string]string{"p256dh": p256, "auth": "BTBZMqHH6r4Tts7J_aSIgg"}}})
		req, _ := http.NewRequest(http.MethodPost, "http://"+s.addr+"/v1/push/devices", bytes.NewReader(dev))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var p struct {
			Detail string `json:"detail"`
			Errors []struct {
				Field string `json:"field"`
			} `json:"errors"`
		}
		_ = json.NewDecoder(res.Body).Decode(&p)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != "subscription.endpoint" {
			t.Errorf("%s: %d %+v, want 400 naming subscription.endpoint", ep, res.StatusCode, p)
		}
	}
}
