package webpushfake

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// headerLen is the fixed part of an aes128gcm header: salt, rs, idlen.
const headerLen = 16 + 4 + 1

// decrypt opens a Web Push message body as a user agent does (RFC 8291
// with the aes128gcm content coding of RFC 8188): ua is the
// subscription's private key and auth its authentication secret. The body
// must be one record; the padding and its delimiter are removed.
func decrypt(body []byte, ua *ecdh.PrivateKey, auth []byte) ([]byte, error) {
	if len(body) < headerLen {
		return nil, errors.New("body shorter than the aes128gcm header")
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if rs < 18 {
		return nil, fmt.Errorf("record size %d is below 18", rs)
	}
	if idlen != 65 || len(body) < headerLen+idlen {
		return nil, fmt.Errorf("keyid of %d bytes is not a P-256 public key", idlen)
	}
	keyid, record := body[headerLen:headerLen+idlen], body[headerLen+idlen:]
	if uint64(len(record)) > uint64(rs) {
		return nil, fmt.Errorf("body of %d bytes is more than one record of %d", len(record), rs)
	}
	if len(record) < 17 {
		return nil, errors.New("record shorter than its tag and delimiter")
	}
	as, err := ecdh.P256().NewPublicKey(keyid)
	if err != nil {
		return nil, fmt.Errorf("keyid: %w", err)
	}
	shared, err := ua.ECDH(as)
	if err != nil {
		return nil, fmt.Errorf("ecdh: %w", err)
	}
	// IKM = HKDF(auth, ecdh_secret, "WebPush: info" 0x00 ua_public as_public, 32)
	info := "WebPush: info\x00" + string(ua.PublicKey().Bytes()) + string(keyid)
	ikm, err := hkdf.Key(sha256.New, shared, auth, info, 32)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	// The first record's sequence number is 0: its nonce is NONCE itself.
	plain, err := gcm.Open(nil, nonce, record, nil)
	if err != nil {
		return nil, errors.New("record does not decrypt (wrong keys or corrupted)")
	}
	i := len(plain) - 1
	for i >= 0 && plain[i] == 0 {
		i--
	}
	switch {
	case i < 0:
		return nil, errors.New("record has no padding delimiter")
	case plain[i] != 2:
		return nil, fmt.Errorf("padding delimiter is %d, not 2 (the last record's)", plain[i])
	}
	return plain[:i], nil
}
