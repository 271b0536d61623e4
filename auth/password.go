package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"

	"github.com/alexedwards/argon2id"
	"golang.org/x/crypto/argon2"
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
	// derive is argon2id itself; tests count its calls.
	derive func(password string, salt []byte, p *argon2id.Params) []byte
}

// NewHasher returns a hasher with the given cost.
func NewHasher(p PasswordParams) (*Hasher, error) {
	params := &argon2id.Params{Memory: p.MemoryKiB, Iterations: p.Iterations, Parallelism: p.Parallelism, SaltLength: 16, KeyLength: 32}
	dummy, err := argon2id.CreateHash("switchboard-dummy-password", params)
	if err != nil {
		return nil, err
	}
	return &Hasher{params: params, dummy: dummy, slots: make(chan struct{}, 2*runtime.GOMAXPROCS(0)),
		derive: func(password string, salt []byte, p *argon2id.Params) []byte {
			return argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
		}}, nil
}

// Hash returns the encoded argon2id hash of password with a random salt.
func (h *Hasher) Hash(password string) (string, error) {
	return h.HashLike(password, "")
}

// HashLike returns the encoded argon2id hash of password with the cost and
// salt of sibling: an existing hash of another account of the same email.
// The accounts of one email then share cost and salt, so that a login checks
// a password against all of them with one argon2id computation (see
// VerifyEach). An empty or malformed sibling gets the hasher's cost and a
// fresh random salt.
func (h *Hasher) HashLike(password, sibling string) (string, error) {
	p, salt, _, err := argon2id.DecodeHash(sibling)
	if err != nil || len(salt) < 16 {
		p, salt = h.params, make([]byte, h.params.SaltLength)
		if _, err := rand.Read(salt); err != nil {
			return "", err
		}
	}
	key := h.compute(password, salt, p)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Iterations,
		p.Parallelism, base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// Verify reports whether password matches hash. An empty hash (no account,
// or no password set) is checked against the dummy hash and never matches.
func (h *Hasher) Verify(password, hash string) bool {
	return h.VerifyEach(password, []string{hash})[0]
}

// VerifyEach reports, for each of hashes, whether password matches it.
// Hashes that share cost and salt (the accounts of one email) cost one
// argon2id computation together; when there is no usable hash at all the
// password is checked against the dummy hash, so the work does not show
// whether, or in how many workspaces, an email has an account.
func (h *Hasher) VerifyEach(password string, hashes []string) []bool {
	type group struct {
		salt   []byte
		params *argon2id.Params
		key    []byte
	}
	out := make([]bool, len(hashes))
	groups := map[string]*group{}
	for i, hash := range hashes {
		p, salt, want, err := argon2id.DecodeHash(hash)
		if err != nil {
			continue
		}
		id := fmt.Sprintf("%d,%d,%d,%d,%s", p.Memory, p.Iterations, p.Parallelism, p.KeyLength, salt)
		g := groups[id]
		if g == nil {
			g = &group{salt: salt, params: p, key: h.compute(password, salt, p)}
			groups[id] = g
		}
		out[i] = subtle.ConstantTimeCompare(g.key, want) == 1
	}
	if len(groups) == 0 {
		p, salt, _, _ := argon2id.DecodeHash(h.dummy)
		h.compute(password, salt, p)
	}
	return out
}

func (h *Hasher) compute(password string, salt []byte, p *argon2id.Params) []byte {
	h.slots <- struct{}{}
	defer func() { <-h.slots }()
	return h.derive(password, salt, p)
}
