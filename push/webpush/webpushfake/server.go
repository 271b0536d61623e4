// Package webpushfake is a loopback Web Push service for tests: it plays
// the push service (Mozilla autopush, FCM's web push endpoint) that a
// browser's subscription points at. It checks each message's VAPID
// Authorization and headers, decrypts its aes128gcm body with the
// subscription's keys as the browser would, and records it; replies can
// be programmed per subscription.
package webpushfake

import (
	"crypto/ecdh"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push/internal/fakeanswer"
)

// MaxBody is the largest message body the fake accepts (413 above it), as
// push services limit it.
const MaxBody = 4096

// Server is a running fake push service, closed when its test ends.
type Server struct {
	t      testing.TB
	srv    *httptest.Server
	origin string // of the endpoints, the aud of valid VAPID JWTs
	now    func() time.Time

	mu       sync.Mutex
	subs     map[string]*Subscription
	replies  fakeanswer.Book[Reply] // by subscription id
	msgs     []Message
	rejected []string
	requests int
	key      []byte
	seq      int
}

// Subscription is what a browser's PushSubscription.toJSON() gives: the
// endpoint on the fake and the keys in unpadded base64url. The fake keeps
// the private key and secret to decrypt messages.
type Subscription struct {
	ID       string
	Endpoint string
	P256dh   string
	Auth     string
	priv     *ecdh.PrivateKey
	secret   []byte
}

// Device is the subscription as a registered web push device.
func (s *Subscription) Device() *models.Device {
	return &models.Device{ID: "dev-" + s.ID, Kind: models.DeviceWebPush, Endpoint: s.Endpoint, P256dh: s.P256dh, Auth: s.Auth}
}

// Message is one message the fake accepted.
type Message struct {
	SubscriptionID string
	// Plaintext is the decrypted payload without its padding.
	Plaintext []byte
	TTL       int
	Urgency   string
	Topic     string
	// VAPIDKey is the k of the Authorization header, in base64url;
	// Subject the JWT's sub claim.
	VAPIDKey string
	Subject  string
	// Location is the message URL the fake answered with.
	Location string
}

// Reply is a programmed answer for a subscription's messages, given
// after the request was checked and decrypted (nothing is recorded).
type Reply struct {
	Status int
	// RetryAfter is sent as the Retry-After header when not empty.
	RetryAfter string
	// Times is how many requests get this answer; 0 is all of them until
	// the next Reply.
	Times int
}

// New starts a fake push service on a loopback port, over plain http.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, now: time.Now, subs: map[string]*Subscription{}}
	s.srv = httptest.NewServer(s.mux())
	s.origin = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// NewTLS starts a fake push service on a loopback port over https, whose
// endpoints name host (a name the test makes resolve to loopback; the
// certificate, Certificate, holds example.com, 127.0.0.1 and ::1).
func NewTLS(t testing.TB, host string) *Server {
	t.Helper()
	s := &Server{t: t, now: time.Now, subs: map[string]*Subscription{}}
	s.srv = httptest.NewTLSServer(s.mux())
	t.Cleanup(s.srv.Close)
	u, err := url.Parse(s.srv.URL)
	if err != nil {
		t.Fatalf("webpushfake: %v", err)
	}
	s.origin = "https://" + net.JoinHostPort(host, u.Port())
	return s
}

func (s *Server) mux() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /push/{id}", s.receive)
	return mux
}

// URL is the service's origin, the aud of valid VAPID JWTs.
func (s *Server) URL() string { return s.origin }

// Certificate is the https service's certificate (nil over http).
func (s *Server) Certificate() *x509.Certificate { return s.srv.Certificate() }

// ExpectKey makes the fake refuse (403) a VAPID key other than publicKey
// (base64url), as a push service does for subscriptions made with an
// applicationServerKey.
func (s *Server) ExpectKey(publicKey string) {
	s.t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(publicKey)
	if err != nil {
		s.t.Fatalf("webpushfake: ExpectKey: %v", err)
	}
	s.mu.Lock()
	s.key = b
	s.mu.Unlock()
}

