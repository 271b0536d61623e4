package store

import "sync"

// lockDoc serialises writes to one document within this process. FerretDB
// v1 applies an update as read-then-replace, so two concurrent updates of
// one document could lose one; the embedded store is single-process, and
// MongoDB's own updates are atomic across instances.
func (f *feed) lockDoc(coll, id string) func() {
	return f.docs.lock(coll + "\x00" + id)
}

// keyLocks hands out one mutex per key, kept only while in use.
type keyLocks struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	mu    sync.Mutex
	users int
}

func (k *keyLocks) lock(key string) func() {
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
