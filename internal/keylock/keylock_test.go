package keylock

import (
	"sync"
	"testing"
)

// TestLockSerialisesOneKeyAndForgetsIt: holders of one key take turns,
// and a key nobody holds is not kept.
func TestLockSerialisesOneKeyAndForgetsIt(t *testing.T) {
	var s Set
	n := 0
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				unlock := s.Lock("k")
				n++
				unlock()
			}
		}()
	}
	wg.Wait()
	if n != 800 {
		t.Fatalf("counted %d, want 800", n)
	}
	other := s.Lock("other")
	if s.Held() != 1 {
		t.Fatalf("%d keys kept while one is held", s.Held())
	}
	other()
	if s.Held() != 0 {
		t.Fatalf("%d keys kept after release", s.Held())
	}
}
