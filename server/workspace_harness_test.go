package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/bcrypt"

	"github.com/aftercare/aftercare/server/account"
	"github.com/aftercare/aftercare/server/auth"
	"github.com/aftercare/aftercare/server/care"
	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/netguard"
	"github.com/aftercare/aftercare/server/openapi/openapitest"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
	"github.com/aftercare/aftercare/server/webhook"
)

// fakeScheduler records which plans were (re)scheduled.
type fakeScheduler struct {
	mu        sync.Mutex
	scheduled []model.Plan
}

func (f *fakeScheduler) States(p model.Plan, _ []store.RuleState) ([]store.RuleState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scheduled = append(f.scheduled, p)
	return nil, nil
}
func (f *fakeScheduler) TestPush(context.Context, string) (int, error) { return 0, nil }
func (f *fakeScheduler) AlertTherapistAsync(model.Plan, model.CheckIn) {}
func (f *fakeScheduler) TellTherapistAsync(model.Plan)                 {}

func (f *fakeScheduler) last() model.Plan {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.scheduled[len(f.scheduled)-1]
}

type acceptAll struct{}

func (acceptAll) CheckSubscription(model.Subscription) error { return nil }

const testPassword = "correct horse battery"

// workspace is an in-process app with three accounts: the owner, A and B.
type workspace struct {
	app         *fiber.App
	db          *store.DB
	accounts    *account.Service
	care        *care.Service
	sched       *fakeScheduler
	clock       *fakeclock.Clock
	owner, a, b model.Therapist
	// hooks receives the webhook's test pings; webhooks is the service.
	hooks    *httptest.Server
	webhooks *webhook.Service
}

// hookReceiver is one loopback webhook receiver for the package's tests: it
// takes every event (204).
var hookReceiver = sync.OnceValue(func() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { rw.WriteHeader(http.StatusNoContent) }))
})

