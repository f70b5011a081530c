package push_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
)

// BenchmarkSendAll fans b.N messages out to a loopback push service through
// the default client. The service verifies the JWT and decrypts every message
// in the same process, so its cost is included.
func BenchmarkSendAll(b *testing.B) {
	keys := mustKeys(b)
	svc := pushtest.New(b, keys.Public)
	allow, err := push.NewAllowlist([]string{svc.URL + "/"})
	if err != nil {
		b.Fatal(err)
	}
	sender, err := push.NewSender(push.Config{Keys: keys, Subject: "ops@example.org", Allow: allow})
	if err != nil {
		b.Fatal(err)
	}
	subs := make([]push.Subscription, 64)
	for i := range subs {
		endpoint, p256dh, auth := svc.NewSubscription()
		subs[i] = push.Subscription{Endpoint: endpoint, P256dh: p256dh, Auth: auth}
	}
	jobs := make([]push.Job, b.N)
	for i := range jobs {
		jobs[i] = push.Job{Sub: subs[i%len(subs)], Msg: reminder}
	}
	b.ReportAllocs()
	b.ResetTimer()
	results := sender.SendAll(context.Background(), jobs)
	b.StopTimer()
	for i, res := range results {
		if !res.Delivered() {
			b.Fatalf("job %d: %+v", i, res)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pushes/s")
}

// discard answers 201 to every request without a network.
type discard struct{}

func (discard) RoundTrip(req *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, req.Body)
	req.Body.Close()
	return &http.Response{StatusCode: http.StatusCreated, Body: http.NoBody, Header: http.Header{}, Request: req}, nil
}

// encryptFixture returns a subscription with real browser keys and the options for webpush-go.
func encryptFixture(b *testing.B) (*webpush.Subscription, *webpush.Options, []byte) {
	keys := mustKeys(b)
	svc := pushtest.New(b, keys.Public) // only for a browser key pair; nothing is sent to it
	endpoint, p256dh, auth := svc.NewSubscription()
	payload, err := reminder.Payload()
	if err != nil {
		b.Fatal(err)
	}
	return &webpush.Subscription{Endpoint: endpoint, Keys: webpush.Keys{P256dh: p256dh, Auth: auth}},
		&webpush.Options{HTTPClient: &http.Client{Transport: discard{}}, Subscriber: "ops@example.org",
			VAPIDPublicKey: keys.Public, VAPIDPrivateKey: keys.Private, TTL: 3600, RecordSize: push.DefaultRecordSize},
		payload
}

// BenchmarkEncrypt measures webpush-go's per-push work alone: ephemeral ECDH
// key, HKDF, AES-GCM over the padded record, and a freshly signed ES256 JWT.
func BenchmarkEncrypt(b *testing.B) {
	sub, opts, payload := encryptFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := webpush.SendNotificationWithContext(context.Background(), append([]byte(nil), payload...), sub, opts)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pushes/s")
}

// BenchmarkEncryptParallel is BenchmarkEncrypt on all cores.
func BenchmarkEncryptParallel(b *testing.B) {
	sub, opts, payload := encryptFixture(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := webpush.SendNotificationWithContext(context.Background(), append([]byte(nil), payload...), sub, opts)
			if err != nil {
				b.Error(err)
				return
			}
			resp.Body.Close()
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pushes/s")
}

// BenchmarkSendDiscard is Sender.Send without a network: encryption plus the
// sender's own work (allowlist, JSON payload, bookkeeping).
func BenchmarkSendDiscard(b *testing.B) {
	keys := mustKeys(b)
	svc := pushtest.New(b, keys.Public)
	endpoint, p256dh, auth := svc.NewSubscription()
	allow, _ := push.NewAllowlist([]string{svc.URL + "/"})
	sender, err := push.NewSender(push.Config{Keys: keys, Subject: "ops@example.org", Allow: allow,
		HTTPClient: &http.Client{Transport: discard{}}})
	if err != nil {
		b.Fatal(err)
	}
	sub := push.Subscription{Endpoint: endpoint, P256dh: p256dh, Auth: auth}
	b.ReportAllocs()
	for b.Loop() {
		if res := sender.Send(context.Background(), sub, reminder); !res.Delivered() {
			b.Fatalf("%+v", res)
		}
	}
	if svc.Requests() != 0 {
		b.Fatal("discarding client reached the service")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pushes/s")
}
