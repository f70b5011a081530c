package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"time"

	"github.com/aftercare/aftercare/server/model"
)

// dueKey is fireUnix(8 BE) token 0x00 ruleID.
func dueKey(at time.Time, token, ruleID string) []byte {
	return appendDueKey(make([]byte, 0, 8+len(token)+1+len(ruleID)), at, token, ruleID)
}

func appendDueKey(k []byte, at time.Time, token, ruleID string) []byte {
	k = binary.BigEndian.AppendUint64(k, uint64(at.Unix()))
	k = append(k, token...)
	k = append(k, 0)
	return append(k, ruleID...)
}

func parseDueKey(k []byte) (at time.Time, token, ruleID string, ok bool) {
	if len(k) < 10 {
		return time.Time{}, "", "", false
	}
	rest := k[8:]
	i := bytes.IndexByte(rest, 0)
	if i < 0 {
		return time.Time{}, "", "", false
	}
	at = time.Unix(int64(binary.BigEndian.Uint64(k[:8])), 0).UTC()
	return at, string(rest[:i]), string(rest[i+1:]), true
}

// dueFormat marks the binary due value; entries written by older code are JSON ('{').
const dueFormat = 1

var zeroUnix = time.Time{}.Unix()

// encodeDue writes s compactly: format, gen, kind, nextLocal, lastSentLocal,
// lastSent (unix seconds, nanoseconds). NextFire is the key's time.
func encodeDue(s RuleState) []byte {
	b := make([]byte, 0, 1+3*binary.MaxVarintLen64+3+len(s.Kind)+len(s.NextLocal)+len(s.LastSentLocal))
	b = append(b, dueFormat)
	b = binary.AppendUvarint(b, s.Gen)
	for _, str := range [...]string{s.Kind, s.NextLocal, s.LastSentLocal} {
		b = binary.AppendUvarint(b, uint64(len(str)))
		b = append(b, str...)
	}
	sec := zeroUnix
	var nsec int
	if !s.LastSent.IsZero() {
		sec, nsec = s.LastSent.Unix(), s.LastSent.Nanosecond()
	}
	b = binary.AppendVarint(b, sec)
	return binary.AppendUvarint(b, uint64(nsec))
}

var errDueValue = errors.New("malformed due entry")

// decodeDue reads a due value (binary, or JSON from before the binary format).
func decodeDue(v []byte, s *RuleState) error {
	if len(v) > 0 && v[0] == '{' {
		return json.Unmarshal(v, s)
	}
	if len(v) == 0 || v[0] != dueFormat {
		return errDueValue
	}
	v = v[1:]
	gen, n := binary.Uvarint(v)
	if n <= 0 {
		return errDueValue
	}
	s.Gen, v = gen, v[n:]
	var strs [3]string
	for i := range strs {
		l, n := binary.Uvarint(v)
		if n <= 0 || uint64(len(v)-n) < l {
			return errDueValue
		}
		strs[i], v = internKind(v[n:n+int(l)], i == 0), v[n+int(l):]
	}
	s.Kind, s.NextLocal, s.LastSentLocal = strs[0], strs[1], strs[2]
	sec, n := binary.Varint(v)
	if n <= 0 {
		return errDueValue
	}
	nsec, m := binary.Uvarint(v[n:])
	if m <= 0 || nsec >= 1e9 {
		return errDueValue
	}
	s.LastSent = time.Time{}
	if sec != zeroUnix {
		s.LastSent = time.Unix(sec, int64(nsec)).UTC()
	}
	return nil
}

// kinds are the reminder kinds, so decoding a due entry's kind allocates nothing.
var kinds = []string{model.KindHydration, model.KindStretch, model.KindCheckIn, model.KindFollowUp, model.KindTip, model.KindTest}

func internKind(b []byte, isKind bool) string {
	if isKind {
		for _, k := range kinds {
			if string(b) == k {
				return k
			}
		}
	}
	return string(b)
}

// dueGen reads just the generation of a due value (0 for the JSON format).
func dueGen(v []byte) uint64 {
	if len(v) < 2 || v[0] != dueFormat {
		return 0
	}
	gen, _ := binary.Uvarint(v[1:])
	return gen
}
