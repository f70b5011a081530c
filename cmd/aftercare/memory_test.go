package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
)

// TestMemoryOrdinaryMinute is the documented memory measurement; it runs only
// with AFTERCARE_MEMORY=1:
//
//	AFTERCARE_MEMORY=1 go test -run TestMemoryOrdinaryMinute -v -timeout 20m ./cmd/aftercare/
//
// It builds the real binary, starts `aftercare serve` on loopback (with the
// environment it was given, so AFTERCARE_MEMORY_LIMIT and the other AFTERCARE_*
// settings apply), and through the API creates AFTERCARE_MEMORY_PLANS plans
// (default 10,000), each with AFTERCARE_MEMORY_DEVICES devices (default 10)
// subscribed at a loopback push service that verifies and decrypts every
// push. Sessions and stretch times are spread over the day, so each minute a
// few reminders fall due, as in a studio's ordinary minute. It samples the
// server's resident set (VmRSS of /proc/<pid>/status: anonymous memory and the
// pages of the mapped database file it touched) after building the data set,
// after one clients list, and every second through an ordinary minute (from
// 10 s after the next minute's tick through the tick after it), and reports
// each. It fails if the peak of that minute is above AFTERCARE_MEMORY_MAX_MB
// (default 100).
func TestMemoryOrdinaryMinute(t *testing.T) {
	if os.Getenv("AFTERCARE_MEMORY") != "1" {
		t.Skip("memory measurement: set AFTERCARE_MEMORY=1 (see the doc comment)")
	}
	plans := envInt(t, "AFTERCARE_MEMORY_PLANS", 10_000)
	devices := envInt(t, "AFTERCARE_MEMORY_DEVICES", 10)
	maxMB := envInt(t, "AFTERCARE_MEMORY_MAX_MB", 100)

	bin := buildAftercare(t)
	dir := filepath.Join(t.TempDir(), "data")
	token := binaryTherapist(t, bin, dir)
	keys, err := push.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	svc := pushtest.New(t, keys.Public)
	srv := startProcess(t, bin, dir, svc.URL+"/")
	defer srv.stop(t)
	pid := srv.cmd.Process.Pid
	t.Logf("at start:                 %s", readRSS(t, pid))

	// Plans through the API as a booking system would create them: sessions in
	// the past day, one every few minutes, and stretch times over the day.
	start := time.Now()
	now := time.Now()
	tokens := make([]string, plans)
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	defer client.CloseIdleConnections()
	parallel(t, 32, plans, func(i int) error {
		session := now.Add(-time.Hour - time.Duration(i%1440)*time.Minute).Truncate(time.Minute)
		minute := (i * 7) % (16 * 60) // 06:00–21:59
		body := `{"clientName":"Client ` + strconv.Itoa(i) + `","routineId":"gentle-sciatica-aftercare","sessionAt":"` + session.Format(time.RFC3339) +
			`","nextSessionAt":"` + session.Add(14*24*time.Hour).Format(time.RFC3339) +
			`","timeZone":"Europe/Berlin","stretchTime":"` + fmt.Sprintf("%02d:%02d", 6+minute/60, minute%60) +
			`","days":21,"notes":"Focus: left piriformis; go easy on the lower back."}`
		status, out, err := callHTTP(context.Background(), client, "POST", srv.URL+"/api/plans", body, "Authorization", "Bearer "+token)
		var created struct{ Token string }
		if err == nil && (status != 201 || json.Unmarshal(out, &created) != nil) {
			err = fmt.Errorf("create plan: %d %s", status, out)
		}
		tokens[i] = created.Token
		return err
	})
	t.Logf("created %d plans in %v", plans, time.Since(start).Round(time.Millisecond))

	// Devices, each its own subscription at the push service.
	start = time.Now()
	type device struct{ endpoint, p256dh, auth string }
	devs := make([]device, plans*devices)
	for i := range devs {
		ep, k, a := svc.NewSubscription()
		devs[i] = device{ep, k, a}
	}
	parallel(t, 64, plans*devices, func(n int) error {
		body := subscriptionJSON(devs[n].endpoint, devs[n].p256dh, devs[n].auth)
		status, out, err := callHTTP(context.Background(), client, "PUT", srv.URL+"/api/p/"+tokens[n/devices]+"/subscription", body)
		if err == nil && status != 201 {
			err = fmt.Errorf("subscribe: %d %s", status, out)
		}
		return err
	})
	t.Logf("subscribed %d devices in %v", plans*devices, time.Since(start).Round(time.Millisecond))
	client.CloseIdleConnections()
	fi, err := os.Stat(filepath.Join(dir, "aftercare.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("database file: %d MB", fi.Size()>>20)
	t.Logf("after building:           %s", readRSS(t, pid))

	status, out, err := callHTTP(context.Background(), client, "GET", srv.URL+"/api/clients", "", "Authorization", "Bearer "+token)
	if err != nil || status != 200 {
		t.Fatalf("clients list: %d %v %.200s", status, err, out)
	}
	t.Logf("after one clients list:   %s (%d KB of JSON)", readRSS(t, pid), len(out)>>10)

	// An ordinary minute: from 10 s after the next minute's tick (the server
	// has done that minute's housekeeping) through the tick after it,
	// sampled every second.
	from := time.Now().Truncate(time.Minute).Add(time.Minute + 10*time.Second)
	time.Sleep(time.Until(from))
	received := len(svc.Received())
	until := from.Add(time.Minute)
	var peak, last rss
	for time.Now().Before(until) {
		time.Sleep(time.Second)
		r := readRSS(t, pid)
		if r.total > peak.total {
			peak = r
		}
		last = r
	}
	t.Logf("ordinary minute, peak:    %s", peak)
	t.Logf("ordinary minute, last:    %s", last)
	t.Logf("pushes delivered in that minute: %d", len(svc.Received())-received)
	if peak.total>>10 > int64(maxMB) {
		t.Errorf("peak RSS %d MB in an ordinary minute, want at most %d MB", peak.total>>10, maxMB)
	}
}

// parallel runs f(0..n-1) on workers goroutines and fails t on the first error.
func parallel(t *testing.T, workers, n int, f func(int) error) {
	t.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	var first atomic.Value
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n && first.Load() == nil; i = int(next.Add(1)) - 1 {
				if err := f(i); err != nil {
					first.CompareAndSwap(nil, err)
				}
			}
		})
	}
	wg.Wait()
	if err, _ := first.Load().(error); err != nil {
		t.Fatal(err)
	}
}

// rss is a process's resident set in KB: in all, anonymous, and file pages.
type rss struct{ total, anon, file int64 }

func (r rss) String() string {
	return fmt.Sprintf("RSS %d MB (anonymous %d MB, file %d MB)", r.total>>10, r.anon>>10, r.file>>10)
}

// readRSS reads VmRSS, RssAnon and RssFile of pid from /proc.
func readRSS(t *testing.T, pid int) rss {
	t.Helper()
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r rss
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch name {
		case "VmRSS":
			r.total = kb
		case "RssAnon":
			r.anon = kb
		case "RssFile":
			r.file = kb
		}
	}
	return r
}
