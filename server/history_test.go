// Over 400 lines: the client history contract over HTTP (daily and total limits, paging newest first,
// resent ids) with the helpers it shares; one job, read together.

package server

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The plan limits as README documents them (plan.MaxCheckInsPerDay and friends).
const (
	perDayCap = 40
	totalCap  = 500
)

// loopback serves w's app on 127.0.0.1 and talks to it over real HTTP.
type loopback struct {
	base   string
	bearer string // a therapist's API token for /api/plans routes
	client *http.Client
}

func serveLoopback(t *testing.T, w *workspace) *loopback {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = w.app.Listener(ln) }()
	t.Cleanup(func() { _ = w.app.ShutdownWithTimeout(5 * time.Second) })
	return &loopback{base: "http://" + ln.Addr().String(), bearer: w.apiToken(t, w.a),
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}}
}

func (l *loopback) do(t *testing.T, method, path, body string) resp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, l.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if strings.HasPrefix(path, "/api/plans") {
		req.Header.Set("Authorization", "Bearer "+l.bearer)
	}
	res, err := l.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	checkContract(t, req, body, res, data)
	return resp{res.StatusCode, res.Header, string(data)}
}

// postAll posts one body per id with 8 concurrent clients (as many phones
// would) and fails unless each is stored (201).
func (l *loopback) postAll(t *testing.T, token, kind string, ids []string, body func(id string) string) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []string
	next := make(chan string)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range next {
				if r := l.do(t, "POST", "/api/p/"+token+"/"+kind, body(id)); r.Status != 201 {
					mu.Lock()
					failed = append(failed, fmt.Sprintf("%s: %d %s", id, r.Status, r.Body))
					mu.Unlock()
				}
			}
		}()
	}
	for _, id := range ids {
		next <- id
	}
	close(next)
	wg.Wait()
	if len(failed) > 0 {
		t.Fatalf("%d of %d %s refused, first: %s", len(failed), len(ids), kind, failed[0])
	}
}

// historyKinds are the two records a client posts, with a valid body for an id.
var historyKinds = []struct {
	kind, what string
	body       func(id string) string
}{
	{"checkins", "check-ins", func(id string) string {
		return `{"id":"` + id + `","soreness":3,"pain":2,"areas":["hip"],"note":"stiff"}`
	}},
	{"completions", "completions", func(id string) string {
		return `{"id":"` + id + `","routineId":"gentle-sciatica-aftercare","done":5,"total":5}`
	}},
}

func ids(prefix string, from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%05d", prefix, from+i)
	}
	return out
}

// stored is how many records of kind the plan holds, read back through the therapist's paged route.
func (l *loopback) stored(t *testing.T, token, kind string) int {
	t.Helper()
	r := l.do(t, "GET", "/api/plans/"+token+"/"+kind+"?limit=1", "")
	var page struct{ Total int }
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &page) != nil {
		t.Fatalf("GET %s page: %d %s", kind, r.Status, r.Body)
	}
	return page.Total
}

