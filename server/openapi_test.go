package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/aftercare/aftercare/server/care"
	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/metrics"
	"github.com/aftercare/aftercare/server/openapi"
	"github.com/aftercare/aftercare/server/openapi/openapitest"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// TestOpenAPIDocumentIsValid checks the document against the OpenAPI 3.1 meta-schema.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	c := openapitest.Shared(t)
	if err := c.ValidateDocument(); err != nil {
		t.Fatalf("server/openapi/openapi.yaml is not a valid OpenAPI 3.1 document: %v", err)
	}
	doc, err := openapi.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var head struct{ OpenAPI string }
	if err := json.Unmarshal(doc, &head); err != nil || head.OpenAPI != "3.1.0" {
		t.Fatalf("openapi version %q (%v), want 3.1.0", head.OpenAPI, err)
	}
}

// fullApp is the app with every optional route on (metrics), as aftercare serve builds it.
func fullApp(t *testing.T) *workspace {
	t.Helper()
	db := storetest.Open(t)
	w := &workspace{db: db, sched: &fakeScheduler{}, clock: fakeclock.New(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := &care.Service{DB: db, Scheduler: w.sched, Subs: acceptAll{}, Now: w.clock.Now, BaseURL: "http://care.test", Logger: logger}
	w.app = w.serve(svc, Deps{Static: fstest.MapFS{}, Logger: logger, Metrics: metrics.New(db, w.clock.Now),
		Illustration: func(string) ([]byte, bool) { return nil, false }})
	return w
}

// TestOpenAPIDocumentsEveryRoute fails when a route registered in the app is
// missing from the document, or the document has one the app does not register.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	w := fullApp(t)
	var app []string
	for _, r := range w.app.GetRoutes(true) { // true: without Use middleware
		if r.Method == http.MethodHead {
			continue // Fiber adds HEAD to every GET
		}
		app = append(app, r.Method+" "+openapitest.FiberPath(r.Path))
	}
	missing, extra := openapitest.RouteDiff(app, openapitest.Shared(t).Operations())
	if len(missing) > 0 {
		t.Errorf("registered in the app but missing from server/openapi/openapi.yaml (%d):\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
	if len(extra) > 0 {
		t.Errorf("in server/openapi/openapi.yaml but not registered in the app (%d):\n  %s", len(extra), strings.Join(extra, "\n  "))
	}
}

// TestOpenAPIServedAsJSON: the document is public, JSON, cacheable and revalidated by ETag.
func TestOpenAPIServedAsJSON(t *testing.T) {
	w := newWorkspace(t)
	r := w.do(t, nil, "GET", "/api/openapi.json", "")
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/openapi.json: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	want, err := openapi.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if r.Body != string(want) {
		t.Fatal("served document differs from the embedded one")
	}
	var doc struct {
		OpenAPI string                     `json:"openapi"`
		Paths   map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(r.Body), &doc); err != nil || doc.OpenAPI != "3.1.0" || doc.Paths["/api/plans"] == nil {
		t.Fatalf("not the OpenAPI document: %v %.200s", err, r.Body)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=3600" {
		t.Errorf("Cache-Control %q, want public, max-age=3600", cc)
	}
	etag := r.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	req := httptest.NewRequest("GET", "/api/openapi.json", nil)
	req.Header.Set("If-None-Match", etag)
	res, err := w.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	checkContract(t, req, "", res, body)
	if res.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Fatalf("revalidation: %d with %d bytes, want 304 and no body", res.StatusCode, len(body))
	}
}

// TestOpenAPIValidationCatchesWrongAnswers feeds answers the document does not
// allow to the checker the API tests use: each must be refused, with a reason.
func TestOpenAPIValidationCatchesWrongAnswers(t *testing.T) {
	c := openapitest.Shared(t)
	goodPlan := `{"token":"tok123","clientName":"Sam","therapist":{"name":"Ana"},"sessionAt":"2026-11-26T09:00:00Z",
		"nextSessionAt":null,"timeZone":"Europe/Berlin","stretchTime":"19:00","days":14,"endsAt":"2026-12-10T23:00:00Z",
		"active":true,"notes":"","cadenceDays":0,"emergencyNumber":"112",
		"routine":{"id":"r","language":"en","name":"R","summary":"s","estimatedMinutes":5,"stretches":[],"variations":[]},
		"prefs":{"disabled":[],"quietStart":"21:00","quietEnd":"08:00"},
		"completions":[],"completionsTotal":0,"completionsNext":"","checkins":[],"checkinsTotal":0,"checkinsNext":"",
		"calendar":{"url":"http://care.test/c/feed123.ics","webcal":"webcal://care.test/c/feed123.ics"},
		"language":"en","redFlags":[],"messages":"/api/messages/en?v=0123456789ab",
		"clinic":{"psfsDue":"first","psfsLatest":null,"psfsFirst":null,"preparationDue":false,"preparation":null,"latestCheckIn":null,"content":"/api/clinic/en?v=0123456789ab"}}`
	json200 := http.Header{"Content-Type": {"application/json"}}
	cases := []struct {
		name, method, path, reqBody string
		reqHeader                   http.Header
		status                      int
		header                      http.Header
		body                        string
		mention                     string // in the error; "" means the exchange is valid
	}{
		{"a valid answer passes", "GET", "/api/p/tok123", "", nil, 200, json200, goodPlan, ""},
		{"200 missing a required field", "GET", "/api/p/tok123", "", nil, 200, json200,
			strings.Replace(goodPlan, `"emergencyNumber":"112",`, "", 1), "emergencyNumber"},
		{"a field of the wrong type", "GET", "/api/p/tok123", "", nil, 200, json200,
			strings.Replace(goodPlan, `"days":14`, `"days":"14"`, 1), "days"},
		{"an undocumented field", "GET", "/api/p/tok123", "", nil, 200, json200,
			strings.Replace(goodPlan, `"notes":""`, `"notes":"","secret":1`, 1), "secret"},
		{"an undocumented status", "GET", "/api/p/tok123", "", nil, 418, json200, `{"error":"teapot"}`, "418"},
		{"a wrong content type", "GET", "/api/p/tok123", "", nil, 200, http.Header{"Content-Type": {"text/html"}}, goodPlan, "text/html"},
		{"an error body that is not {error}", "GET", "/api/p/tok123", "", nil, 404, json200, `{"message":"gone"}`, "error"},
		{"429 without Retry-After", "POST", "/api/session", `{"email":"a@example.org","password":"x"}`,
			http.Header{"Content-Type": {"application/json"}}, 429, json200, `{"error":"too many failed logins"}`, "Retry-After"},
		{"a body on 204", "DELETE", "/api/p/tok123", "", nil, 204, json200, `{"error":"x"}`, "without a body"},
		{"success for a request the document refuses", "POST", "/api/p/tok123/checkins", `{"id":"checkin-0001","soreness":3}`,
			http.Header{"Content-Type": {"application/json"}}, 201, json200,
			`{"checkin":{"id":"checkin-0001","at":"2026-11-26T09:00:00Z","soreness":3,"pain":0,"areas":[],"feelings":[],"redFlags":[],"note":"","receivedAt":"2026-11-26T09:00:00Z"},"advice":"normal"}`,
			"pain"},
		{"success without credentials", "GET", "/api/plans", "", nil, 200, json200, `[]`, "Authorization"},
		{"an undocumented route that answers", "GET", "/api/nope", "", nil, 200, json200, `{}`, "not in the OpenAPI document"},
		{"an unknown route answers 404 with the error body", "GET", "/api/nope", "", nil, 404, json200, `{"error":"no such API route"}`, ""},
		{"413 before routing, with the error body", "GET", "/api/plans", "", nil, 413, json200, `{"error":"Request Entity Too Large"}`, ""},
		{"431 before routing, without the error body", "GET", "/sw.js", "", nil, 431, http.Header{"Content-Type": {"text/plain"}}, `too large`, "application/json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.reqBody))
			for k, v := range tc.reqHeader {
				req.Header[k] = v
			}
			res := &http.Response{StatusCode: tc.status, Header: tc.header, Body: io.NopCloser(bytes.NewReader([]byte(tc.body)))}
			err := c.Check(req, []byte(tc.reqBody), res, []byte(tc.body))
			switch {
			case tc.mention == "" && err != nil:
				t.Fatalf("valid exchange refused: %v", err)
			case tc.mention != "" && err == nil:
				t.Fatal("wrong answer accepted")
			case tc.mention != "" && !strings.Contains(err.Error(), tc.mention):
				t.Fatalf("error does not mention %q: %v", tc.mention, err)
			}
		})
	}
}

// BenchmarkOpenAPICheck is what the contract check adds to each API test exchange.
func BenchmarkOpenAPICheck(b *testing.B) {
	w := newWorkspace(b)
	owner := w.apiToken(b, w.owner)
	req := httptest.NewRequest("POST", "/api/plans", strings.NewReader(planBody(w.clock.Now().Add(-time.Hour), "")))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+owner)
	res, err := w.app.Test(req, -1)
	if err != nil {
		b.Fatal(err)
	}
	created, _ := io.ReadAll(res.Body)
	token := jsonField(b, string(created), "token")
	get := httptest.NewRequest("GET", "/api/plans/"+token, nil)
	get.Header.Set("Authorization", "Bearer "+owner)
	res, err = w.app.Test(get, -1)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	c := openapitest.Shared(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := c.Check(get, nil, res, body); err != nil {
			b.Fatal(err)
		}
	}
}
