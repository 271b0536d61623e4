// Package viberfake is a loopback fake of Viber's REST Bot API, built from
// its documentation (see README.md): it checks the auth token and every
// send_message field, refuses what Viber refuses with Viber's status
// codes, calls a new webhook back before accepting it, serves media
// files, and simulates the callbacks users' actions cause, signed as Viber
// signs them. It only ever calls loopback URLs.
package viberfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Token is the auth token of the account a new fake holds.
const Token = "4a5f1c0de0a1b2c3-fake0viber0token-0d1e2f3a4b5c6d7e"

// Account is a bot account of the fake.
type Account struct {
	ID, Name, URI string
	webhook       string
	eventTypes    []string
	sendName      bool
	sendPhoto     bool
}

// User is a Viber user known to the fake.
type User struct {
	ID, Name, Avatar, Country, Language string
	// Subscribed says the bot may message the user.
	Subscribed bool
}

// Sent is a message send_message accepted.
type Sent struct {
	Token        string // the bot's auth token
	MessageToken int64
	Body         map[string]any
}

// Fake is the running fake. Its methods are safe for concurrent use.
type Fake struct {
	srv *httptest.Server
	// HTTP posts the callbacks (the webhook check and simulated events).
	HTTP *http.Client

	mu        sync.Mutex
	accounts  map[string]*Account
	users     map[string]*User
	sent      []Sent
	nextToken int64
	failures  []failure
	calls     map[string]int
	media     map[string]*media
	now       func() time.Time
}

type failure struct {
	status     int // Viber status (0: use httpStatus)
	httpStatus int
}

// New starts a fake holding one account (Token) and no users; Close
// stops it.
func New() *Fake {
	f := &Fake{
		HTTP:      &http.Client{Timeout: 10 * time.Second},
		accounts:  map[string]*Account{Token: {ID: "pa:5581238478237582331", Name: "Switchboard Fake Bot", URI: "switchboardfake"}},
		users:     map[string]*User{},
		nextToken: 5491623847362514001, // beyond float64's exact integers, as Viber's are
		media:     map[string]*media{},
		calls:     map[string]int{},
		now:       time.Now,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /pa/set_webhook", f.setWebhook)
	mux.HandleFunc("POST /pa/get_account_info", f.accountInfo)
	mux.HandleFunc("POST /pa/send_message", f.sendMessage)
	mux.HandleFunc("POST /pa/get_user_details", f.userDetails)
	mux.HandleFunc("GET /media/{id}", f.serveMedia)
	f.srv = httptest.NewServer(mux)
	return f
}

// Close stops the fake's server.
func (f *Fake) Close() { f.srv.Close() }

// BaseURL is the API root to give the client (like https://chatapi.viber.com/pa).
func (f *Fake) BaseURL() string { return f.srv.URL + "/pa" }

// AddAccount adds a bot account with its own token.
func (f *Fake) AddAccount(token, id, name, uri string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.accounts[token] = &Account{ID: id, Name: name, URI: uri}
}

// RevokeToken forgets a token: calls with it answer invalidAuthToken.
func (f *Fake) RevokeToken(token string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.accounts, token)
}

// SetNow sets the clock the callbacks' timestamps come from (time.Now
// unless set), so that a test can move the users' time with its own.
func (f *Fake) SetNow(now func() time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = now
}

func (f *Fake) clock() time.Time {
	f.mu.Lock()
	now := f.now
	f.mu.Unlock()
	return now()
}

// AddUser adds (or replaces) a user.
func (f *Fake) AddUser(u User) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := u
	f.users[u.ID] = &c
}

// SetSubscribed changes whether the bot may message user id.
func (f *Fake) SetSubscribed(id string, on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u := f.users[id]; u != nil {
		u.Subscribed = on
	}
}

// FailNext makes the next n API calls answer Viber status code status
// (tooManyRequests is 12) with HTTP 200, as Viber does.
func (f *Fake) FailNext(status, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.failures = append(f.failures, failure{status: status})
	}
}

// FailHTTP makes the next n API calls answer HTTP status code (a 5xx).
func (f *Fake) FailHTTP(code, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.failures = append(f.failures, failure{httpStatus: code})
	}
}

// Sent returns the messages send_message accepted, in order.
func (f *Fake) Sent() []Sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Sent(nil), f.sent...)
}

// Calls returns how many requests the API method (like "send_message")
// received, refused ones included.
func (f *Fake) Calls(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

// Webhook returns the webhook registered for token ("" none).
func (f *Fake) Webhook(token string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a := f.accounts[token]; a != nil {
		return a.webhook
	}
	return ""
}

// EventTypes returns the event types registered for token.
func (f *Fake) EventTypes(token string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a := f.accounts[token]; a != nil {
		return append([]string(nil), a.eventTypes...)
	}
	return nil
}

// Sign is Viber's callback signature: hex HMAC-SHA256 of the body keyed
// with the auth token (computed here independently of package viber).
func Sign(token string, body []byte) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// loopback reports whether raw is an http(s) URL of a loopback host: the
// only URLs the fake ever calls.
func loopback(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	h := u.Hostname()
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func (f *Fake) token() int64 {
	f.nextToken++
	return f.nextToken
}
