package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const issuer = "switchboard"

// accessClaims are the claims of an access token. The member's role is not
// in the token: it is read on every request so that a change applies at once.
type accessClaims struct {
	WS  string `json:"ws"`
	SID string `json:"sid"`
	jwt.RegisteredClaims
}

// signer issues and checks HS256 access tokens.
type signer struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

func (s *signer) issue(ws, memberID, sessionID string) (string, time.Time, error) {
	now := s.now()
	exp := now.Add(s.ttl)
	c := accessClaims{WS: ws, SID: sessionID, RegisteredClaims: jwt.RegisteredClaims{
		Issuer:    issuer,
		Subject:   memberID,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(exp),
	}}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.key)
	return tok, exp, err
}

// parse verifies signature, algorithm (HS256 only: "none" and others are
// refused), issuer and expiry.
func (s *signer) parse(token string) (*accessClaims, error) {
	var c accessClaims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return s.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(s.now),
	)
	if err != nil {
		return nil, err
	}
	if c.Subject == "" || c.WS == "" || c.SID == "" {
		return nil, errors.New("token lacks subject, workspace or session")
	}
	return &c, nil
}

// newSecret returns a random token with a readable prefix.
func newSecret(prefix string) string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// hashSecret is how opaque secrets (refresh tokens, invites, API keys) are
// stored: they are high-entropy, so a fast hash suffices.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
