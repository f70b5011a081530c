package store

import (
	"crypto/sha256"
	"encoding/binary"

	bolt "go.etcd.io/bbolt"
)

func encodeUint(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func decodeUint(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// join builds a composite key a 0x00 b; tokens and ids never contain 0x00.
func join(parts ...string) []byte {
	n := len(parts) - 1
	for _, p := range parts {
		n += len(p)
	}
	k := make([]byte, 0, n)
	for i, p := range parts {
		if i > 0 {
			k = append(k, 0)
		}
		k = append(k, p...)
	}
	return k
}

// prefix returns "a 0x00" for prefix scans.
func prefix(a string) []byte { return append([]byte(a), 0) }

// endpointKey is a fixed-size key for a push endpoint URL.
func endpointKey(endpoint string) []byte {
	h := sha256.Sum256([]byte(endpoint))
	return h[:16]
}

// countKeys returns the number of keys in a top-level bucket.
func (db *DB) countKeys(bucket []byte) (int, error) {
	n := 0
	err := db.bolt.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucket).Stats().KeyN
		return nil
	})
	return n, err
}
