package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestMetricsForTheOperator(t *testing.T) {
	ts := startServer(t)
	token := ts.createPlan(t, planJSON(time.Now().Add(-time.Hour), ""))
	ep, key, auth := ts.Push.NewSubscription()
	ts.do(t, "PUT", "/api/p/"+token+"/subscription", subscriptionJSON(ep, key, auth))
	ts.do(t, "POST", "/api/p/"+token+"/test-push", "")
	ts.Push.Wait(1, 10*time.Second)
	ts.do(t, "GET", "/api/p/"+token, "")

	r := ts.do(t, "GET", "/metrics", "")
	if r.Status != 200 {
		t.Fatalf("local scrape: %d %s", r.Status, r.Body)
	}
	body := string(r.Body)
	for _, want := range []string{
		`aftercare_plans 1`,
		`aftercare_subscriptions 1`,
		`aftercare_due_backlog `,
		`aftercare_pushes_total{class="2xx",kind="test"} 1`,
		`aftercare_http_request_duration_seconds_count{class="2xx",method="GET",route="/api/p/:token"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if testing.Verbose() {
		t.Log(body)
	}
	if strings.Contains(body, token) {
		t.Fatal("a plan token leaked into the metrics")
	}
	if regexp.MustCompile(`/push/[A-Za-z0-9_-]+`).MatchString(body) {
		t.Fatal("a push endpoint leaked into the metrics")
	}
	// Relayed by a proxy: not local, so the owner's token is needed.
	if r := ts.do(t, "GET", "/metrics", "", "X-Forwarded-For", "203.0.113.9"); r.Status != 401 {
		t.Fatalf("relayed anonymous scrape: %d", r.Status)
	}
	if r := ts.do(t, "GET", "/metrics", "", "X-Forwarded-For", "203.0.113.9", "Authorization", "Bearer "+ts.Token); r.Status != 200 {
		t.Fatalf("owner scrape: %d", r.Status)
	}
}
