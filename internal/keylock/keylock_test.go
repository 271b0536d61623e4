package keylock

import (
	"sync"
	"testing"
)

// One key is held by one caller at a time; the set forgets released keys.
func TestLockSerialisesOneKeyAndForgetsIt(t *testing.T) {
	var s Set
	var wg sync.WaitGroup
	holders, most := 0, 0
	var mu sync.Mutex
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock := s.Lock("k")
			mu.Lock()
			holders++
			if holders > most {
				most = holders
			}
			mu.Unlock()
			other := s.Lock("other") // another key is free meanwhile
			other()
			mu.Lock()
			holders--
			mu.Unlock()
			unlock()
		}()
	}
	wg.Wait()
	if most != 1 {
		t.Fatalf("%d callers held one key at once", most)
	}
	if len(s.locks) != 0 {
		t.Fatalf("%d keys kept after release", len(s.locks))
	}
}
