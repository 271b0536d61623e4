package api_test

import (
	"net/http"
	"testing"
	"time"
)

// TestDeviceTokensDoNotMultiplyAnAddressBudget: device tokens are minted by
// every successful login and are never stored, so one address holding many
// of them for its own account must still get no more than its address
// budget of password checks (100 per 15 minutes) from them all together;
// else each token adds ten more argon2id computations per window.
func TestDeviceTokensDoNotMultiplyAnAddressBudget(t *testing.T) {
	t.Parallel()
	e := newEnv(t, behindProxy)
	newOwner(t, e, "a@example.com")
	const addr = "203.0.113.9"
	var tokens []string
	for len(tokens) < 11 {
		if len(tokens) == 10 {
			e.clock.Advance(15 * time.Minute) // the address and email budgets refill
		}
		r := loginFrom(e, addr, "a@example.com", "admin-password", "")
		wantStatus(t, r, http.StatusOK)
		var tk struct {
			DeviceToken string `json:"device_token"`
		}
		r.JSON(t, &tk)
		tokens = append(tokens, tk.DeviceToken)
	}
	e.clock.Advance(15 * time.Minute)
	checked := 0
	for _, tok := range tokens {
		for i := 0; i < 10; i++ {
			r := loginFrom(e, addr, "a@example.com", "guess", tok)
			if r.StatusCode == http.StatusTooManyRequests {
				continue
			}
			wantStatus(t, r, http.StatusUnauthorized)
			checked++
		}
	}
	if checked != 100 {
		t.Fatalf("one address had %d passwords checked with its device tokens in one window, want 100", checked)
	}
	// The budget is the address's: the token refused there (its own budget
	// untouched) logs in from another address.
	wantStatus(t, loginFrom(e, "198.51.100.7", "a@example.com", "admin-password", tokens[10]), http.StatusOK)
}
