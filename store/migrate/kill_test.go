package migrate

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/store"
	"github.com/switchboardhq/switchboard/store/sqlite"
	"github.com/switchboardhq/switchboard/store/storetest"
)

const childEnv = "SWITCHBOARD_MIGRATE_CHILD" // data dir, URI and database, tab-separated

// TestCopyKilledAndRunAgain kills (SIGKILL) a process copying, in the
// middle of the messages, and copies again in this process: the copy
// resumes, verifies, and reads back as the source.
func TestCopyKilledAndRunAgain(t *testing.T) {
	t.Parallel()
	src, clock, f := source(t)
	dst := target(t, clock)
	dir := filepath.Dir(src.Path())
	must(t, src.Close()) // one process per data directory
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCopy$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+strings.Join([]string{dir, storetest.URI(t), dst.Database().Name()}, "\t"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "messages: 10 rows copied") {
			killed = cmd.Process.Kill() == nil
			break
		}
	}
	_ = cmd.Wait()
	if !killed {
		t.Fatalf("the copying process ended before the messages were half copied: %v", cmd.ProcessState)
	}
	src, err = sqlite.Open(context.Background(), dir, sqlite.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rep, err := Copy(context.Background(), src, dst, Options{Batch: 5, Now: clock.Now})
	if err != nil {
		t.Fatalf("copy after the kill: %v", err)
	}
	if !rep.Resumed {
		t.Error("the copy after the kill did not resume")
	}
	compareLines(t, "reads", readAll(t, src, f), readAll(t, dst, f))
}

// TestHelperCopy is not a test: the process TestCopyKilledAndRunAgain kills.
func TestHelperCopy(t *testing.T) {
	spec := os.Getenv(childEnv)
	if spec == "" {
		t.Skip("helper process only")
	}
	parts := strings.Split(spec, "\t")
	ctx := context.Background()
	src, err := sqlite.Open(ctx, parts[0], sqlite.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open source:", err)
		os.Exit(1)
	}
	dst, err := store.Open(ctx, store.Options{URI: parts[1], Database: parts[2]})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open target:", err)
		os.Exit(1)
	}
	if _, err := Copy(ctx, src, dst, Options{Batch: 5, Progress: os.Stdout}); err != nil {
		fmt.Fprintln(os.Stderr, "copy:", err)
		os.Exit(2)
	}
	os.Exit(0)
}
