// Package pushtest runs a strict Web Push service on loopback for tests: it
// verifies the VAPID JWT, decrypts every message with the subscription's
// browser-side keys, and can be told to answer 410, 429, 5xx or to hang.
package pushtest

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// maxBody is the largest message body push services accept (RFC 8030 section 7.2).
const maxBody = 4096

// Service is a push service listening on 127.0.0.1.
type Service struct {
	URL string // http://127.0.0.1:port, also the VAPID aud the JWT must carry

	vapidKey []byte
	srv      *httptest.Server
	closed   chan struct{}
	requests atomic.Int64

	// Open connections and requests in flight, with their peaks: what a
	// sender's per-host bound must keep small.
	conns, peakConns       atomic.Int64
	inFlight, peakInFlight atomic.Int64

	// sampleEvery > 1 (NewSampling): only every sampleEvery-th request is
	// verified and recorded; the others are read and answered 201.
	sampleEvery int64

	mu        sync.Mutex
	arrivals  []time.Time // every accepted request's arrival, when sampling
	subs      map[string]*subscription
	behaviors map[string]*behaviorState
	received  []Received
	refusals  []string
	changed   chan struct{} // closed and replaced on every delivery
}

type subscription struct {
	key  *ecdh.PrivateKey
	auth []byte
}

// Behavior sets how an endpoint answers after a request passed verification.
type Behavior struct {
	Status     int           // 0 = 201; non-2xx answers are not recorded as delivered
	Times      int           // how many requests get this behaviour, 0 = forever
	RetryAfter string        // Retry-After header value, if any
	Delay      time.Duration // wait before answering (the request's context ends it early)
	// Reason, if set, is answered as {"reason": Reason}, as Apple and FCM
	// explain a refusal (e.g. "VapidPkHashMismatch", "BadJwtToken").
	Reason string
}

type behaviorState struct {
	Behavior
	left int
}

// Received is one verified and decrypted delivery.
type Received struct {
	Endpoint string
	Payload  []byte
	TTL      int
	Urgency  string
	Topic    string
	BodySize int    // encrypted body bytes
	Subject  string // the JWT's sub claim, e.g. "mailto:ops@example.org"
	At       time.Time
}

// New starts a service that accepts messages signed with vapidPublicKey
// (URL-safe base64, as webpush-go generates). t.Cleanup closes it.
func New(t testing.TB, vapidPublicKey string) *Service {
	t.Helper()
	key, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(vapidPublicKey, "="))
	if err != nil || len(key) != 65 {
		t.Fatalf("pushtest: VAPID public key must be 65 bytes of URL-safe base64")
	}
	s := &Service{
		vapidKey:  key,
		closed:    make(chan struct{}),
		subs:      make(map[string]*subscription),
		behaviors: make(map[string]*behaviorState),
		changed:   make(chan struct{}),
	}
	s.srv = httptest.NewUnstartedServer(s) // binds 127.0.0.1
	s.srv.Config.ConnState = s.connState
	s.srv.Start()
	s.URL = s.srv.URL
	t.Cleanup(func() {
		close(s.closed) // release handlers waiting out a Delay, so Close does not hang
		s.srv.Close()
	})
	return s
}

// NewSampling is New for benchmarks: it verifies and decrypts one request in
// every (a broken message still fails the run) and answers the others 201
// after reading their bodies, so the sender's cost shows rather than this
// service's. Received holds the verified sample; Arrivals every accepted
// request's arrival time.
func NewSampling(t testing.TB, vapidPublicKey string, every int) *Service {
	t.Helper()
	s := New(t, vapidPublicKey)
	s.sampleEvery = int64(max(every, 1))
	return s
}

// Arrivals returns when each request was accepted, in order (NewSampling only).
func (s *Service) Arrivals() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.arrivals...)
}

// NewSubscription creates browser-side keys (P-256 + 16-byte auth secret) and
// returns the endpoint s.URL+"/push/<id>" with p256dh and auth in unpadded URL-safe base64.
func (s *Service) NewSubscription() (endpoint, p256dh, auth string) {
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	secret := make([]byte, 16)
	rand.Read(secret)
	idBytes := make([]byte, 8)
	rand.Read(idBytes)
	id := hex.EncodeToString(idBytes)

	s.mu.Lock()
	s.subs[id] = &subscription{key: key, auth: secret}
	s.mu.Unlock()
	return s.URL + "/push/" + id,
		base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()),
		base64.RawURLEncoding.EncodeToString(secret)
}

// Behave sets how endpoint (or its bare id) answers the next requests.
func (s *Service) Behave(endpoint string, b Behavior) {
	id := endpoint[strings.LastIndexByte(endpoint, '/')+1:]
	s.mu.Lock()
	s.behaviors[id] = &behaviorState{Behavior: b, left: b.Times}
	s.mu.Unlock()
}

// Received returns the deliveries so far, in arrival order.
func (s *Service) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Wait returns once n deliveries arrived or timeout passed, with what has arrived.
func (s *Service) Wait(n int, timeout time.Duration) []Received {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if len(s.received) >= n {
			out := append([]Received(nil), s.received...)
			s.mu.Unlock()
			return out
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			return s.Received()
		}
	}
}