func newWorkspace(t testing.TB) *workspace {
	t.Helper()
	db := storetest.Open(t)
	w := &workspace{db: db, sched: &fakeScheduler{}, clock: fakeclock.New(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := &care.Service{DB: db, Scheduler: w.sched, Subs: acceptAll{}, Now: w.clock.Now, BaseURL: "http://care.test", Logger: logger}
	static := fstest.MapFS{"therapist/index.html": {Data: []byte("<!doctype html><title>workspace</title>")}}
	w.app = w.serve(svc, Deps{Static: static, Logger: logger, Illustration: func(string) ([]byte, bool) { return nil, false }})
	w.owner = w.addAccount(t, "owner@example.org", "Olga Owner")
	w.a = w.addAccount(t, "a@example.org", "Ana A")
	w.b = w.addAccount(t, "b@example.org", "Ben B")
	if !w.owner.Owner || w.a.Owner {
		t.Fatal("first account must be the owner, only")
	}
	return w
}

// addAccount stores an account with a cheap bcrypt cost so tests stay fast.
func (w *workspace) addAccount(t testing.TB, email, name string) model.Therapist {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	th, err := w.db.CreateTherapist(model.Therapist{ID: strings.SplitN(email, "@", 2)[0] + "-id", Email: email, Name: name,
		PasswordHash: hash, TimeZone: "Europe/Berlin", CreatedAt: w.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func (w *workspace) apiToken(t testing.TB, th model.Therapist) string {
	t.Helper()
	secret, _, err := w.accounts.NewAPIToken(th, "test")
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// browser is a cookie jar plus the CSRF token a logged-in workspace page holds.
type browser struct {
	cookies map[string]string
	csrf    string
	bearer  string
}

type resp struct {
	Status int
	Header http.Header
	Body   string
}

func (w *workspace) do(t *testing.T, b *browser, method, path, body string) resp {
	t.Helper()
	ct := "application/json"
	if strings.HasPrefix(body, "\x89PNG") {
		ct = "image/png"
	}
	return w.doRaw(t, b, method, path, ct, body)
}

// doRaw is do with the body's Content-Type given.
func (w *workspace) doRaw(t *testing.T, b *browser, method, path, contentType, body string) resp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	switch {
	case strings.HasPrefix(body, "\xff\xd8\xff") && contentType == "application/json": // a JPEG, for the photo upload
		req.Header.Set("Content-Type", "image/jpeg")
	case body != "":
		req.Header.Set("Content-Type", contentType)
	}
	if b != nil {
		for k, v := range b.cookies {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		if b.csrf != "" {
			req.Header.Set(CSRFHeader, b.csrf)
		}
		if b.bearer != "" {
			req.Header.Set("Authorization", "Bearer "+b.bearer)
		}
	}
	res, err := w.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	checkContract(t, req, body, res, data)
	if b != nil {
		for _, c := range res.Cookies() {
			if b.cookies == nil {
				b.cookies = map[string]string{}
			}
			if c.MaxAge < 0 || c.Value == "" {
				delete(b.cookies, c.Name)
			} else {
				b.cookies[c.Name] = c.Value
			}
		}
	}
	return resp{res.StatusCode, res.Header, string(data)}
}

// login logs th in and returns a browser holding the session cookie and CSRF token.
func (w *workspace) login(t *testing.T, email string) *browser {
	t.Helper()
	b := &browser{}
	r := w.do(t, b, "POST", "/api/session", `{"email":"`+email+`","password":"`+testPassword+`"}`)
	if r.Status != 200 {
		t.Fatalf("login %s: %d %s", email, r.Status, r.Body)
	}
	b.csrf = b.cookies[csrfCookieName]
	if b.csrf == "" || b.cookies[sessionCookieName] == "" {
		t.Fatalf("login set no cookies: %v", b.cookies)
	}
	if !strings.Contains(r.Body, b.csrf) {
		t.Fatal("login reply lacks the CSRF token")
	}
	return b
}

func (w *workspace) createPlan(t *testing.T, b *browser, extra string) string {
	t.Helper()
	r := w.do(t, b, "POST", "/api/plans", planBody(w.clock.Now().Add(-time.Hour), extra))
	if r.Status != 201 {
		t.Fatalf("create plan: %d %s", r.Status, r.Body)
	}
	return jsonField(t, r.Body, "token")
}

func planBody(session time.Time, extra string) string {
	return `{"clientName":"Sam","routineId":"gentle-sciatica-aftercare","sessionAt":"` + session.Format(time.RFC3339) +
		`","timeZone":"Europe/Berlin","days":14` + extra + `}`
}

func jsonField(t testing.TB, body, field string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	s, _ := m[field].(string)
	return s
}

func tokenMeta(therapistID string) model.APIToken {
	return model.APIToken{ID: model.NewToken()[:9], TherapistID: therapistID, Name: "fresh"}
}

// newEmptyWorkspace is a studio with no account at all (first start).
func newEmptyWorkspace(t *testing.T) *workspace {
	t.Helper()
	db := storetest.Open(t)
	w := &workspace{db: db, sched: &fakeScheduler{}, clock: fakeclock.New(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := &care.Service{DB: db, Scheduler: w.sched, Subs: acceptAll{}, Now: w.clock.Now, BaseURL: "http://care.test", Logger: logger}
	w.app = w.serve(svc, Deps{Static: fstest.MapFS{}, Logger: logger})
	return w
}

// serve builds the app on care service svc as cmd/aftercare wires it: the
// accounts and login services on svc's database, clock and base URL; d gives
// the rest.
func (w *workspace) serve(svc *care.Service, d Deps) *fiber.App {
	w.care = svc
	w.accounts = &account.Service{DB: svc.DB, Now: svc.Now, BaseURL: svc.BaseURL}
	d.Care, d.Accounts = svc, w.accounts
	if d.Auth == nil {
		d.Auth = auth.New(svc.DB, svc.Now)
	}
	if d.Webhooks == nil {
		d.Webhooks = w.webhookService(svc)
	}
	return New(d)
}

// webhookService is the studio's webhook on svc's database, allowed (as
// -webhook-allow does) to a loopback receiver that takes every event; it
// delivers only test pings, as nothing starts its workers.
func (w *workspace) webhookService(svc *care.Service) *webhook.Service {
	w.hooks = hookReceiver()
	allow, err := netguard.ParsePrefixes([]string{w.hooks.URL + "/"})
	if err != nil {
		panic(err)
	}
	hooks, err := webhook.New(webhook.Config{DB: svc.DB, Allow: allow, Now: svc.Now, Logger: svc.Logger})
	if err != nil {
		panic(err)
	}
	w.webhooks = hooks
	return hooks
}

// checkContract fails the test when the exchange does not match the OpenAPI
// document (server/openapi/openapi.yaml): every API test checks it this way.
func checkContract(tb testing.TB, req *http.Request, reqBody string, res *http.Response, resBody []byte) {
	tb.Helper()
	if err := openapitest.Shared(tb).Check(req, []byte(reqBody), res, resBody); err != nil {
		tb.Errorf("OpenAPI contract: %v", err)
	}
}
