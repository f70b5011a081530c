package store

import (
	"bytes"
	"encoding/json"

	bolt "go.etcd.io/bbolt"
)

// Most buckets hold JSON records. These read and write them, so no value
// read inside a transaction escapes it undecoded.

// getJSON decodes the record under key in b into v; ErrNotFound when there is none.
func getJSON(b *bolt.Bucket, key []byte, v any) error {
	data := b.Get(key)
	if data == nil {
		return ErrNotFound
	}
	return json.Unmarshal(data, v)
}

// putJSON stores v as the record under key in b.
func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// eachJSON decodes every record of b, in key order, and hands it to fn; a
// record that does not decode stops it with the error.
func eachJSON[T any](b *bolt.Bucket, fn func(T)) error {
	return b.ForEach(func(_, v []byte) error {
		var r T
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		fn(r)
		return nil
	})
}

// listJSON decodes the records under token 0x00 in bucket, in key order,
// never nil; a record that does not decode fails the list.
func listJSON[T any](h *handle, bucket []byte, token string) ([]T, error) {
	out := []T{}
	err := scanPrefix(h, bucket, token, func(v []byte) error {
		var r T
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

func scanPrefix(b *handle, bucket []byte, token string, fn func(v []byte) error) error {
	return b.View(func(tx *bolt.Tx) error {
		pre := prefix(token)
		c := tx.Bucket(bucket).Cursor()
		for k, v := c.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, v = c.Next() {
			if err := fn(v); err != nil {
				return err
			}
		}
		return nil
	})
}

// keysWhere returns the keys of b's records that decode and match.
func keysWhere[T any](b *bolt.Bucket, match func(T) bool) ([][]byte, error) {
	var keys [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var r T
		if json.Unmarshal(v, &r) == nil && match(r) {
			keys = append(keys, bytes.Clone(k))
		}
		return nil
	})
	return keys, err
}

// deleteKeys deletes keys from b (collected first: deleting while iterating
// a cursor can skip keys).
func deleteKeys(b *bolt.Bucket, keys [][]byte) error {
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