// A plan takes 40 check-ins and 40 completions per local day of its client;
// the next is refused with 429 and a Retry-After until the client's midnight
// (Europe/Berlin here, not the server's UTC), stores nothing, and a resend of a
// stored one still gets its 200.
func TestDailyHistoryLimitIsRefusedUntilTheClientsMidnight(t *testing.T) {
	for _, k := range historyKinds {
		t.Run(k.kind, func(t *testing.T) {
			w := newWorkspace(t) // 2026-11-26 10:00 UTC = 11:00 in Berlin
			l := serveLoopback(t, w)
			token := w.createPlan(t, &browser{bearer: l.bearer}, "")
			l.postAll(t, token, k.kind, ids("day1", 0, perDayCap), k.body)

			over := l.do(t, "POST", "/api/p/"+token+"/"+k.kind, k.body("day1-over"))
			if over.Status != 429 {
				t.Fatalf("record %d of the day: %d %s, want 429", perDayCap+1, over.Status, over.Body)
			}
			// Berlin's midnight is 23:00 UTC: 13 hours from 10:00 UTC.
			if got := over.Header.Get("Retry-After"); got != "46800" {
				t.Errorf("Retry-After %q, want 46800 (seconds to midnight in Europe/Berlin)", got)
			}
			if msg := jsonField(t, over.Body, "error"); !strings.Contains(msg, fmt.Sprintf("%d %s today", perDayCap, k.what)) {
				t.Errorf("message %q does not name the limit", msg)
			}
			if got := over.Header.Get("X-Aftercare-Limit"); got != k.what+"-per-day" {
				t.Errorf("X-Aftercare-Limit %q", got)
			}
			if n := l.stored(t, token, k.kind); n != perDayCap {
				t.Fatalf("%d stored, want %d", n, perDayCap)
			}
			if r := l.do(t, "POST", "/api/p/"+token+"/"+k.kind, k.body("day1-00003")); r.Status != 200 {
				t.Fatalf("resend of a stored record at the limit: %d %s", r.Status, r.Body)
			}

			w.clock.Advance(12*time.Hour + 59*time.Minute + 59*time.Second) // 23:59:59 in Berlin
			r := l.do(t, "POST", "/api/p/"+token+"/"+k.kind, k.body("day1-over"))
			if r.Status != 429 || r.Header.Get("Retry-After") != "1" {
				t.Fatalf("one second before the client's midnight: %d Retry-After %q", r.Status, r.Header.Get("Retry-After"))
			}
			w.clock.Advance(time.Second)
			if r := l.do(t, "POST", "/api/p/"+token+"/"+k.kind, k.body("day1-over")); r.Status != 201 {
				t.Fatalf("after the client's midnight: %d %s", r.Status, r.Body)
			}
			if n := l.stored(t, token, k.kind); n != perDayCap+1 {
				t.Fatalf("%d stored, want %d", n, perDayCap+1)
			}
		})
	}
}

// A plan keeps at most 500 check-ins and 500 completions: the next is refused
// with 409 (waiting does not help, so no Retry-After) and nothing is stored.
func TestTotalHistoryLimitIsRefusedWith409(t *testing.T) {
	for _, k := range historyKinds {
		t.Run(k.kind, func(t *testing.T) {
			w := newWorkspace(t)
			l := serveLoopback(t, w)
			token := w.createPlan(t, &browser{bearer: l.bearer}, "")
			for n := 0; n < totalCap; n += perDayCap {
				l.postAll(t, token, k.kind, ids("rec", n, min(perDayCap, totalCap-n)), k.body)
				w.clock.Advance(24 * time.Hour)
			}
			over := l.do(t, "POST", "/api/p/"+token+"/"+k.kind, k.body("rec-over"))
			if over.Status != 409 {
				t.Fatalf("record %d: %d %s, want 409", totalCap+1, over.Status, over.Body)
			}
			if msg := jsonField(t, over.Body, "error"); !strings.Contains(msg, fmt.Sprintf("%d %s", totalCap, k.what)) {
				t.Errorf("message %q does not name the limit", msg)
			}
			if over.Header.Get("Retry-After") != "" || over.Header.Get("X-Aftercare-Limit") != k.what+"-per-plan" {
				t.Errorf("headers %v", over.Header)
			}
			if n := l.stored(t, token, k.kind); n != totalCap {
				t.Fatalf("%d stored, want %d", n, totalCap)
			}
			if r := l.do(t, "POST", "/api/p/"+token+"/"+k.kind, k.body("rec-00000")); r.Status != 200 {
				t.Fatalf("resend of a stored record at the limit: %d %s", r.Status, r.Body)
			}
		})
	}
}

type pagedCheckIn struct {
	ID         string
	At         time.Time
	Note       string
	RedFlags   []string
	ReceivedAt time.Time
}

