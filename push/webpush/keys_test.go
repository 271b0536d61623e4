package webpush

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/outbound"
)

func TestGenerateKeysAndNew(t *testing.T) {
	pub, priv, err := GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := base64.RawURLEncoding.DecodeString(pub); len(p) != 65 || p[0] != 4 {
		t.Fatalf("public key is %d bytes, want a 65-byte uncompressed point", len(p))
	}
	if k, _ := base64.RawURLEncoding.DecodeString(priv); len(k) != 32 {
		t.Fatalf("private key is %d bytes, want 32", len(k))
	}
	s, err := New(Config{PublicKey: pub, PrivateKey: priv, Subject: "mailto:ops@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if s.PublicKey() != pub {
		t.Errorf("PublicKey() = %q, want %q", s.PublicKey(), pub)
	}
	padded := func(k string) string {
		b, _ := base64.RawURLEncoding.DecodeString(k)
		return base64.URLEncoding.EncodeToString(b)
	}
	if s, err := New(Config{PublicKey: padded(pub), PrivateKey: padded(priv), Subject: "https://example.com/contact"}); err != nil || s.PublicKey() != pub {
		t.Errorf("padded keys: %v", err)
	}
}

func TestNewRejects(t *testing.T) {
	pub, priv, _ := GenerateKeys()
	otherPub, otherPriv, _ := GenerateKeys()
	zero := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	cases := []struct {
		name       string
		c          Config
		wantInText string
	}{
		{"mismatched pair", Config{PublicKey: otherPub, PrivateKey: priv, Subject: "mailto:a@b.example"}, "public key does not belong to the private key"},
		{"mismatched pair, other way", Config{PublicKey: pub, PrivateKey: otherPriv, Subject: "mailto:a@b.example"}, "does not belong"},
		{"swapped", Config{PublicKey: priv, PrivateKey: pub, Subject: "mailto:a@b.example"}, "public key is not a P-256 point"},
		{"no public key", Config{PrivateKey: priv, Subject: "mailto:a@b.example"}, "public key is missing"},
		{"no private key", Config{PublicKey: pub, Subject: "mailto:a@b.example"}, "private key is missing"},
		{"private not base64", Config{PublicKey: pub, PrivateKey: "not base64!" + priv, Subject: "mailto:a@b.example"}, "private key is not base64url"},
		{"private too short", Config{PublicKey: pub, PrivateKey: priv[:20], Subject: "mailto:a@b.example"}, "private key is not a 32-byte"},
		{"private zero", Config{PublicKey: pub, PrivateKey: zero, Subject: "mailto:a@b.example"}, "not a valid P-256 scalar"},
		{"no subject", Config{PublicKey: pub, PrivateKey: priv}, "subject must be"},
		{"http subject", Config{PublicKey: pub, PrivateKey: priv, Subject: "http://example.com"}, "subject must be"},
		{"bare email subject", Config{PublicKey: pub, PrivateKey: priv, Subject: "ops@example.com"}, "subject must be"},
		{"bad mailto", Config{PublicKey: pub, PrivateKey: priv, Subject: "mailto:not an address"}, "mailto: address"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(c.c)
			if err == nil || !strings.Contains(err.Error(), c.wantInText) {
				t.Fatalf("err = %v, want one saying %q", err, c.wantInText)
			}
			for _, secret := range []string{priv, otherPriv} {
				if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), secret[:10]) {
					t.Error("the error contains a private key")
				}
			}
		})
	}
}

