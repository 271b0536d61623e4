// Package fcm delivers alerts to Android devices through Firebase Cloud
// Messaging (HTTP v1) with the Firebase Admin SDK. It signs in with a
// service account, honouring the account's token_uri, and turns every FCM
// answer into a push.Result.
package fcm

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
)

// Config is what New needs to reach FCM.
type Config struct {
	// CredentialsJSON is a service-account key file as the Firebase console
	// exports it. Its project_id names the project messages are sent from
	// and its token_uri is where access tokens are fetched (Google's token
	// endpoint when absent).
	CredentialsJSON []byte
	// Endpoint overrides the messaging endpoint, the base that
	// "/projects/<id>/messages:send" is appended to; "" is Google's
	// "https://fcm.googleapis.com/v1".
	Endpoint string
	// HTTPClient, when set, supplies the transport and timeout for both the
	// token exchange and the sends.
	HTTPClient *http.Client
}

// googleTokenURL is where service-account tokens are exchanged when the
// key file names no token_uri.
const googleTokenURL = "https://oauth2.googleapis.com/token"

// scopeMessaging is the OAuth scope that lets a token send FCM messages.
const scopeMessaging = "https://www.googleapis.com/auth/firebase.messaging"

// serviceAccount is the part of a key file the sender uses.
type serviceAccount struct {
	Type         string `json:"type"`
	ProjectID    string `json:"project_id"`
	PrivateKeyID string `json:"private_key_id"`
	PrivateKey   string `json:"private_key"`
	ClientEmail  string `json:"client_email"`
	TokenURI     string `json:"token_uri"`
}

// parseServiceAccount reads and checks a key file. Its errors name the
// field at fault and never quote the key.
func parseServiceAccount(raw []byte) (*serviceAccount, error) {
	if len(raw) == 0 {
		return nil, errors.New("fcm: no service-account credentials given")
	}
	var sa serviceAccount
	if err := json.Unmarshal(raw, &sa); err != nil {
		return nil, errors.New("fcm: service-account credentials are not a valid JSON object")
	}
	if sa.Type != "service_account" {
		return nil, fmt.Errorf("fcm: credentials type is %q, want \"service_account\"", sa.Type)
	}
	for _, f := range []struct{ name, value string }{
		{"project_id", sa.ProjectID},
		{"client_email", sa.ClientEmail},
		{"private_key", sa.PrivateKey},
	} {
		if f.value == "" {
			return nil, fmt.Errorf("fcm: service-account credentials lack %s", f.name)
		}
	}
	if !isRSAKey([]byte(sa.PrivateKey)) {
		return nil, errors.New("fcm: service-account private_key is not a PEM-encoded RSA private key")
	}
	if sa.TokenURI == "" {
		sa.TokenURI = googleTokenURL
	}
	return &sa, nil
}

// isRSAKey reports whether p is a PEM block holding an RSA private key in
// PKCS#8 or PKCS#1 form, the forms the OAuth library can sign with.
func isRSAKey(p []byte) bool {
	b, _ := pem.Decode(p)
	if b == nil {
		return false
	}
	if k, err := x509.ParsePKCS8PrivateKey(b.Bytes); err == nil {
		_, ok := k.(*rsa.PrivateKey)
		return ok
	}
	_, err := x509.ParsePKCS1PrivateKey(b.Bytes)
	return err == nil
}
