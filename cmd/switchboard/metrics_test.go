package main

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// statements scrapes /metrics and returns switchboard_db_statements_total.
func statements(t testing.TB, addr string) float64 {
	t.Helper()
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "switchboard_db_statements_total "); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no switchboard_db_statements_total in /metrics")
	return 0
}

// TestStatementsMetric: the embedded store's statements are a counter of
// /metrics, which a request that reads the store moves.
func TestStatementsMetric(t *testing.T) {
	s := startServer(t, baseEnv(t, t.TempDir()))
	before := statements(t, s.addr)
	if before <= 0 {
		t.Fatalf("statements after start-up %v, want the first run's writes", before)
	}
	if code := login(t, s.addr, "nobody@example.com", "some-password"); code != http.StatusUnauthorized {
		t.Fatalf("login status %d", code)
	}
	if after := statements(t, s.addr); after <= before {
		t.Fatalf("statements %v after a login, %v before: the login's member read is not counted", after, before)
	}
}
