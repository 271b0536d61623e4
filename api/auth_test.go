package api_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/switchboardhq/switchboard/models"
)

func TestLoginMeRefreshLogout(t *testing.T) {
	e := newEnv(t)
	tk := e.admin("Boss@Example.com")
	if tk.Member.Email != "boss@example.com" || tk.Member.Role != models.RoleAdmin || tk.ExpiresIn != 900 {
		t.Fatalf("login answer: %+v", tk)
	}
	r := e.call("GET", "/v1/me", tk.AccessToken, nil)
	wantStatus(t, r, http.StatusOK)
	var me struct {
		Kind      string           `json:"kind"`
		Member    models.Member    `json:"member"`
		Workspace models.Workspace `json:"workspace"`
	}
	r.JSON(t, &me)
	if me.Kind != "member" || me.Member.ID != tk.Member.ID || me.Workspace.ID != tk.Workspace.ID {
		t.Fatalf("me: %+v", me)
	}
	if strings.Contains(string(r.Body), "password_hash") || strings.Contains(string(r.Body), "$argon2id$") {
		t.Fatal("/v1/me leaks the password hash")
	}

	r = e.call("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": tk.RefreshToken})
	wantStatus(t, r, http.StatusOK)
	var next tokens
	r.JSON(t, &next)
	if next.RefreshToken == tk.RefreshToken || next.AccessToken == "" {
		t.Fatal("refresh did not rotate the refresh token")
	}
	wantStatus(t, e.call("GET", "/v1/me", next.AccessToken, nil), http.StatusOK)

	wantStatus(t, e.call("POST", "/v1/auth/logout", "", map[string]string{"refresh_token": next.RefreshToken}), http.StatusNoContent)
	wantStatus(t, e.call("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": next.RefreshToken}), http.StatusUnauthorized)
	// Logout ends the session's access tokens at once, not at their expiry.
	wantStatus(t, e.call("GET", "/v1/me", next.AccessToken, nil), http.StatusUnauthorized)
	// Logging out twice is harmless.
	wantStatus(t, e.call("POST", "/v1/auth/logout", "", map[string]string{"refresh_token": next.RefreshToken}), http.StatusNoContent)
}

func TestRefreshTokenReuseRevokesFamily(t *testing.T) {
	e := newEnv(t)
	first := e.admin("a@example.com")
	other := e.login("a@example.com", "admin-password") // a second device: another family

	r := e.call("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": first.RefreshToken})
	wantStatus(t, r, http.StatusOK)
	var second tokens
	r.JSON(t, &second)

	// The rotated token is presented again after the retry grace: theft is assumed.
	// (The store stamps the first use on the real clock, which has moved on
	// since the service's test clock started: leave a minute of margin.)
	e.clock.Advance(RefreshRetryGrace + time.Minute)
	r = e.call("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": first.RefreshToken})
	wantStatus(t, r, http.StatusUnauthorized)
	if p := r.Problem(t); p.Code != models.CodeUnauthorized {
		t.Fatalf("code %q", p.Code)
	}
	// The whole family is revoked: the newest token fails too.
	wantStatus(t, e.call("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": second.RefreshToken}), http.StatusUnauthorized)
	// The other device's session is untouched.
	wantStatus(t, e.call("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": other.RefreshToken}), http.StatusOK)
}

func TestRefreshTokenExpires(t *testing.T) {
	e := newEnv(t)
	tk := e.admin("a@example.com")
	e.clock.Advance(30*24*time.Hour + time.Second)
	wantStatus(t, e.call("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": tk.RefreshToken}), http.StatusUnauthorized)
}

func TestBadCredentialsAnswerAlike(t *testing.T) {
	e := newEnv(t)
	e.admin("a@example.com")
	wrong := e.call("POST", "/v1/auth/login", "", map[string]string{"email": "a@example.com", "password": "not-it"})
	unknown := e.call("POST", "/v1/auth/login", "", map[string]string{"email": "nobody@example.com", "password": "not-it"})
	wantStatus(t, wrong, http.StatusUnauthorized)
	wantStatus(t, unknown, http.StatusUnauthorized)
	pw, pu := wrong.Problem(t), unknown.Problem(t)
	pw.RequestID, pu.RequestID = "", ""
	if pw.Detail != pu.Detail || pw.Code != pu.Code || pw.Title != pu.Title {
		t.Fatalf("wrong password and unknown email differ: %+v vs %+v", pw, pu)
	}
}

func TestAccessTokensRefused(t *testing.T) {
	e := newEnv(t)
	tk := e.admin("a@example.com")
	claims := jwt.MapClaims{"iss": "switchboard", "sub": tk.Member.ID, "ws": tk.Workspace.ID, "sid": "s",
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
	forged, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("another-key-0123456789abcdef0123456789"))
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	hs512, _ := jwt.NewWithClaims(jwt.SigningMethodHS512, claims).SignedString([]byte(testKey))
	noExp := jwt.MapClaims{"iss": "switchboard", "sub": tk.Member.ID, "ws": tk.Workspace.ID, "sid": "s"}
	unexpiring, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, noExp).SignedString([]byte(testKey))
	parts := strings.Split(tk.AccessToken, ".")
	tampered := parts[0] + "." + strings.TrimRight(parts[1], "=") + "x." + parts[2]

	for name, token := range map[string]string{
		"forged": forged, "none algorithm": none, "other algorithm": hs512, "no expiry": unexpiring,
		"tampered": tampered, "garbage": "not-a-token", "bad api key": "sbk_nope.nope",
	} {
		t.Run(name, func(t *testing.T) {
			r := e.call("GET", "/v1/me", token, nil)
			wantStatus(t, r, http.StatusUnauthorized)
			if r.Header.Get("WWW-Authenticate") == "" {
				t.Error("no WWW-Authenticate header")
			}
		})
	}
	t.Run("missing", func(t *testing.T) { wantStatus(t, e.call("GET", "/v1/me", "", nil), http.StatusUnauthorized) })
	t.Run("expired", func(t *testing.T) {
		wantStatus(t, e.call("GET", "/v1/me", tk.AccessToken, nil), http.StatusOK)
		e.clock.Advance(15*time.Minute + time.Second)
		wantStatus(t, e.call("GET", "/v1/me", tk.AccessToken, nil), http.StatusUnauthorized)
	})
}

