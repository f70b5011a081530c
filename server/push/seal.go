package push

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"
)

// errEncrypt marks a Seal that failed inside webpush-go (the subscription's
// keys do not decode or are not a P-256 point).
var errEncrypt = errors.New("encrypt push message")

// Sealed is one message encrypted for one device ahead of its send time: the
// request webpush-go built, minus the VAPID Authorization header, which
// SendSealed adds from the push service's current token. It holds no secret
// beyond what the push service sees; the endpoint is a bearer capability, so
// keep it out of logs.
type Sealed struct {
	Endpoint string
	// Kind is the message's kind, for stats and logs; it is not sent.
	Kind string
	// Request headers as webpush-go set them. TTL is relative to when the
	// push service receives the message, so a message sealed minutes ahead
	// carries the TTL that Send would set at send time.
	TTL, Urgency, Topic          string
	ContentEncoding, ContentType string
	// Body is the aes128gcm body, padded to one of the fixed record sizes.
	// Copies of a Sealed share it: never write to it.
	Body []byte
	// Expires is when the message is no longer worth sending; SendSealed
	// refuses it from then on. Zero: never.
	Expires time.Time

	// sum identifies the subscription and message it was sealed from (Matches).
	sum        [sha256.Size]byte
	payloadLen int
}

// Matches reports whether m was sealed for exactly this subscription (endpoint
// and keys) and message: what Send(sub, msg) would deliver now. The due-minute
// path checks it so that a plan or device changed after sealing never gets the
// stale bytes.
func (m *Sealed) Matches(sub Subscription, msg Message) bool {
	payload, err := msg.Payload()
	if err != nil {
		return false
	}
	return m.sum == sealSum(sub, payload, msg) && m.sum != [sha256.Size]byte{}
}

// Expected is what a message sealed for msg must have been made from, but
// for the device: built once for the many devices of one reminder
// (Sealed.MatchesExpected), as Matches builds it for one.
type Expected struct {
	payload []byte
	msg     Message
}

// Expect returns what messages sealed for msg must match.
func Expect(msg Message) (Expected, error) {
	payload, err := msg.Payload()
	return Expected{payload: payload, msg: msg}, err
}

// MatchesExpected is Matches(sub, msg) for the msg that e was made from.
func (m *Sealed) MatchesExpected(sub Subscription, e Expected) bool {
	return e.payload != nil && m.sum == sealSum(sub, e.payload, e.msg) && m.sum != [sha256.Size]byte{}
}

// Size is about what m takes in memory: the struct, its body and strings.
func (m *Sealed) Size() int {
	const fixed = 200 // unsafe.Sizeof(Sealed{})
	return fixed + len(m.Body) + len(m.Endpoint) + len(m.Kind) + len(m.TTL) + len(m.Topic)
}

// header returns the request headers with auth as Authorization; the
// values share one allocation.
func (m *Sealed) header(auth string) http.Header {
	v := []string{m.ContentEncoding, m.ContentType, m.TTL, auth, m.Urgency, m.Topic}
	h := make(http.Header, len(v))
	h["Content-Encoding"] = v[0:1:1]
	h["Content-Type"] = v[1:2:2]
	h["Ttl"] = v[2:3:3]
	h["Authorization"] = v[3:4:4]
	if m.Urgency != "" {
		h["Urgency"] = v[4:5:5]
	}
	if m.Topic != "" {
		h["Topic"] = v[5:6:6]
	}
	return h
}

// Sealer encrypts messages for devices ahead of their send time, through
// webpush-go with an HTTP client that captures the request instead of sending
// it. It is safe for concurrent use; get one from Sender.Sealer.
type Sealer struct {
	keys    Keys
	subject string
	allow   *Allowlist
	largest uint32 // Config.RecordSize: the largest record a message is padded to
}

// Seal encrypts msg for sub, as Send would, without sending anything. The
// endpoint is checked against the allowlist now and again by SendSealed;
// expires (zero: never) is when SendSealed stops sending it.
func (z *Sealer) Seal(sub Subscription, msg Message, expires time.Time) (Sealed, error) {
	if err := z.allow.Check(sub.Endpoint); err != nil {
		return Sealed{}, err
	}
	payload, err := msg.Payload()
	if err != nil {
		return Sealed{}, err
	}
	if !validUrgency(msg.Urgency) {
		return Sealed{}, fmt.Errorf("push urgency %q: want very-low, low, normal or high", msg.Urgency)
	}
	cc := &captureClient{}
	opts := webpush.Options{
		HTTPClient:      cc,
		Subscriber:      z.subject,
		VAPIDPublicKey:  z.keys.Public,
		VAPIDPrivateKey: z.keys.Private,
		TTL:             ttlSeconds(msg.TTL),
		Urgency:         webpush.Urgency(msg.Urgency),
		Topic:           NormalizeTopic(msg.Topic),
		RecordSize:      recordSizeFor(len(payload), z.largest),
	}
	ws := &webpush.Subscription{Endpoint: sub.Endpoint, Keys: webpush.Keys{Auth: sub.Auth, P256dh: sub.P256dh}}
	sum := sealSum(sub, payload, msg) // before webpush-go pads into payload's capacity
	resp, err := webpush.SendNotificationWithContext(context.Background(), payload, ws, &opts)
	if err != nil {
		return Sealed{}, fmt.Errorf("%w: %w", errEncrypt, err)
	}
	resp.Body.Close()
	if cc.err != nil {
		return Sealed{}, fmt.Errorf("%w: %w", errEncrypt, cc.err)
	}
	h := cc.req.Header
	return Sealed{
		Endpoint:        sub.Endpoint,
		Kind:            msg.Kind,
		TTL:             h.Get("TTL"),
		Urgency:         h.Get("Urgency"),
		Topic:           h.Get("Topic"),
		ContentEncoding: h.Get("Content-Encoding"),
		ContentType:     h.Get("Content-Type"),
		Body:            cc.body,
		Expires:         expires,
		sum:             sum,
		payloadLen:      len(payload),
	}, nil
}

// sealSum digests what a sealed message was made from, each field length-prefixed.
func sealSum(sub Subscription, payload []byte, msg Message) [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	for _, f := range [][]byte{[]byte(sub.Endpoint), []byte(sub.P256dh), []byte(sub.Auth), payload,
		[]byte(strconv.Itoa(ttlSeconds(msg.TTL))), []byte(msg.Urgency), []byte(NormalizeTopic(msg.Topic))} {
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		h.Write(n[:])
		h.Write(f)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// captureClient is webpush-go's HTTPClient for sealing: it keeps the request
// and a copy of its body, and answers 201 without touching the network.
type captureClient struct {
	req  *http.Request
	body []byte
	err  error
}

func (c *captureClient) Do(req *http.Request) (*http.Response, error) {
	c.req = req
	if req.Body != nil {
		// An exact-size copy: webpush-go's buffer has grown past the body.
		if n := req.ContentLength; n > 0 && n <= int64(webpush.MaxRecordSize) {
			c.body = make([]byte, n)
			_, c.err = io.ReadFull(req.Body, c.body)
		} else {
			c.body, c.err = io.ReadAll(io.LimitReader(req.Body, int64(webpush.MaxRecordSize)+1))
			c.body = bytes.Clone(c.body)
		}
		req.Body.Close()
	}
	if c.err == nil && len(c.body) == 0 {
		c.err = errors.New("webpush-go built an empty body")
	}
	return &http.Response{StatusCode: http.StatusCreated, Status: "201 Created", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, Body: http.NoBody, Request: req}, nil
}
