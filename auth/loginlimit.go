package auth

import (
	"math"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// loginLimits are the login attempt budgets. They live in the process: each
// API instance counts on its own, and a restart forgets the counts.
//
// A client that never logged in as the email (untrusted) spends, on every
// attempt, from three budgets: its address's attempts at that email (the
// strict one, LoginAttempts per window), its address's attempts at any email
// (ten times as many) and every untrusted client's attempts at that email
// (five times as many). One address therefore cannot empty an email's
// budget, and a guesser spread over many addresses still gets only 5 x
// LoginAttempts guesses per window at one account.
//
// A client presenting a device token issued to it at an earlier successful
// login as that email spends from its token's budget (LoginAttempts per
// window) and from its address's budget for trusted logins (ten times as
// many, apart from the untrusted one): guesses from elsewhere, however many
// addresses they come from, never lock the owner out of devices they
// already logged in on, and an address holding many tokens (every
// successful login mints one) still gets no more password checks than
// its budget.
type loginLimits struct {
	pair        *limiter // per email and client address
	addr        *limiter // per client address, any email
	email       *limiter // per email, untrusted clients together
	device      *limiter // per device token
	trustedAddr *limiter // per client address, trusted logins at any email
	now         func() time.Time
}

func newLoginLimits(attempts int, window time.Duration, now func() time.Time) *loginLimits {
	return &loginLimits{
		pair:   newLimiter(attempts, window, now),
		addr:   newLimiter(attempts*10, window, now),
		email:  newLimiter(attempts*5, window, now),
		device: newLimiter(attempts, window, now),
		// trustedAddr bounds the password checks one address gets from
		// device tokens together.
		trustedAddr: newLimiter(attempts*10, window, now),
		now:         now,
	}
}

// allow spends one login attempt at email from clientAddr, or from the
// device deviceID and clientAddr's trusted budget when the client is
// trusted for email (deviceID != "").
// Over a budget it returns a rate_limited error with the wait in seconds.
func (ll *loginLimits) allow(email, clientAddr, deviceID string) error {
	var ok bool
	var wait time.Duration
	if deviceID != "" {
		ok, wait = take(ll.now(), budget{ll.device, deviceID}, budget{ll.trustedAddr, addrKey(clientAddr)})
	} else {
		addr := addrKey(clientAddr)
		ok, wait = take(ll.now(), budget{ll.pair, addr + "\x00" + email}, budget{ll.addr, addr}, budget{ll.email, email})
	}
	if ok {
		return nil
	}
	return &models.Error{Code: models.CodeRateLimited, Message: "too many login attempts; try again later",
		RetryAfter: int(math.Ceil(wait.Seconds()))}
}
