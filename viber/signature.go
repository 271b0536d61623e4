package viber

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// SignatureHeader carries a callback's signature.
const SignatureHeader = "X-Viber-Content-Signature"

// AuthHeader carries the bot's auth token on every API call.
const AuthHeader = "X-Viber-Auth-Token"

// Sign returns the signature Viber puts on a callback body: the hex
// HMAC-SHA256 of the raw body keyed with the auth token.
func Sign(token string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(token))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature reports whether sig is body's signature under token,
// comparing in constant time. An empty token or signature never verifies.
func VerifySignature(token, sig string, body []byte) bool {
	if token == "" || sig == "" {
		return false
	}
	want := Sign(token, body)
	return hmac.Equal([]byte(want), []byte(sig))
}
