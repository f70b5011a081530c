package push

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/aftercare/aftercare/server/netguard"
)

// Defaults for Config.
const (
	DefaultWorkers     = 64
	DefaultMaxAttempts = 4
	// DefaultMaxPerHost bounds the requests in flight (and the connections)
	// to one push service host across all of a Sender's sends at once: a
	// storm of alerts, each its own SendAll, queues instead of opening a
	// connection per message.
	DefaultMaxPerHost = 64
	// DefaultRecordSize keeps the encrypted body (webpush-go pads to the full
	// record) at 2800 bytes: under 3 KB, which Firefox for Android and relays accept.
	DefaultRecordSize = 2800
	// recordOverhead is header (86) + delimiter (1) + GCM tag (16).
	recordOverhead = 103
)

// Subscription is a browser's push subscription.
type Subscription struct {
	Endpoint, P256dh, Auth string
}

// Config configures a Sender.
type Config struct {
	Keys Keys
	// Subject is the contact in the VAPID JWT: a bare e-mail address or an
	// https: URL. A "mailto:" prefix is stripped because webpush-go adds one.
	Subject string
	// Allow is checked again at send time; nil means the built-in push services only.
	Allow *Allowlist
	// HTTPClient nil means a client with 10 s timeouts whose dialer refuses
	// non-public addresses not covered by Allow's extra prefixes. Redirects are
	// never followed, whichever client is used.
	HTTPClient *http.Client
	Workers    int // SendAll concurrency, default 64
	// MaxPerHost bounds requests in flight to one push service host across
	// all sends, default DefaultMaxPerHost. A send waiting for a slot waits
	// under its context, not under the HTTP timeouts.
	MaxPerHost  int
	MaxAttempts int // per Send, default 4
	// RecordSize is the largest record a message is padded to, default 2800;
	// smaller messages are padded to 512 or 1024 bytes (see padding.go).
	RecordSize uint32
	// Sleep waits between attempts; default a timer that honours ctx.
	Sleep func(context.Context, time.Duration) error
	// Now reads the clock for Retry-After dates, sealed messages' expiry and
	// VAPID tokens; default time.Now. Push services check a token's exp
	// against their own clock, so Now must not stray far from real time.
	Now    func() time.Time
	Logger *slog.Logger
	// Observe, if set, hears the outcome of every Send: the message kind, the
	// final HTTP status (0 when no response came) and the time with retries.
	Observe func(kind string, status int, d time.Duration)
}

// Sender delivers Web Push messages. It is safe for concurrent use.
type Sender struct {
	keys        Keys
	subject     string
	allow       *Allowlist
	client      *http.Client
	workers     int
	perHost     *hostLimit
	maxAttempts int
	recordSize  uint32
	sleep       func(context.Context, time.Duration) error
	now         func() time.Time
	log         *slog.Logger
	sealer      *Sealer
	vapid       *vapidTokens

	observe func(kind string, status int, d time.Duration)

	mu       sync.Mutex
	stats    map[string]int64
	kindKeys map[string]string // kind -> "kind:"+kind, made once
}

