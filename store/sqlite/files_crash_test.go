package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

const filesCrashEnv = "SWITCHBOARD_SQLITE_FILES_CRASH_DIR"

// fileContent is the content the crash writer gives file id: n bytes
// derived from the id, so a reader can tell whose bytes a file holds.
func fileContent(id string, n int) []byte {
	seed := sha256.Sum256([]byte(id))
	rng := rand.New(rand.NewChaCha8(seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// TestKillDuringFileWrites starts this test binary as a child that saves
// and deletes files in a loop and kills it with SIGKILL at a random
// moment, six times. After each kill the store is reopened with its
// clock past the grace period, so Open sweeps: then every row is
// 'stored', its bytes are there with the size and SHA-256 the row
// records and the content the writer gave that id, and the folder holds
// nothing else (no temporary file, no bytes without a row).
func TestKillDuringFileWrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 13))
	t.Logf("seed %d", seed)
	ctx := context.Background()
	saved, halfDone := 0, 0
	for round := range 6 {
		child := startWriter(t, "TestHelperFileCrashWriter", filesCrashEnv, dir)
		time.Sleep(time.Duration(30+rng.IntN(300)) * time.Millisecond)
		child.kill9(t)

		// First within the grace period, which sweeps nothing: count
		// what the kill left half done.
		c := &testClock{}
		s, err := Open(ctx, dir, Options{Now: c.now})
		if err != nil {
			t.Fatalf("round %d: reopening after kill -9: %v", round, err)
		}
		var unfinished int
		if err := s.Reader().QueryRow(`SELECT count(*) FROM files WHERE state <> 'stored'`).Scan(&unfinished); err != nil {
			t.Fatal(err)
		}
		halfDone += unfinished
		_ = s.Close()
		c.pastGrace()
		s, err = Open(ctx, dir, Options{Now: c.now})
		if err != nil {
			t.Fatalf("round %d: reopening after kill -9: %v", round, err)
		}
		n := checkFiles(t, s)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: %d files stored, %d left unfinished by the kill", round, n, unfinished)
		saved += n
		if t.Failed() {
			return
		}
	}
	if saved == 0 {
		t.Error("no child stored a file before being killed: the test exercised nothing")
	}
	t.Logf("%d uploads or deletes were cut short by a kill and swept", halfDone)
}

// checkFiles checks the invariants of the files of s after a sweep and
// returns how many are stored.
func checkFiles(t *testing.T, s *Store) int {
	t.Helper()
	rows, err := s.Reader().Query(`SELECT id, ws, size, sha256, state FROM files`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := map[string]bool{}
	for rows.Next() {
		var id, ws, sum, state string
		var size int64
		if err := rows.Scan(&id, &ws, &size, &sum, &state); err != nil {
			t.Fatal(err)
		}
		if state != stateStored {
			t.Errorf("file %s left %s after the sweep", id, state)
			continue
		}
		want[fileName(id)] = true
		var got bytes.Buffer
		if err := s.OpenFile(context.Background(), ws, id, &got); err != nil {
			t.Errorf("stored file %s: %v", id, err)
			continue
		}
		h := sha256.Sum256(got.Bytes())
		if int64(got.Len()) != size || hex.EncodeToString(h[:]) != sum || !bytes.Equal(got.Bytes(), fileContent(id, int(size))) {
			t.Errorf("stored file %s: %d bytes, the row says %d; hash or content differ", id, got.Len(), size)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, name := range folder(t, s) {
		if !want[name] {
			t.Errorf("the folder holds %s, which no stored row accounts for", name)
		}
	}
	return len(want)
}

// TestHelperFileCrashWriter is not a test: the child that
// TestKillDuringFileWrites kills. It saves files of up to 300 KB, and
// deletes one of its earlier files after every third save.
func TestHelperFileCrashWriter(t *testing.T) {
	s, rng := childStore(t, filesCrashEnv)
	ctx := context.Background()
	var mine []string
	for i := 0; ; i++ {
		id := fmt.Sprintf("p%d-%d", os.Getpid(), i)
		f := &models.File{ID: id, WS: "w", Name: id + ".bin", MimeType: "application/octet-stream"}
		if err := s.SaveFile(ctx, f, bytes.NewReader(fileContent(id, 1+rng.IntN(300_000))), models.MaxFileSize); err != nil {
			fmt.Fprintln(os.Stderr, "save:", err)
			os.Exit(2)
		}
		mine = append(mine, id)
		if i%3 == 2 {
			k := rng.IntN(len(mine))
			if err := s.DeleteFile(ctx, "w", mine[k]); err != nil {
				fmt.Fprintln(os.Stderr, "delete:", err)
				os.Exit(2)
			}
			mine = append(mine[:k], mine[k+1:]...)
		}
	}
}
