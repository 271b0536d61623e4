// Package telegramfake is a loopback Telegram Bot API for tests. Every
// call is checked against the Bot API spec (api.json, embedded): unknown
// parameters, missing required ones and values of the wrong JSON type are
// answered 400 and recorded as violations, which fail the test unless it
// called ExpectViolations. Answers are realistic (message ids per chat,
// long-polled getUpdates, webhook delivery with the secret header), and
// tests can program per-chat failures and simulate users.
package telegramfake

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a fake Bot API for one bot token. Several bots (AddBot) share
// one HTTP server, as the real API serves every bot at one base URL.
type Server struct {
	t     testing.TB
	token string
	spec  *spec
	srv   *httptest.Server
	reg   *registry
	bot   User
	now   func() time.Time

	mu          sync.Mutex
	violations  []Violation
	bugs        []string
	expect      bool
	calls       map[string]int
	chats       map[int64]*chatState
	methodFails map[string]*failure
	answers     []CallbackAnswer
	queries     map[string]bool // callback query ids given out
	queue       []Update
	nextUpdate  int64
	nextQuery   int64
	changed     chan struct{} // closed and replaced when updates or the webhook change
	pollKick    chan struct{} // closed and replaced when a newer getUpdates comes
	allowed     []string
	webhook     webhookConfig
	// webhookError is the last failed delivery, as getWebhookInfo tells it.
	webhookError   string
	webhookErrorAt int64
	retryDelay     time.Duration
	ctx            context.Context // ends when the server closes
	cancel         context.CancelFunc
	closeOnce      sync.Once
	wg             sync.WaitGroup
	files          map[string]*storedFile // by file_id
	nextFile       int64
	uploadLimit    int64
}

// registry is the bots one HTTP server answers for.
type registry struct {
	mu      sync.Mutex
	bots    map[string]*Server
	revoked map[string]bool
}

// lookup finds token's bot; nil for an unknown or revoked token.
func (r *registry) lookup(token string) *Server {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.revoked[token] {
		return nil
	}
	return r.bots[token]
}

type webhookConfig struct {
	url, secret string
}

// failure is a programmed answer for the next n calls.
type failure struct {
	status, retryAfter, n int
}

// New starts a fake Bot API for token; it is closed, and the test failed
// on spec violations it did not expect, when the test ends.
func New(t testing.TB, token string) *Server {
	t.Helper()
	sp, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	reg := &registry{bots: map[string]*Server{}, revoked: map[string]bool{}}
	s := newBot(t, token, sp, reg, User{ID: 7000000001, IsBot: true, FirstName: "Switchboard Alerts", Username: "switchboard_alerts_bot"})
	s.srv = httptest.NewServer(http.HandlerFunc(reg.serve))
	s.start()
	return s
}

// AddBot serves another bot, with its own token, user and state, at the
// same base URL; it stops with the first.
func (s *Server) AddBot(token string, bot User) *Server {
	s.t.Helper()
	b := newBot(s.t, token, s.spec, s.reg, bot)
	b.srv = s.srv
	b.start()
	return b
}

// Revoke makes token refused (401 "Unauthorized") on every call and file
// download from now on, as after the owner revoked it in @BotFather.
func (s *Server) Revoke(token string) {
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	s.reg.revoked[token] = true
}

func newBot(t testing.TB, token string, sp *spec, reg *registry, bot User) *Server {
	s := &Server{t: t, token: token, spec: sp, reg: reg, now: time.Now, retryDelay: 50 * time.Millisecond, bot: bot,
		calls: map[string]int{}, chats: map[int64]*chatState{}, methodFails: map[string]*failure{}, queries: map[string]bool{},
		nextUpdate: 500000001, nextQuery: 4400000000001, changed: make(chan struct{}), pollKick: make(chan struct{}),
		files: map[string]*storedFile{}, uploadLimit: maxUpload}
	reg.mu.Lock()
	if reg.bots[token] != nil {
		reg.mu.Unlock()
		t.Fatalf("telegramfake: token %q is served twice", token)
	}
	reg.bots[token] = s
	reg.mu.Unlock()
	return s
}

// start runs the bot's webhook delivery until the test ends.
func (s *Server) start() {
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.wg.Add(1)
	go s.deliverWebhooks()
	s.t.Cleanup(s.close)
}

// SetClock sets the clock of message dates and the 48-hour rule of
// deleteMessage (time.Now by default).
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetUploadLimit sets the largest multipart body accepted (50 MB, as
// Telegram's); a bigger one is answered 413 "Request Entity Too Large".
func (s *Server) SetUploadLimit(n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.uploadLimit = n
}

// URL is the Bot API base URL (requests go to URL()/bot<token>/<method>).
func (s *Server) URL() string { return s.srv.URL }

// Bot is the bot user getMe returns.
func (s *Server) Bot() User { return s.bot }

// ExpectViolations tells the fake that the test makes bad calls on purpose.
func (s *Server) ExpectViolations() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expect = true
}