// A plan with 300 check-ins (500-character notes) and 300 completions still
// answers both plan routes in a few KiB; the paged routes return every record
// exactly once, newest first (ties on the time broken by id); the chart's
// series carries every check-in's numbers; and a red flag far down the
// history still reaches the therapist's banner.
func TestLongHistoryIsPagedNewestFirst(t *testing.T) {
	w := newWorkspace(t)
	l := serveLoopback(t, w)
	token := w.createPlan(t, &browser{bearer: l.bearer}, "")
	start := w.clock.Now()
	const n = 300
	note := strings.Repeat("Tight after sitting, eased by walking. ", 13)[:500]
	rng := rand.New(rand.NewPCG(1, 2))
	at := map[string]time.Time{}
	for _, id := range ids("ci", 0, n) {
		// Times the phone stamped, in any order; every tenth shares its time with another.
		at[id] = start.Add(-time.Duration(rng.IntN(20*24*60)) * time.Minute)
	}
	for i := 10; i < n; i += 10 {
		at[fmt.Sprintf("ci-%05d", i)] = at[fmt.Sprintf("ci-%05d", i-1)]
	}
	oldest := slices.MinFunc(ids("ci", 0, n), func(a, b string) int { return at[a].Compare(at[b]) })
	checkIn := func(id string) string {
		flags := ""
		if id == oldest {
			flags = `,"redFlags":["saddle-numbness"]`
		}
		return `{"id":"` + id + `","at":"` + at[id].Format(time.RFC3339) + `","soreness":4,"pain":3,"note":"` + note + `"` + flags + `}`
	}
	for day := 0; day*perDayCap < n; day++ {
		l.postAll(t, token, "checkins", ids("ci", day*perDayCap, min(perDayCap, n-day*perDayCap)), checkIn)
		l.postAll(t, token, "completions", ids("co", day*perDayCap, min(perDayCap, n-day*perDayCap)), historyKinds[1].body)
		w.clock.Advance(24 * time.Hour)
	}
	want := ids("ci", 0, n)
	slices.SortFunc(want, func(a, b string) int {
		if c := at[b].Compare(at[a]); c != 0 {
			return c
		}
		return strings.Compare(b, a)
	})

	// 32 KiB held both views before the clinic object, which repeats the
	// newest check-in in version 2's shape (a 500-character note here).
	const bound = 34 << 10
	for _, path := range []string{"/api/p/" + token, "/api/plans/" + token} {
		r := l.do(t, "GET", path, "")
		if r.Status != 200 {
			t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
		}
		t.Logf("GET %s with %d check-ins and %d completions: %d bytes", strings.Replace(path, token, "{token}", 1), n, n, len(r.Body))
		if len(r.Body) > bound {
			t.Errorf("GET %s is %d bytes with %d check-ins; bound %d", path, len(r.Body), n, bound)
		}
		var view struct {
			CheckIns         []pagedCheckIn `json:"checkins"`
			CheckInsTotal    int            `json:"checkinsTotal"`
			CheckInsNext     string         `json:"checkinsNext"`
			Completions      []struct{ ID string }
			CompletionsTotal int    `json:"completionsTotal"`
			CompletionsNext  string `json:"completionsNext"`
			PendingRedFlag   *struct {
				ID       string
				RedFlags []string
			} `json:"pendingRedFlag"`
		}
		if err := json.Unmarshal([]byte(r.Body), &view); err != nil {
			t.Fatal(err)
		}
		if view.CheckInsTotal != n || view.CompletionsTotal != n || len(view.CheckIns) != 20 || len(view.Completions) != 20 ||
			view.CheckInsNext == "" || view.CompletionsNext == "" {
			t.Fatalf("GET %s: %d/%d check-ins, %d/%d completions, next %q %q", path, len(view.CheckIns), view.CheckInsTotal,
				len(view.Completions), view.CompletionsTotal, view.CheckInsNext, view.CompletionsNext)
		}
		for i, c := range view.CheckIns {
			if c.ID != want[i] {
				t.Fatalf("GET %s: check-in %d is %s, want %s (newest first)", path, i, c.ID, want[i])
			}
		}
		if strings.HasPrefix(path, "/api/plans/") && (view.PendingRedFlag == nil || view.PendingRedFlag.ID != oldest) {
			t.Errorf("the red flag of the oldest check-in is not on the therapist's view: %+v", view.PendingRedFlag)
		}
	}

	// Walk both paged routes with an odd page size: each record once, newest first.
	for _, path := range []string{"/api/p/" + token + "/checkins", "/api/plans/" + token + "/checkins"} {
		var got []string
		before := ""
		for pages := 0; ; pages++ {
			if pages > n {
				t.Fatalf("%s: paging does not end", path)
			}
			r := l.do(t, "GET", path+"?limit=37&before="+url.QueryEscape(before), "")
			var page struct {
				Items []pagedCheckIn
				Total int
				Next  string
			}
			if r.Status != 200 || json.Unmarshal([]byte(r.Body), &page) != nil {
				t.Fatalf("%s: %d %s", path, r.Status, r.Body)
			}
			if page.Total != n || len(page.Items) > 37 {
				t.Fatalf("%s: page of %d, total %d", path, len(page.Items), page.Total)
			}
			for _, c := range page.Items {
				if c.Note != note {
					t.Fatalf("check-in %s came back with note %q", c.ID, c.Note)
				}
				got = append(got, c.ID)
			}
			if page.Next == "" {
				break
			}
			before = page.Next
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: %d check-ins paged, want each of %d once newest first; first %v", path, len(got), n, got[:min(5, len(got))])
		}
	}
	var done []string
	for before := ""; ; {
		r := l.do(t, "GET", "/api/plans/"+token+"/completions?before="+url.QueryEscape(before), "")
		var page struct {
			Items []struct{ ID string }
			Next  string
		}
		if r.Status != 200 || json.Unmarshal([]byte(r.Body), &page) != nil || len(page.Items) > 20 {
			t.Fatalf("completions: %d %s", r.Status, r.Body)
		}
		for _, c := range page.Items {
			done = append(done, c.ID)
		}
		if before = page.Next; before == "" {
			break
		}
	}
	slices.Sort(done)
	if !slices.Equal(slices.Compact(done), ids("co", 0, n)) || len(done) != n {
		t.Fatalf("%d completions paged, want each of %d once", len(done), n)
	}

	// The chart: every check-in's time and numbers, oldest first, and small.
	r := l.do(t, "GET", "/api/plans/"+token+"/series", "")
	var series struct {
		Points [][4]int64
		Total  int
	}
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &series) != nil {
		t.Fatalf("series: %d %s", r.Status, r.Body)
	}
	t.Logf("GET /api/plans/{token}/series with %d check-ins: %d bytes", n, len(r.Body))
	// points are 8 KiB; chart, the same check-ins as clinic.Chart objects, about 20 KiB more (3 KiB gzipped).
	if series.Total != n || len(series.Points) != n || len(r.Body) > 28<<10 {
		t.Fatalf("series: %d points of %d, %d bytes", len(series.Points), series.Total, len(r.Body))
	}
	for i, p := range series.Points {
		id := want[n-1-i]
		flag := int64(0)
		if id == oldest {
			flag = 1
		}
		if p != [4]int64{at[id].Unix(), 4, 3, flag} {
			t.Fatalf("point %d is %v, want check-in %s at %d", i, p, id, at[id].Unix())
		}
	}
	// The series is the therapist's: a client's token does not open it.
	if r := l.do(t, "GET", "/api/p/"+token+"/series", ""); r.Status != 404 {
		t.Errorf("client series route: %d", r.Status)
	}

	for query, field := range map[string]string{
		"limit=0": "limit", "limit=101": "limit", "limit=ten": "limit",
		"before=yesterday": "before", "before=123": "before", "before=-5.abcdefgh": "before",
	} {
		for _, path := range []string{"/api/p/" + token + "/checkins", "/api/plans/" + token + "/completions"} {
			r := l.do(t, "GET", path+"?"+query, "")
			if r.Status != 400 || !strings.HasPrefix(jsonField(t, r.Body, "error"), field+":") {
				t.Errorf("%s?%s: %d %s, want 400 naming %s", path, query, r.Status, r.Body, field)
			}
		}
	}
}

