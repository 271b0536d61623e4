package auth

import (
	"strings"
	"testing"
	"time"
)

func TestDeviceTokens(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	key := []byte("test-signing-key-0123456789abcdef0123456789")
	d := newDeviceSigner(key, func() time.Time { return now })
	tok := d.issue("a@example.com", "ws1")
	id, ws, ok := d.check(tok, "a@example.com")
	if !ok || id == "" || ws != "ws1" {
		t.Fatalf("a fresh token for its email is refused: %q", tok)
	}
	if other := d.issue("a@example.com", "ws1"); other == tok {
		t.Fatal("two logins got the same device token")
	} else if id2, _, _ := d.check(other, "a@example.com"); id2 == id {
		t.Fatal("two device tokens share one budget")
	}
	// The tampered token changes its last character (to one it is not:
	// a signature ending in "A" would otherwise stay whole, one time in 64).
	last := "A"
	if strings.HasSuffix(tok, "A") {
		last = "B"
	}
	for name, bad := range map[string]string{
		"another email's": "", "tampered": tok[:len(tok)-1] + last, "truncated": tok[:len(tok)-5],
		"without prefix": strings.TrimPrefix(tok, "sbd_"), "empty": "", "longer expiry": tok[:strings.LastIndexByte(tok, '.')-1] + "9" + tok[strings.LastIndexByte(tok, '.'):],
		"another workspace": strings.Replace(tok, ".ws1.", ".ws2.", 1),
	} {
		email := "a@example.com"
		if name == "another email's" {
			bad, email = tok, "b@example.com"
		}
		if _, _, ok := d.check(bad, email); ok {
			t.Errorf("%s token accepted", name)
		}
	}
	if _, _, ok := newDeviceSigner([]byte("another-key-0123456789abcdef0123456789ab"), d.now).check(tok, "a@example.com"); ok {
		t.Fatal("a token of another installation accepted")
	}
	// An access token signer with the same key does not accept it, nor the reverse.
	s := &signer{key: key, ttl: time.Minute, now: d.now}
	if _, err := s.parse(tok); err == nil {
		t.Fatal("a device token passes for an access token")
	}
	access, _, _ := s.issue("ws", "m", "s")
	if _, _, ok := d.check(access, "a@example.com"); ok {
		t.Fatal("an access token passes for a device token")
	}
	// Valid until the last second of its life.
	now = now.Add(DeviceTokenTTL - time.Second)
	if _, _, ok := d.check(tok, "a@example.com"); !ok {
		t.Fatal("refused before its expiry")
	}
	now = now.Add(time.Second)
	if _, _, ok := d.check(tok, "a@example.com"); ok {
		t.Fatal("accepted at its expiry")
	}
}
