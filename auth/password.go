package auth

import (
	"runtime"

	"github.com/alexedwards/argon2id"
)

// PasswordParams are the argon2id cost parameters.
type PasswordParams struct {
	MemoryKiB   uint32
	Iterations  uint32
	Parallelism uint8
}

// DefaultPasswordParams follow the OWASP minimum for argon2id (19 MiB, 2 passes).
var DefaultPasswordParams = PasswordParams{MemoryKiB: 19 * 1024, Iterations: 2, Parallelism: 1}

// Hasher hashes and verifies passwords with argon2id. Verify of an unknown
// account runs against a dummy hash so that it costs the same time.
type Hasher struct {
	params *argon2id.Params
	dummy  string
	slots  chan struct{} // bounds concurrent hashes, and so their memory
}

// NewHasher returns a hasher with the given cost.
func NewHasher(p PasswordParams) (*Hasher, error) {
	params := &argon2id.Params{Memory: p.MemoryKiB, Iterations: p.Iterations, Parallelism: p.Parallelism, SaltLength: 16, KeyLength: 32}
	dummy, err := argon2id.CreateHash("switchboard-dummy-password", params)
	if err != nil {
		return nil, err
	}
	return &Hasher{params: params, dummy: dummy, slots: make(chan struct{}, 2*runtime.GOMAXPROCS(0))}, nil
}

// Hash returns the encoded argon2id hash of password.
func (h *Hasher) Hash(password string) (string, error) {
	h.slots <- struct{}{}
	defer func() { <-h.slots }()
	return argon2id.CreateHash(password, h.params)
}

// Verify reports whether password matches hash. An empty hash (no account,
// or no password set) is checked against the dummy hash and never matches.
func (h *Hasher) Verify(password, hash string) bool {
	h.slots <- struct{}{}
	defer func() { <-h.slots }()
	if hash == "" {
		_, _ = argon2id.ComparePasswordAndHash(password, h.dummy)
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}
