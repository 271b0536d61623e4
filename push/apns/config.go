// Package apns delivers alerts to iOS devices through the Apple Push
// Notification service (HTTP/2 provider API) with sideshow/apns2, signing
// in with a token key (.p8) or a certificate (.p12), and turns every APNs
// answer into a push.Result.
package apns

import (
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/sideshow/apns2"
	"github.com/sideshow/apns2/certificate"
	"github.com/sideshow/apns2/token"
	"golang.org/x/net/http2"
)

// Config is what New needs to reach APNs: a token key (KeyP8, KeyID and
// TeamID) or a certificate (P12), exactly one of the two.
type Config struct {
	// KeyP8 is the token-auth key as Apple hands it out: a PEM PKCS#8 P-256
	// private key. KeyID is its key id and TeamID the developer team id.
	KeyP8  []byte
	KeyID  string
	TeamID string
	// P12 is a push certificate with its private key (PKCS#12), opened
	// with P12Password.
	P12         []byte
	P12Password string
	// Host, when set ("https://host:port"), is used for every device;
	// otherwise each device's Sandbox flag picks Apple's development or
	// production host.
	Host string
	// RootCAs, when set, are the only roots trusted (for a test server).
	RootCAs *x509.CertPool
}

// New checks c and builds a Sender. It connects to nothing until the first
// Send. Its errors name the field at fault and never quote key material.
func New(c Config) (*Sender, error) {
	hasToken := len(c.KeyP8) > 0 || c.KeyID != "" || c.TeamID != ""
	hasCert := len(c.P12) > 0 || c.P12Password != ""
	switch {
	case hasToken && hasCert:
		return nil, errors.New("apns: give either token auth (KeyP8, KeyID, TeamID) or certificate auth (P12), not both")
	case !hasToken && !hasCert:
		return nil, errors.New("apns: no credentials: give KeyP8, KeyID and TeamID, or P12")
	}
	dev, prod := apns2.HostDevelopment, apns2.HostProduction
	if c.Host != "" {
		u, err := url.Parse(c.Host)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, errors.New("apns: Host must be an https URL such as https://host:port")
		}
		dev = strings.TrimSuffix(c.Host, "/")
		prod = dev
	}
	tlsConfig := &tls.Config{RootCAs: c.RootCAs, MinVersion: tls.VersionTLS12}
	var tok *token.Token
	if hasToken {
		var err error
		if tok, err = tokenOf(c); err != nil {
			return nil, err
		}
	} else {
		if len(c.P12) == 0 {
			return nil, errors.New("apns: P12Password given without P12")
		}
		cert, err := certificate.FromP12Bytes(c.P12, c.P12Password)
		if err != nil {
			return nil, errors.New("apns: P12 cannot be opened: not a PKCS#12 file, or a wrong password")
		}
		tlsConfig.Certificates = []tls.Certificate{cert}
	}
	hc := &http.Client{
		Transport: headerKeeper{&http2.Transport{TLSClientConfig: tlsConfig, ReadIdleTimeout: apns2.ReadIdleTimeout}},
		Timeout:   apns2.HTTPClientTimeout,
	}
	return &Sender{
		dev:  &apns2.Client{Host: dev, Token: tok, HTTPClient: hc},
		prod: &apns2.Client{Host: prod, Token: tok, HTTPClient: hc},
	}, nil
}

// tokenOf checks the token-auth fields and loads the key.
func tokenOf(c Config) (*token.Token, error) {
	for _, f := range []struct {
		name  string
		given bool
	}{{"KeyP8", len(c.KeyP8) > 0}, {"KeyID", c.KeyID != ""}, {"TeamID", c.TeamID != ""}} {
		if !f.given {
			return nil, fmt.Errorf("apns: token auth needs KeyP8, KeyID and TeamID: %s is missing", f.name)
		}
	}
	key, err := token.AuthKeyFromBytes(c.KeyP8)
	if err != nil || key.Curve != elliptic.P256() {
		return nil, errors.New("apns: KeyP8 is not a PEM-encoded PKCS#8 P-256 private key")
	}
	return &token.Token{AuthKey: key, KeyID: c.KeyID, TeamID: c.TeamID}, nil
}
