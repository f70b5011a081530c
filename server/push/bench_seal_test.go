package push_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"
	"github.com/golang-jwt/jwt/v5"

	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
)

// sinkSampleEvery is how often the sink verifies a request in full (VAPID
// JWT, headers, decryption), as the measurement did.
const sinkSampleEvery = 50

// sink is a loopback push service that answers 201 to every request and
// verifies one in sinkSampleEvery: fast enough that the sender's cost shows,
// strict enough that a broken message fails the benchmark.
type sink struct {
	srv     *httptest.Server
	vapid   *ecdsa.PublicKey
	devices []sinkDevice // by the endpoint's index, fixed before the first request
	want    []byte       // the plaintext every device gets
	n       atomic.Int64
	checked atomic.Int64
	mu      sync.Mutex
	errs    []string
}

type sinkDevice struct {
	key  *ecdh.PrivateKey
	auth []byte
	sub  push.Subscription
}

func newSink(b *testing.B, keys push.Keys, devices int, want []byte) *sink {
	b.Helper()
	pub, _ := base64.RawURLEncoding.DecodeString(keys.Public)
	vk, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), pub)
	if err != nil {
		b.Fatal(err)
	}
	s := &sink{vapid: vk, want: want}
	s.srv = httptest.NewServer(s) // 127.0.0.1
	b.Cleanup(s.srv.Close)
	for i := range devices {
		key, err := ecdh.P256().GenerateKey(rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		auth := make([]byte, 16)
		rand.Read(auth)
		s.devices = append(s.devices, sinkDevice{key: key, auth: auth, sub: push.Subscription{
			Endpoint: s.srv.URL + "/push/" + strconv.Itoa(i),
			P256dh:   base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()),
			Auth:     base64.RawURLEncoding.EncodeToString(auth),
		}})
	}
	return s
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4097))
	if n := s.n.Add(1); err == nil && n%sinkSampleEvery == 0 {
		s.checked.Add(1)
		if err := s.verify(r, body); err != nil {
			s.mu.Lock()
			s.errs = append(s.errs, err.Error())
			s.mu.Unlock()
			w.WriteHeader(http.StatusBadRequest)
			return
		}
	}
	w.WriteHeader(http.StatusCreated)
}

func (s *sink) verify(r *http.Request, body []byte) error {
	i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/push/"))
	if err != nil || i < 0 || i >= len(s.devices) {
		return fmt.Errorf("no device %q", r.URL.Path)
	}
	tok, _, _ := strings.Cut(strings.TrimPrefix(r.Header.Get("Authorization"), "vapid t="), ",")
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(tok, claims, func(*jwt.Token) (any, error) { return s.vapid, nil },
		jwt.WithValidMethods([]string{"ES256"}), jwt.WithExpirationRequired()); err != nil {
		return fmt.Errorf("vapid: %w", err)
	}
	exp, _ := claims.GetExpirationTime()
	if claims["aud"] != s.srv.URL || claims["sub"] != "mailto:ops@example.org" || exp.After(time.Now().Add(24*time.Hour)) {
		return fmt.Errorf("vapid claims %v", claims)
	}
	if r.Header.Get("Content-Encoding") != "aes128gcm" || r.Header.Get("TTL") == "" {
		return fmt.Errorf("headers %v", r.Header)
	}
	plain, err := pushtest.Decrypt(body, s.devices[i].key, s.devices[i].auth)
	if err != nil {
		return err
	}
	if !bytes.Equal(plain, s.want) {
		return fmt.Errorf("decrypted %q", plain)
	}
	return nil
}

// check fails b if any sampled request failed verification or none was sampled.
func (s *sink) check(b *testing.B) {
	b.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.errs) > 0 {
		b.Fatalf("%d sampled requests failed, first: %s", len(s.errs), s.errs[0])
	}
	if s.n.Load() >= sinkSampleEvery && s.checked.Load() == 0 {
		b.Fatal("no request verified")
	}
}