func TestValidSubscription(t *testing.T) {
	key, _, _ := GenerateKeys()
	raw, _ := base64.RawURLEncoding.DecodeString(key)
	auth := base64.RawURLEncoding.EncodeToString([]byte("0123456789abcdef"))
	notOnCurve := append([]byte{4}, make([]byte, 64)...)
	compressed := append([]byte{2}, raw[1:33]...)
	const ep = "https://fcm.googleapis.com/fcm/send/abc:def"
	cases := []struct {
		name                 string
		endpoint, p256, auth string
		field                string // "" is valid
		private              string // the field under AllowPrivate ("=" is field)
	}{
		{"valid", ep, key, auth, "", "="},
		{"padded keys", ep, base64.URLEncoding.EncodeToString(raw), base64.URLEncoding.EncodeToString([]byte("0123456789abcdef")), "", "="},
		{"public IP", "https://93.184.215.14/push/1", key, auth, "", "="},
		{"public IPv6", "https://[2a00:1450:4001:82b::200a]/push/1", key, auth, "", "="},
		{"any port", "https://push.example:8443/push/1", key, auth, "", "="},
		{"http on loopback", "http://127.0.0.1:8080/push/1", key, auth, FieldEndpoint, ""},
		{"http on localhost", "http://localhost/push/1", key, auth, FieldEndpoint, ""},
		{"http on ::1", "http://[::1]:9/push/1", key, auth, FieldEndpoint, ""},
		{"https on loopback", "https://127.0.0.1/push/1", key, auth, FieldEndpoint, ""},
		{"https on localhost", "https://localhost./push/1", key, auth, FieldEndpoint, ""},
		{"https on a .localhost name", "https://push.localhost/push/1", key, auth, FieldEndpoint, ""},
		{"mapped loopback", "https://[::ffff:127.0.0.1]/push/1", key, auth, FieldEndpoint, ""},
		{"private", "https://10.0.0.1/push/1", key, auth, FieldEndpoint, ""},
		{"private 192.168", "https://192.168.1.1/push/1", key, auth, FieldEndpoint, ""},
		{"ULA", "https://[fd00::1]/push/1", key, auth, FieldEndpoint, ""},
		{"shared", "https://100.64.0.1/push/1", key, auth, FieldEndpoint, ""},
		{"metadata", "https://169.254.169.254/latest/meta-data/", key, auth, FieldEndpoint, "="},
		{"link-local v6", "https://[fe80::1%25eth0]/push/1", key, auth, FieldEndpoint, "="},
		{"unspecified", "https://0.0.0.0/push/1", key, auth, FieldEndpoint, "="},
		{"decimal loopback", "https://2130706433/push/1", key, auth, FieldEndpoint, "="},
		{"short loopback", "https://127.1/push/1", key, auth, FieldEndpoint, "="},
		{"http on a private address", "http://10.0.0.1/push/1", key, auth, FieldEndpoint, "="},
		{"http elsewhere", "http://push.example/x", key, auth, FieldEndpoint, "="},
		{"no scheme", "push.example/x", key, auth, FieldEndpoint, "="},
		{"ftp", "ftp://push.example/x", key, auth, FieldEndpoint, "="},
		{"empty endpoint", "", key, auth, FieldEndpoint, "="},
		{"user info", "https://u:p@push.example/x", key, auth, FieldEndpoint, "="},
		{"too long", "https://push.example/" + strings.Repeat("x", 2048), key, auth, FieldEndpoint, "="},
		{"longest", "https://push.example/" + strings.Repeat("x", 2048-len("https://push.example/")), key, auth, "", "="},
		{"p256dh std base64", ep, base64.StdEncoding.EncodeToString(raw) + "+/", auth, FieldP256dh, "="},
		{"p256dh empty", ep, "", auth, FieldP256dh, "="},
		{"p256dh compressed", ep, base64.RawURLEncoding.EncodeToString(compressed), auth, FieldP256dh, "="},
		{"p256dh not on curve", ep, base64.RawURLEncoding.EncodeToString(notOnCurve), auth, FieldP256dh, "="},
		{"auth 15 bytes", ep, key, base64.RawURLEncoding.EncodeToString(make([]byte, 15)), FieldAuth, "="},
		{"auth 17 bytes", ep, key, base64.RawURLEncoding.EncodeToString(make([]byte, 17)), FieldAuth, "="},
		{"auth not base64", ep, key, "%%%", FieldAuth, "="},
	}
	check := func(t *testing.T, err error, field string) {
		t.Helper()
		if field == "" {
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			return
		}
		var me *models.Error
		if !errors.As(err, &me) || me.Code != models.CodeInvalid || len(me.Fields) != 1 || me.Fields[0].Field != field {
			t.Fatalf("err = %v, want an invalid error naming %s", err, field)
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check(t, ValidSubscription(c.endpoint, c.p256, c.auth), c.field)
			private := c.private
			if private == "=" {
				private = c.field
			}
			check(t, CheckSubscription(outbound.Policy{AllowPrivate: true})(c.endpoint, c.p256, c.auth), private)
		})
	}
}
