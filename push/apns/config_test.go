package apns

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/push/apns/apnsfake"
)

func TestNewValidatesConfig(t *testing.T) {
	p8, _ := apnsfake.GenerateP8(t)
	p12, _ := apnsfake.GenerateP12(t, "com.example.switchboard", "s3cret")
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaDER, _ := x509.MarshalPKCS8PrivateKey(rsaKey)
	rsaP8 := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: rsaDER})
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p384DER, _ := x509.MarshalPKCS8PrivateKey(p384)
	p384P8 := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p384DER})

	tests := []struct {
		name string
		c    Config
		want string // in the error; "" for success
	}{
		{"token auth", Config{KeyP8: p8, KeyID: keyID, TeamID: teamID}, ""},
		{"certificate auth", Config{P12: p12, P12Password: "s3cret"}, ""},
		{"host override", Config{KeyP8: p8, KeyID: keyID, TeamID: teamID, Host: "https://127.0.0.1:2197"}, ""},
		{"nothing", Config{}, "no credentials"},
		{"both", Config{KeyP8: p8, KeyID: keyID, TeamID: teamID, P12: p12}, "not both"},
		{"key without id", Config{KeyP8: p8, TeamID: teamID}, "KeyID is missing"},
		{"key without team", Config{KeyP8: p8, KeyID: keyID}, "TeamID is missing"},
		{"ids without key", Config{KeyID: keyID, TeamID: teamID}, "KeyP8 is missing"},
		{"key not PEM", Config{KeyP8: []byte("hunter2-secret"), KeyID: keyID, TeamID: teamID}, "not a PEM-encoded PKCS#8 P-256"},
		{"RSA key", Config{KeyP8: rsaP8, KeyID: keyID, TeamID: teamID}, "not a PEM-encoded PKCS#8 P-256"},
		{"P-384 key", Config{KeyP8: p384P8, KeyID: keyID, TeamID: teamID}, "not a PEM-encoded PKCS#8 P-256"},
		{"wrong P12 password", Config{P12: p12, P12Password: "hunter2"}, "cannot be opened"},
		{"P12 not PKCS#12", Config{P12: []byte("hunter2-secret")}, "cannot be opened"},
		{"password without P12", Config{P12Password: "hunter2"}, "without P12"},
		{"plain http host", Config{KeyP8: p8, KeyID: keyID, TeamID: teamID, Host: "http://127.0.0.1:2197"}, "https URL"},
		{"host without scheme", Config{KeyP8: p8, KeyID: keyID, TeamID: teamID, Host: "api.push.apple.com"}, "https URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.c)
			if tc.want == "" {
				if err != nil || s == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New error = %v, want one containing %q", err, tc.want)
			}
			if msg := err.Error(); strings.Contains(msg, "hunter2") || strings.Contains(msg, "BEGIN") || strings.Contains(msg, "MIG") {
				t.Errorf("error quotes secrets: %q", msg)
			}
		})
	}
}
