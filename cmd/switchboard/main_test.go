package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a goroutine-safe output sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func baseEnv(t testing.TB, dataDir string) map[string]string {
	return map[string]string{
		"SWITCHBOARD_DATA_DIR":            dataDir,
		"SWITCHBOARD_ADDR":                freeAddr(t),
		"SWITCHBOARD_PASSWORD_MEMORY_KIB": "256",
		"SWITCHBOARD_PASSWORD_ITERATIONS": "1",
		"SWITCHBOARD_SHUTDOWN_TIMEOUT":    "10s",
	}
}

// server runs `switchboard serve` in the background until stop is called.
type server struct {
	addr   string
	stderr *syncBuffer
	stop   func() int
}

func startServer(t testing.TB, env map[string]string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	code := make(chan int, 1)
	go func() { code <- run(ctx, nil, envOf(env), out, out) }()
	s := &server{addr: env["SWITCHBOARD_ADDR"], stderr: out}
	var once sync.Once
	result := -1
	s.stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case result = <-code:
			case <-time.After(30 * time.Second):
			}
		})
		return result
	}
	t.Cleanup(func() { s.stop() })
	for i := 0; i < 300; i++ {
		select {
		case c := <-code:
			t.Fatalf("server exited with %d:\n%s", c, out.String())
		default:
		}
		res, err := http.Get("http://" + s.addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("server not ready:\n%s", out.String())
	return nil
}

func login(t *testing.T, addr, email, password string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	res, err := http.Post("http://"+addr+"/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

var passwordLine = regexp.MustCompile(`password: (\S+)`)

func TestServeFirstRunRestartAndCreateAdmin(t *testing.T) {
	data := filepath.Join(t.TempDir(), "nested", "data") // created if missing
	env := baseEnv(t, data)
	s := startServer(t, env)
	m := passwordLine.FindStringSubmatch(s.stderr.String())
	if m == nil || !strings.Contains(s.stderr.String(), "admin@switchboard.local") {
		t.Fatalf("no first-run login block:\n%s", s.stderr.String())
	}
	password := m[1]
	if got := login(t, s.addr, "admin@switchboard.local", password); got != 200 {
		t.Fatalf("first-run admin login: %d", got)
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("serve exited %d:\n%s", code, s.stderr.String())
	}
	if !strings.Contains(s.stderr.String(), `"msg":"stopped"`) {
		t.Fatalf("no clean stop logged:\n%s", s.stderr.String())
	}
	if strings.Count(s.stderr.String(), password) != 2 { // the block's password line and its curl example
		t.Fatalf("one-time password printed %d times", strings.Count(s.stderr.String(), password))
	}

	out := &syncBuffer{}
	code := run(context.Background(), []string{"create-admin", "--email", "owner@acme.test", "--password", "owner-password", "--workspace", "Acme"}, envOf(env), out, out)
	if code != 0 || !strings.Contains(out.String(), `created workspace "Acme"`) {
		t.Fatalf("create-admin exited %d:\n%s", code, out.String())
	}
	code = run(context.Background(), []string{"create-admin", "--email", "owner@acme.test", "--password", "owner-password", "--workspace", "Acme"}, envOf(env), out, out)
	if code != 1 || !strings.Contains(out.String(), "already exists") {
		t.Fatalf("duplicate create-admin exited %d:\n%s", code, out.String())
	}

	env["SWITCHBOARD_ADDR"] = freeAddr(t)
	s2 := startServer(t, env)
	if strings.Contains(s2.stderr.String(), "First run") || passwordLine.MatchString(s2.stderr.String()) {
		t.Fatalf("second start printed a new password:\n%s", s2.stderr.String())
	}
	if !strings.Contains(s2.stderr.String(), "create-admin") {
		t.Fatalf("second start does not say how to log in:\n%s", s2.stderr.String())
	}
	if got := login(t, s2.addr, "admin@switchboard.local", password); got != 200 {
		t.Fatalf("data did not survive the restart: login %d", got)
	}
	if got := login(t, s2.addr, "owner@acme.test", "owner-password"); got != 200 {
		t.Fatalf("create-admin's admin cannot log in: %d", got)
	}
}

func TestStartupFailuresSayWhatToFix(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		env  map[string]string
		want []string
	}{
		"data dir under a file": {map[string]string{"SWITCHBOARD_DATA_DIR": filepath.Join(file, "data")}, []string{"data directory", "SWITCHBOARD_DATA_DIR"}},
		"URI of another scheme": {map[string]string{"SWITCHBOARD_MONGODB_URI": "postgres://localhost/x"}, []string{"SWITCHBOARD_MONGODB_URI", "mongodb://"}},
		"malformed URI":         {map[string]string{"SWITCHBOARD_MONGODB_URI": "mongodb://"}, []string{"SWITCHBOARD_MONGODB_URI"}},
		"unreachable MongoDB": {map[string]string{"SWITCHBOARD_MONGODB_URI": "mongodb://admin:hunter2@127.0.0.1:1/", "SWITCHBOARD_MONGODB_CONNECT_TIMEOUT": "300ms"},
			[]string{"cannot reach MongoDB", "SWITCHBOARD_MONGODB_URI"}},
		"bad duration": {map[string]string{"SWITCHBOARD_ACCESS_TOKEN_TTL": "soon"}, []string{"SWITCHBOARD_ACCESS_TOKEN_TTL", "duration"}},
		"short secret": {map[string]string{"SWITCHBOARD_JWT_SECRET": "short"}, []string{"SWITCHBOARD_JWT_SECRET", "at least 32"}},
		"port in use":  {nil, []string{"SWITCHBOARD_ADDR", "free port"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			env := baseEnv(t, t.TempDir())
			for k, v := range c.env {
				env[k] = v
			}
			if name == "port in use" {
				l, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				defer l.Close()
				env["SWITCHBOARD_ADDR"] = l.Addr().String()
			}
			out := &syncBuffer{}
			code := run(context.Background(), nil, envOf(env), out, out)
			if code != 1 {
				t.Fatalf("exit %d, want 1:\n%s", code, out.String())
			}
			for _, w := range c.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("message lacks %q:\n%s", w, out.String())
				}
			}
			if strings.Contains(out.String(), "hunter2") {
				t.Error("a password from the URI was printed")
			}
		})
	}
}

