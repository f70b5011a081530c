// Over 400 lines: the login throttle's attack scenarios and the loopback reverse-proxy harness they all
// run on (real bcrypt, X-Forwarded-For per request) are one job, read together.

package server

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/aftercare/aftercare/server/account"
	"github.com/aftercare/aftercare/server/auth"
	"github.com/aftercare/aftercare/server/care"
	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// loginServer is the real app on a loopback port behind a "reverse proxy" (the
// test client, trusted at 127.0.0.1), so each request can name its client
// address in X-Forwarded-For exactly as Caddy or nginx would.
type loginServer struct {
	URL      string
	DB       *store.DB
	Auth     *auth.Service
	Accounts *account.Service
	Clock    *fakeclock.Clock
	Victim   model.Therapist
	client   *http.Client
}

const victimEmail = "victim@example.org"

// newLoginServer serves a studio with one account, victimEmail, whose password
// hash has the given bcrypt cost.
func newLoginServer(tb testing.TB, cost int) *loginServer {
	tb.Helper()
	db := storetest.Open(tb)
	ls := &loginServer{DB: db, Clock: fakeclock.New(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))}
	hash, err := bcrypt.GenerateFromPassword([]byte(testPassword), cost)
	if err != nil {
		tb.Fatal(err)
	}
	ls.Victim, err = db.CreateTherapist(model.Therapist{ID: "victim-id", Email: victimEmail, Name: "Vera Victim",
		PasswordHash: hash, TimeZone: "Europe/Berlin", CreatedAt: ls.Clock.Now()})
	if err != nil {
		tb.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ls.Auth = auth.New(db, ls.Clock.Now)
	svc := &care.Service{DB: db, Scheduler: &fakeScheduler{}, Subs: acceptAll{}, Now: ls.Clock.Now, BaseURL: "http://care.test", Logger: logger}
	w := &workspace{db: db, clock: ls.Clock}
	app := w.serve(svc, Deps{Auth: ls.Auth, Logger: logger, TrustedProxies: []string{"127.0.0.1"},
		Static: fstest.MapFS{"therapist/index.html": {Data: []byte("<!doctype html><title>workspace</title>")}}})
	ls.Accounts = w.accounts
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	tb.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	ls.URL = "http://" + ln.Addr().String()
	ls.client = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	tb.Cleanup(ls.client.CloseIdleConnections)
	return ls
}

type loginReply struct {
	Status     int
	RetryAfter string
	Body       string
	Cookies    []*http.Cookie
}

