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
// logged in successfully to the account of an email in a workspace. A device
// token is not a credential (it opens nothing); it only gives its client a
// login budget of its own for that account, so that strangers failing
// logins for that email from elsewhere cannot lock it out. It is bound to
// the workspace too: the admin of one workspace, who may give an email an
// account there, must not earn trusted budgets against the same email's
// accounts in other workspaces.
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

// issue returns a device token for the account of email in workspace ws
// (an ID, which has no '.'): sbd_<id>.<ws>.<expiry>.<mac>.
func (d *deviceSigner) issue(email, ws string) string {
	id := newSecret("")[:22] // 132 random bits
	body := devicePrefix + id + "." + ws + "." + strconv.FormatInt(d.now().Add(DeviceTokenTTL).Unix(), 10)
	return body + "." + d.mac(body, email)
}

// check returns the token's id and workspace when token was issued by this
// installation for email and has not expired.
func (d *deviceSigner) check(token, email string) (id, ws string, ok bool) {
	if len(token) > 256 || !strings.HasPrefix(token, devicePrefix) {
		return "", "", false
	}
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return "", "", false
	}
	body, mac := token[:i], token[i+1:]
	if !hmac.Equal([]byte(mac), []byte(d.mac(body, email))) {
		return "", "", false
	}
	parts := strings.Split(strings.TrimPrefix(body, devicePrefix), ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return "", "", false
	}
	unix, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || !d.now().Before(time.Unix(unix, 0)) {
		return "", "", false
	}
	return parts[0], parts[1], true
}

func (d *deviceSigner) mac(body, email string) string {
	m := hmac.New(sha256.New, d.key)
	m.Write([]byte(body))
	m.Write([]byte{0})
	m.Write([]byte(email))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
