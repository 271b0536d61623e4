package push

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Ellipsis ends a preview that was cut.
const Ellipsis = "…"

// FitPreview returns s whole when fits(s), else the longest prefix of s
// (whole runes, trailing space dropped) plus Ellipsis that fits, or ""
// when not even the ellipsis fits. fits must be monotonic in the length.
func FitPreview(s string, fits func(string) bool) string {
	if fits(s) {
		return s
	}
	cut := func(k int) string { // the first k runes of s, cut
		i := 0
		for range k {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
		}
		return strings.TrimRightFunc(s[:i], unicode.IsSpace) + Ellipsis
	}
	if !fits(cut(0)) {
		return ""
	}
	lo, hi := 0, utf8.RuneCountInString(s)-1 // the largest k in [lo, hi] whose cut fits
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fits(cut(mid)) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return cut(lo)
}

// ParseRetryAfter reads a Retry-After header: delay-seconds, or an HTTP
// date taken relative to now. It is 0 when h is empty, malformed or past.
func ParseRetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if n, err := strconv.ParseInt(h, 10, 64); err == nil {
		if n <= 0 || n > int64((1<<63-1)/time.Second) {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	t, err := http.ParseTime(h)
	if err != nil || !t.After(now) {
		return 0
	}
	return t.Sub(now)
}