// A check-in that reuses a stored check-in's id with other answers is refused
// (409), stores nothing and alerts no one; an identical resend gets 200 with
// the advice of what is stored, even when the resend alone would mean more.
func TestReusedCheckInIDWithOtherAnswersIsRefused(t *testing.T) {
	w := newWorkspace(t)
	l := serveLoopback(t, w)
	token := w.createPlan(t, &browser{bearer: l.bearer}, "")
	first := `{"id":"checkin-reuse1","soreness":8,"pain":2}` // no "at": stamped on receipt, 1 h after the session
	if r := l.do(t, "POST", "/api/p/"+token+"/checkins", first); r.Status != 201 || jsonField(t, r.Body, "advice") != "normal" {
		t.Fatalf("first: %d %s", r.Status, r.Body)
	}
	storedAt := w.clock.Now().UTC().Format(time.RFC3339)
	for _, body := range []string{
		`{"id":"checkin-reuse1","soreness":8,"pain":2,"redFlags":["leg-weakness"]}`,
		`{"id":"checkin-reuse1","soreness":3,"pain":2}`,
		`{"id":"checkin-reuse1","soreness":8,"pain":2,"note":"worse"}`,
		`{"id":"checkin-reuse1","at":"` + w.clock.Now().Add(-time.Minute).Format(time.RFC3339) + `","soreness":8,"pain":2}`,
	} {
		r := l.do(t, "POST", "/api/p/"+token+"/checkins", body)
		if r.Status != 409 || r.Body != `{"error":"this id was used for a different check-in"}` {
			t.Errorf("%s: %d %s, want 409", body, r.Status, r.Body)
		}
	}
	r := l.do(t, "GET", "/api/plans/"+token, "")
	var view struct {
		CheckIns []struct {
			Soreness int
			RedFlags []string
			Note     string
		} `json:"checkins"`
		PendingRedFlag any `json:"pendingRedFlag"`
	}
	if err := json.Unmarshal([]byte(r.Body), &view); err != nil {
		t.Fatal(err)
	}
	if len(view.CheckIns) != 1 || view.CheckIns[0].Soreness != 8 || len(view.CheckIns[0].RedFlags) != 0 || view.CheckIns[0].Note != "" {
		t.Fatalf("stored check-ins changed: %s", r.Body)
	}
	if clients := w.do(t, &browser{bearer: l.bearer}, "GET", "/api/clients", ""); strings.Contains(clients.Body, `"attention":"emergency-now"`) {
		t.Fatalf("a refused red flag alerts the therapist: %s", clients.Body)
	}

	// Three days later the same body again: still soreness 8, but the stored
	// check-in is from 1 h after the session, so "normal", not "contact-therapist".
	w.clock.Advance(72 * time.Hour)
	r = l.do(t, "POST", "/api/p/"+token+"/checkins", first)
	var again struct {
		CheckIn struct{ At string } `json:"checkin"`
		Advice  string
	}
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &again) != nil || again.Advice != "normal" || again.CheckIn.At != storedAt {
		t.Fatalf("identical resend: %d %s, want 200 with the stored check-in (at %s) and its advice", r.Status, r.Body, storedAt)
	}

	// A stored red flag: its resend is urgent (and 200), with no second alert.
	flag := `{"id":"checkin-reuse2","soreness":2,"pain":7,"redFlags":["bladder-bowel"]}`
	if r := l.do(t, "POST", "/api/p/"+token+"/checkins", flag); r.Status != 201 || jsonField(t, r.Body, "advice") != "urgent" {
		t.Fatalf("red flag: %d %s", r.Status, r.Body)
	}
	if r := l.do(t, "POST", "/api/p/"+token+"/checkins", flag); r.Status != 200 || jsonField(t, r.Body, "advice") != "urgent" {
		t.Fatalf("red flag resend: %d %s", r.Status, r.Body)
	}
}

