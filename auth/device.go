package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// DeviceTokenTTL is how long a device token keeps its client trusted for
// the email it was issued to.
const DeviceTokenTTL = 180 * 24 * time.Hour

const devicePrefix = "sbd_"

// deviceSigner issues and checks device tokens: proof that a client once
// logged in successfully as an email. A device token is not a credential (it
// opens nothing); it only gives its client a login budget of its own, so that
// strangers failing logins for that email from elsewhere cannot lock it out.
// The key is derived from the access-token signing key, so every instance of
// an installation accepts the tokens of the others, and a device token can
// never pass for an access token.
type deviceSigner struct {
	key []byte
	now func() time.Time
}

func newDeviceSigner(signingKey []byte, now func() time.Time) *deviceSigner {
	m := hmac.New(sha256.New, signingKey)
	m.Write([]byte("switchboard device token v1"))
	return &deviceSigner{key: m.Sum(nil), now: now}
}

// issue returns a device token for email: sbd_<id>.<expiry>.<mac>.
func (d *deviceSigner) issue(email string) string {
	id := newSecret("")[:22] // 132 random bits
	body := devicePrefix + id + "." + strconv.FormatInt(d.now().Add(DeviceTokenTTL).Unix(), 10)
	return body + "." + d.mac(body, email)
}

// check returns the token's id when token was issued by this installation
// for email and has not expired.
func (d *deviceSigner) check(token, email string) (string, bool) {
	if len(token) > 256 || !strings.HasPrefix(token, devicePrefix) {
		return "", false
	}
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return "", false
	}
	body, mac := token[:i], token[i+1:]
	if !hmac.Equal([]byte(mac), []byte(d.mac(body, email))) {
		return "", false
	}
	id, exp, ok := strings.Cut(strings.TrimPrefix(body, devicePrefix), ".")
	if !ok {
		return "", false
	}
	unix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || !d.now().Before(time.Unix(unix, 0)) {
		return "", false
	}
	return id, true
}

func (d *deviceSigner) mac(body, email string) string {
	m := hmac.New(sha256.New, d.key)
	m.Write([]byte(body))
	m.Write([]byte{0})
	m.Write([]byte(email))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
