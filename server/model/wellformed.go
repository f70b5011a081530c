package model

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// checkWellFormed refuses what encoding/json would silently accept: a body that
// is not an object (null), invalid UTF-8 (it becomes U+FFFD) and a key repeated
// in one object (the last one wins, so a proxy that validated the first one
// would be fooled). Syntax errors are left to the decoder, which names them.
func checkWellFormed(data []byte) error {
	if trimmed := bytes.TrimLeft(data, " \t\r\n"); len(trimmed) > 0 && trimmed[0] != '{' {
		return bad("", "request body must be a JSON object")
	}
	if !utf8.Valid(data) {
		return bad("", "request body must be valid UTF-8")
	}
	return checkDuplicateKeys(data)
}

// checkDuplicateKeys walks the tokens of data; depth is already bounded by checkDepth.
func checkDuplicateKeys(data []byte) error {
	type object struct {
		keys    map[string]bool
		wantKey bool
	}
	var stack []*object // nil entries are arrays
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // no float parsing of huge numbers here
	// value marks that the enclosing object's next token is a key again.
	value := func() {
		if n := len(stack); n > 0 && stack[n-1] != nil {
			stack[n-1].wantKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // syntax errors are reported by the decoder proper
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				value()
				stack = append(stack, &object{keys: map[string]bool{}, wantKey: true})
			case '[':
				value()
				stack = append(stack, nil)
			default:
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1] != nil && stack[n-1].wantKey {
				o := stack[n-1]
				if o.keys[v] {
					return bad(v, "appears twice in one object")
				}
				o.keys[v] = true
				o.wantKey = false
				continue
			}
			value()
		default:
			value()
		}
	}
}
