package apnsfake

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// GenerateP8 makes a token-auth key as Apple hands it out: a fresh P-256
// private key in a PKCS#8 PEM block ("PRIVATE KEY"), and its public half
// for NewToken.
func GenerateP8(t testing.TB) (p8 []byte, public *ecdsa.PublicKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("apnsfake: generate key: %v", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatalf("apnsfake: encode key: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), &key.PublicKey
}

// GenerateP12 makes a push certificate for topic, issued by a fresh CA,
// with its private key in a legacy PKCS#12 file (3DES, SHA-1 MAC) that
// golang.org/x/crypto/pkcs12 opens with password. It returns the file and
// a pool holding the CA, for NewCert.
func GenerateP12(t testing.TB, topic, password string) (p12 []byte, ca *x509.CertPool) {
	t.Helper()
	caCert, caKey := newCert(t, "Apple Worldwide Developer Relations (fake)", nil, nil)
	leaf, leafKey := newCert(t, "Apple Push Services: "+topic, caCert, caKey)
	p12, err := pkcs12.Legacy.Encode(leafKey, leaf, nil, password)
	if err != nil {
		t.Fatalf("apnsfake: encode p12: %v", err)
	}
	ca = x509.NewCertPool()
	ca.AddCert(caCert)
	return p12, ca
}

// newCert makes a P-256 certificate named cn: a CA when parent is nil,
// else a client certificate signed by parent.
func newCert(t testing.TB, cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("apnsfake: generate key: %v", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatalf("apnsfake: serial: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	signer, signerKey := tmpl, key
	if parent == nil {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
		tmpl.ExtKeyUsage = nil
	} else {
		signer, signerKey = parent, parentKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatalf("apnsfake: create certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("apnsfake: parse certificate: %v", err)
	}
	return cert, key
}