// Requests counts all requests, including refused ones.
func (s *Service) Requests() int { return int(s.requests.Load()) }

// MaxConns is the largest number of connections that were open at once.
func (s *Service) MaxConns() int { return int(s.peakConns.Load()) }

// MaxInFlight is the largest number of requests that were being answered at once.
func (s *Service) MaxInFlight() int { return int(s.peakInFlight.Load()) }

// connState counts open connections (new until closed or hijacked).
func (s *Service) connState(_ net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		raise(&s.peakConns, s.conns.Add(1))
	case http.StateClosed, http.StateHijacked:
		s.conns.Add(-1)
	}
}

// raise sets peak to n if n is larger.
func raise(peak *atomic.Int64, n int64) {
	for {
		p := peak.Load()
		if n <= p || peak.CompareAndSwap(p, n) {
			return
		}
	}
}

// Refusals lists why requests were refused, for test failure messages.
func (s *Service) Refusals() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.refusals...)
}

// ServeHTTP verifies, decrypts and records one push message.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.requests.Add(1)
	raise(&s.peakInFlight, s.inFlight.Add(1))
	defer s.inFlight.Add(-1)
	now := time.Now()
	if s.sampleEvery > 1 && n%s.sampleEvery != 0 {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxBody+1))
		s.mu.Lock()
		s.arrivals = append(s.arrivals, now)
		s.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		return
	}
	if r.Method != http.MethodPost {
		s.refuse(w, refuse(http.StatusMethodNotAllowed, "want POST"))
		return
	}
	id, ok := strings.CutPrefix(r.URL.Path, "/push/")
	s.mu.Lock()
	sub := s.subs[id]
	s.mu.Unlock()
	if !ok || sub == nil {
		s.refuse(w, refuse(http.StatusNotFound, "no such subscription"))
		return
	}

	subject, bad := s.verifyVAPID(r.Header.Get("Authorization"), now)
	if bad != nil {
		s.refuse(w, bad)
		return
	}
	if ce := r.Header.Get("Content-Encoding"); ce != "aes128gcm" {
		s.refuse(w, refuse(http.StatusBadRequest, "Content-Encoding %q, want aes128gcm", ce))
		return
	}
	ttl, err := strconv.Atoi(r.Header.Get("TTL"))
	if err != nil || ttl < 0 {
		s.refuse(w, refuse(http.StatusBadRequest, "TTL header missing or not a non-negative integer"))
		return
	}
	urgency := r.Header.Get("Urgency")
	switch urgency {
	case "", "very-low", "low", "normal", "high":
	default:
		s.refuse(w, refuse(http.StatusBadRequest, "Urgency %q invalid", urgency))
		return
	}
	topic := r.Header.Get("Topic")
	if len(topic) > 32 || strings.Trim(topic, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		s.refuse(w, refuse(http.StatusBadRequest, "Topic must be at most 32 URL-safe base64 characters"))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		s.refuse(w, refuse(http.StatusBadRequest, "read body: %v", err))
		return
	}
	if len(body) > maxBody {
		s.refuse(w, refuse(http.StatusRequestEntityTooLarge, "body larger than %d bytes", maxBody))
		return
	}
	payload, err := Decrypt(body, sub.key, sub.auth)
	if err != nil {
		s.refuse(w, refuse(http.StatusBadRequest, "%v", err))
		return
	}

	b := s.nextBehavior(id)
	if b.Delay > 0 {
		t := time.NewTimer(b.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done(): // the sender gave up: nothing delivered
			return
		case <-s.closed:
			return
		}
	}
	status := b.Status
	if status == 0 {
		status = http.StatusCreated
	}
	if b.RetryAfter != "" {
		w.Header().Set("Retry-After", b.RetryAfter)
	}
	if status >= 200 && status < 300 {
		if s.sampleEvery > 1 {
			s.mu.Lock()
			s.arrivals = append(s.arrivals, now)
			s.mu.Unlock()
		}
		s.record(Received{
			Endpoint: s.URL + "/push/" + id,
			Payload:  payload,
			TTL:      ttl,
			Urgency:  urgency,
			Topic:    topic,
			BodySize: len(body),
			Subject:  subject,
			At:       time.Now(),
		})
		w.Header().Set("Location", s.URL+"/message/"+id)
	}
	if b.Reason != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"reason": b.Reason})
		return
	}
	w.WriteHeader(status)
}

// nextBehavior returns the behaviour for this request and uses up one of its Times.
func (s *Service) nextBehavior(id string) Behavior {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.behaviors[id]
	if st == nil {
		return Behavior{}
	}
	b := st.Behavior
	if st.Times > 0 {
		st.left--
		if st.left <= 0 {
			delete(s.behaviors, id)
		}
	}
	return b
}

func (s *Service) record(r Received) {
	s.mu.Lock()
	s.received = append(s.received, r)
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// refuse answers like real push services do: a status and a JSON reason.
func (s *Service) refuse(w http.ResponseWriter, r *refusal) {
	s.mu.Lock()
	s.refusals = append(s.refusals, strconv.Itoa(r.status)+" "+r.reason)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(r.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"reason": r.reason})
}