// NewSender validates cfg and fills in defaults.
func NewSender(cfg Config) (*Sender, error) {
	if err := cfg.Keys.Validate(); err != nil {
		return nil, fmt.Errorf("push sender: %w", err)
	}
	subject, err := normalizeSubject(cfg.Subject)
	if err != nil {
		return nil, fmt.Errorf("push sender: %w", err)
	}
	s := &Sender{
		keys:        cfg.Keys,
		subject:     subject,
		allow:       cfg.Allow,
		workers:     cfg.Workers,
		maxAttempts: cfg.MaxAttempts,
		recordSize:  cfg.RecordSize,
		sleep:       cfg.Sleep,
		now:         cfg.Now,
		log:         cfg.Logger,
		observe:     cfg.Observe,
		stats:       make(map[string]int64),
		kindKeys:    make(map[string]string),
	}
	if s.allow == nil {
		s.allow, _ = NewAllowlist(nil)
	}
	if s.workers <= 0 {
		s.workers = DefaultWorkers
	}
	maxPerHost := cfg.MaxPerHost
	if maxPerHost <= 0 {
		maxPerHost = DefaultMaxPerHost
	}
	s.perHost = newHostLimit(maxPerHost)
	if s.maxAttempts <= 0 {
		s.maxAttempts = DefaultMaxAttempts
	}
	if s.recordSize == 0 {
		s.recordSize = DefaultRecordSize
	}
	if s.recordSize < MaxPayload+recordOverhead || s.recordSize > webpush.MaxRecordSize {
		return nil, fmt.Errorf("push sender: record size must be between %d and %d", MaxPayload+recordOverhead, webpush.MaxRecordSize)
	}
	if s.sleep == nil {
		s.sleep = sleepContext
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.sealer = &Sealer{keys: s.keys, subject: s.subject, allow: s.allow, largest: s.recordSize}
	if s.vapid, err = newVAPIDTokens(s.keys, s.subject, s.now); err != nil {
		return nil, fmt.Errorf("push sender: %w", err)
	}
	if cfg.HTTPClient == nil {
		s.client = newHTTPClient(s.allow, s.workers, maxPerHost)
	} else {
		c := *cfg.HTTPClient
		c.CheckRedirect = netguard.NoRedirect
		s.client = &c
	}
	return s, nil
}

// normalizeSubject returns the contact as webpush-go wants it: bare e-mail or https: URL.
func normalizeSubject(subject string) (string, error) {
	s := strings.TrimSpace(subject)
	if len(s) >= 7 && strings.EqualFold(s[:7], "mailto:") {
		s = s[7:]
	}
	if s == "" {
		return "", errors.New("subject is required: set a contact e-mail address (ops@example.org) or an https: URL")
	}
	if strings.HasPrefix(s, "https:") {
		if u, err := url.Parse(s); err != nil || u.Host == "" {
			return "", fmt.Errorf("subject %q is not a valid https: URL", subject)
		}
		return s, nil
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s {
		return "", fmt.Errorf("subject %q: want a bare e-mail address (ops@example.org) or an https: URL", subject)
	}
	domain := strings.ToLower(s[strings.LastIndexByte(s, '@')+1:])
	if !strings.Contains(domain, ".") || domain == "localhost" ||
		strings.HasSuffix(domain, ".localhost") || strings.HasSuffix(domain, ".local") || strings.HasSuffix(domain, ".invalid") {
		return "", fmt.Errorf("subject %q: Apple's push service refuses local or reserved domains; use a real contact address", subject)
	}
	return s, nil
}

// Send delivers one message to one subscription, retrying 429 (after
// Retry-After), 5xx and transport errors up to MaxAttempts. It seals the
// message (Sealer.Seal) and sends it as SendSealed does.
func (s *Sender) Send(ctx context.Context, sub Subscription, msg Message) Result {
	start := time.Now()
	res := s.send(ctx, sub, msg)
	s.finish(msg.Kind, res, time.Since(start))
	return res
}

// Sealer returns the sender's sealer: same keys, allowlist and padding.
func (s *Sender) Sealer() *Sealer { return s.sealer }

// finish reports a send's outcome to Observe and the stats.
func (s *Sender) finish(kind string, res Result, d time.Duration) {
	if s.observe != nil {
		s.observe(kind, res.Status, d)
	}
	s.mu.Lock()
	if kind != "" {
		key, ok := s.kindKeys[kind]
		if !ok {
			key = "kind:" + kind
			s.kindKeys[kind] = key
		}
		s.stats[key]++
	}
	switch {
	case res.Delivered():
		s.stats["delivered"]++
	case res.Gone:
		s.stats["gone"]++
	default:
		s.stats["failed"]++
	}
	s.mu.Unlock()
}

func (s *Sender) send(ctx context.Context, sub Subscription, msg Message) Result {
	if err := ctx.Err(); err != nil {
		return Result{Err: err}
	}
	m, err := s.sealer.Seal(sub, msg, time.Time{})
	if err != nil {
		if errors.Is(err, errEncrypt) {
			// Bad keys: no request was made, and retrying cannot help.
			s.log.Warn("push encryption failed", "host", endpointHost(sub.Endpoint), "kind", msg.Kind, "err", err)
		}
		return Result{Err: err}
	}
	return s.sendSealed(ctx, m)
}

// deliver sends a sealed message with the origin's VAPID token, retrying
// 429 (after Retry-After), 5xx and transport errors up to MaxAttempts.
// u is m.Endpoint, parsed and checked: one parse serves every attempt (a
// due minute sends tens of thousands).
func (s *Sender) deliver(ctx context.Context, m Sealed, u *url.URL) Result {
	var res Result
	u.Host = strings.TrimSuffix(u.Host, ":") // as http.NewRequest does
	host := u.Hostname()
	// Built only when something is logged: most pushes log nothing.
	log := func() *slog.Logger { return s.log.With("host", host, "kind", m.Kind) }
	for attempt := 1; ; attempt++ {
		res.Attempts = attempt
		// Per attempt: a retry after the token's renewal carries the new one.
		auth, err := s.vapid.headerFor(u)
		if err != nil {
			// Failed before any request: retrying cannot help.
			res.Attempts, res.Err = 0, redactURLError(err, host)
			log().Warn("push request not built", "err", res.Err)
			return res
		}
		req := newPost(ctx, u, m.Body, m.header(auth))
		cc := &countingClient{c: s.client, limit: s.perHost, host: strings.ToLower(u.Host)}
		resp, err := cc.Do(req)
		res.Bytes = cc.bytes

		var wait time.Duration
		if err != nil {
			err = redactURLError(err, host)
			s.count("error")
			res.Status, res.Err = 0, err
			if !retryableTransportError(ctx, err) {
				log().Warn("push request failed", "attempt", attempt, "err", err)
				return res
			}
			wait = backoff(attempt)
		} else {
			res.Status = resp.StatusCode
			s.count(statusClass(resp.StatusCode))
			res.Err = nil
			if resp.StatusCode >= 200 && resp.StatusCode < 300 {
				drain(resp.Body)
				if s.log.Enabled(ctx, slog.LevelDebug) {
					log().Debug("push delivered", "status", resp.StatusCode, "attempt", attempt, "bytes", res.Bytes)
				}
				return res
			}
			reason := readReason(resp.Body)
			res.Err = &StatusError{Status: resp.StatusCode, Reason: reason}
			ra, hasRA := parseRetryAfter(resp.Header.Get("Retry-After"), s.now())
			if hasRA {
				res.RetryAfter = ra
			}
			switch code := resp.StatusCode; {
			case code == http.StatusNotFound || code == http.StatusGone:
				res.Gone = true
				log().Info("push subscription gone", "status", code)
				return res
			case code == http.StatusRequestEntityTooLarge:
				log().Warn("push service refused message as too large", "bytes", res.Bytes, "payload_bytes", m.payloadLen, "reason", reason)
				return res
			case code == http.StatusTooManyRequests || code >= 500:
				if hasRA && ra > maxRetryAfter {
					log().Warn("push service asks to wait longer than we hold a message", "status", code, "retry_after", ra)
					return res
				}
				wait = backoff(attempt)
				if hasRA {
					wait = ra
				}
			default:
				log().Warn("push refused", "status", code, "reason", reason)
				return res
			}
		}
		if attempt >= s.maxAttempts {
			log().Warn("push failed after retries", "status", res.Status, "attempts", attempt, "err", res.Err)
			return res
		}
		if err := s.sleep(ctx, wait); err != nil {
			res.Err = err
			return res
		}
	}
}

// newPost is http.NewRequestWithContext(ctx, POST, u, body) with header h,
// without parsing the URL again; GetBody lets the transport resend it on a
// keep-alive connection the server had closed.
func newPost(ctx context.Context, u *url.URL, body []byte, h http.Header) *http.Request {
	req := &http.Request{
		Method: http.MethodPost, URL: u, Host: u.Host, Header: h,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)),
		GetBody: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil },
	}
	return req.WithContext(ctx)
}

// statusClass is the stats key of an HTTP status: "2xx" and so on.
func statusClass(code int) string {
	switch code / 100 {
	case 1:
		return "1xx"
	case 2:
		return "2xx"
	case 3:
		return "3xx"
	case 4:
		return "4xx"
	case 5:
		return "5xx"
	}
	return fmt.Sprintf("%dxx", code/100)
}

// count adds one to a stats key.
func (s *Sender) count(key string) {
	s.mu.Lock()
	s.stats[key]++
	s.mu.Unlock()
}

// Stats returns counters: HTTP attempts by status class ("2xx", "4xx", "5xx",
// "error" for no response), and per Send "kind:<kind>", "delivered", "gone", "failed".
func (s *Sender) Stats() map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int64, len(s.stats))
	for k, v := range s.stats {
		out[k] = v
	}
	return out
}
