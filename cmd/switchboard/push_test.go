package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestPushSettingsAreChecked(t *testing.T) {
	file := filepath.Join(t.TempDir(), "key.p8")
	if err := os.WriteFile(file, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SWITCHBOARD_APNS_KEY_FILE": file}, "SWITCHBOARD_APNS_KEY_ID"},
		{map[string]string{"SWITCHBOARD_APNS_KEY_FILE": file, "SWITCHBOARD_APNS_KEY_ID": "K", "SWITCHBOARD_APNS_TEAM_ID": "T", "SWITCHBOARD_APNS_P12_FILE": file}, "use one of them"},
		{map[string]string{"SWITCHBOARD_FCM_CREDENTIALS_FILE": "/nope/sa.json"}, "SWITCHBOARD_FCM_CREDENTIALS_FILE"},
		{map[string]string{"SWITCHBOARD_VAPID_PUBLIC_KEY": "abc"}, "SWITCHBOARD_VAPID_PRIVATE_KEY"},
		{map[string]string{"SWITCHBOARD_VAPID_SUBJECT": "admin@example.com"}, "SWITCHBOARD_VAPID_SUBJECT"},
		{map[string]string{"SWITCHBOARD_SMTP_URL": "smtp://u:secret-pw@mail.example.com:587"}, "SWITCHBOARD_EMAIL_FROM"},
		{map[string]string{"SWITCHBOARD_SMTP_URL": "http://mail.example.com"}, "SWITCHBOARD_SMTP_URL"},
		{map[string]string{"SWITCHBOARD_TELEGRAM_BOT_TOKEN": "nocolon"}, "SWITCHBOARD_TELEGRAM_BOT_TOKEN"},
		{map[string]string{"SWITCHBOARD_TELEGRAM_WEBHOOK_URL": "https://sb.example.com/v1/push/telegram/webhook"}, "SWITCHBOARD_TELEGRAM_BOT_TOKEN"},
		{map[string]string{"SWITCHBOARD_TELEGRAM_WEBHOOK_SECRET": "has space"}, "SWITCHBOARD_TELEGRAM_WEBHOOK_SECRET"},
		{map[string]string{"SWITCHBOARD_PUSH_RETRY_BASE": "20m"}, "SWITCHBOARD_PUSH_RETRY_BASE"},
	}
	for _, c := range cases {
		_, err := LoadConfig(envOf(c.env), "")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one naming %s", c.env, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret-pw") {
			t.Errorf("a password was printed: %v", err)
		}
	}
}

func TestPushProviderMisconfiguredStopsTheStart(t *testing.T) {
	dir := t.TempDir()
	sa := filepath.Join(dir, "sa.json")
	if err := os.WriteFile(sa, []byte(`{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----\nnope"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := baseEnv(t, dir)
	env["SWITCHBOARD_FCM_CREDENTIALS_FILE"] = sa
	out := &syncBuffer{}
	if code := run(context.Background(), nil, envOf(env), out, out); code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "SWITCHBOARD_FCM_CREDENTIALS_FILE") || strings.Contains(out.String(), "nope") {
		t.Fatalf("message does not name the setting, or echoes the key:\n%s", out.String())
	}
}

func TestGenVAPIDKeys(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"gen-vapid-keys"}, envOf(nil), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "SWITCHBOARD_VAPID_PUBLIC_KEY=") || !strings.HasPrefix(lines[1], "SWITCHBOARD_VAPID_PRIVATE_KEY=") {
		t.Fatalf("output %q", out.String())
	}
	pub := strings.TrimPrefix(lines[0], "SWITCHBOARD_VAPID_PUBLIC_KEY=")
	priv := strings.TrimPrefix(lines[1], "SWITCHBOARD_VAPID_PRIVATE_KEY=")
	cfg, err := LoadConfig(envOf(map[string]string{"SWITCHBOARD_VAPID_PUBLIC_KEY": pub, "SWITCHBOARD_VAPID_PRIVATE_KEY": priv,
		"SWITCHBOARD_VAPID_SUBJECT": "mailto:ops@example.com"}), "")
	if err != nil || cfg.Push.VAPIDPublicKey != pub {
		t.Fatalf("the printed keys do not load: %v", err)
	}
}

// TestPushBatchSettingsBounds: workers and batch size are taken from 1 to
// 1,000 and refused outside, naming the setting.
func TestPushBatchSettingsBounds(t *testing.T) {
	for _, name := range []string{"SWITCHBOARD_PUSH_WORKERS", "SWITCHBOARD_PUSH_SEND_BATCH"} {
		for _, v := range []string{"1", "1000"} {
			cfg, err := LoadConfig(envOf(map[string]string{name: v}), "")
			if err != nil {
				t.Fatalf("%s=%s: %v", name, v, err)
			}
			got := cfg.GatewayConfig("h", "")
			if n := map[string]int{"SWITCHBOARD_PUSH_WORKERS": got.Workers, "SWITCHBOARD_PUSH_SEND_BATCH": got.SendBatch}[name]; strconv.Itoa(n) != v {
				t.Errorf("%s=%s gave %d", name, v, n)
			}
		}
		for _, v := range []string{"0", "1001", "ten"} {
			if _, err := LoadConfig(envOf(map[string]string{name: v}), ""); err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("%s=%s: error %v, want one naming it", name, v, err)
			}
		}
	}
}
