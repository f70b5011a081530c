package push

import (
	"bytes"
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	webpush "github.com/SherClockHolmes/webpush-go"
)

// keysFile is the name of the VAPID key file inside the data directory.
const keysFile = "vapid.json"

// Keys is a VAPID key pair, raw URL-safe base64 as webpush-go produces.
type Keys struct {
	Public  string `json:"publicKey"`
	Private string `json:"privateKey"`
}

// Validate checks that both keys decode and that Private belongs to Public.
func (k Keys) Validate() error {
	pub, err := decodeKey(k.Public)
	if err != nil {
		return fmt.Errorf("vapid public key: %w", err)
	}
	if _, err := ecdh.P256().NewPublicKey(pub); err != nil {
		return fmt.Errorf("vapid public key: not an uncompressed P-256 point: %w", err)
	}
	priv, err := decodeKey(k.Private)
	if err != nil {
		return fmt.Errorf("vapid private key: %w", err)
	}
	sk, err := ecdh.P256().NewPrivateKey(priv)
	if err != nil {
		return fmt.Errorf("vapid private key: %w", err)
	}
	if !bytes.Equal(sk.PublicKey().Bytes(), pub) {
		return errors.New("vapid private key does not belong to the public key")
	}
	return nil
}

// LoadOrCreateKeys reads dir/vapid.json, or generates a pair and writes it 0600
// (dir created 0700). It never rotates an existing pair: every subscription is
// bound to the public key, so a new pair would silently orphan all of them.
func LoadOrCreateKeys(dir string) (Keys, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Keys{}, fmt.Errorf("create key directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, keysFile)
	keys, err := readKeys(path)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return keys, err
	}

	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		return Keys{}, fmt.Errorf("generate vapid keys: %w", err)
	}
	return WriteKeys(dir, Keys{Public: pub, Private: priv})
}

// WriteKeys writes keys to dir/vapid.json (0600) unless the file exists, and
// returns the pair now on disk: the existing one wins, never overwritten.
func WriteKeys(dir string, keys Keys) (Keys, error) {
	if err := keys.Validate(); err != nil {
		return Keys{}, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Keys{}, fmt.Errorf("create key directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, keysFile)
	data, err := json.MarshalIndent(keys, "", "  ")
	if err != nil {
		return Keys{}, err
	}

	// Write a temporary file, then hard-link it into place: the link fails if
	// another process created the file meanwhile, and then its pair wins.
	tmp, err := os.CreateTemp(dir, ".vapid-*.json") // CreateTemp uses mode 0600
	if err != nil {
		return Keys{}, fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return Keys{}, fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return Keys{}, fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return Keys{}, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return readKeys(path)
		}
		return Keys{}, fmt.Errorf("write %s: %w", path, err)
	}
	return keys, nil
}

func readKeys(path string) (Keys, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Keys{}, fmt.Errorf("read %s: %w", path, err)
	}
	var keys Keys
	if err := json.Unmarshal(data, &keys); err != nil {
		return Keys{}, fmt.Errorf("read %s: %w", path, err)
	}
	if err := keys.Validate(); err != nil {
		return Keys{}, fmt.Errorf("read %s: %w", path, err)
	}
	return keys, nil
}

// decodeKey decodes URL-safe base64, padded or not.
func decodeKey(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("empty")
	}
	if strings.HasSuffix(s, "=") {
		return base64.URLEncoding.DecodeString(s)
	}
	return base64.RawURLEncoding.DecodeString(s)
}
