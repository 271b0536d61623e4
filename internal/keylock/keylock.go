// Package keylock hands out one mutex per key within a process.
package keylock

import "sync"

// Set hands out one mutex per key, kept only while in use. The zero value
// is ready to use.
type Set struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	mu    sync.Mutex
	users int
}

// Lock takes key's mutex, waiting for any holder, and returns its release.
func (k *Set) Lock(key string) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyLock{}
		k.locks[key] = l
	}
	l.users++
	k.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		if l.users--; l.users == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}

// Held is how many keys have a holder or a waiter.
func (k *Set) Held() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.locks)
}
