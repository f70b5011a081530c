package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
)

// TestClientsListAtScale is the documented measurement of the clients list
// at a studio's five years (2,000 clients a year); it runs only with AFTERCARE_SCALE=1:
//
//	AFTERCARE_SCALE=1 go test -run TestClientsListAtScale -v -timeout 30m ./cmd/aftercare/
//
// It builds the real binary, starts `aftercare serve` on loopback with a fresh
// data directory and builds the data set through the API with the owner's
// token, as a booking system and the clients' phones would: AFTERCARE_SCALE_PLANS
// plans (default 10,000) with sessions over the last 29 days, each with
// AFTERCARE_SCALE_DEVICES devices (default 10: 100,000 in all), a completion,
// a check-in for every tenth (a red flag for every 200th), and every third
// plan ended by its therapist, sampling the server's resident memory (VmRSS
// in /proc/<pid>/status) every 50 ms. Then it restarts the server, as a deploy
// would (the bulk writes leave most of the file's pages mapped), and, sampling
// again, times the first page of GET /api/clients (the default view: needs
// attention and active), the next page, a search and the ended plans, 20
// times each; it reports the median and worst latency and the body size
// (uncompressed, and gzipped as a browser gets it). It fails when the first
// page takes 50 ms or more or 50 KB or more, or the RSS exceeds 120 MB while
// the list is read.
func TestClientsListAtScale(t *testing.T) {
	if os.Getenv("AFTERCARE_SCALE") != "1" {
		t.Skip("scale measurement: set AFTERCARE_SCALE=1 (see the doc comment)")
	}
	plans := envInt(t, "AFTERCARE_SCALE_PLANS", 10_000)
	devices := envInt(t, "AFTERCARE_SCALE_DEVICES", 10)

	bin := buildAftercare(t)
	dir := filepath.Join(t.TempDir(), "data")
	token := binaryTherapist(t, bin, dir)
	keys, err := push.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	pushSvc := pushtest.New(t, keys.Public)
	srv := startProcess(t, bin, dir, pushSvc.URL+"/")

	rss := &rssSampler{pid: srv.cmd.Process.Pid}
	stopSampling := rss.start(50 * time.Millisecond)
	defer stopSampling()
	t.Logf("server RSS at start: %.1f MB", mb(rss.now()))

	// The clients' zone is one where it is night now, so quiet hours hold the
	// reminders back and the measurement is of the list, not of pushes.
	zone := nightZone(time.Now())
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16, DisableCompression: true}}
	auth := []string{"Authorization", "Bearer " + token}
	call := func(method, path, body string, want int) []byte {
		status, out, err := callHTTP(context.Background(), client, method, srv.URL+path, body, auth...)
		if err != nil || status != want {
			panic(fmt.Sprintf("%s %s: %d %v %.200s", method, path, status, err, out))
		}
		return out
	}
	parallel := func(n, workers int, job func(i int)) (failure error) {
		var next atomic.Int64
		var wg sync.WaitGroup
		var once sync.Once
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() {
					if r := recover(); r != nil {
						once.Do(func() { failure = fmt.Errorf("%v", r) })
					}
				}()
				for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
					job(i)
				}
			}()
		}
		wg.Wait()
		return failure
	}

	start := time.Now()
	tokens := make([]string, plans)
	now := time.Now()
	if err := parallel(plans, 8, func(i int) {
		session := now.Add(-time.Duration(i%(29*24)) * time.Hour).Add(-time.Hour)
		body := fmt.Sprintf(`{"clientName":"Client %05d %s","routineId":"gentle-sciatica-aftercare","sessionAt":%q,"timeZone":%q,"days":14,"cadenceDays":21}`,
			i, names[i%len(names)], session.Format(time.RFC3339), zone)
		var out struct{ Token string }
		if err := json.Unmarshal(call("POST", "/api/plans", body, 201), &out); err != nil {
			panic(err)
		}
		tokens[i] = out.Token
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("created %d plans in %v; RSS %.1f MB (peak %.1f)", plans, time.Since(start).Round(time.Millisecond), mb(rss.now()), mb(rss.peak.Load()))

	start = time.Now()
	if err := parallel(plans*devices, 16, func(i int) {
		ep, p256dh, a := pushSvc.NewSubscription()
		call("PUT", "/api/p/"+tokens[i/devices]+"/subscription",
			fmt.Sprintf(`{"endpoint":%q,"keys":{"p256dh":%q,"auth":%q}}`, ep, p256dh, a), 201)
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("subscribed %d devices in %v; RSS %.1f MB (peak %.1f; %s)", plans*devices, time.Since(start).Round(time.Millisecond), mb(rss.now()), mb(rss.peak.Load()), rss.parts())

	start = time.Now()
	if err := parallel(plans, 8, func(i int) {
		p := "/api/p/" + tokens[i]
		at := now.Add(-time.Duration(i%(29*24))*time.Hour + 30*time.Minute)
		if at.After(now) {
			at = now
		}
		call("POST", p+"/completions", fmt.Sprintf(`{"id":"done-%06d","at":%q,"routineId":"gentle-sciatica-aftercare","done":5,"total":5}`, i, at.Format(time.RFC3339)), 201)
		if i%10 == 0 {
			flags := ""
			if i%200 == 0 {
				flags = `,"redFlags":["saddle-numbness"]`
			}
			call("POST", p+"/checkins", fmt.Sprintf(`{"id":"checkin-%06d","at":%q,"soreness":%d,"pain":3%s}`, i, at.Format(time.RFC3339), 2+i%8, flags), 201)
		}
		if i%3 == 0 {
			call("POST", "/api/plans/"+tokens[i]+"/end", "", 200)
		}
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded history and ended a third of the plans in %v; RSS %.1f MB (peak %.1f)", time.Since(start).Round(time.Millisecond), mb(rss.now()), mb(rss.peak.Load()))

	buildPeak := rss.peak.Load()
	stopSampling()
	t.Logf("building: server RSS peak %.1f MB, now %.1f MB (%s)", mb(buildPeak), mb(rss.now()), rss.parts())

	// The list is measured on the server as it runs day to day: restarted
	// (a deploy), so what the bulk writes above left mapped of the file is
	// not counted against the list.
	srv.stop(t)
	srv = startProcess(t, bin, dir, pushSvc.URL+"/")
	defer srv.stop(t)
	rss = &rssSampler{pid: srv.cmd.Process.Pid}
	stopSampling = rss.start(50 * time.Millisecond)
	defer stopSampling()
	t.Logf("restarted: server RSS %.1f MB (%s)", mb(rss.now()), rss.parts())

	type measured struct {
		name    string
		path    string
		times   []time.Duration
		bytes   int
		gzipped int
		items   int
	}
	measure := func(name, path string) *measured {
		m := &measured{name: name, path: path}
		for range 20 {
			t0 := time.Now()
			body := call("GET", path, "", 200)
			m.times = append(m.times, time.Since(t0))
			m.bytes = len(body)
			var page struct {
				Items []json.RawMessage
				Next  string
			}
			if err := json.Unmarshal(body, &page); err != nil {
				t.Fatal(err)
			}
			m.items = len(page.Items)
		}
		m.gzipped = gzippedSize(t, srv.URL+path, token)
		slices.Sort(m.times)
		return m
	}
	first := measure("first page (attention + active)", "/api/clients")
	var page struct{ Next string }
	_ = json.Unmarshal(call("GET", "/api/clients", "", 200), &page)
	results := []*measured{
		first,
		measure("second page", "/api/clients?cursor="+url.QueryEscape(page.Next)),
		measure("search q=maria (all statuses)", "/api/clients?q=maria&status=attention,active,ended"),
		measure("ended, first page", "/api/clients?status=ended"),
	}
	for _, m := range results {
		t.Logf("%-32s %3d rows  median %6.2f ms  worst %6.2f ms  %6d bytes (%d gzipped)", m.name, m.items,
			ms(m.times[len(m.times)/2]), ms(m.times[len(m.times)-1]), m.bytes, m.gzipped)
	}
	stopSampling()
	t.Logf("listing: server RSS start %.1f MB, end %.1f MB (%s), peak %.1f MB over %d samples", mb(rss.first.Load()), mb(rss.now()), rss.parts(), mb(rss.peak.Load()), rss.samples.Load())
	if fi, err := os.Stat(filepath.Join(dir, "aftercare.db")); err == nil {
		t.Logf("database file: %.1f MB", mb(fi.Size()))
	}
	if keep := os.Getenv("AFTERCARE_SCALE_KEEP"); keep != "" {
		srv.stop(t)
		if data, err := os.ReadFile(filepath.Join(dir, "aftercare.db")); err == nil {
			_ = os.WriteFile(keep, data, 0o600)
		}
	}

	if first.items != 50 {
		t.Errorf("first page has %d rows, want 50", first.items)
	}
	if med := first.times[len(first.times)/2]; med >= 50*time.Millisecond {
		t.Errorf("first page median %v, want < 50 ms", med)
	}
	if first.bytes >= 50_000 {
		t.Errorf("first page %d bytes, want < 50 KB", first.bytes)
	}
	if peak := rss.peak.Load(); peak > 120<<20 {
		t.Errorf("server RSS peaked at %.1f MB while listing, want ≤ 120 MB", mb(peak))
	}
}

var names = []string{"Maria Silva", "Sam Taylor", "Zoë Ávila", "Jonas Berg", "Aiko Tanaka", "Omar Haddad", "Lena Novak", "Priya Rao"}

// nightZone is a zone where it is between 23:00 and 05:00 at t.
func nightZone(t time.Time) string {
	for _, z := range []string{"Pacific/Auckland", "Asia/Tokyo", "Asia/Kolkata", "Europe/Berlin", "Atlantic/Azores",
		"America/Sao_Paulo", "America/New_York", "America/Denver", "America/Los_Angeles", "Pacific/Honolulu", "Asia/Dubai", "Australia/Perth"} {
		loc, err := time.LoadLocation(z)
		if err != nil {
			continue
		}
		if h := t.In(loc).Hour(); h >= 23 || h < 5 {
			return z
		}
	}
	return "Europe/Berlin"
}

// rssSampler records a process's resident memory (VmRSS) while it runs.
type rssSampler struct {
	pid                  int
	first, peak, samples atomic.Int64
}

// now is the process's VmRSS in bytes (0 if unreadable).
func (s *rssSampler) now() int64 { return s.field("VmRSS:") }

// parts is the resident memory by kind: anonymous (the Go heap and stacks) and file-backed (the mapped database).
func (s *rssSampler) parts() string {
	return fmt.Sprintf("anonymous %.1f MB, file %.1f MB", mb(s.field("RssAnon:")), mb(s.field("RssFile:")))
}

// field reads one kB line of /proc/<pid>/status, in bytes.
func (s *rssSampler) field(name string) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(s.pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), name); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// start samples every d until the returned func is called (safe to call twice).
func (s *rssSampler) start(d time.Duration) func() {
	done := make(chan struct{})
	stopped := make(chan struct{})
	s.first.Store(s.now())
	go func() {
		defer close(stopped)
		tick := time.NewTicker(d)
		defer tick.Stop()
		for {
			if v := s.now(); v > 0 {
				s.samples.Add(1)
				if v > s.peak.Load() {
					s.peak.Store(v)
				}
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); <-stopped }) }
}

// gzippedSize is the body size of GET url as a browser gets it (Accept-Encoding: gzip).
func gzippedSize(t *testing.T, u, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n := 0
	buf := make([]byte, 32<<10)
	for {
		k, err := resp.Body.Read(buf)
		n += k
		if err != nil {
			break
		}
	}
	return n
}

func mb(b int64) float64         { return float64(b) / (1 << 20) }
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