// login posts a login for email from the client address from.
func (ls *loginServer) login(tb testing.TB, email, password, from string) loginReply {
	tb.Helper()
	body := fmt.Sprintf(`{"email":%q,"password":%q}`, email, password)
	req, err := http.NewRequest("POST", ls.URL+"/api/session", strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", from)
	res, err := ls.client.Do(req)
	if err != nil {
		tb.Errorf("login from %s: %v", from, err)
		return loginReply{}
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	checkContract(tb, req, body, res, data)
	return loginReply{res.StatusCode, res.Header.Get("Retry-After"), string(data), res.Cookies()}
}

// get fetches path with the given headers (name, value, ...).
func (ls *loginServer) get(tb testing.TB, path string, headers ...string) (int, string) {
	tb.Helper()
	req, err := http.NewRequest("GET", ls.URL+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := ls.client.Do(req)
	if err != nil {
		tb.Errorf("GET %s: %v", path, err)
		return 0, ""
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	checkContract(tb, req, "", res, data)
	return res.StatusCode, string(data)
}

// floodResult is what a login flood did.
type floodResult struct {
	statuses    map[int]int // of the wrong-password logins
	right       loginReply  // the right password, sent in the middle of the flood
	healthz     []time.Duration
	healthzBad  int // /healthz answers other than 200 during the flood
	floodLasted time.Duration
}

// rawLogin writes one login request on its own connection and reads the answer.
func rawLogin(tb testing.TB, conn net.Conn, email, password, from string) loginReply {
	body := fmt.Sprintf(`{"email":%q,"password":%q}`, email, password)
	req := fmt.Sprintf("POST /api/session HTTP/1.1\r\nHost: care.test\r\nContent-Type: application/json\r\n"+
		"X-Forwarded-For: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", from, len(body), body)
	if _, err := io.WriteString(conn, req); err != nil {
		tb.Errorf("write login: %v", err)
		return loginReply{}
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		tb.Errorf("read login answer: %v", err)
		return loginReply{}
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	sent, _ := http.NewRequest("POST", "http://care.test/api/session", nil)
	sent.Header.Set("Content-Type", "application/json")
	checkContract(tb, sent, body, res, data)
	return loginReply{res.StatusCode, res.Header.Get("Retry-After"), string(data), res.Cookies()}
}

// flood sends n-1 wrong-password logins for victimEmail from one address at
// once (each on a connection opened beforehand, all written together), then the
// right password from the same address while they are being answered: once the
// server has turned one away, or after 50 ms if it turns none away. /healthz
// is polled meanwhile on its own connection.
func (ls *loginServer) flood(tb testing.TB, n int, from string) floodResult {
	tb.Helper()
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.Dial("tcp", strings.TrimPrefix(ls.URL, "http://"))
		if err != nil {
			tb.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
	}
	res := floodResult{statuses: map[int]int{}}
	var mu sync.Mutex
	stop := make(chan struct{})
	healthDone := make(chan struct{})
	go func() {
		defer close(healthDone)
		for {
			start := time.Now()
			status, _ := ls.get(tb, "/healthz")
			mu.Lock()
			res.healthz = append(res.healthz, time.Since(start))
			if status != 200 {
				res.healthzBad++
			}
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()

	start := make(chan struct{})
	turnedAway := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for i, conn := range conns[:n-1] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := rawLogin(tb, conn, victimEmail, fmt.Sprintf("wrong password %d", i), from)
			mu.Lock()
			res.statuses[r.Status]++
			mu.Unlock()
			if r.Status == 429 {
				if r.RetryAfter == "" {
					tb.Errorf("429 without Retry-After: %s", r.Body)
				}
				once.Do(func() { close(turnedAway) })
			}
		}()
	}
	began := time.Now()
	close(start)
	select {
	case <-turnedAway:
	case <-time.After(50 * time.Millisecond):
	}
	res.right = rawLogin(tb, conns[n-1], victimEmail, testPassword, from)
	wg.Wait()
	res.floodLasted = time.Since(began)
	close(stop)
	<-healthDone
	return res
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(float64(len(s)-1)*p)]
}

// TestLoginFloodIsThrottledBeforeBcrypt: 199 wrong passwords for one account
// from one address, all at once, and the right one. At most the account's limit of them reach
// bcrypt, the right password sent in the middle of the flood is refused like
// the rest, and /healthz answers throughout.
func TestLoginFloodIsThrottledBeforeBcrypt(t *testing.T) {
	// Cost 8 (about 20 ms a check, more under -race) keeps each check running
	// while the flood arrives, as a production hash does.
	ls := newLoginServer(t, 8)
	res := ls.flood(t, 200, "203.0.113.66")
	t.Logf("statuses %v, right password %d, healthz %d answers, p50 %v, max %v, flood %v", res.statuses, res.right.Status,
		len(res.healthz), percentile(res.healthz, 0.5), percentile(res.healthz, 1), res.floodLasted)
	if evaluated := res.statuses[401]; evaluated > auth.AccountFailures || evaluated == 0 {
		t.Errorf("%d wrong passwords were checked by bcrypt, want 1..%d", evaluated, auth.AccountFailures)
	}
	if res.statuses[401]+res.statuses[429] != 199 {
		t.Errorf("statuses %v, want only 401 and 429", res.statuses)
	}
	if res.right.Status != 429 || res.right.RetryAfter == "" {
		t.Errorf("right password in the middle of the flood: %d %s (Retry-After %q), want 429", res.right.Status, res.right.Body, res.right.RetryAfter)
	}
	if res.healthzBad > 0 || len(res.healthz) == 0 {
		t.Errorf("/healthz during the flood: %d answers, %d not 200", len(res.healthz), res.healthzBad)
	}
	st := ls.Auth.HashStats()
	if st.Checks != int64(res.statuses[401]) || st.Peak > st.Slots || st.Slots != auth.DefaultHashSlots() {
		t.Errorf("bcrypt checks %+v, want %d checks, at most %d at once", st, res.statuses[401], auth.DefaultHashSlots())
	}
}

// TestPasswordChecksAreBounded: logins from many clean addresses all pass the
// throttle, but bcrypt runs in at most HashSlots of them at once; a login that
// waits longer than HashWait for a slot is answered 429 with Retry-After and
// does not count as a failure.
func TestPasswordChecksAreBounded(t *testing.T) {
	ls := newLoginServer(t, 8)
	ls.Auth.HashSlots, ls.Auth.HashWait = 1, 30*time.Millisecond
	const n = 30
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := ls.login(t, victimEmail, "wrong password", fmt.Sprintf("127.0.2.%d", i))
			mu.Lock()
			defer mu.Unlock()
			statuses[r.Status]++
			if r.Status == 429 && (r.RetryAfter != "1" || !strings.Contains(r.Body, "busy")) {
				t.Errorf("busy answer: Retry-After %q, %s", r.RetryAfter, r.Body)
			}
		}()
	}
	wg.Wait()
	st := ls.Auth.HashStats()
	t.Logf("statuses %v, bcrypt %+v", statuses, st)
	if st.Slots != 1 || st.Peak != 1 || st.Checks != int64(statuses[401]) {
		t.Errorf("bcrypt %+v, want at most 1 at once and one per 401 (%d)", st, statuses[401])
	}
	if statuses[429] == 0 || statuses[401]+statuses[429] != n {
		t.Errorf("statuses %v, want 401s and some 429s (busy)", statuses)
	}
	if got := ls.Auth.Accounts.Count(auth.AccountKey(victimEmail)); got != statuses[401] {
		t.Errorf("the account counts %d failures, want %d: a login turned away busy is no failure", got, statuses[401])
	}
}

// TestLockedVictimStaysLockedWhenThrottleFills: one-off failures under other
// addresses and e-mail addresses fill the throttle's memory; the victim locked
// out before stays locked out. The throttles hold 100 keys here, not 10,000,
// so the test stays fast under -race (each failure is a bcrypt check);
// TestThrottleFullOfOneOffsKeepsLockedKeys runs the full size.
func TestLockedVictimStaysLockedWhenThrottleFills(t *testing.T) {
	ls := newLoginServer(t, bcrypt.MinCost)
	ls.Auth.Accounts.MaxKeys, ls.Auth.Addresses.MaxKeys = 100, 100
	const oneOffs = 250
	for i := 0; i < auth.AccountFailures; i++ {
		if r := ls.login(t, victimEmail, "wrong password", "203.0.113.66"); r.Status != 401 {
			t.Fatalf("failure %d: %d %s", i, r.Status, r.Body)
		}
	}
	sprayed := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range sprayed {
				from := fmt.Sprintf("127.%d.%d.%d", 1+i>>16, i>>8&255, i&255)
				if r := ls.login(t, fmt.Sprintf("nobody%d@example.org", i), "wrong password", from); r.Status != 401 {
					t.Errorf("one-off %d: %d %s", i, r.Status, r.Body)
				}
			}
		}()
	}
	for i := range oneOffs {
		sprayed <- i
	}
	close(sprayed)
	wg.Wait()
	if r := ls.login(t, victimEmail, testPassword, "203.0.113.66"); r.Status != 429 {
		t.Fatalf("after %d one-off failures elsewhere the locked victim's attacker got %d %s", oneOffs, r.Status, r.Body)
	}
	if ls.Auth.Accounts.RetryAfter(auth.AccountKey(victimEmail)) == 0 {
		t.Error("the victim's account lock was evicted")
	}
	if a, i := ls.Auth.Accounts.Len(), ls.Auth.Addresses.Len(); a > 100 || i > 100 {
		t.Errorf("throttles hold %d and %d keys, more than 100", a, i)
	}
}

