package openapitest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aftercare/aftercare/server/openapi"
)

// exchange is one request and answer, or (res nil) one webhook delivery.
type exchange struct {
	method, path, reqBody string
	status                int
	resBody               string
}

func (e exchange) check(c *Contract) string {
	req := httptest.NewRequest(e.method, e.path, strings.NewReader(e.reqBody))
	req.Header.Set("Content-Type", "application/json")
	if e.status == 0 {
		req.Header.Set("webhook-id", "msg_2KWPBgLlAfxdpx2AI54pPg")
		req.Header.Set("webhook-timestamp", "1796032800")
		req.Header.Set("webhook-signature", "v1,"+strings.Repeat("A", 43)+"=")
		if err := c.CheckWebhook(req, []byte(e.reqBody)); err != nil {
			return err.Error()
		}
		return ""
	}
	req.Header.Set("Authorization", "Bearer act_x")
	res := &http.Response{StatusCode: e.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader([]byte(e.resBody)))}
	if err := c.Check(req, []byte(e.reqBody), res, []byte(e.resBody)); err != nil {
		return err.Error()
	}
	return ""
}

// TestContractIsSafeForConcurrentUse: the API tests check exchanges from the
// test's goroutine while a loopback webhook receiver checks deliveries from
// its own (TestWebhooksFromTheRealServer), on one shared Contract whose
// validator compiles and caches schemas on first use. Checked all at once from
// a cold start, every exchange must get the verdict it gets alone (and -race
// must see nothing).
func TestContractIsSafeForConcurrentUse(t *testing.T) {
	planCreated := `{"type":"plan.created","timestamp":"2026-12-01T10:00:00Z","data":{"planId":"pln_HbceUL9u4cvjQrT9u0FGoA","therapistId":"t1",` +
		`"routineId":"r","sessionAt":"2026-11-30T09:00:00Z","nextSessionAt":null,"endsAt":"2026-12-14T23:00:00Z","timeZone":"Europe/Berlin","createdAt":"2026-12-01T10:00:00Z"}}`
	checkin := `{"type":"checkin.created","timestamp":"2026-12-01T10:00:01Z","data":{"planId":"pln_HbceUL9u4cvjQrT9u0FGoA",` +
		`"therapistId":"t1","checkinId":"checkin-0001","at":"2026-12-01T10:00:00Z","receivedAt":"2026-12-01T10:00:01Z","soreness":8,"pain":6,"tier":"emergency-now","urgent":true,"stillSore":true}`
	exchanges := []exchange{
		{method: "POST", path: "/hooks", reqBody: planCreated},
		{method: "POST", path: "/hooks", reqBody: checkin + "}"},
		{method: "POST", path: "/hooks", reqBody: strings.Replace(checkin, `"tier":"emergency-now",`, "", 1) + "}"},
		{method: "POST", path: "/hooks", reqBody: `{"type":"ping","timestamp":"2026-12-01T10:00:00Z","data":{"message":"hi"}}`},
		{method: "POST", path: "/api/plans", reqBody: `{"clientName":"Sam","routineId":"r","timeZone":"Europe/Berlin","days":14}`,
			status: 201, resBody: `{"token":"tok123","url":"http://care.test/p/tok123"}`},
		{method: "POST", path: "/api/plans", reqBody: `{"clientName":"Sam","routineId":"r","timeZone":"Europe/Berlin","days":"14"}`,
			status: 201, resBody: `{"token":"tok123"}`},
		{method: "GET", path: "/api/clients?limit=2&status=active", status: 200, resBody: `{"items":[],"next":""}`},
		{method: "GET", path: "/api/clients?limit=2", status: 200, resBody: `{"items":[{"token":"tok123"}],"next":""}`},
		{method: "GET", path: "/api/plans/tok123", status: 404, resBody: `{"error":"no such plan"}`},
		{method: "GET", path: "/api/session", status: 200, resBody: `{"therapist":{"id":"t1","email":"a@example.org","name":"Ana","owner":true,"timeZone":"Europe/Berlin","language":"en"},"via":"token"}`},
		{method: "PUT", path: "/api/admin/webhook", reqBody: `{"url":"https://hooks.example.org/a"}`, status: 400, resBody: `{"error":"url: must be https"}`},
	}
	alone := Shared(t)
	want := make([]string, len(exchanges))
	for i, e := range exchanges {
		want[i] = e.check(alone)
	}
	doc, err := openapi.JSON()
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(doc) // cold: nothing compiled or cached yet
	if err != nil {
		t.Fatal(err)
	}
	const workers = 4
	start := make(chan struct{})
	var wg sync.WaitGroup
	got := make([][]string, workers)
	for w := range workers {
		got[w] = make([]string, len(exchanges))
		wg.Go(func() {
			<-start
			for k := range exchanges {
				i := (k + w) % len(exchanges) // each worker starts elsewhere
				got[w][i] = exchanges[i].check(c)
			}
		})
	}
	close(start)
	wg.Wait()
	for w := range workers {
		for i := range exchanges {
			if got[w][i] != want[i] {
				t.Errorf("worker %d, %s %s: concurrent verdict %q, alone %q", w, exchanges[i].method, exchanges[i].path, got[w][i], want[i])
			}
		}
	}
}