// cpuTime is the process's user+system CPU so far: the sender's and the
// sink's, which serves both paths alike.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// phase is one timed run of a path over some messages.
type phase struct {
	n        int
	wall     time.Duration
	cpu      time.Duration
	failures int
}

func (p *phase) add(b *testing.B, n int, run func() int) {
	start, cpu := time.Now(), cpuTime(b)
	p.failures += run()
	p.wall += time.Since(start)
	p.cpu += cpuTime(b) - cpu
	p.n += n
}

// BenchmarkDueMinute runs, in one process and against one loopback sink, the
// product's due-minute path for b.N devices (messages sealed ahead: TakeDue,
// Matches, SendAllSealed) and bare webpush-go sending the same messages
// (SendNotificationWithContext per device on as many goroutines as the
// sender has workers, through a client with the same connection limits), in
// alternating order, and reports both rates and their ratio, and the
// process CPU per push of each (the sink's included: it serves both alike).
// ns/op is one push of each path. Run it as the issue measured: -benchtime=3000x (3,000 plans
// with one device each, due in the same minute).
func BenchmarkDueMinute(b *testing.B) {
	for _, workers := range []int{push.DefaultWorkers, 1} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) { benchDueMinute(b, workers) })
	}
}

func benchDueMinute(b *testing.B, workers int) {
	keys := mustKeys(b)
	want, err := reminder.Payload()
	if err != nil {
		b.Fatal(err)
	}
	n := b.N
	sk := newSink(b, keys, 2*n+2*workers, want)
	allow, _ := push.NewAllowlist([]string{sk.srv.URL + "/"})
	sender, err := push.NewSender(push.Config{Keys: keys, Subject: "ops@example.org", Allow: allow, Workers: workers})
	if err != nil {
		b.Fatal(err)
	}
	// The same connection limits as the sender's own client: both keep a warm
	// connection per worker, so neither re-dials.
	bareClient := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 4 * push.DefaultWorkers, MaxIdleConnsPerHost: push.DefaultWorkers, MaxConnsPerHost: push.DefaultMaxPerHost,
		IdleConnTimeout: 90 * time.Second, DisableCompression: true, WriteBufferSize: 8 << 10,
	}}
	b.Cleanup(bareClient.CloseIdleConnections)
	bareOpts := func() *webpush.Options {
		return &webpush.Options{HTTPClient: bareClient, Subscriber: "ops@example.org", VAPIDPublicKey: keys.Public, VAPIDPrivateKey: keys.Private,
			TTL: int(reminder.TTL / time.Second), Urgency: webpush.Urgency(reminder.Urgency), Topic: reminder.Topic, RecordSize: 512}
	}
	bare := func(devs []sinkDevice) int {
		var failed atomic.Int64
		var next atomic.Int64
		var wg sync.WaitGroup
		for range min(workers, len(devs)) {
			wg.Go(func() {
				opts := bareOpts()
				for {
					i := int(next.Add(1)) - 1
					if i >= len(devs) {
						return
					}
					d := devs[i].sub
					resp, err := webpush.SendNotificationWithContext(context.Background(), append([]byte(nil), want...),
						&webpush.Subscription{Endpoint: d.Endpoint, Keys: webpush.Keys{P256dh: d.P256dh, Auth: d.Auth}}, opts)
					if err != nil {
						failed.Add(1)
						continue
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusCreated {
						failed.Add(1)
					}
				}
			})
		}
		wg.Wait()
		return int(failed.Load())
	}

	// Seal every product message ahead, as the minutes before the due one would.
	cache := push.NewSealCache(0)
	fire := time.Now().Truncate(time.Minute).Add(time.Minute)
	keyOf := func(d sinkDevice) push.SealKey {
		return push.SealKey{Plan: d.sub.Endpoint, Rule: "checkin-24h", Device: push.DeviceID(d.sub), Fire: fire}
	}
	productDevs, bareDevs := sk.devices[:n], sk.devices[n:2*n]
	for _, d := range productDevs {
		m, err := sender.Sealer().Seal(d.sub, reminder, fire.Add(time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		cache.Put(keyOf(d), m)
	}
	product := func(devs []sinkDevice) int {
		due := make([]push.Sealed, 0, len(devs))
		failed := 0
		for _, d := range devs {
			m, ok := cache.TakeDue(keyOf(d))
			if !ok || !m.Matches(d.sub, reminder) {
				failed++
				continue
			}
			due = append(due, m)
		}
		for _, res := range sender.SendAllSealed(context.Background(), due) {
			if !res.Delivered() {
				failed++
			}
		}
		return failed
	}

	// Warm both clients' connections outside the timing.
	warm := sk.devices[2*n:]
	sender.SendAll(context.Background(), func() (jobs []push.Job) {
		for _, d := range warm[:workers] {
			jobs = append(jobs, push.Job{Sub: d.sub, Msg: reminder})
		}
		return jobs
	}())
	bare(warm[workers:])

	runtime.GC()
	// Rounds alternate which path goes first (ABBA…), so load from outside
	// the benchmark and warm-up fall on both alike.
	var p, w phase
	rounds := min(10, n)
	b.ResetTimer()
	for r := range rounds {
		lo, hi := r*n/rounds, (r+1)*n/rounds
		runP := func() { p.add(b, hi-lo, func() int { return product(productDevs[lo:hi]) }) }
		runW := func() { w.add(b, hi-lo, func() int { return bare(bareDevs[lo:hi]) }) }
		if r%2 == 0 {
			runW()
			runP()
		} else {
			runP()
			runW()
		}
	}
	b.StopTimer()
	sk.check(b)
	if p.failures+w.failures > 0 {
		b.Fatalf("failures: product %d, bare %d", p.failures, w.failures)
	}
	rate := func(ph phase) float64 { return float64(ph.n) / ph.wall.Seconds() }
	perPush := func(d time.Duration, n int) float64 { return float64(d.Microseconds()) / float64(n) }
	b.ReportMetric(rate(p), "product-pushes/s")
	b.ReportMetric(rate(w), "bare-pushes/s")
	b.ReportMetric(rate(p)/rate(w), "ratio")
	b.ReportMetric(perPush(p.cpu, p.n), "product-cpu-us/push")
	b.ReportMetric(perPush(w.cpu, w.n), "bare-cpu-us/push")
	b.ReportMetric(w.cpu.Seconds()/p.cpu.Seconds(), "cpu-ratio")
}

// BenchmarkSeal is the work done ahead of the due minute per device and
// message: webpush-go's encryption (and the JWT it signs but we do not use),
// captured without a network.
func BenchmarkSeal(b *testing.B) {
	keys := mustKeys(b)
	sk := newSink(b, keys, 1, nil)
	allow, _ := push.NewAllowlist([]string{sk.srv.URL + "/"})
	sender, err := push.NewSender(push.Config{Keys: keys, Subject: "ops@example.org", Allow: allow})
	if err != nil {
		b.Fatal(err)
	}
	sub := sk.devices[0].sub
	var m push.Sealed
	b.ReportAllocs()
	cpu := cpuTime(b)
	for b.Loop() {
		if m, err = sender.Sealer().Seal(sub, reminder, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime(b)-cpu).Microseconds())/float64(b.N), "cpu-us/op")
	if sk.n.Load() != 0 {
		b.Fatal("sealing reached the sink")
	}
	b.ReportMetric(float64(len(m.Body)), "body-B/msg")
}

// BenchmarkSendSealed is the due-minute cost of one sealed push into the
// loopback sink, one at a time (the sink's CPU included).
func BenchmarkSendSealed(b *testing.B) {
	keys := mustKeys(b)
	want, _ := reminder.Payload()
	sk := newSink(b, keys, 1, want)
	allow, _ := push.NewAllowlist([]string{sk.srv.URL + "/"})
	sender, err := push.NewSender(push.Config{Keys: keys, Subject: "ops@example.org", Allow: allow})
	if err != nil {
		b.Fatal(err)
	}
	m, err := sender.Sealer().Seal(sk.devices[0].sub, reminder, time.Time{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu := cpuTime(b)
	for b.Loop() {
		if res := sender.SendSealed(context.Background(), m); !res.Delivered() {
			b.Fatalf("%+v", res)
		}
	}
	// The process's CPU: the sender's and the sink's.
	b.ReportMetric(float64((cpuTime(b)-cpu).Microseconds())/float64(b.N), "cpu-us/op")
	sk.check(b)
}

// BenchmarkSealedBytes measures what a sealed reminder costs before (every
// message padded to 2,800 bytes) and after (fixed record sizes by payload):
// its body on the wire, and the Go heap a SealCache of them takes per message.
func BenchmarkSealedBytes(b *testing.B) {
	const msgs = 2000
	keys := mustKeys(b)
	sk := newSink(b, keys, msgs, nil)
	allow, _ := push.NewAllowlist([]string{sk.srv.URL + "/"})
	sender, err := push.NewSender(push.Config{Keys: keys, Subject: "ops@example.org", Allow: allow})
	if err != nil {
		b.Fatal(err)
	}
	payload, _ := reminder.Payload()
	// webpush-go at RecordSize 2800, the body as it was before.
	pad2800 := func(sub push.Subscription) []byte {
		var body []byte
		_, err := webpush.SendNotificationWithContext(context.Background(), bytes.Clone(payload),
			&webpush.Subscription{Endpoint: sub.Endpoint, Keys: webpush.Keys{P256dh: sub.P256dh, Auth: sub.Auth}},
			&webpush.Options{HTTPClient: bodyGrabber(func(b []byte) { body = b }), Subscriber: "ops@example.org",
				VAPIDPublicKey: keys.Public, VAPIDPrivateKey: keys.Private, TTL: 3600, RecordSize: push.DefaultRecordSize})
		if err != nil {
			b.Fatal(err)
		}
		return body
	}
	fill := func(before bool) (heapPerMsg, bodyPerMsg, accountedPerMsg float64) {
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		c := push.NewSealCache(0)
		bodies := 0
		for i, d := range sk.devices {
			sub := d.sub
			sub.Endpoint = strings.Clone(sub.Endpoint) // as read from the store for each seal
			m, err := sender.Sealer().Seal(sub, reminder, time.Time{})
			if err != nil {
				b.Fatal(err)
			}
			if before {
				m.Body = pad2800(d.sub)
			}
			bodies += len(m.Body)
			c.Put(push.SealKey{Plan: "p" + strconv.Itoa(i%500), Rule: "checkin-24h", Device: push.DeviceID(d.sub), Fire: time.Unix(int64(i), 0)}, m)
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		st := c.Stats()
		runtime.KeepAlive(c)
		return float64(m1.HeapAlloc-m0.HeapAlloc) / msgs, float64(bodies) / msgs, float64(st.Bytes) / msgs
	}
	var before, after [3]float64
	for b.Loop() {
		before[0], before[1], before[2] = fill(true)
		after[0], after[1], after[2] = fill(false)
	}
	b.ReportMetric(before[1], "before-body-B/msg")
	b.ReportMetric(after[1], "after-body-B/msg")
	b.ReportMetric(before[0], "before-heap-B/msg")
	b.ReportMetric(after[0], "after-heap-B/msg")
	b.ReportMetric(after[2], "after-accounted-B/msg")
}

// bodyGrabber is a webpush-go HTTPClient that hands the body to a func and answers 201.
type bodyGrabber func([]byte)

func (g bodyGrabber) Do(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	g(bytes.Clone(body)) // kept at its length, as Seal keeps a body
	return &http.Response{StatusCode: http.StatusCreated, Body: http.NoBody, Header: http.Header{}, Request: req}, nil
}