// TestIPv6ClientsAreThrottledPerSlash64: one subscriber's /64 is one address
// for the per-address limit; the next /64 is somebody else.
func TestIPv6ClientsAreThrottledPerSlash64(t *testing.T) {
	ls := newLoginServer(t, bcrypt.MinCost)
	for i := 0; i < auth.AddressFailures; i++ {
		from := fmt.Sprintf("2001:db8:1:2:%x::%x", i, i+1) // a new address in the same /64 each time
		if r := ls.login(t, fmt.Sprintf("nobody%d@example.org", i), "wrong password", from); r.Status != 401 {
			t.Fatalf("failure %d from %s: %d %s", i, from, r.Status, r.Body)
		}
	}
	if r := ls.login(t, victimEmail, testPassword, "2001:db8:1:2:ffff:ffff:ffff:fffe"); r.Status != 429 || r.RetryAfter == "" {
		t.Fatalf("same /64, fresh address: %d %s, want 429", r.Status, r.Body)
	}
	if r := ls.login(t, victimEmail, testPassword, "2001:db8:1:3::1"); r.Status != 200 {
		t.Fatalf("the neighbouring /64: %d %s, want 200", r.Status, r.Body)
	}
}

// TestRightPasswordFromFreshAddressDuringAttack: an attacker who knows the
// therapist's e-mail floods it from one address; the therapist, from an address
// that has not failed, still logs in, while the attacker's address stays locked.
func TestRightPasswordFromFreshAddressDuringAttack(t *testing.T) {
	ls := newLoginServer(t, bcrypt.MinCost)
	for i := 0; i < auth.AccountFailures; i++ {
		ls.login(t, victimEmail, "wrong password", "203.0.113.66")
	}
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ls.login(t, victimEmail, fmt.Sprintf("wrong password %d", i), "203.0.113.66")
		}()
	}
	r := ls.login(t, victimEmail, testPassword, "198.51.100.7")
	wg.Wait()
	if r.Status != 200 {
		t.Fatalf("the therapist from her own address during the attack: %d %s", r.Status, r.Body)
	}
	// And again later in the attack: a login does not use the way up.
	if r := ls.login(t, victimEmail, testPassword, "198.51.100.7"); r.Status != 200 {
		t.Fatalf("second login from her address: %d %s", r.Status, r.Body)
	}
	if r := ls.login(t, victimEmail, testPassword, "203.0.113.66"); r.Status != 429 {
		t.Fatalf("the attacker's address with the right password: %d, want 429", r.Status)
	}
	// A fresh address gets one try past the lock, not more: once it has failed
	// it is treated like the attacker's.
	if r := ls.login(t, victimEmail, "a guess", "192.0.2.9"); r.Status != 401 {
		t.Fatalf("fresh address, wrong password: %d %s", r.Status, r.Body)
	}
	if r := ls.login(t, victimEmail, "another guess", "192.0.2.9"); r.Status != 429 {
		t.Fatalf("the same address again while the account is locked: %d, want 429", r.Status)
	}
}

