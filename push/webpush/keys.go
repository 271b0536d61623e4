package webpush

import (
	"crypto/ecdh"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/outbound"
)

// GenerateKeys makes a new VAPID key pair as webpush-go generates it: the
// P-256 public key as a 65-byte uncompressed point and the 32-byte private
// scalar, both in unpadded base64url. The public key is what browsers
// subscribe with (applicationServerKey).
func GenerateKeys() (publicKey, privateKey string, err error) {
	// webpush-go returns the private key first.
	privateKey, publicKey, err = webpush.GenerateVAPIDKeys()
	return publicKey, privateKey, err
}

// decodeB64URL decodes base64url, padded or not.
func decodeB64URL(s string) ([]byte, error) {
	if strings.HasSuffix(s, "=") {
		return base64.URLEncoding.DecodeString(s)
	}
	return base64.RawURLEncoding.DecodeString(s)
}

// parseKeys checks that public and private are a matching P-256 pair and
// returns them in unpadded base64url. Its errors name the bad key and
// never contain either key.
func parseKeys(public, private string) (pub, priv string, err error) {
	if public == "" {
		return "", "", errors.New("webpush: the VAPID public key is missing")
	}
	if private == "" {
		return "", "", errors.New("webpush: the VAPID private key is missing")
	}
	pb, err := decodeB64URL(public)
	if err != nil {
		return "", "", errors.New("webpush: the VAPID public key is not base64url")
	}
	pk, err := ecdh.P256().NewPublicKey(pb)
	if err != nil {
		return "", "", errors.New("webpush: the VAPID public key is not a P-256 point (65 bytes, uncompressed)")
	}
	sb, err := decodeB64URL(private)
	if err != nil {
		return "", "", errors.New("webpush: the VAPID private key is not base64url")
	}
	if len(sb) != 32 {
		return "", "", errors.New("webpush: the VAPID private key is not a 32-byte P-256 scalar")
	}
	sk, err := ecdh.P256().NewPrivateKey(sb)
	if err != nil {
		return "", "", errors.New("webpush: the VAPID private key is not a valid P-256 scalar")
	}
	if subtle.ConstantTimeCompare(sk.PublicKey().Bytes(), pk.Bytes()) != 1 {
		return "", "", errors.New("webpush: the VAPID public key does not belong to the private key")
	}
	return base64.RawURLEncoding.EncodeToString(pb), base64.RawURLEncoding.EncodeToString(sb), nil
}

// The fields ValidSubscription names, as the device API's request has them.
const (
	FieldEndpoint = "subscription.endpoint"
	FieldP256dh   = "subscription.keys.p256dh"
	FieldAuth     = "subscription.keys.auth"
)

// maxEndpoint bounds an endpoint URL's length.
const maxEndpoint = 2048

// ValidSubscription checks a browser's PushSubscription under the default
// outbound policy (public hosts only): CheckSubscription(outbound.Policy{}).
func ValidSubscription(endpoint, p256dh, auth string) error {
	return CheckSubscription(outbound.Policy{})(endpoint, p256dh, auth)
}

// CheckSubscription returns the check of a browser's PushSubscription
// under policy p: endpoint must be an https URL without user info whose
// host p allows (a host name, or an IP literal of a public address; see
// outbound.Policy.CheckHost), or, only when p.AllowPrivate, an http URL
// of a loopback host; p256dh must be a P-256 public key as a 65-byte
// uncompressed point and auth a 16-byte secret, both in base64url, padded
// or not. A bad subscription is a *models.Error of code invalid whose
// FieldError names the bad field (FieldEndpoint, FieldP256dh or
// FieldAuth); the message never repeats the value. Where a host name
// resolves is checked when it is connected to.
func CheckSubscription(p outbound.Policy) func(endpoint, p256dh, auth string) error {
	return func(endpoint, p256dh, auth string) error { return checkSubscription(p, endpoint, p256dh, auth) }
}

func checkSubscription(p outbound.Policy, endpoint, p256dh, auth string) error {
	bad := func(field, msg string) error {
		return models.Invalid("bad web push subscription", models.FieldError{Field: field, Message: msg})
	}
	u, err := url.Parse(endpoint)
	switch {
	case endpoint == "" || len(endpoint) > maxEndpoint || err != nil || u.Host == "" || u.User != nil:
		return bad(FieldEndpoint, "must be the push service's URL (at most 2048 characters)")
	case u.Scheme == "https":
	case u.Scheme == "http" && p.AllowPrivate && outbound.IsLoopbackHost(u.Hostname()):
	default:
		return bad(FieldEndpoint, "must be an https URL")
	}
	if err := p.CheckHost(u.Hostname()); err != nil {
		return bad(FieldEndpoint, "must be on a public host: a host name or a public IP address (not loopback, private, link-local or another special address)")
	}
	b, err := decodeB64URL(p256dh)
	if err != nil {
		return bad(FieldP256dh, "must be base64url")
	}
	if _, err := ecdh.P256().NewPublicKey(b); err != nil {
		return bad(FieldP256dh, "must be a P-256 public key (a 65-byte uncompressed point)")
	}
	b, err = decodeB64URL(auth)
	if err != nil {
		return bad(FieldAuth, "must be base64url")
	}
	if len(b) != 16 {
		return bad(FieldAuth, "must be a 16-byte secret")
	}
	return nil
}
