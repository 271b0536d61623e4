package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// writerChild is a child process of this test binary running helper (a
// Test function that opens the store in the directory env names, says
// "ready" on stdout, then writes until killed).
type writerChild struct{ cmd *exec.Cmd }

// startWriter starts the child on dir and waits until it says it is
// ready (a minute at most).
func startWriter(t *testing.T, helper, env, dir string) *writerChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+helper+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- line
	}()
	select {
	case line := <-ready:
		if !strings.HasPrefix(line, "ready") {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("child said %q", line)
		}
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatal("child never opened the store")
	}
	return &writerChild{cmd: cmd}
}

// kill9 kills the child with SIGKILL and fails the test if it had exited
// by itself.
func (c *writerChild) kill9(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
	if c.cmd.ProcessState.ExitCode() != -1 {
		t.Fatalf("the child exited by itself (%v) instead of being killed", c.cmd.ProcessState)
	}
}

// childStore is the start of a writer child's Test function: it skips
// unless this process is that child (env names its directory), opens the
// store there, says "ready" and returns the store and a random source
// of its own.
func childStore(t *testing.T, env string) (*Store, *rand.Rand) {
	dir := os.Getenv(env)
	if dir == "" {
		t.Skip("helper process only")
	}
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	return s, rand.New(rand.NewPCG(uint64(os.Getpid()), uint64(time.Now().UnixNano())))
}