// Subscribe makes a subscription as a browser does: a new P-256 key pair
// and a 16-byte authentication secret.
func (s *Server) Subscribe() *Subscription {
	s.t.Helper()
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		s.t.Fatalf("webpushfake: %v", err)
	}
	id := make([]byte, 8)
	secret := make([]byte, 16)
	rand.Read(id)
	rand.Read(secret)
	sub := &Subscription{ID: hex.EncodeToString(id), P256dh: base64.RawURLEncoding.EncodeToString(priv.PublicKey().Bytes()),
		Auth: base64.RawURLEncoding.EncodeToString(secret), priv: priv, secret: secret}
	sub.Endpoint = s.origin + "/push/" + sub.ID
	s.mu.Lock()
	s.subs[sub.ID] = sub
	s.mu.Unlock()
	return sub
}

// Reply programs the answer to sub's next messages; a zero Reply clears it.
func (s *Server) Reply(sub *Subscription, r Reply) {
	if r.Status == 0 {
		s.replies.Clear(sub.ID)
		return
	}
	s.replies.Set(sub.ID, r, r.Times)
}

// Messages are the messages accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Requests counts the POSTs to subscription endpoints, answered or not.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Rejections are the reasons of the 4xx answers the fake gave on its own
// (not programmed ones), oldest first.
func (s *Server) Rejections() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.rejected...)
}

// receive handles a message POSTed to a subscription's endpoint.
func (s *Server) receive(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	sub, key := s.subs[r.PathValue("id")], s.key
	s.mu.Unlock()
	if sub == nil {
		s.reject(w, http.StatusNotFound, "no such subscription")
		return
	}
	auth, err := checkVAPID(r.Header.Get("Authorization"), s.origin, key, s.now())
	if err != nil {
		var ae *authError
		errors.As(err, &ae)
		s.reject(w, ae.status, ae.msg)
		return
	}
	msg, status, err := s.read(r, sub)
	if err != nil {
		s.reject(w, status, err.Error())
		return
	}
	msg.VAPIDKey, msg.Subject = base64.RawURLEncoding.EncodeToString(auth.key), auth.subject
	if rp := s.programmed(sub.ID); rp != nil {
		if rp.RetryAfter != "" {
			w.Header().Set("Retry-After", rp.RetryAfter)
		}
		answer(w, rp.Status, "programmed answer")
		return
	}
	s.mu.Lock()
	s.seq++
	msg.Location = fmt.Sprintf("%s/m/%d", s.origin, s.seq)
	s.msgs = append(s.msgs, *msg)
	s.mu.Unlock()
	w.Header().Set("Location", msg.Location)
	w.WriteHeader(http.StatusCreated)
}

// read checks the headers and decrypts the body of a message to sub.
func (s *Server) read(r *http.Request, sub *Subscription) (*Message, int, error) {
	m := &Message{SubscriptionID: sub.ID, Urgency: r.Header.Get("Urgency"), Topic: r.Header.Get("Topic")}
	ttl, err := strconv.Atoi(r.Header.Get("TTL"))
	if err != nil || ttl < 0 {
		return nil, http.StatusBadRequest, errors.New("TTL header missing or not a non-negative integer")
	}
	m.TTL = ttl
	if ce := r.Header.Get("Content-Encoding"); ce != "aes128gcm" {
		return nil, http.StatusBadRequest, fmt.Errorf("Content-Encoding %q is not aes128gcm", ce)
	}
	switch m.Urgency {
	case "", "very-low", "low", "normal", "high":
	default:
		return nil, http.StatusBadRequest, fmt.Errorf("Urgency %q is not very-low, low, normal or high", m.Urgency)
	}
	if _, ok := r.Header["Topic"]; ok && !validTopic(m.Topic) {
		return nil, http.StatusBadRequest, errors.New("Topic is not 1 to 32 characters of the URL-safe base64 alphabet")
	}
	body := make([]byte, MaxBody+1)
	n, _ := readFull(r, body)
	if n > MaxBody {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body is over %d bytes", MaxBody)
	}
	plain, err := decrypt(body[:n], sub.priv, sub.secret)
	if err != nil {
		return nil, http.StatusBadRequest, err
	}
	m.Plaintext = plain
	return m, 0, nil
}

// programmed takes one use of id's programmed reply, nil when there is none.
func (s *Server) programmed(id string) *Reply {
	if r, ok := s.replies.Take(id); ok {
		return &r
	}
	return nil
}

// reject answers status with reason and keeps reason.
func (s *Server) reject(w http.ResponseWriter, status int, reason string) {
	s.mu.Lock()
	s.rejected = append(s.rejected, fmt.Sprintf("%d %s", status, reason))
	s.mu.Unlock()
	answer(w, status, reason)
}
