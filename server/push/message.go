package push

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MaxPayload is the largest plaintext payload accepted, well under the 3 KB
// that every push service and phone handles.
const MaxPayload = 2000

// TTL bounds enforced by the sender: below a minute a phone that is briefly
// offline misses the message; push services cap TTL at four weeks.
const (
	MinTTL = 60 * time.Second
	MaxTTL = 28 * 24 * time.Hour
)

// maxTopicLen is the RFC 8030 limit for the Topic header.
const maxTopicLen = 32

// ErrPayloadTooLarge is returned when a message's JSON exceeds MaxPayload bytes.
var ErrPayloadTooLarge = errors.New("push payload too large")

// Message is one notification.
type Message struct {
	Kind, Title, Body, URL, Tag string
	// Actions are the notification's buttons, worded in the recipient's language.
	Actions []Action
	// Topic collapses undelivered messages with the same topic at the push
	// service; hashed to 32 URL-safe characters if longer or not URL-safe.
	Topic string
	// TTL is how long the push service keeps the message for an offline
	// device; clamped to [MinTTL, MaxTTL].
	TTL time.Duration
	// Urgency is "very-low", "low", "normal", "high" or empty (service default).
	Urgency string
}

// Action is a notification button: the service worker acts on Action (an
// id such as "start") and shows Title.
type Action struct {
	Action string
	Title  string
}

// payload is the JSON the service worker reads.
type payload struct {
	Title   string       `json:"title"`
	Body    string       `json:"body"`
	URL     string       `json:"url"`
	Kind    string       `json:"kind"`
	Tag     string       `json:"tag"`
	Actions actionTitles `json:"actions,omitempty"`
}

// actionTitles is written as one object from action id to title, in the
// message's order ({"start": "…", "done": "…"}): the service worker finds
// each button by its id, and an object is the fewest bytes that say so.
type actionTitles []Action

func (as actionTitles) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, a := range as {
		if i > 0 {
			b.WriteByte(',')
		}
		id, err := json.Marshal(a.Action)
		if err != nil {
			return nil, err
		}
		title, err := json.Marshal(a.Title)
		if err != nil {
			return nil, err
		}
		b.Write(id)
		b.WriteByte(':')
		b.Write(title)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Payload returns the JSON bytes {title, body, url, kind, tag, actions}, a
// fresh slice on every call (webpush-go pads into the slice's spare
// capacity). The url is written as the URL's path: the service worker opens
// it on its own origin (and refuses any other), so the scheme and host would
// only cost body bytes, up to 90 with a long public address.
func (m Message) Payload() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "<" as \u003c would waste 5 of our 2000 bytes
	if err := enc.Encode(payload{Title: m.Title, Body: m.Body, URL: pathOf(m.URL), Kind: m.Kind, Tag: m.Tag, Actions: m.Actions}); err != nil {
		return nil, fmt.Errorf("encode push payload: %w", err)
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if len(b) > MaxPayload {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrPayloadTooLarge, len(b), MaxPayload)
	}
	return b, nil
}

// pathOf returns what follows the host of an absolute URL ("/p/x#/play"), or
// u itself when it has no scheme and host.
func pathOf(u string) string {
	i := strings.Index(u, "://")
	if i < 0 {
		return u
	}
	rest := u[i+3:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		return rest[j:]
	}
	return "/"
}

// NormalizeTopic returns topic unchanged if it is at most 32 URL-safe base64
// characters, else a stable 32-character hash of it.
func NormalizeTopic(topic string) string {
	if topic == "" || len(topic) <= maxTopicLen && isURLSafe(topic) {
		return topic
	}
	sum := sha256.Sum256([]byte(topic))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:maxTopicLen]
}

func isURLSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// ttlSeconds clamps d to [MinTTL, MaxTTL] and returns whole seconds.
func ttlSeconds(d time.Duration) int {
	d = min(max(d, MinTTL), MaxTTL)
	return int(d / time.Second)
}

// validUrgency reports whether u is empty or one of the four RFC 8030 values.
func validUrgency(u string) bool {
	switch u {
	case "", "very-low", "low", "normal", "high":
		return true
	}
	return false
}
