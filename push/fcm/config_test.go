package fcm

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/push/fcm/fcmfake"
)

func TestNewValidatesCredentials(t *testing.T) {
	fake := fcmfake.New(t)
	good := fake.ServiceAccountJSON("demo")
	var base map[string]string
	if err := json.Unmarshal(good, &base); err != nil {
		t.Fatal(err)
	}
	with := func(k, v string) []byte {
		m := map[string]string{}
		for kk, vv := range base {
			m[kk] = vv
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		b, _ := json.Marshal(m)
		return b
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ecKey)
	ecPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER}))
	// A broken key that still carries most of the real key's text.
	broken := strings.Replace(base["private_key"], "PRIVATE KEY-----\n", "PRIVATE KEY-----\n!!", 1)

	tests := []struct {
		name string
		json []byte
		want string // in the error; "" for success
	}{
		{"good", good, ""},
		{"no token_uri: Google's", with("token_uri", ""), ""},
		{"empty", nil, "no service-account credentials"},
		{"not JSON", []byte(`{"type": "service_account", "private_key": "` + base["private_key"][:60]), "not a valid JSON object"},
		{"wrong type", with("type", "authorized_user"), `"authorized_user"`},
		{"no project", with("project_id", ""), "lack project_id"},
		{"no email", with("client_email", ""), "lack client_email"},
		{"no key", with("private_key", ""), "lack private_key"},
		{"not PEM", with("private_key", "hunter2-secret"), "not a PEM-encoded RSA private key"},
		{"broken PEM", with("private_key", broken), "not a PEM-encoded RSA private key"},
		{"EC key", with("private_key", ecPEM), "not a PEM-encoded RSA private key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(context.Background(), Config{CredentialsJSON: tc.json, Endpoint: fake.URL()})
			if tc.want == "" {
				if err != nil || s == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New error = %v, want one containing %q", err, tc.want)
			}
			msg := err.Error()
			if strings.Contains(msg, "hunter2") || strings.Contains(msg, "MII") || strings.Contains(msg, "BEGIN") {
				t.Errorf("error quotes the key: %q", msg)
			}
		})
	}
}
