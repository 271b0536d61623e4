package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

const crashEnv = "SWITCHBOARD_SQLITE_CRASH_DIR"

// TestKillDuringWritesLeavesWholeCommits starts this test binary as a
// child that commits multi-row, multi-table transactions in a loop, and
// kills it with SIGKILL at a random moment, ten times. After each kill the
// store must open (passing the start check) and pass integrity_check, and
// every transaction must be there whole or not at all, with each
// workspace's sequences gapless and the high-water mark never lower than
// after the previous kill.
func TestKillDuringWritesLeavesWholeCommits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	t.Logf("seed %d", seed)
	ctx := context.Background()
	prev := map[string]int64{}
	prevChats := 0
	for round := range 10 {
		child := startWriter(t, "TestHelperCrashWriter", crashEnv, dir)
		time.Sleep(time.Duration(20+rng.IntN(181)) * time.Millisecond)
		child.kill9(t)

		s, err := Open(ctx, dir, Options{})
		if err != nil {
			t.Fatalf("round %d: reopening after kill -9: %v", round, err)
		}
		if got := pragmaLines(t, s.Reader(), "PRAGMA integrity_check"); got != "ok" {
			t.Fatalf("round %d: integrity_check: %s", round, got)
		}
		chats, msgs := checkInvariants(t, s.Reader())
		for _, ws := range crashWorkspaces {
			hw, err := s.HighWater(ctx, ws)
			if err != nil {
				t.Fatal(err)
			}
			if hw < prev[ws] {
				t.Errorf("round %d: %s high-water fell from %d to %d", round, ws, prev[ws], hw)
			}
			prev[ws] = hw
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: %d chats, %d messages", round, chats, msgs)
		if chats < prevChats {
			t.Fatalf("round %d: chats fell from %d to %d", round, prevChats, chats)
		}
		prevChats = chats
		if t.Failed() {
			return
		}
	}
	if prevChats == 0 {
		t.Error("no child committed anything before being killed: the test exercised nothing")
	}
}

var crashWorkspaces = []string{"w1", "w2", "w3"}

// TestHelperCrashWriter is not a test: the child that
// TestKillDuringWritesLeavesWholeCommits kills.
func TestHelperCrashWriter(t *testing.T) {
	s, rng := childStore(t, crashEnv)
	ctx := context.Background()
	for i := 0; ; i++ {
		conv := fmt.Sprintf("p%d-%d", os.Getpid(), i)
		text := strings.Repeat("kill -9 ", 1+rng.IntN(400)) // up to a few pages per message
		if err := s.WithTx(ctx, func(tx *Tx) error {
			return writeChat(tx, crashWorkspaces[rng.IntN(len(crashWorkspaces))], conv, 1+rng.IntN(8), text)
		}); err != nil {
			fmt.Fprintln(os.Stderr, "write:", err)
			os.Exit(2)
		}
	}
}

// TestKillDuringFirstOpen kills a child while it creates and migrates a
// new store, at random moments: the next Open must finish the migrations
// (each committed whole with its version) and give the newest schema.
func TestKillDuringFirstOpen(t *testing.T) {
	t.Parallel()
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 11))
	t.Logf("seed %d", seed)
	want := tables(t, openT(t, t.TempDir()).Reader())
	for round := range 5 {
		dir := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCrashWriter$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.IntN(200)) * time.Millisecond)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		s, err := Open(context.Background(), dir, Options{})
		if err != nil {
			t.Fatalf("round %d: reopening: %v", round, err)
		}
		if have := tables(t, s.Reader()); strings.Join(have, " ") != strings.Join(want, " ") {
			t.Errorf("round %d: schema after the kill differs from a new store's", round)
		}
		checkInvariants(t, s.Reader())
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