// BenchmarkLoginFlood is the review's flood with production-cost password
// hashes: 199 wrong logins for one account from one address at once, the right
// password while they are being answered. It reports how many logins bcrypt evaluated (every
// 401 or 200 answer is one evaluation) and /healthz latency meanwhile.
//
//	go test -run '^$' -bench BenchmarkLoginFlood -benchtime 1x ./server/
func BenchmarkLoginFlood(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ls := newLoginServer(b, 12)
		b.StartTimer()
		res := ls.flood(b, 200, "203.0.113.66")
		evaluated := res.statuses[401]
		if res.right.Status == 200 || res.right.Status == 401 {
			evaluated++
		}
		accepted := 0.0
		if res.right.Status == 200 {
			accepted = 1
		}
		b.ReportMetric(float64(evaluated), "bcrypt/flood")
		b.ReportMetric(accepted, "right-password-accepted")
		b.ReportMetric(float64(percentile(res.healthz, 0.5).Microseconds())/1000, "healthz-p50-ms")
		b.ReportMetric(float64(percentile(res.healthz, 0.99).Microseconds())/1000, "healthz-p99-ms")
		b.ReportMetric(float64(percentile(res.healthz, 1).Microseconds())/1000, "healthz-max-ms")
		b.ReportMetric(float64(len(res.healthz)), "healthz-answers")
		b.ReportMetric(res.floodLasted.Seconds(), "flood-s")
	}
}
