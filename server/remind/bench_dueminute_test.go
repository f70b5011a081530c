package remind

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// dueMinutePlans is the measurement: 3,000 plans whose stretch falls
// due in the same minute, each with one device.
const dueMinutePlans = 3000

// dueSampleEvery is how often the push service verifies a request in full
// (VAPID JWT, headers, decryption), as the issue measured.
const dueSampleEvery = 50

// BenchmarkDueMinute runs, in one process and against one loopback push
// service (pushtest.NewSampling: it verifies the VAPID JWT and decrypts one
// request in 50, and answers the rest 201), 3,000 plans whose stretch falls
// due in the same minute, one device each, three ways:
//
//   - product: the scheduler's due-minute path as a running server has it.
//     The pass after the minute before sealed every device's message
//     (untimed: it runs before the minute; seal-ms is its wall time); the
//     tick at the due minute reads the due-index, loads and decides each
//     plan, sends the sealed bytes and commits.
//
//   - unsealed: the same tick with nothing sealed ahead: every message is
//     built and encrypted at its minute (the product before sealing).
//
//   - bare: webpush-go alone, SendNotificationWithContext for each device on
//     push.DefaultWorkers goroutines, through a client with the sender's
//     connection limits, the same payloads, 512-byte records as the product.
//
//   - npm web-push, with AFTERCARE_WEBPUSH_NODE_MODULES set to a node_modules
//     holding it (.ci/bench installs it): .ci/webpush-bench.js sends the same
//     messages to the same devices, 64 at a time (its rate only: the node
//     process's CPU is not this one's). Its bodies are not padded.
//
// Each iteration is one day's due minute; the order of the first three
// alternates between iterations, npm's run comes last. It reports each rate, product/bare and unsealed/bare,
// and the process CPU per push of each (the push service's included: it
// serves all three alike). With AFTERCARE_DUE_PROFILE=file the product's
// ticks are CPU-profiled into file. Run it with -benchtime=4x.
func BenchmarkDueMinute(b *testing.B) {
	keys, err := push.LoadOrCreateKeys(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	svc := pushtest.NewSampling(b, keys.Public, dueSampleEvery)
	allow, err := push.NewAllowlist([]string{svc.URL + "/"})
	if err != nil {
		b.Fatal(err)
	}
	sender, err := push.NewSender(push.Config{Keys: keys, Subject: "ops@example.org", Allow: allow,
		Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		b.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Berlin")
	session := time.Date(2026, 11, 26, 10, 0, 0, 0, loc)
	product := seedDueMinute(b, "pro", sender, svc, session, push.DefaultSealCacheBytes)
	unsealed := seedDueMinute(b, "uns", sender, svc, session, -1)

	// Bare webpush-go over the product's devices and payloads.
	bareClient := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 4 * push.DefaultWorkers, MaxIdleConnsPerHost: push.DefaultWorkers, MaxConnsPerHost: push.DefaultMaxPerHost,
		IdleConnTimeout: 90 * time.Second, DisableCompression: true, WriteBufferSize: 8 << 10,
	}}
	b.Cleanup(bareClient.CloseIdleConnections)
	type bareJob struct {
		sub     *webpush.Subscription
		payload []byte
		msg     push.Message
	}
	var bareJobs []bareJob
	for i, d := range product.devs {
		r, err := RuleFor(product.plans[i], "stretch-daily")
		if err != nil || r == nil {
			b.Fatal(err)
		}
		msg := r.Message(testBaseURL)
		payload, err := msg.Payload()
		if err != nil {
			b.Fatal(err)
		}
		bareJobs = append(bareJobs, bareJob{sub: &webpush.Subscription{Endpoint: d.Endpoint, Keys: webpush.Keys{P256dh: d.P256dh, Auth: d.Auth}},
			payload: payload, msg: msg})
	}
	bare := func() int {
		var failed, next atomic.Int64
		var wg sync.WaitGroup
		for range push.DefaultWorkers {
			wg.Go(func() {
				for {
					i := int(next.Add(1)) - 1
					if i >= len(bareJobs) {
						return
					}
					j := &bareJobs[i]
					resp, err := webpush.SendNotificationWithContext(context.Background(), append([]byte(nil), j.payload...), j.sub, &webpush.Options{
						HTTPClient: bareClient, Subscriber: "ops@example.org", VAPIDPublicKey: keys.Public, VAPIDPrivateKey: keys.Private,
						TTL: int(j.msg.TTL / time.Second), Urgency: webpush.Urgency(j.msg.Urgency), Topic: j.msg.Topic, RecordSize: 512,
					})
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

	// npm web-push, if installed (AFTERCARE_WEBPUSH_NODE_MODULES): the same
	// messages to the same devices, from a node process.
	node := nodeWebPush(b, keys, product.devs[:push.DefaultWorkers], func(yield func(model.Subscription, push.Message) bool) {
		for i, d := range product.devs {
			if !yield(d, bareJobs[i].msg) {
				return
			}
		}
	})

	// Warm every path's connections outside the timing: one minute before the first.
	warmDue := time.Date(2026, 11, 26, 19, 0, 0, 0, loc)
	product.tickAt(b, warmDue, false)
	unsealed.tickAt(b, warmDue, false)
	if n := bare(); n != 0 {
		b.Fatalf("bare: %d failed", n)
	}

	var p, u, w duePhase
	var nodeRates []float64
	product.parts = TickStats{} // the timed ticks' only
	var sealWall time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		due := warmDue.AddDate(0, 0, i+1)
		b.StopTimer()
		t0 := time.Now()
		product.sealBefore(b, due)
		sealWall += time.Since(t0)
		runtime.GC()
		b.StartTimer()
		runP := func() {
			stop := dueProfile(b, i == 0)
			p.add(b, dueMinutePlans, func() { product.tickAt(b, due, true) })
			stop()
		}
		runU := func() { u.add(b, dueMinutePlans, func() { unsealed.tickAt(b, due, false) }) }
		runW := func() {
			w.add(b, len(bareJobs), func() {
				if n := bare(); n != 0 {
					b.Fatalf("bare: %d failed", n)
				}
			})
		}
		if i%2 == 0 {
			runW()
			runP()
			runU()
		} else {
			runU()
			runP()
			runW()
		}
		if node != nil {
			b.StopTimer()
			nodeRates = append(nodeRates, node())
			b.StartTimer()
		}
	}
	b.StopTimer()
	if r := svc.Refusals(); len(r) > 0 {
		b.Fatalf("%d sampled requests refused, first: %s", len(r), r[0])
	}
	if len(svc.Received()) == 0 {
		b.Fatal("no request verified")
	}
	b.ReportMetric(p.rate(), "product-pushes/s")
	b.ReportMetric(u.rate(), "unsealed-pushes/s")
	b.ReportMetric(w.rate(), "bare-pushes/s")
	b.ReportMetric(p.rate()/w.rate(), "ratio")
	b.ReportMetric(u.rate()/w.rate(), "unsealed-ratio")
	b.ReportMetric(p.cpuPerPush(), "product-cpu-us/push")
	b.ReportMetric(u.cpuPerPush(), "unsealed-cpu-us/push")
	b.ReportMetric(w.cpuPerPush(), "bare-cpu-us/push")
	b.ReportMetric(float64(sealWall.Milliseconds())/float64(b.N), "seal-ms")
	// Where the product's due minute goes: the sends, the commits (one fsync
	// per round of 1,000), reading and deciding.
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(ms(product.parts.Send), "product-send-ms")
	b.ReportMetric(ms(product.parts.Commit), "product-commit-ms")
	b.ReportMetric(ms(product.parts.Scan+product.parts.Decide), "product-read-decide-ms")
	if len(nodeRates) > 0 {
		var sum float64
		for _, r := range nodeRates {
			sum += r
		}
		b.ReportMetric(sum/float64(len(nodeRates)), "npm-web-push-pushes/s")
		b.ReportMetric(p.rate()/(sum/float64(len(nodeRates))), "npm-ratio")
	}
}

// nodeWebPush prepares the npm web-push run (.ci/webpush-bench.js) if
// AFTERCARE_WEBPUSH_NODE_MODULES names a node_modules with web-push in it,
// and returns what runs it once and returns its pushes/s (nil: not set).
func nodeWebPush(b *testing.B, keys push.Keys, warm []model.Subscription, jobs iter.Seq2[model.Subscription, push.Message]) func() float64 {
	modules := os.Getenv("AFTERCARE_WEBPUSH_NODE_MODULES")
	if modules == "" {
		return nil
	}
	type job struct {
		Endpoint string `json:"endpoint"`
		P256dh   string `json:"p256dh"`
		Auth     string `json:"auth"`
		Payload  string `json:"payload"`
		TTL      int    `json:"ttl"`
		Urgency  string `json:"urgency"`
		Topic    string `json:"topic"`
	}
	spec := struct {
		Subject    string `json:"subject"`
		PublicKey  string `json:"publicKey"`
		PrivateKey string `json:"privateKey"`
		Jobs       []job  `json:"jobs"`
		Warm       []job  `json:"warm"`
	}{Subject: "mailto:ops@example.org", PublicKey: keys.Public, PrivateKey: keys.Private}
	var last push.Message
	for d, msg := range jobs {
		payload, err := msg.Payload()
		if err != nil {
			b.Fatal(err)
		}
		spec.Jobs = append(spec.Jobs, job{d.Endpoint, d.P256dh, d.Auth, string(payload), int(msg.TTL / time.Second), msg.Urgency, msg.Topic})
		last = msg
	}
	for _, d := range warm {
		payload, _ := last.Payload()
		spec.Warm = append(spec.Warm, job{d.Endpoint, d.P256dh, d.Auth, string(payload), int(last.TTL / time.Second), last.Urgency, last.Topic})
	}
	file := filepath.Join(b.TempDir(), "webpush-jobs.json")
	data, err := json.Marshal(spec)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(file, data, 0o600); err != nil {
		b.Fatal(err)
	}
	_, here, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(here), "..", "..", ".ci", "webpush-bench.js")
	return func() float64 {
		cmd := exec.Command("node", script, file)
		cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		var res struct {
			Sent, Failed    int
			PushesPerSecond float64
		}
		if err != nil || json.Unmarshal(out, &res) != nil || res.Failed > 0 || res.Sent != len(spec.Jobs) {
			b.Fatalf("npm web-push: %v %s %s", err, out, stderr.String())
		}
		return res.PushesPerSecond
	}
}

// dueMinuteSet is one scheduler with its plans, one device each.
type dueMinuteSet struct {
	s     *Scheduler
	db    *store.DB
	plans []model.Plan
	devs  []model.Subscription
	parts TickStats // Scan, Decide, Send, Commit of the timed ticks
}

func seedDueMinute(b *testing.B, prefix string, sender *push.Sender, svc *pushtest.Service, session time.Time, sealBytes int64) *dueMinuteSet {
	b.Helper()
	db := storetest.Open(b)
	db.Bolt().NoSync = true // seeding only
	set := &dueMinuteSet{db: db, s: New(Config{DB: db, Sender: sender, BaseURL: testBaseURL, SealCacheBytes: sealBytes})}
	for i := range dueMinutePlans {
		p := benchPlan(fmt.Sprintf("%s%011d", prefix, i), session, session.Location())
		p.Days = 365
		p.Prefs.Disabled = []string{model.KindHydration, model.KindCheckIn, model.KindFollowUp, model.KindTip}
		if err := db.CreatePlan(p); err != nil {
			b.Fatal(err)
		}
		ep, k, a := svc.NewSubscription()
		sub := model.Subscription{Endpoint: ep, P256dh: k, Auth: a, LastSeen: session}
		if _, err := db.PutSubscription(p.Token, sub); err != nil {
			b.Fatal(err)
		}
		set.s.now = func() time.Time { return session }
		if err := set.s.Schedule(p); err != nil {
			b.Fatal(err)
		}
		set.plans, set.devs = append(set.plans, p), append(set.devs, sub)
	}
	db.Bolt().NoSync = false
	return set
}

// sealBefore is what runTick does after the tick of the minute before due:
// the prefetch, then the sealing pass, run to its end.
func (d *dueMinuteSet) sealBefore(b *testing.B, due time.Time) {
	before := due.Add(-time.Minute)
	d.s.warm(before)
	if n := d.s.sealAhead(context.Background(), before); n != dueMinutePlans {
		b.Fatalf("sealed %d ahead, want %d", n, dueMinutePlans)
	}
}

// tickAt runs the due minute's tick; the clock runs from due at the real
// pace. With allSealed, every push must have gone as sealed bytes. The
// tick's parts add up in d.parts.
func (d *dueMinuteSet) tickAt(b *testing.B, due time.Time, allSealed bool) {
	start := time.Now()
	d.s.now = func() time.Time { return due.Add(time.Since(start)) }
	st, err := d.s.tick(context.Background())
	if err != nil || st.Delivered != dueMinutePlans {
		b.Fatalf("tick: %+v, %v", st, err)
	}
	if allSealed && st.Sealed != dueMinutePlans {
		b.Fatalf("sent %d sealed of %d", st.Sealed, dueMinutePlans)
	}
	d.parts.Scan += st.Scan
	d.parts.Decide += st.Decide
	d.parts.Send += st.Send
	d.parts.Commit += st.Commit
}

// dueProfile starts a CPU profile into $AFTERCARE_DUE_PROFILE if on and
// that is set, and returns what stops it: the due minute alone, without the
// seeding and sealing around it.
func dueProfile(b *testing.B, on bool) (stop func()) {
	name := os.Getenv("AFTERCARE_DUE_PROFILE")
	if !on || name == "" {
		return func() {}
	}
	f, err := os.Create(name)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// duePhase is the timed runs of one path.
type duePhase struct {
	n         int
	wall, cpu time.Duration
}

func (p *duePhase) add(b *testing.B, n int, run func()) {
	start, cpu := time.Now(), processCPU(b)
	run()
	p.wall += time.Since(start)
	p.cpu += processCPU(b) - cpu
	p.n += n
}

func (p *duePhase) rate() float64       { return float64(p.n) / p.wall.Seconds() }
func (p *duePhase) cpuPerPush() float64 { return float64(p.cpu.Microseconds()) / float64(p.n) }

// processCPU is the process's user+system CPU so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
