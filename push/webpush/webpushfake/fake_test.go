package webpushfake

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"
)

func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecryptRFC8291 opens the example message of RFC 8291, Appendix A.
func TestDecryptRFC8291(t *testing.T) {
	ua, err := ecdh.P256().NewPrivateKey(b64(t, "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ua.PublicKey().Bytes(), b64(t, "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4")) {
		t.Fatal("ua_public differs from the RFC")
	}
	auth := b64(t, "BTBZMqHH6r4Tts7J_aSIgg")
	body := b64(t, "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN")
	got, err := decrypt(body, ua, auth)
	if err != nil || string(got) != "When I grow up, I want to be a watermelon" {
		t.Fatalf("decrypt = %q, %v", got, err)
	}
	tampered := bytes.Clone(body)
	tampered[len(tampered)-1] ^= 1
	wrongAuth := bytes.Clone(auth)
	wrongAuth[0] ^= 1
	for name, c := range map[string]struct {
		body, auth []byte
	}{"tampered": {tampered, auth}, "wrong auth": {body, wrongAuth}, "short": {body[:30], auth}, "header only": {body[:86], auth}} {
		if _, err := decrypt(c.body, ua, c.auth); err == nil {
			t.Errorf("%s: decrypt succeeded", name)
		}
	}
}

// signer makes VAPID JWTs for checkVAPID.
type signer struct {
	key *ecdsa.PrivateKey
	k   string
}

func newSigner(t *testing.T) *signer {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := key.PublicKey.Bytes()
	return &signer{key: key, k: base64.RawURLEncoding.EncodeToString(pub)}
}

func (s *signer) header(t *testing.T, alg string, claims map[string]any) string {
	enc := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	in := enc(map[string]string{"typ": "JWT", "alg": alg}) + "." + enc(claims)
	sum := sha256.Sum256([]byte(in))
	r, ss, err := ecdsa.Sign(rand.Reader, s.key, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	ss.FillBytes(sig[32:])
	return "vapid t=" + in + "." + base64.RawURLEncoding.EncodeToString(sig) + ", k=" + s.k
}

func TestCheckVAPID(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	const aud = "http://127.0.0.1:1234"
	s, other := newSigner(t), newSigner(t)
	claims := func(kv ...any) map[string]any {
		c := map[string]any{"aud": aud, "exp": now.Add(12 * time.Hour).Unix(), "sub": "mailto:ops@example.com"}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(c, kv[i].(string))
			} else {
				c[kv[i].(string)] = kv[i+1]
			}
		}
		return c
	}
	good := s.header(t, "ES256", claims())
	cases := []struct {
		name   string
		header string
		want   []byte
		status int // 0 is accepted
	}{
		{"good", good, nil, 0},
		{"good, expected key", good, b64(t, s.k), 0},
		{"https sub", s.header(t, "ES256", claims("sub", "https://example.com/contact")), nil, 0},
		{"other key expected", good, b64(t, other.k), 403},
		{"no header", "", nil, 401},
		{"bearer", "Bearer abc", nil, 401},
		{"no k", strings.Split(good, ", k=")[0], nil, 401},
		{"k of another key", strings.Split(good, ", k=")[0] + ", k=" + other.k, nil, 401},
		{"wrong aud", s.header(t, "ES256", claims("aud", "https://push.example")), nil, 401},
		{"expired", s.header(t, "ES256", claims("exp", now.Add(-time.Second).Unix())), nil, 401},
		{"exp over 24h", s.header(t, "ES256", claims("exp", now.Add(25*time.Hour).Unix())), nil, 401},
		{"no exp", s.header(t, "ES256", claims("exp", nil)), nil, 401},
		{"no sub", s.header(t, "ES256", claims("sub", nil)), nil, 401},
		{"doubled mailto", s.header(t, "ES256", claims("sub", "mailto:mailto:ops@example.com")), nil, 401},
		{"http sub", s.header(t, "ES256", claims("sub", "http://example.com")), nil, 401},
		{"alg none", s.header(t, "none", claims()), nil, 401},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := checkVAPID(c.header, aud, c.want, now)
			if c.status == 0 {
				if err != nil || v.subject == "" {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			ae, ok := err.(*authError)
			if !ok || ae.status != c.status {
				t.Fatalf("err = %v, want status %d", err, c.status)
			}
		})
	}
}

// mutating sends webpush-go's request after changing it.
type mutating func(*http.Request)

func (m mutating) Do(r *http.Request) (*http.Response, error) {
	m(r)
	return http.DefaultClient.Do(r)
}

func TestServerChecksRequests(t *testing.T) {
	pubK, privK, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	pub, priv := privK, pubK // webpush-go returns the private key first
	f := New(t)
	sub := f.Subscribe()
	send := func(msg []byte, change func(*http.Request)) (int, string) {
		t.Helper()
		opts := &webpush.Options{HTTPClient: mutating(change), Subscriber: "ops@example.com", TTL: 60,
			VAPIDPublicKey: pub, VAPIDPrivateKey: priv, Topic: "chat-1", Urgency: webpush.UrgencyLow}
		resp, err := webpush.SendNotificationWithContext(context.Background(), msg,
			&webpush.Subscription{Endpoint: sub.Endpoint, Keys: webpush.Keys{P256dh: sub.P256dh, Auth: sub.Auth}}, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := send([]byte("hi"), func(*http.Request) {}); code != 201 {
		t.Fatalf("a good message: %d %s", code, body)
	}
	cases := []struct {
		name   string
		change func(*http.Request)
		status int
	}{
		{"no TTL", func(r *http.Request) { r.Header.Del("TTL") }, 400},
		{"negative TTL", func(r *http.Request) { r.Header.Set("TTL", "-1") }, 400},
		{"aesgcm", func(r *http.Request) { r.Header.Set("Content-Encoding", "aesgcm") }, 400},
		{"bad urgency", func(r *http.Request) { r.Header.Set("Urgency", "urgent") }, 400},
		{"long topic", func(r *http.Request) { r.Header.Set("Topic", strings.Repeat("a", 33)) }, 400},
		{"topic alphabet", func(r *http.Request) { r.Header.Set("Topic", "a+b") }, 400},
		{"no authorization", func(r *http.Request) { r.Header.Del("Authorization") }, 401},
		{"garbage body", func(r *http.Request) {
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(make([]byte, 200))), 200
		}, 400},
		{"body over 4096", func(r *http.Request) {
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(make([]byte, 5000))), 5000
		}, 413},
	}
	for _, c := range cases {
		if code, body := send([]byte("hi"), c.change); code != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, code, body, c.status)
		}
	}
	msgs := f.Messages()
	if len(msgs) != 1 || string(msgs[0].Plaintext) != "hi" || msgs[0].TTL != 60 || msgs[0].Topic != "chat-1" || msgs[0].Urgency != "low" {
		t.Errorf("messages: %+v", msgs)
	}
	if f.Requests() != len(cases)+1 || len(f.Rejections()) != len(cases) {
		t.Errorf("requests %d, rejections %d", f.Requests(), len(f.Rejections()))
	}
}
