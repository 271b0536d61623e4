package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// behindProxy makes the server take the client address from X-Forwarded-For.
func behindProxy(_ *authConfig, o *apiOptions) { o.TrustProxy = true }

// loginFrom posts a login as sent through the proxy for client address addr,
// with the device token device when not empty.
func loginFrom(e *env, addr, email, password, device string) resp {
	e.t.Helper()
	body := map[string]string{"email": email, "password": password}
	if device != "" {
		body["device_token"] = device
	}
	return loginWith(e, addr, body)
}

// loginWith posts the login body as sent through the proxy for addr.
func loginWith(e *env, addr string, body map[string]string) resp {
	e.t.Helper()
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest("POST", e.http.URL+"/v1/auth/login", strings.NewReader(string(raw)))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", addr)
	return e.do(req)
}

// wantLimited checks a 429 rate_limited answer with Retry-After retry.
func wantLimited(t *testing.T, r resp, retry string) {
	t.Helper()
	wantStatus(t, r, http.StatusTooManyRequests)
	if got := r.Header.Get("Retry-After"); got != retry {
		t.Fatalf("Retry-After %q, want %q", got, retry)
	}
	if p := r.Problem(t); p.Code != models.CodeRateLimited {
		t.Fatalf("code %q", p.Code)
	}
}

func newOwner(t *testing.T, e *env, email string) {
	t.Helper()
	if _, _, err := e.auth.CreateAdmin(context.Background(), email, "admin-password", "WS "+email); err != nil {
		t.Fatal(err)
	}
}

// TestLoginGuessesFromOneAddressDoNotLockOwnerOut: a stranger's wrong
// passwords use up that address's budget for the email, not the owner's.
func TestLoginGuessesFromOneAddressDoNotLockOwnerOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, behindProxy)
	newOwner(t, e, "a@example.com")
	for i := 1; i <= 10; i++ { // the 10th attempt is still checked
		wantStatus(t, loginFrom(e, "203.0.113.9", "a@example.com", "guess", ""), http.StatusUnauthorized)
	}
	// The 11th is refused before the password is checked, the right one too.
	wantLimited(t, loginFrom(e, "203.0.113.9", "a@example.com", "admin-password", ""), "90")
	// The owner, from another address, is not affected.
	wantStatus(t, loginFrom(e, "198.51.100.7", "a@example.com", "admin-password", ""), http.StatusOK)
	// One attempt comes back to the guesser after 15m/10.
	e.clock.Advance(89 * time.Second)
	wantLimited(t, loginFrom(e, "203.0.113.9", "a@example.com", "guess", ""), "1")
	e.clock.Advance(time.Second)
	wantStatus(t, loginFrom(e, "203.0.113.9", "a@example.com", "guess", ""), http.StatusUnauthorized)
	wantLimited(t, loginFrom(e, "203.0.113.9", "a@example.com", "guess", ""), "90")
}

// TestLoginBudgetPerAddressAcrossEmails: one address may try 100 logins per
// 15 minutes whatever the emails; other addresses keep theirs.
func TestLoginBudgetPerAddressAcrossEmails(t *testing.T) {
	t.Parallel()
	e := newEnv(t, behindProxy)
	newOwner(t, e, "a@example.com")
	for i := 1; i <= 100; i++ {
		email := "user" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + "@" + string(rune('a'+i/26)) + ".example.com"
		wantStatus(t, loginFrom(e, "203.0.113.9", email, "guess", ""), http.StatusUnauthorized)
	}
	wantLimited(t, loginFrom(e, "203.0.113.9", "fresh@example.com", "guess", ""), "9")
	wantStatus(t, loginFrom(e, "203.0.113.10", "a@example.com", "admin-password", ""), http.StatusOK)
}

