package webpushfake

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// maxExp is how far ahead a VAPID JWT may expire (RFC 8292, section 2).
const maxExp = 24 * time.Hour

// vapid is a checked VAPID Authorization header.
type vapid struct {
	key     []byte // k: the application server's public key
	subject string // the JWT's sub claim
}

// authError is a rejected Authorization header and the status it earns.
type authError struct {
	status int
	msg    string
}

func (e *authError) Error() string { return e.msg }

// unauthorized is a 401 answer.
func unauthorized(format string, args ...any) error {
	return &authError{status: 401, msg: fmt.Sprintf(format, args...)}
}

// checkVAPID verifies an "Authorization: vapid t=<JWT>, k=<key>" header
// (RFC 8292): the JWT is ES256 signed by k, its aud is aud, its exp is
// in the future and at most 24 hours ahead and its sub is a mailto: or
// https: contact. want, when not nil, is the only key accepted (403).
func checkVAPID(header, aud string, want []byte, now time.Time) (*vapid, error) {
	scheme, params, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "vapid") {
		return nil, unauthorized("Authorization is not the vapid scheme")
	}
	var t, k string
	for _, p := range strings.Split(params, ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(name) {
		case "t":
			t = val
		case "k":
			k = val
		}
	}
	if t == "" || k == "" {
		return nil, unauthorized("vapid Authorization lacks t or k")
	}
	key, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(k, "="))
	if err != nil {
		return nil, unauthorized("vapid k is not base64url")
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), key)
	if err != nil {
		return nil, unauthorized("vapid k is not a P-256 public key")
	}
	claims, err := verifyES256(t, pub)
	if err != nil {
		return nil, unauthorized("vapid t: %v", err)
	}
	if err := claims.check(aud, now); err != nil {
		return nil, unauthorized("vapid t: %v", err)
	}
	if want != nil && !bytes.Equal(want, key) {
		return nil, &authError{status: 403, msg: "vapid k is not the key this subscription was made with"}
	}
	return &vapid{key: key, subject: claims.Sub}, nil
}

// jwtClaims are the claims VAPID uses.
type jwtClaims struct {
	Aud string      `json:"aud"`
	Exp json.Number `json:"exp"`
	Sub string      `json:"sub"`
}

// check applies RFC 8292's rules to the claims.
func (c *jwtClaims) check(aud string, now time.Time) error {
	if c.Aud != aud {
		return fmt.Errorf("aud %q is not %q", c.Aud, aud)
	}
	exp, err := c.Exp.Int64()
	if err != nil {
		return errors.New("exp is missing or not an integer")
	}
	if at := time.Unix(exp, 0); !at.After(now) {
		return errors.New("the JWT has expired")
	} else if at.Sub(now) > maxExp {
		return errors.New("exp is more than 24 hours ahead")
	}
	if addr, ok := strings.CutPrefix(c.Sub, "mailto:"); ok {
		if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr {
			return fmt.Errorf("sub %q is not a mailto: address", c.Sub)
		}
		return nil
	}
	if u, err := url.Parse(c.Sub); err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("sub %q is not a mailto: or https: contact", c.Sub)
	}
	return nil
}

// verifyES256 checks a compact JWS signed with ES256 by pub and returns
// its claims.
func verifyES256(token string, pub *ecdsa.PublicKey) (*jwtClaims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a compact JWS")
	}
	var head struct {
		Alg string `json:"alg"`
	}
	if err := decodeJSON(parts[0], &head); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if head.Alg != "ES256" {
		return nil, fmt.Errorf("alg %q is not ES256", head.Alg)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return nil, errors.New("signature is not 64 bytes of base64url")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(pub, sum[:], r, s) {
		return nil, errors.New("signature does not verify with k")
	}
	var c jwtClaims
	if err := decodeJSON(parts[1], &c); err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	return &c, nil
}

// decodeJSON decodes one base64url JSON part of a JWS into v.
func decodeJSON(part string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return errors.New("not base64url")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}
