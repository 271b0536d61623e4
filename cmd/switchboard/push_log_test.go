package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/push/fcm/fcmfake"
)

// providerLines are the start's "push provider ..." log lines by provider.
func providerLines(t *testing.T, log string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l map[string]any
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue // the first-run block is plain text
		}
		if msg, _ := l["msg"].(string); strings.HasPrefix(msg, "push provider ") {
			p, _ := l["provider"].(string)
			if out[p] != nil {
				t.Errorf("two lines for provider %q: %v and %v", p, out[p], l)
			}
			out[p] = l
		}
	}
	return out
}

// TestPushProvidersLogWhereTheySend: each configured provider says at
// start that it is on and where it sends, and no line carries a secret.
func TestPushProvidersLogWhereTheySend(t *testing.T) {
	dir := t.TempDir()
	env := baseEnv(t, dir)

	fcmSrv := fcmfake.New(t)
	sa := filepath.Join(dir, "sa.json")
	saJSON := fcmSrv.ServiceAccountJSON("sb-project")
	writeFile(t, sa, saJSON)
	env["SWITCHBOARD_FCM_CREDENTIALS_FILE"] = sa
	env["SWITCHBOARD_FCM_ENDPOINT"] = fcmSrv.URL()

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	p8 := filepath.Join(dir, "key.p8")
	writeFile(t, p8, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	env["SWITCHBOARD_APNS_KEY_FILE"] = p8
	env["SWITCHBOARD_APNS_KEY_ID"] = "KEY123"
	env["SWITCHBOARD_APNS_TEAM_ID"] = "TEAM456"
	env["SWITCHBOARD_APNS_HOST"] = "https://apns.test:2197" // reached on the first send only

	env["SWITCHBOARD_VAPID_SUBJECT"] = "mailto:ops@example.com"

	const token = "123456:secret-bot-token"
	tg := telegramfake.New(t, token)
	env["SWITCHBOARD_TELEGRAM_BOT_TOKEN"] = token
	env["SWITCHBOARD_TELEGRAM_API_URL"] = tg.URL()
	env["SWITCHBOARD_TELEGRAM_WEBHOOK_URL"] = "https://sb.example.com/v1/push/telegram/webhook"

	env["SWITCHBOARD_SMTP_URL"] = "smtp://alerts:secret-smtp-pw@127.0.0.1:2525"
	env["SWITCHBOARD_EMAIL_FROM"] = "alerts@example.com"

	s := startServer(t, env)
	if code := s.stop(); code != 0 {
		t.Fatalf("serve exited %d:\n%s", code, s.stderr.String())
	}
	log := s.stderr.String()
	lines := providerLines(t, log)
	want := map[string]map[string]any{
		"fcm":      {"endpoint": fcmSrv.URL(), "project_id": "sb-project"},
		"apns":     {"host": "https://apns.test:2197", "auth": "token", "key_id": "KEY123", "team_id": "TEAM456"},
		"webpush":  {"subject": "mailto:ops@example.com", "keys_from": "database"},
		"telegram": {"api": tg.URL(), "bot": tg.Bot().Username, "updates": "webhook https://sb.example.com/v1/push/telegram/webhook"},
		"email":    {"server": "smtp://127.0.0.1:2525", "from": "alerts@example.com"},
	}
	for p, attrs := range want {
		l := lines[p]
		if l == nil || l["msg"] != "push provider enabled" {
			t.Errorf("%s: line %v, want \"push provider enabled\"", p, l)
			continue
		}
		for k, v := range attrs {
			if l[k] != v {
				t.Errorf("%s: %s = %v, want %v", p, k, l[k], v)
			}
		}
	}
	if pub, _ := lines["webpush"]["public_key"].(string); len(pub) < 80 {
		t.Errorf("webpush line lacks the public key: %v", lines["webpush"])
	}
	var sec struct {
		PrivateKey string `json:"private_key"`
	}
	if err := json.Unmarshal(saJSON, &sec); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"secret-bot-token", "secret-smtp-pw", "PRIVATE KEY", sec.PrivateKey[40:80]} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds a secret (%.20s...)", secret)
		}
	}
}

// TestProvidersOffSayHowAndWebPushDevicesAreKept: with nothing configured
// every provider says it is off and which settings turn it on, and a
// browser's subscription is still registered (kept, not sent to), as every
// unconfigured provider's devices are.
func TestProvidersOffSayHowAndWebPushDevicesAreKept(t *testing.T) {
	env := baseEnv(t, t.TempDir())
	out := &syncBuffer{}
	if code := run(context.Background(), []string{"create-admin", "--email", "owner@acme.test", "--password", "owner-password", "--workspace", "Acme"}, envOf(env), out, out); code != 0 {
		t.Fatalf("create-admin exited %d:\n%s", code, out.String())
	}
	s := startServer(t, env)
	lines := providerLines(t, s.stderr.String())
	for p, how := range map[string]string{
		"fcm": "SWITCHBOARD_FCM_CREDENTIALS_FILE", "apns": "SWITCHBOARD_APNS_KEY_FILE", "webpush": "SWITCHBOARD_VAPID_SUBJECT",
		"telegram": "SWITCHBOARD_TELEGRAM_BOT_TOKEN", "email": "SWITCHBOARD_SMTP_URL",
	} {
		l := lines[p]
		if l == nil || l["msg"] != "push provider disabled" || !strings.Contains(l["enable_with"].(string), how) {
			t.Errorf("%s: line %v, want \"push provider disabled\" naming %s", p, l, how)
		}
	}

	tok := accessToken(t, s.addr, "owner@acme.test", "owner-password")
	browser, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	device := map[string]any{"kind": "webpush", "name": "Firefox", "subscription": map[string]any{
		"endpoint": "https://updates.push.services.mozilla.com/wpush/v2/abc",
		"keys":     map[string]string{"p256dh": b64(browser.PublicKey().Bytes()), "auth": b64(bytes.Repeat([]byte{7}, 16))},
	}}
	if status, body := apiCall(t, s.addr, "POST", "/v1/push/devices", tok, device); status != http.StatusCreated {
		t.Fatalf("registering a web push device while web push is off: %d %s", status, body)
	}
	// Still checked: a subscription without a usable key is refused.
	device["subscription"].(map[string]any)["keys"] = map[string]string{"p256dh": "bm9wZQ", "auth": b64(bytes.Repeat([]byte{7}, 16))}
	if status, body := apiCall(t, s.addr, "POST", "/v1/push/devices", tok, device); status != http.StatusBadRequest || !strings.Contains(body, "p256dh") {
		t.Fatalf("a bad subscription: %d %s, want 400 naming p256dh", status, body)
	}
	status, body := apiCall(t, s.addr, "GET", "/v1/push/devices", tok, nil)
	if status != http.StatusOK || strings.Count(body, `"kind":"webpush"`) != 1 {
		t.Fatalf("devices: %d %s, want the one web push device", status, body)
	}
}

func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// accessToken logs in and returns the access token.
func accessToken(t *testing.T, addr, email, password string) string {
	t.Helper()
	status, body := apiCall(t, addr, "POST", "/v1/auth/login", "", map[string]string{"email": email, "password": password})
	var tk struct {
		AccessToken string `json:"access_token"`
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &tk) != nil || tk.AccessToken == "" {
		t.Fatalf("login: %d %s", status, body)
	}
	return tk.AccessToken
}

// apiCall sends a JSON request and returns the status and body.
func apiCall(t *testing.T, addr, method, path, token string, body any) (int, string) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, "http://"+addr+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(res.Body); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b.String()
}
