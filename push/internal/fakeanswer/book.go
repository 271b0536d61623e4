// Package fakeanswer keeps the answers a test programs into a provider
// fake: one per key (a token, a subscription), given a set number of
// times or until replaced.
package fakeanswer

import "sync"

// Book holds programmed answers of type A; its zero value is empty and
// ready, and it is safe for concurrent use.
type Book[A any] struct {
	mu sync.Mutex
	m  map[string]*entry[A]
}

type entry[A any] struct {
	a    A
	left int // uses left; 0 is every use until replaced
}

// Set makes key answer a for its next times uses (0: every use until
// replaced or cleared).
func (b *Book[A]) Set(key string, a A, times int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = map[string]*entry[A]{}
	}
	b.m[key] = &entry[A]{a: a, left: times}
}

// Clear removes key's answer.
func (b *Book[A]) Clear(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, key)
}

// Take uses key's answer once; ok is false when none is programmed.
func (b *Book[A]) Take(key string) (a A, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.m[key]
	if e == nil {
		return a, false
	}
	if e.left > 0 {
		if e.left--; e.left == 0 {
			delete(b.m, key)
		}
	}
	return e.a, true
}