// TestLoginDistributedGuessesSpareTrustedDevices: guessers on many addresses
// share one budget per email (50 per 15 minutes); when they use it up, a
// device the owner logged in on before still logs in, on its own budget.
func TestLoginDistributedGuessesSpareTrustedDevices(t *testing.T) {
	t.Parallel()
	e := newEnv(t, behindProxy)
	newOwner(t, e, "a@example.com")
	newOwner(t, e, "b@example.com")
	r := loginFrom(e, "198.51.100.7", "a@example.com", "admin-password", "")
	wantStatus(t, r, http.StatusOK)
	var first struct {
		DeviceToken string `json:"device_token"`
	}
	r.JSON(t, &first)
	if !strings.HasPrefix(first.DeviceToken, "sbd_") {
		t.Fatalf("login answered device token %q", first.DeviceToken)
	}
	e.clock.Advance(15 * time.Minute) // every budget full again

	bots := []string{"203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5"}
	for _, addr := range bots {
		for i := 0; i < 10; i++ {
			wantStatus(t, loginFrom(e, addr, "a@example.com", "guess", ""), http.StatusUnauthorized)
		}
	}
	// The 51st attempt at the email from a client it does not trust is refused.
	wantLimited(t, loginFrom(e, "203.0.113.6", "a@example.com", "guess", ""), "18")
	wantLimited(t, loginFrom(e, "192.0.2.44", "a@example.com", "admin-password", ""), "18")
	// A forged device token, or one of another email, earns no trust.
	forged := first.DeviceToken[:len(first.DeviceToken)-2] + "xx"
	wantLimited(t, loginFrom(e, "203.0.113.6", "a@example.com", "guess", forged), "18")
	wantStatus(t, loginFrom(e, "203.0.113.6", "b@example.com", "admin-password", first.DeviceToken), http.StatusOK)
	// The owner's device logs in, from any address, one that guessed included.
	r = loginFrom(e, "203.0.113.1", "a@example.com", "admin-password", first.DeviceToken)
	wantStatus(t, r, http.StatusOK)
	// Its own budget: ten attempts per 15 minutes, the first login included.
	for i := 2; i <= 10; i++ {
		wantStatus(t, loginFrom(e, "198.51.100.7", "a@example.com", "typo", first.DeviceToken), http.StatusUnauthorized)
	}
	wantLimited(t, loginFrom(e, "198.51.100.7", "a@example.com", "admin-password", first.DeviceToken), "90")
}

// TestLoginIgnoresForwardedForUnlessTrusted: without a trusted proxy the
// client address is the connection's, so a forged X-Forwarded-For does not
// buy a fresh budget.
func TestLoginIgnoresForwardedForUnlessTrusted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	newOwner(t, e, "a@example.com")
	for i := 1; i <= 10; i++ {
		wantStatus(t, loginFrom(e, "203.0.113."+string(rune('0'+i%10)), "a@example.com", "guess", ""), http.StatusUnauthorized)
	}
	wantLimited(t, loginFrom(e, "198.51.100.7", "a@example.com", "admin-password", ""), "90")
}

// TestDeviceTokenVouchesForItsAccountOnly: the admin of one workspace may
// give an email an account there and log in to it, but the device token
// that earns trusts that account only, not the same email's account in
// another workspace.
func TestDeviceTokenVouchesForItsAccountOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, behindProxy)
	a := e.admin("a@example.com")
	b := e.admin("b@example.com")
	for _, c := range []struct {
		tk tokens
		pw string
	}{{b, "victim-password"}, {a, "mallory-password"}} {
		r := e.call("POST", "/v1/members", c.tk.AccessToken, map[string]string{"email": "x@example.com", "name": "X", "role": "employee", "password": c.pw})
		wantStatus(t, r, http.StatusCreated)
	}
	device := func(r resp) string {
		t.Helper()
		wantStatus(t, r, http.StatusOK)
		var tk struct {
			DeviceToken string `json:"device_token"`
		}
		r.JSON(t, &tk)
		return tk.DeviceToken
	}
	mallory := device(loginFrom(e, "203.0.113.66", "x@example.com", "mallory-password", ""))
	victim := device(loginFrom(e, "198.51.100.7", "x@example.com", "victim-password", ""))
	e.clock.Advance(15 * time.Minute)
	for i := 1; i <= 50; i++ { // guessers on five addresses use up the email's budget
		wantStatus(t, loginFrom(e, "203.0.113."+strconv.Itoa(i%5+1), "x@example.com", "guess", ""), http.StatusUnauthorized)
	}
	// Mallory's token does not buy guesses at the account in B ...
	wantLimited(t, loginWith(e, "203.0.113.66", map[string]string{"email": "x@example.com", "password": "victim-password",
		"workspace": b.Workspace.ID, "device_token": mallory}), "18")
	// ... and without a workspace it tries A's account only.
	wantStatus(t, loginFrom(e, "203.0.113.66", "x@example.com", "victim-password", mallory), http.StatusUnauthorized)
	// The victim's own device still logs in to B.
	r := loginFrom(e, "198.51.100.7", "x@example.com", "victim-password", victim)
	wantStatus(t, r, http.StatusOK)
	var got tokens
	r.JSON(t, &got)
	if got.Workspace.ID != b.Workspace.ID {
		t.Fatalf("opened workspace %s, want B", got.Workspace.ID)
	}
}