// Violations lists the spec violations seen so far.
func (s *Server) Violations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Violation(nil), s.violations...)
}

// Calls counts the calls of a Bot API method (by its spec name, such as
// "sendMessage"), whatever they were answered.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// SetWebhookRetryDelay sets how long webhook delivery waits after an
// answer other than 200 (50ms by default).
func (s *Server) SetWebhookRetryDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retryDelay = d
}

// FailMethod answers the next n calls of method with status (429 carries
// retry_after 1), before any per-chat answer.
func (s *Server) FailMethod(method string, status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.methodFails[method] = &failure{status: status, retryAfter: 1, n: n}
}

func (s *Server) close() {
	s.closeOnce.Do(func() {
		s.cancel()
		s.srv.CloseClientConnections()
		s.srv.Close() // the first bot's close stops the shared server; later calls wait for nothing
		s.wg.Wait()
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.bugs {
		s.t.Errorf("telegramfake: %s", b)
	}
	if len(s.violations) > 0 && !s.expect {
		for _, v := range s.violations {
			s.t.Errorf("telegramfake: Bot API spec violation: %s", v)
		}
	}
}

// handler answers one method whose parameters passed the checks.
type handler func(s *Server, r *http.Request, p params) (any, *apiError)

// apiError is an error answer.
type apiError struct {
	status      int
	description string
	retryAfter  int
}

func badRequest(desc string) *apiError {
	return &apiError{status: http.StatusBadRequest, description: "Bad Request: " + desc}
}

// serve routes a call or a file download to its bot by the token.
func (reg *registry) serve(w http.ResponseWriter, r *http.Request) {
	path, download := strings.CutPrefix(r.URL.Path, "/file")
	rest, ok := strings.CutPrefix(path, "/bot")
	token, name, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || token == "" {
		writeError(w, &apiError{status: http.StatusNotFound, description: "Not Found"})
		return
	}
	s := reg.lookup(token)
	if s == nil {
		writeError(w, &apiError{status: http.StatusUnauthorized, description: "Unauthorized"})
		return
	}
	if download {
		s.download(w, r, name)
		return
	}
	s.serve(w, r, name)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, name string) {
	m := s.spec.method(name)
	if m == nil {
		writeError(w, &apiError{status: http.StatusNotFound, description: "Not Found"})
		return
	}
	s.mu.Lock()
	s.calls[m.Name]++
	s.mu.Unlock()
	s.mu.Lock()
	limit := s.uploadLimit
	s.mu.Unlock()
	p, err := readParams(r, m, limit)
	if tooLarge(err) {
		writeError(w, &apiError{status: http.StatusRequestEntityTooLarge, description: "Request Entity Too Large"})
		return
	}
	if err != nil {
		s.violate(Violation{Method: m.Name, Problem: err.Error()})
		writeError(w, badRequest(err.Error()))
		return
	}
	if bad := s.spec.checkParams(m, p); len(bad) > 0 {
		for _, e := range bad {
			s.violate(Violation{Method: m.Name, Param: firstParam(e.path), Problem: e.Error()})
		}
		writeError(w, badRequest("parameter "+`"`+firstParam(bad[0].path)+`" is invalid: `+bad[0].Error()))
		return
	}
	h := handlers[m.Name]
	if h == nil {
		s.violate(Violation{Method: m.Name, Problem: "method is not implemented by telegramfake"})
		writeError(w, &apiError{status: http.StatusNotImplemented, description: "Not Implemented"})
		return
	}
	if e := s.programmed(m.Name, p); e != nil {
		writeError(w, e)
		return
	}
	result, e := h(s, r, p)
	if e != nil {
		writeError(w, e)
		return
	}
	s.checkResult(m, result)
	writeJSON(w, http.StatusOK, envelope{OK: true, Result: result})
}

func firstParam(path string) string {
	p, _, _ := strings.Cut(path, ".")
	p, _, _ = strings.Cut(p, "[")
	return p
}

func (s *Server) violate(v Violation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violations = append(s.violations, v)
}

// checkResult keeps the fake honest: what it answers must match the spec.
func (s *Server) checkResult(m *specMethod, result any) {
	g, err := generic(result)
	if err == nil {
		if e := s.spec.check("result", g, m.Returns); e != nil {
			err = e
		}
	}
	if err != nil {
		s.mu.Lock()
		s.bugs = append(s.bugs, m.Name+" answered off-spec: "+err.Error())
		s.mu.Unlock()
	}
}

func writeError(w http.ResponseWriter, e *apiError) {
	env := envelope{ErrorCode: e.status, Description: e.description}
	if e.retryAfter > 0 {
		env.Parameters = &responseParameters{RetryAfter: e.retryAfter}
	}
	writeJSON(w, e.status, env)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
