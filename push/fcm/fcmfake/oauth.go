package fcmfake

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// JWT-bearer grant of RFC 7523, as Google's token endpoint takes it.
const grantJWTBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// maxAssertionLife is the longest exp-iat Google accepts.
const maxAssertionLife = time.Hour

// ServiceAccountJSON makes a service account of projectID with a fresh
// RSA key and returns its key file, with token_uri pointing at the fake.
// It panics if no key can be generated.
func (s *Server) ServiceAccountJSON(projectID string) []byte {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic("fcmfake: generate RSA key: " + err.Error())
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic("fcmfake: encode RSA key: " + err.Error())
	}
	keyID := randomHex(20)
	s.mu.Lock()
	email := fmt.Sprintf("firebase-adminsdk-%d@%s.iam.gserviceaccount.com", len(s.accounts)+1, projectID)
	s.accounts[email] = &account{projectID: projectID, keyID: keyID, public: &key.PublicKey}
	s.mu.Unlock()
	out, _ := json.MarshalIndent(map[string]string{
		"type":                        "service_account",
		"project_id":                  projectID,
		"private_key_id":              keyID,
		"private_key":                 string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":                email,
		"client_id":                   "100000000000000000001",
		"auth_uri":                    "https://accounts.google.com/o/oauth2/auth",
		"token_uri":                   s.TokenURL(),
		"auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
		"universe_domain":             "googleapis.com",
	}, "", "  ")
	return out
}

// handleToken is the OAuth token endpoint: it exchanges a service
// account's RS256 assertion for an access token.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.tokenN++
	s.mu.Unlock()
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, oauthError("invalid_request", "Bad form."))
		return
	}
	if g := r.PostForm.Get("grant_type"); g != grantJWTBearer {
		writeJSON(w, http.StatusBadRequest, oauthError("unsupported_grant_type", "Invalid grant_type: "+g))
		return
	}
	project, err := s.verifyAssertion(r.PostForm.Get("assertion"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, oauthError("invalid_grant", err.Error()))
		return
	}
	token := "ya29.fake-" + randomHex(24)
	s.mu.Lock()
	s.tokens[token] = project
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": token, "expires_in": 3599, "token_type": "Bearer",
	})
}

// verifyAssertion checks a JWT assertion: RS256 signed by the key of the
// account its iss names (kid matching when given), aud the token URL, a
// scope that covers FCM, iat not in the future and exp after now but at
// most an hour after iat. It returns the account's project.
func (s *Server) verifyAssertion(assertion string) (string, error) {
	var acct *account
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(assertion, claims, func(t *jwt.Token) (any, error) {
		iss, _ := claims["iss"].(string)
		s.mu.Lock()
		acct = s.accounts[iss]
		s.mu.Unlock()
		if acct == nil {
			return nil, fmt.Errorf("unknown service account %q", iss)
		}
		if kid, ok := t.Header["kid"].(string); ok && kid != acct.keyID {
			return nil, fmt.Errorf("unknown key id %q", kid)
		}
		return acct.public, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(s.TokenURL()),
		jwt.WithIssuedAt(), jwt.WithExpirationRequired(), jwt.WithLeeway(5*time.Second))
	if err != nil {
		return "", fmt.Errorf("invalid JWT: %v", err)
	}
	iat, err1 := claims.GetIssuedAt()
	exp, err2 := claims.GetExpirationTime()
	if err1 != nil || err2 != nil || iat == nil || exp.Sub(iat.Time) > maxAssertionLife {
		return "", fmt.Errorf("invalid JWT: iat and exp must be at most an hour apart")
	}
	scope, _ := claims["scope"].(string)
	if !coversFCM(scope) {
		return "", fmt.Errorf("invalid JWT: scope %q does not cover FCM", scope)
	}
	return acct.projectID, nil
}

// coversFCM reports whether an OAuth scope list grants sending messages.
func coversFCM(scope string) bool {
	for _, s := range strings.Fields(scope) {
		if s == "https://www.googleapis.com/auth/firebase.messaging" ||
			s == "https://www.googleapis.com/auth/cloud-platform" {
			return true
		}
	}
	return false
}

// oauthError is an RFC 6749 error body.
func oauthError(code, description string) map[string]string {
	return map[string]string{"error": code, "error_description": description}
}

// randomHex is n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
