package main

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/benchseed"
)

// BenchmarkIdleServer measures an idle `switchboard serve` (this process runs
// the real wiring: store, auth, inbox, sync runner, hub, push gateway, HTTP)
// on a copy of a seeded data directory: CPU time, resident memory and the
// store's statements over a quiet period after start-up settled. It
// reports for BENCHMARKS.md ("Idle is idle"); b.N is ignored, one
// quiet period is measured:
//
//	SWITCHBOARD_BENCH_IDLE=100000 go test -run '^$' -bench IdleServer -benchtime 1x -timeout 30m ./cmd/switchboard/
//
// SWITCHBOARD_BENCH_IDLE is the number of seeded chats (10 messages each;
// 10,000 by default); SWITCHBOARD_BENCH_IDLE_SECONDS the measured period
// (60 by default).
func BenchmarkIdleServer(b *testing.B) {
	t := b
	chats, _ := strconv.Atoi(os.Getenv("SWITCHBOARD_BENCH_IDLE"))
	if chats <= 0 {
		chats = 10000
	}
	period := 60 * time.Second
	if s, _ := strconv.Atoi(os.Getenv("SWITCHBOARD_BENCH_IDLE_SECONDS")); s > 0 {
		period = time.Duration(s) * time.Second
	}
	dir, seed := benchseed.SQLiteDir(t, benchseed.Config{Chats: chats})
	t.Logf("seed: %d chats, %d messages; high water %d", seed.Chats, seed.Chats*seed.Messages, seed.HighWater)
	began := time.Now()
	s := startServer(t, baseEnv(t, dir))
	t.Logf("ready after %s", time.Since(began).Round(time.Millisecond))
	type sample struct {
		at    time.Time
		cpu   time.Duration
		rss   int64
		stmts float64
		heap  uint64 // bytes of heap in use
		gs    int    // goroutines
	}
	take := func() sample {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			t.Fatal(err)
		}
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return sample{at: time.Now(), cpu: cpu, rss: rssKiB(t), stmts: statements(t, s.addr), heap: ms.HeapInuse, gs: runtime.NumGoroutine()}
	}
	// Start-up settles (the first purge of the sync log, the first
	// dispatch pass): until 10 s use under 1% of a core, 10 minutes at most.
	for last := take(); ; {
		time.Sleep(10 * time.Second)
		cur := take()
		busy := float64(cur.cpu-last.cpu) / float64(cur.at.Sub(last.at))
		t.Logf("settling: +%.0fs after ready, %.1f%% of a core, %.0f statements", time.Since(began).Seconds(), 100*busy, cur.stmts-last.stmts)
		if busy < 0.01 || time.Since(began) > 10*time.Minute {
			break
		}
		last = cur
	}
	first := take()
	prev := first
	minRSS, maxRSS := first.rss, first.rss
	for time.Since(first.at) < period {
		time.Sleep(10 * time.Second)
		cur := take()
		minRSS, maxRSS = min(minRSS, cur.rss), max(maxRSS, cur.rss)
		t.Logf("+%3.0fs  cpu %6.1f ms in %4.1f s (%.3f%% of a core)  rss %d KiB  heap in use %d KiB  goroutines %d  statements +%.0f",
			cur.at.Sub(first.at).Seconds(), float64(cur.cpu-prev.cpu)/1e6, cur.at.Sub(prev.at).Seconds(),
			100*float64(cur.cpu-prev.cpu)/float64(cur.at.Sub(prev.at)), cur.rss, cur.heap>>10, cur.gs, cur.stmts-prev.stmts)
		prev = cur
	}
	el := prev.at.Sub(first.at)
	// /metrics scrapes themselves cost a little CPU and no statement.
	t.Logf("idle %s: cpu %.1f ms = %.3f%% of a core; rss %d..%d KiB; %.0f statements = %.1f per minute",
		el.Round(time.Second), float64(prev.cpu-first.cpu)/1e6, 100*float64(prev.cpu-first.cpu)/float64(el),
		minRSS, maxRSS, prev.stmts-first.stmts, (prev.stmts-first.stmts)/el.Minutes())
}

// rssKiB is this process's resident set (VmRSS) in KiB.
func rssKiB(t testing.TB) int64 {
	t.Helper()
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