// A completion that reuses a stored completion's id with other content is
// refused (409) and stores nothing; an identical resend gets 200 and the
// stored completion.
func TestReusedCompletionIDWithOtherContentIsRefused(t *testing.T) {
	w := newWorkspace(t)
	l := serveLoopback(t, w)
	token := w.createPlan(t, &browser{bearer: l.bearer}, "")
	at := w.clock.Now().Add(-10 * time.Minute).Format(time.RFC3339)
	first := `{"id":"done-reuse1","at":"` + at + `","routineId":"gentle-sciatica-aftercare","done":3,"total":5}`
	if r := l.do(t, "POST", "/api/p/"+token+"/completions", first); r.Status != 201 {
		t.Fatalf("first: %d %s", r.Status, r.Body)
	}
	for _, body := range []string{
		`{"id":"done-reuse1","at":"` + at + `","routineId":"gentle-sciatica-aftercare","done":5,"total":5}`,
		`{"id":"done-reuse1","at":"` + at + `","routineId":"piriformis-release","done":3,"total":5}`,
		`{"id":"done-reuse1","at":"` + w.clock.Now().Format(time.RFC3339) + `","routineId":"gentle-sciatica-aftercare","done":3,"total":5}`,
	} {
		r := l.do(t, "POST", "/api/p/"+token+"/completions", body)
		if r.Status != 409 || r.Body != `{"error":"this id was used for a different completion"}` {
			t.Errorf("%s: %d %s, want 409", body, r.Status, r.Body)
		}
	}
	w.clock.Advance(time.Hour)
	r := l.do(t, "POST", "/api/p/"+token+"/completions", first)
	if r.Status != 200 || jsonField(t, r.Body, "at") != at {
		t.Fatalf("identical resend: %d %s", r.Status, r.Body)
	}
	r = l.do(t, "GET", "/api/p/"+token+"/completions", "")
	var page struct {
		Items []struct{ Done, Total int }
		Total int
	}
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &page) != nil || page.Total != 1 || page.Items[0].Done != 3 {
		t.Fatalf("stored completions changed: %d %s", r.Status, r.Body)
	}
}
