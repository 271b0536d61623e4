package auth

import (
	"testing"
	"time"
)

func TestLimiterBurstRefillAndPrune(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := newLimiter(3, 3*time.Minute, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if ok, _ := l.allow("k"); !ok {
			t.Fatalf("attempt %d refused within the burst", i+1)
		}
	}
	ok, wait := l.allow("k")
	if ok || wait != time.Minute {
		t.Fatalf("4th attempt: ok=%v wait=%v, want refused for 1m", ok, wait)
	}
	// A refused attempt does not push the next one further out.
	if _, again := l.allow("k"); again != time.Minute {
		t.Fatalf("refusals consumed tokens: wait %v", again)
	}
	if ok, _ := l.allow("other"); !ok {
		t.Fatal("keys are not independent")
	}
	now = now.Add(time.Minute)
	if ok, _ := l.allow("k"); !ok {
		t.Fatal("no refill after window/attempts")
	}
	now = now.Add(time.Hour)
	l.prune(now)
	if len(l.buckets) != 0 {
		t.Fatalf("%d full buckets kept after prune", len(l.buckets))
	}
}

func TestLimiterStaysBounded(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := newLimiter(3, time.Hour, func() time.Time { return now })
	for i := 0; i < maxBuckets+5; i++ {
		l.allow(string(rune(i)) + "k")
	}
	if len(l.buckets) > maxBuckets {
		t.Fatalf("%d buckets, over the cap %d", len(l.buckets), maxBuckets)
	}
}

func TestAddrKeyGroupsIPv6By64(t *testing.T) {
	if addrKey("2001:db8:1:2:aaaa::1") != addrKey("2001:db8:1:2:bbbb::9") {
		t.Fatal("two addresses of one /64 are limited apart")
	}
	if addrKey("2001:db8:1:3::1") == addrKey("2001:db8:1:2::1") {
		t.Fatal("different /64s share a limit")
	}
	if addrKey("192.0.2.7") != "192.0.2.7" || addrKey("not-an-ip") != "not-an-ip" {
		t.Fatal("IPv4 or unparsable addresses changed")
	}
}

func TestHasher(t *testing.T) {
	h, err := NewHasher(PasswordParams{MemoryKiB: 64, Iterations: 1, Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	hash, err := h.Hash("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !h.Verify("correct horse", hash) || h.Verify("Correct horse", hash) || h.Verify("", hash) {
		t.Fatal("verify disagrees with hash")
	}
	if h.Verify("correct horse", "") || h.Verify("x", "not-a-hash") {
		t.Fatal("empty or malformed hash matched")
	}
	again, _ := h.Hash("correct horse")
	if again == hash {
		t.Fatal("hashes are not salted")
	}
}

// TestTakeIsAllOrNothing: when one budget is empty the others keep the
// attempt, and the wait is the longest among the empty ones.
func TestTakeIsAllOrNothing(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	small, large := newLimiter(1, time.Minute, clock), newLimiter(2, 10*time.Minute, clock)
	if ok, _ := take(now, budget{small, "k"}, budget{large, "k"}); !ok {
		t.Fatal("first attempt refused")
	}
	for i := 0; i < 3; i++ {
		if ok, wait := take(now, budget{small, "k"}, budget{large, "k"}); ok || wait != time.Minute {
			t.Fatalf("attempt on an empty budget: ok=%v wait=%v, want refused for 1m", ok, wait)
		}
	}
	// The refusals left large's second attempt in place.
	if ok, _ := large.allow("k"); !ok {
		t.Fatal("refused attempts were spent from the other budget")
	}
	if ok, wait := take(now, budget{small, "k"}, budget{large, "k"}); ok || wait != 5*time.Minute {
		t.Fatalf("both empty: ok=%v wait=%v, want the longer wait 5m", ok, wait)
	}
}