func TestLoginRateLimited(t *testing.T) {
	e := newEnv(t)
	e.admin("a@example.com")
	bad := map[string]string{"email": "a@example.com", "password": "wrong-password"}
	for i := 0; i < 9; i++ { // the admin() login used one of ten attempts
		wantStatus(t, e.call("POST", "/v1/auth/login", "", bad), http.StatusUnauthorized)
	}
	r := e.call("POST", "/v1/auth/login", "", map[string]string{"email": "a@example.com", "password": "admin-password"})
	wantStatus(t, r, http.StatusTooManyRequests)
	if r.Header.Get("Retry-After") != "90" {
		t.Fatalf("Retry-After %q, want 90 (one attempt per 15m/10)", r.Header.Get("Retry-After"))
	}
	if p := r.Problem(t); p.Code != models.CodeRateLimited {
		t.Fatalf("code %q", p.Code)
	}
	// Another email from the same address is still allowed.
	wantStatus(t, e.call("POST", "/v1/auth/login", "", map[string]string{"email": "b@example.com", "password": "x"}), http.StatusUnauthorized)
	// One attempt refills after window/attempts.
	e.clock.Advance(90 * time.Second)
	e.login("a@example.com", "admin-password")
	wantStatus(t, e.call("POST", "/v1/auth/login", "", bad), http.StatusTooManyRequests)
}

func TestPasswordChange(t *testing.T) {
	e := newEnv(t)
	admin := e.admin("a@example.com")
	wantStatus(t, e.call("POST", "/v1/members", admin.AccessToken, map[string]string{"email": "e@example.com", "name": "E", "role": "employee", "password": "member-password"}), http.StatusCreated)
	emp := e.login("e@example.com", "member-password")
	other := e.login("e@example.com", "member-password") // a second device
	if !emp.Member.PasswordChangeRequired {
		t.Fatal("a member given a password by an admin must be asked to change it")
	}
	// Until then, only /v1/me and the password change are open.
	wantStatus(t, e.call("GET", "/v1/me", emp.AccessToken, nil), http.StatusOK)
	r := e.call("GET", "/v1/members", emp.AccessToken, nil)
	wantStatus(t, r, http.StatusForbidden)
	if p := r.Problem(t); p.Code != models.CodePasswordChange {
		t.Fatalf("code %q", p.Code)
	}
	r = e.call("POST", "/v1/me/password", emp.AccessToken, map[string]string{"current_password": "wrong", "new_password": "a-new-password"})
	wantStatus(t, r, http.StatusBadRequest)
	if p := r.Problem(t); len(p.Errors) != 1 || p.Errors[0].Field != "current_password" {
		t.Fatalf("problem %+v", p)
	}
	r = e.call("POST", "/v1/me/password", emp.AccessToken, map[string]string{"current_password": "member-password", "new_password": "short"})
	wantStatus(t, r, http.StatusBadRequest)
	if p := r.Problem(t); len(p.Errors) != 1 || p.Errors[0].Field != "new_password" {
		t.Fatalf("problem %+v", p)
	}
	wantStatus(t, e.call("POST", "/v1/me/password", emp.AccessToken, map[string]string{"current_password": "member-password", "new_password": "a-new-password"}), http.StatusNoContent)
	again := e.login("e@example.com", "a-new-password")
	if again.Member.PasswordChangeRequired {
		t.Fatal("flag not cleared")
	}
	// The session that changed the password goes on; the other device is logged out.
	wantStatus(t, e.call("GET", "/v1/members", emp.AccessToken, nil), http.StatusOK)
	wantStatus(t, e.call("GET", "/v1/me", other.AccessToken, nil), http.StatusUnauthorized)
	wantStatus(t, e.call("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": other.RefreshToken}), http.StatusUnauthorized)
	wantStatus(t, e.call("POST", "/v1/auth/login", "", map[string]string{"email": "e@example.com", "password": "member-password"}), http.StatusUnauthorized)
}

// TestRefreshRetryWithinGrace: a phone that lost the answer to its refresh
// retries with the same token and stays logged in, even when its retries race.
func TestRefreshRetryWithinGrace(t *testing.T) {
	e := newEnv(t)
	tk := e.admin("a@example.com")
	const n = 8
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.http.Client().Post(e.http.URL+"/v1/auth/refresh", "application/json",
				strings.NewReader(`{"refresh_token":"`+tk.RefreshToken+`"}`))
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			codes <- res.StatusCode
		}()
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != http.StatusOK {
			t.Fatalf("a retry within the grace got %d", c)
		}
	}
	wantStatus(t, e.call("GET", "/v1/me", tk.AccessToken, nil), http.StatusOK)
	// After the grace the same token is theft: the session ends.
	e.clock.Advance(RefreshRetryGrace + time.Minute) // margin: the store stamps on the real clock
	wantStatus(t, e.call("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": tk.RefreshToken}), http.StatusUnauthorized)
	wantStatus(t, e.call("GET", "/v1/me", tk.AccessToken, nil), http.StatusUnauthorized)
}
