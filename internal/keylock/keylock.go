// Package keylock serialises work on one key at a time within a process.
package keylock

import "sync"

// Set hands out one mutex per key, kept only while someone holds or waits
// for it, so the set stays as small as the work in flight. The zero Set is
// ready to use.
type Set struct {
	mu    sync.Mutex
	locks map[string]*entry
}

type entry struct {
	mu    sync.Mutex
	users int
}

// Lock takes key's mutex, waiting while another caller holds it, and
// returns its release, which must be called exactly once.
func (s *Set) Lock(key string) (unlock func()) {
	s.mu.Lock()
	if s.locks == nil {
		s.locks = map[string]*entry{}
	}
	l := s.locks[key]
	if l == nil {
		l = &entry{}
		s.locks[key] = l
	}
	l.users++
	s.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		s.mu.Lock()
		if l.users--; l.users == 0 {
			delete(s.locks, key)
		}
		s.mu.Unlock()
	}
}
