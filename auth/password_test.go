package auth

import (
	"fmt"
	"testing"

	"github.com/alexedwards/argon2id"
)

// TestOneComputationPerEmail: the accounts of one email share cost and
// salt, so checking a password against all of them costs one argon2id
// computation, the same as checking it against no account at all.
func TestOneComputationPerEmail(t *testing.T) {
	h, err := NewHasher(PasswordParams{MemoryKiB: 64, Iterations: 1, Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := h.Hash("one")
	second, _ := h.HashLike("two", first)
	third, _ := h.HashLike("one", second)
	other, _ := h.Hash("one") // an unrelated account: its own salt
	calls := 0
	derive := h.derive
	h.derive = func(password string, salt []byte, p *argon2id.Params) []byte {
		calls++
		return derive(password, salt, p)
	}
	for _, c := range []struct {
		hashes []string
		want   []bool
		calls  int
	}{
		{nil, []bool{}, 1},
		{[]string{""}, []bool{false}, 1},
		{[]string{first}, []bool{true}, 1},
		{[]string{first, second, third}, []bool{true, false, true}, 1},
		{[]string{first, other}, []bool{true, true}, 2},
	} {
		calls = 0
		got := h.VerifyEach("one", c.hashes)
		if fmt.Sprint(got) != fmt.Sprint(c.want) || calls != c.calls {
			t.Errorf("%d hashes: matches %v in %d computations, want %v in %d", len(c.hashes), got, calls, c.want, c.calls)
		}
	}
	if !h.Verify("two", second) || h.Verify("one", second) {
		t.Fatal("a hash sharing a salt does not verify on its own")
	}
}
