package pushtest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/hkdf"
)

// aes128gcm header sizes (RFC 8188 section 2.1).
const (
	saltLen   = 16
	headerLen = saltLen + 4 + 1 // salt | rs | idlen, then keyid
	tagLen    = 16
)

// Decrypt opens a Web Push message body (RFC 8291, aes128gcm) with the
// browser-side private key and auth secret and returns the plaintext without
// padding. It accepts exactly one record, as RFC 8291 requires of senders.
// It is written from the RFCs, independently of webpush-go, so the two check each other.
func Decrypt(body []byte, uaPrivate *ecdh.PrivateKey, authSecret []byte) ([]byte, error) {
	if len(body) < headerLen {
		return nil, errors.New("body shorter than the aes128gcm header")
	}
	salt := body[:saltLen]
	rs := binary.BigEndian.Uint32(body[saltLen : saltLen+4])
	idLen := int(body[saltLen+4])
	if rs < tagLen+2 {
		return nil, fmt.Errorf("record size %d too small", rs)
	}
	if idLen != 65 {
		return nil, fmt.Errorf("keyid is %d bytes, want the sender's 65-byte public key", idLen)
	}
	if len(body) < headerLen+idLen {
		return nil, errors.New("body shorter than the header's keyid")
	}
	asPublic := body[headerLen : headerLen+idLen]
	record := body[headerLen+idLen:]
	if len(record) > int(rs) {
		return nil, fmt.Errorf("%d bytes of records exceed record size %d: web push allows one record", len(record), rs)
	}
	if len(record) < tagLen+1 {
		return nil, errors.New("record shorter than the GCM tag plus delimiter")
	}

	asKey, err := ecdh.P256().NewPublicKey(asPublic)
	if err != nil {
		return nil, fmt.Errorf("sender public key: %w", err)
	}
	ecdhSecret, err := uaPrivate.ECDH(asKey)
	if err != nil {
		return nil, fmt.Errorf("ecdh: %w", err)
	}
	uaPublic := uaPrivate.PublicKey().Bytes()

	// RFC 8291 section 3.4.
	prkKey := hkdf.Extract(sha256.New, ecdhSecret, authSecret)
	keyInfo := make([]byte, 0, 14+65+65)
	keyInfo = append(keyInfo, "WebPush: info\x00"...)
	keyInfo = append(keyInfo, uaPublic...)
	keyInfo = append(keyInfo, asPublic...)
	ikm, err := expand(prkKey, keyInfo, 32)
	if err != nil {
		return nil, err
	}
	// RFC 8188 section 2.2 and 2.3.
	prk := hkdf.Extract(sha256.New, ikm, salt)
	cek, err := expand(prk, []byte("Content-Encoding: aes128gcm\x00"), 16)
	if err != nil {
		return nil, err
	}
	nonce, err := expand(prk, []byte("Content-Encoding: nonce\x00"), 12)
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
	// Record sequence number 0: the nonce is used as derived.
	plain, err := gcm.Open(nil, nonce, record, nil)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}

	// Padding is zero bytes after a delimiter: 0x02 for the last record.
	i := len(plain) - 1
	for i >= 0 && plain[i] == 0 {
		i--
	}
	if i < 0 {
		return nil, errors.New("no padding delimiter")
	}
	if plain[i] != 0x02 {
		return nil, fmt.Errorf("padding delimiter 0x%02x, want 0x02 (last record)", plain[i])
	}
	return plain[:i], nil
}

func expand(prk, info []byte, n int) ([]byte, error) {
	out := make([]byte, n)
	if _, err := io.ReadFull(hkdf.Expand(sha256.New, prk, info), out); err != nil {
		return nil, fmt.Errorf("hkdf expand: %w", err)
	}
	return out, nil
}
