package push

import "time"

// Backoff is the wait before retry number attempt (1 = the first retry):
// base doubled per attempt up to max, with "equal jitter" (half fixed,
// half random from r in [0,1)), and never less than the provider's
// retryAfter.
func Backoff(attempt int, base, max, retryAfter time.Duration, r float64) time.Duration {
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	d = d/2 + time.Duration(float64(d/2)*r)
	if retryAfter > d {
		d = retryAfter
	}
	return d
}
