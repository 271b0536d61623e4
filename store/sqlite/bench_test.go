package sqlite

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkCommit measures one small write transaction (a chat with one
// message: two sequences, two log entries) under each synchronous
// setting; doc.go quotes it for the choice of FULL.
func BenchmarkCommit(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		b.Run(sync, func(b *testing.B) {
			s, err := Open(context.Background(), b.TempDir(), Options{Synchronous: sync})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if err := s.WithTx(ctx, func(tx *Tx) error {
					return writeChat(tx, "ws1", fmt.Sprintf("c%d", i), 1, "hello")
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
