package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// cookieCall posts body to path with the session cookie value (none when
// ""), and extra headers as name, value pairs.
func (e *env) cookieCall(path, cookie string, body any, headers ...string) resp {
	e.t.Helper()
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest("POST", e.http.URL+path, bytes.NewReader(raw))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "switchboard_session", Value: cookie})
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.do(req)
}

// sessionCookieOf is the switchboard_session cookie an answer sets (nil none).
func sessionCookieOf(r resp) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == "switchboard_session" {
			return c
		}
	}
	return nil
}

// wantSessionCookie wants an answer to set the session cookie as the
// console relies on: HttpOnly, SameSite=Strict, only for /v1/auth, and no
// refresh token in the body.
func wantSessionCookie(t *testing.T, r resp, secure bool) *http.Cookie {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	c := sessionCookieOf(r)
	if c == nil || !strings.HasPrefix(c.Value, "sbr_") {
		t.Fatalf("no session cookie set: %q", r.Header.Values("Set-Cookie"))
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/v1/auth" || c.Secure != secure {
		t.Fatalf("session cookie %q: want HttpOnly, SameSite=Strict, Path=/v1/auth, Secure=%v", r.Header.Get("Set-Cookie"), secure)
	}
	if d := time.Until(c.Expires); d < 24*time.Hour {
		t.Fatalf("session cookie expires in %v, want the session's lifetime", d)
	}
	if bytes.Contains(r.Body, []byte(c.Value)) || bytes.Contains(r.Body, []byte(`"refresh_token"`)) {
		t.Fatalf("a cookie session's answer shows the refresh token: %s", r.Body)
	}
	return c
}

// A cookie session keeps the refresh token where no script can read it:
// login sets it as an HttpOnly cookie, refresh with an empty body uses and
// replaces it, logout ends the session and clears it.
func TestCookieSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.admin("cookie@example.com")

	r := e.cookieCall("/v1/auth/login", "", map[string]string{"email": "cookie@example.com", "password": "admin-password", "session": "cookie"})
	first := wantSessionCookie(t, r, false)
	var tk tokens
	r.JSON(t, &tk)
	wantStatus(t, e.call("GET", "/v1/me", tk.AccessToken, nil), http.StatusOK)

	r = e.cookieCall("/v1/auth/refresh", first.Value, map[string]string{})
	second := wantSessionCookie(t, r, false)
	if second.Value == first.Value {
		t.Fatal("refresh did not replace the cookie's refresh token")
	}
	r.JSON(t, &tk)
	wantStatus(t, e.call("GET", "/v1/me", tk.AccessToken, nil), http.StatusOK)

	// Behind a proxy that terminates TLS the cookie is Secure.
	r = e.cookieCall("/v1/auth/refresh", second.Value, map[string]string{}, "X-Forwarded-Proto", "https")
	third := wantSessionCookie(t, r, true)

	// A body's refresh_token wins over the cookie and answers as a token
	// session (no cookie set).
	other := e.login("cookie@example.com", "admin-password")
	r = e.cookieCall("/v1/auth/refresh", third.Value, map[string]string{"refresh_token": other.RefreshToken})
	wantStatus(t, r, http.StatusOK)
	if sessionCookieOf(r) != nil || !bytes.Contains(r.Body, []byte(`"refresh_token":"sbr_`)) {
		t.Fatalf("a refresh by body token answered %q / %s", r.Header.Values("Set-Cookie"), r.Body)
	}

	// Logout by cookie ends that session and clears the cookie.
	r = e.cookieCall("/v1/auth/logout", third.Value, map[string]string{})
	wantStatus(t, r, http.StatusNoContent)
	if c := sessionCookieOf(r); c == nil || c.MaxAge >= 0 || c.Value != "" {
		t.Fatalf("logout did not clear the cookie: %q", r.Header.Values("Set-Cookie"))
	}
	wantStatus(t, e.call("GET", "/v1/me", tk.AccessToken, nil), http.StatusUnauthorized)
	// A refused cookie is cleared too.
	r = e.cookieCall("/v1/auth/refresh", third.Value, map[string]string{})
	wantStatus(t, r, http.StatusUnauthorized)
	if c := sessionCookieOf(r); c == nil || c.MaxAge >= 0 {
		t.Fatalf("a refused cookie is not cleared: %q", r.Header.Values("Set-Cookie"))
	}
}

// Bad input: neither a body token nor a cookie, or an unknown session kind,
// is a 400 naming the field; nothing is set.
func TestCookieSessionBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.admin("cookie-bad@example.com")
	for _, path := range []string{"/v1/auth/refresh", "/v1/auth/logout"} {
		r := e.cookieCall(path, "", map[string]string{})
		wantField(t, r, "refresh_token", "session cookie")
		if sessionCookieOf(r) != nil {
			t.Fatalf("%s without a token sets a cookie", path)
		}
	}
	r := e.cookieCall("/v1/auth/login", "", map[string]string{"email": "cookie-bad@example.com", "password": "admin-password", "session": "jar"})
	wantField(t, r, "session", "")
	if sessionCookieOf(r) != nil {
		t.Fatal("a refused login sets a cookie")
	}
	// A wrong password sets no cookie either.
	r = e.cookieCall("/v1/auth/login", "", map[string]string{"email": "cookie-bad@example.com", "password": "wrong-password", "session": "cookie"})
	wantStatus(t, r, http.StatusUnauthorized)
	if sessionCookieOf(r) != nil {
		t.Fatal("a failed login sets a cookie")
	}
}

// Accepting an invite can open a cookie session too.
func TestCookieSessionAcceptInvite(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	adm := e.admin("cookie-inv@example.com")
	r := e.call("POST", "/v1/members", adm.AccessToken, map[string]string{"email": "invited@example.com", "name": "Invited", "role": "employee"})
	wantStatus(t, r, http.StatusCreated)
	var created struct {
		InviteToken string `json:"invite_token"`
	}
	r.JSON(t, &created)
	r = e.cookieCall("/v1/auth/accept-invite", "", map[string]string{"token": created.InviteToken, "password": "chosen-password", "session": "cookie"})
	c := wantSessionCookie(t, r, false)
	wantSessionCookie(t, e.cookieCall("/v1/auth/refresh", c.Value, map[string]string{}), false)
}
