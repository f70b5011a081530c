package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/openapi/openapitest"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
)

// hookSink is a loopback webhook receiver; fail lists event types whose
// first attempt it answers 500.
type hookSink struct {
	srv  *httptest.Server
	mu   sync.Mutex
	got  []hookDelivery
	fail map[string]bool
}

type hookDelivery struct {
	id, ts, sig, typ string
	body             []byte
	status           int
}

func newHookSink(t *testing.T, fail ...string) *hookSink {
	s := &hookSink{fail: map[string]bool{}}
	for _, f := range fail {
		s.fail[f] = true
	}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := openapitest.Shared(t).CheckWebhook(r, body); err != nil {
			t.Errorf("OpenAPI contract: %v", err)
		}
		var env struct{ Type string }
		_ = json.Unmarshal(body, &env)
		s.mu.Lock()
		status := http.StatusNoContent
		if s.fail[env.Type] {
			s.fail[env.Type] = false
			status = http.StatusInternalServerError
		}
		s.got = append(s.got, hookDelivery{r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature"), env.Type, body, status})
		s.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// wait returns the deliveries once one of each type in want has been taken (2xx).
func (s *hookSink) wait(t *testing.T, want ...string) []hookDelivery {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		got := append([]hookDelivery(nil), s.got...)
		s.mu.Unlock()
		taken := map[string]bool{}
		for _, d := range got {
			if d.status < 300 {
				taken[d.typ] = true
			}
		}
		all := true
		for _, w := range want {
			all = all && taken[w]
		}
		if all {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("receiver took %v, want %v", taken, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// verifyHook is the README's verification.
func verifyHook(secret string, d hookDelivery) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	if ts, err := strconv.ParseInt(d.ts, 10, 64); err != nil || time.Since(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(d.id + "." + d.ts + "."))
	mac.Write(d.body)
	for _, sig := range strings.Fields(d.sig) {
		if got, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sig, "v1,")); err == nil && hmac.Equal(got, mac.Sum(nil)) {
			return true
		}
	}
	return false
}

// The real server, configured through the owner's API with -webhook-allow
// naming a loopback receiver, tells it of a plan's life, signed; an event
// whose first attempt failed survives a restart and goes out under its id
// when the owner's test ping finds the receiver back.
func TestWebhooksFromTheRealServer(t *testing.T) {
	sink := newHookSink(t, "plan.created")
	dir := filepath.Join(t.TempDir(), "data")
	ts := &testServer{Data: dir, WebhookAllow: []string{sink.srv.URL + "/"}}
	ts.Token = addTherapist(t, dir, "ana@example.org", "Ana Ruiz")
	keys, err := push.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	ts.Push = pushtest.New(t, keys.Public)
	ts.start(t)

	r := ts.do(t, "PUT", "/api/admin/webhook", `{"url":"`+sink.srv.URL+`/aftercare","includeNotes":false}`, ts.auth()...)
	var saved struct{ Secret string }
	r.json(t, &saved)
	if r.Status != 200 || !strings.HasPrefix(saved.Secret, "whsec_") {
		t.Fatalf("save webhook: %d %s", r.Status, r.Body)
	}
	token := ts.createPlan(t, planJSON(time.Now().Add(-50*time.Hour), ""))
	// The first attempt at plan.created fails; its retry is 30 s away. Restart now.
	deadline := time.Now().Add(5 * time.Second)
	for len(sink.wait(t)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no delivery of plan.created")
		}
		time.Sleep(10 * time.Millisecond)
	}
	first := sink.wait(t)[0]
	ts.shutdown(t)
	ts.start(t)
	// The ping finds the receiver back, so the waiting retry goes at once.
	if r := ts.do(t, "POST", "/api/admin/webhook/test", "", ts.auth()...); r.Status != 200 {
		t.Fatalf("test ping: %d %s", r.Status, r.Body)
	}
	r = ts.do(t, "POST", "/api/p/"+token+"/checkins", `{"id":"checkin-0001","soreness":7,"pain":6,"areas":["left-buttock"],"feelings":["shooting"],"redFlags":["bladder-bowel"],"note":"hard to sit"}`)
	if r.Status != 201 {
		t.Fatalf("check-in: %d %s", r.Status, r.Body)
	}
	if r := ts.do(t, "POST", "/api/plans/"+token+"/end", "", ts.auth()...); r.Status != 200 {
		t.Fatalf("end: %d %s", r.Status, r.Body)
	}
	if r := ts.do(t, "DELETE", "/api/p/"+token, ""); r.Status >= 300 {
		t.Fatalf("erase: %d %s", r.Status, r.Body)
	}
	got := sink.wait(t, "ping", "plan.created", "checkin.created", "plan.ended", "plan.erased")
	for _, d := range got {
		if !verifyHook(saved.Secret, d) {
			t.Errorf("%s %s does not verify", d.typ, d.id)
		}
		if strings.Contains(string(d.body), token) || strings.Contains(string(d.body), "hard to sit") || strings.Contains(string(d.body), "Sam") {
			t.Errorf("%s carries the token, the note or the name: %s", d.typ, d.body)
		}
		if d.typ == "plan.created" && d.status < 300 && d.id != first.id {
			t.Errorf("plan.created after the restart has id %s, first attempt %s", d.id, first.id)
		}
		if d.typ == "checkin.created" && !strings.Contains(string(d.body), `"tier":"emergency-now","urgent":true`) {
			t.Errorf("checkin.created %s", d.body)
		}
	}
	if first.typ != "plan.created" || first.status != 500 {
		t.Fatalf("first delivery %s %d", first.typ, first.status)
	}
}