// TestReadOnlyDataDir: an existing directory that takes no files stops the
// start. Root ignores permission bits, so as root the directory is
// /proc/self, which exists and refuses new files even to root.
func TestReadOnlyDataDir(t *testing.T) {
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		dir = "/proc/self"
	} else {
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(dir, 0o700)
	}
	out := &syncBuffer{}
	if code := run(context.Background(), nil, envOf(baseEnv(t, dir)), out, out); code != 1 || !strings.Contains(out.String(), "read-only data directory") || !strings.Contains(out.String(), "SWITCHBOARD_DATA_DIR") {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
}

func TestHelpListsCommandsAndSettings(t *testing.T) {
	out := &syncBuffer{}
	if code := run(context.Background(), []string{"--help"}, envOf(nil), out, out); code != 0 {
		t.Fatalf("--help exited %d", code)
	}
	for _, want := range []string{"serve", "create-admin", "backup DIR", "migrate --to", "version"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
	for _, s := range settings {
		if !strings.Contains(out.String(), s.env) {
			t.Errorf("help lacks setting %s", s.env)
		}
	}
	out = &syncBuffer{}
	if code := run(context.Background(), []string{"frobnicate"}, envOf(nil), out, out); code != 2 {
		t.Fatalf("unknown command exited %d", code)
	}
	if code := run(context.Background(), []string{"create-admin", "--email", "x"}, envOf(nil), out, out); code != 2 || !strings.Contains(out.String(), "--password") {
		t.Fatalf("create-admin without flags: %d\n%s", code, out.String())
	}
}

func TestConfigFileAndEnvironment(t *testing.T) {
	file := filepath.Join(t.TempDir(), "switchboard.env")
	if err := os.WriteFile(file, []byte("# comment\nSWITCHBOARD_ADDR=:9000\nSWITCHBOARD_LOGIN_ATTEMPTS=3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(envOf(map[string]string{"SWITCHBOARD_LOGIN_ATTEMPTS": "7"}), file)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":9000" || cfg.LoginAttempts != 7 || cfg.BodyLimit != 1<<20 || cfg.AccessTokenTTL != 15*time.Minute {
		t.Fatalf("config %+v", cfg)
	}
	if err := os.WriteFile(file, []byte("SWITCHBOARD_ADRR=:9000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(envOf(nil), file); err == nil || !strings.Contains(err.Error(), "SWITCHBOARD_ADRR") {
		t.Fatalf("misspelt setting accepted: %v", err)
	}
	_, err = LoadConfig(envOf(map[string]string{"SWITCHBOARD_BODY_LIMIT": "big", "SWITCHBOARD_LOG_LEVEL": "loud"}), "")
	if err == nil || !strings.Contains(err.Error(), "SWITCHBOARD_BODY_LIMIT") || !strings.Contains(err.Error(), "SWITCHBOARD_LOG_LEVEL") {
		t.Fatalf("every bad setting must be reported: %v", err)
	}
}

// TestExampleConfigMatchesSettings keeps configs/switchboard.env complete.
func TestExampleConfigMatchesSettings(t *testing.T) {
	raw, err := os.ReadFile("../../configs/switchboard.env")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range settings {
		if !strings.Contains(string(raw), s.env+"=") {
			t.Errorf("configs/switchboard.env lacks %s", s.env)
		}
	}
	if _, err := LoadConfig(envOf(nil), "../../configs/switchboard.env"); err != nil {
		t.Fatalf("the example config does not load: %v", err)
	}
}

// TestShutdownFinishesRequestsInFlight starts a request, begins shutdown
// while its body is still arriving, and checks that the request is answered
// and the process exits cleanly.
func TestShutdownFinishesRequestsInFlight(t *testing.T) {
	s := startServer(t, baseEnv(t, t.TempDir()))
	body := `{"email":"nobody@example.com","password":"not-the-password"}`
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := "POST /v1/auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	// A first full request proves the server accepted the connection.
	if _, err := conn.Write([]byte(head + body)); err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(conn)
	first, err := http.ReadResponse(rd, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, first.Body)
	first.Body.Close()
	// The second request stops halfway through its body.
	if _, err := conn.Write([]byte(head + body[:10])); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let the server start reading it (ordering, not a timing check)
	exit := make(chan int, 1)
	go func() { exit <- s.stop() }()
	// Shutdown has begun once new connections are refused.
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			break
		}
		c.Close()
		if i > 500 {
			t.Fatal("listener still open")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := conn.Write([]byte(body[10:])); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(rd, nil)
	if err != nil {
		t.Fatalf("request in flight was dropped: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d", res.StatusCode)
	}
	if code := <-exit; code != 0 {
		t.Fatalf("exit %d", code)
	}
}

func TestSyncSettings(t *testing.T) {
	cfg, err := LoadConfig(envOf(nil), "")
	if err != nil {
		t.Fatal(err)
	}
	sc := cfg.SyncConfig()
	if cfg.SyncLease != 10*time.Second || sc.HistoryDays != 30 || sc.HistoryPerChat != 50 || sc.TombstoneRetention != 90*24*time.Hour ||
		sc.DefaultLimit != 500 || sc.MaxLimit != 5000 || sc.PollInterval != time.Second || sc.StatsInterval != 2*time.Second {
		t.Fatalf("sync defaults %+v lease %s", sc, cfg.SyncLease)
	}
	for env, want := range map[string]map[string]string{
		"SWITCHBOARD_SYNC_PAGE_LIMIT": {"SWITCHBOARD_SYNC_PAGE_LIMIT": "6000"},
		"both 0":                      {"SWITCHBOARD_SYNC_HISTORY_DAYS": "0", "SWITCHBOARD_SYNC_HISTORY_PER_CHAT": "0"},
		"SWITCHBOARD_SYNC_LEASE":      {"SWITCHBOARD_SYNC_LEASE": "soon"},
	} {
		if _, err := LoadConfig(envOf(want), ""); err == nil || !strings.Contains(err.Error(), env) {
			t.Errorf("%v: error %v, want one naming %s", want, err, env)
		}
	}
	if _, err := LoadConfig(envOf(map[string]string{"SWITCHBOARD_SYNC_HISTORY_DAYS": "0"}), ""); err != nil {
		t.Fatalf("a per-chat bound alone is enough: %v", err)
	}
}
