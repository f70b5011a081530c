package push_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
)

func TestSendRefusesBeforeAnyRequest(t *testing.T) {
	f := newFixture(t, nil)
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	badUrgency := reminder
	badUrgency.Urgency = "urgent"
	otherAllow, _ := push.NewAllowlist(nil)
	strict, err := push.NewSender(push.Config{Keys: f.keys, Subject: "ops@example.org", Allow: otherAllow})
	if err != nil {
		t.Fatal(err)
	}
	sub := f.subscribe()
	badKey := sub
	badKey.P256dh = "AAAA"

	for _, tc := range []struct {
		name string
		res  push.Result
		is   error
	}{
		{"canceled context", f.sender.Send(canceled, sub, reminder), context.Canceled},
		{"endpoint no longer allowed", strict.Send(context.Background(), sub, reminder), push.ErrEndpointNotAllowed},
		{"bad urgency", f.sender.Send(context.Background(), sub, badUrgency), nil},
		{"bad p256dh", f.sender.Send(context.Background(), badKey, reminder), nil},
	} {
		if tc.res.Err == nil || tc.res.Delivered() || tc.res.Gone || tc.res.Attempts != 0 || (tc.is != nil && !errors.Is(tc.res.Err, tc.is)) {
			t.Errorf("%s: %+v", tc.name, tc.res)
		}
	}
	if n := f.svc.Requests(); n != 0 {
		t.Errorf("service saw %d requests", n)
	}
}

func TestSendNeverFollowsRedirects(t *testing.T) {
	var followed atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		followed.Add(1)
		w.WriteHeader(http.StatusCreated)
	}))
	defer target.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/x", http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()

	keys := mustKeys(t)
	probe := pushtest.New(t, keys.Public) // only for a valid browser key pair
	_, p256dh, auth := probe.NewSubscription()
	sub := push.Subscription{Endpoint: redirector.URL + "/push/1", P256dh: p256dh, Auth: auth}
	allow, _ := push.NewAllowlist([]string{redirector.URL + "/", target.URL + "/"})
	for _, client := range []*http.Client{nil, {Timeout: time.Second}} {
		s, err := push.NewSender(push.Config{Keys: keys, Subject: "ops@example.org", Allow: allow, HTTPClient: client})
		if err != nil {
			t.Fatal(err)
		}
		res := s.Send(context.Background(), sub, reminder)
		if res.Status != http.StatusTemporaryRedirect || res.Delivered() || res.Attempts != 1 {
			t.Errorf("client %v: %+v", client, res)
		}
	}
	if n := followed.Load(); n != 0 {
		t.Errorf("redirect followed %d times", n)
	}
}

// The default client (HTTPClient nil) connects to loopback only where an
// extra allowlist prefix names that host and port.
func TestDefaultClientDelivers(t *testing.T) {
	f := newFixture(t, func(c *push.Config) { c.HTTPClient = nil })
	if res := f.sender.Send(context.Background(), f.subscribe(), reminder); !res.Delivered() {
		t.Fatalf("%+v, refusals %v", res, f.svc.Refusals())
	}
}

func TestLogsNeverContainEndpoint(t *testing.T) {
	f := newFixture(t, func(c *push.Config) { c.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond} })
	for _, b := range []pushtest.Behavior{{}, {Status: 410}, {Status: 413}, {Status: 500}, {Status: 429, RetryAfter: "7200"}, {Delay: time.Second}} {
		sub := f.subscribe()
		f.svc.Behave(sub.Endpoint, b)
		f.sender.Send(context.Background(), sub, reminder)
	}
	f.mu.Lock()
	logs := f.logs.String()
	f.mu.Unlock()
	if logs == "" || strings.Contains(logs, "/push/") {
		t.Errorf("logs quote an endpoint or are empty:\n%s", logs)
	}
}
