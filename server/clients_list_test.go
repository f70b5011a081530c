package server

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clientsPage is GET /api/clients as the workspace reads it.
type clientsPage struct {
	Items []struct {
		Token, ClientName, Attention string
		Active                       bool
		InactiveDays                 int
	}
	Next string
}

func (w *workspace) clients(t *testing.T, b *browser, query string) clientsPage {
	t.Helper()
	r := w.do(t, b, "GET", "/api/clients?"+query, "")
	if r.Status != 200 {
		t.Fatalf("GET /api/clients?%s: %d %s", query, r.Status, r.Body)
	}
	var p clientsPage
	if err := json.Unmarshal([]byte(r.Body), &p); err != nil {
		t.Fatalf("%v: %s", err, r.Body)
	}
	return p
}

// allPages follows the cursors from the first page and returns the client names in order.
func (w *workspace) allPages(t *testing.T, b *browser, query string) []string {
	t.Helper()
	var names []string
	cursor := ""
	for range 100 {
		q := query
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		p := w.clients(t, b, q)
		for _, it := range p.Items {
			names = append(names, it.ClientName)
		}
		if p.Next == "" {
			return names
		}
		if len(p.Items) == 0 {
			t.Fatalf("an empty page with a next cursor (%s)", q)
		}
		cursor = p.Next
	}
	t.Fatal("no end of the list after 100 pages")
	return nil
}

// studioClients makes A's clients in every part of the list, and one of B's.
func studioClients(t *testing.T, w *workspace, a, b *browser) {
	t.Helper()
	now := w.clock.Now()
	mk := func(who *browser, name string, session time.Time, days int) string {
		t.Helper()
		body := strings.Replace(planBody(session, ""), `"Sam"`, `"`+name+`"`, 1)
		body = strings.Replace(body, `"days":14`, `"days":`+strconv.Itoa(days), 1)
		r := w.do(t, who, "POST", "/api/plans", body)
		if r.Status != 201 {
			t.Fatalf("create %s: %d %s", name, r.Status, r.Body)
		}
		return jsonField(t, r.Body, "token")
	}
	post := func(token, kind, body string) {
		t.Helper()
		if r := w.do(t, nil, "POST", "/api/p/"+token+"/"+kind, body); r.Status != 201 {
			t.Fatalf("%s: %d %s", kind, r.Status, r.Body)
		}
	}
	at := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	done := func(token, id string, ago time.Duration) {
		post(token, "completions", `{"id":"`+id+`","at":"`+at(ago)+`","routineId":"gentle-sciatica-aftercare","done":5,"total":5}`)
	}

	flagged := mk(a, "Flo Flagged", now.Add(-30*time.Hour), 14)
	post(flagged, "checkins", `{"id":"checkin-flag-1","at":"`+at(2*time.Hour)+`","soreness":3,"pain":6,"redFlags":["saddle-numbness"]}`)
	sore := mk(a, "Sol Sore", now.Add(-72*time.Hour), 14)
	post(sore, "checkins", `{"id":"checkin-sore-1","at":"`+at(time.Hour)+`","soreness":8,"pain":4}`)
	mk(a, "Quinn Quiet", now.Add(-5*24*time.Hour), 14)         // nothing since the session 5 days ago
	mk(a, "Zoë Ávila", now.Add(-3*24*time.Hour-time.Hour), 14) // quiet for 3 days
	recent := mk(a, "Rey Recent", now.Add(-3*24*time.Hour), 14)
	done(recent, "done-recent-1", time.Hour)
	older := mk(a, "Otto Older", now.Add(-3*24*time.Hour), 14)
	done(older, "done-older-1", 5*time.Hour)
	ended := mk(a, "Eve Ended", now.Add(-4*24*time.Hour), 14)
	if r := w.do(t, a, "POST", "/api/plans/"+ended+"/end", ""); r.Status != 200 {
		t.Fatalf("end: %d %s", r.Status, r.Body)
	}
	// Its 14 days ended 6 days ago, with no write since: time alone ended it.
	mk(a, "Tim Timed-out", now.Add(-20*24*time.Hour), 14)
	mk(b, "Bea OfB", now.Add(-time.Hour), 14)
}

// The clients list pages in attention order: red flags, still sore, quiet
// (longest first), active (newest first); ended plans on their own; and the
// pages' cursors chain to the end without losing or repeating a row.
func TestClientsListPagesInAttentionOrder(t *testing.T) {
	w := newWorkspace(t)
	a, b := w.login(t, "a@example.org"), w.login(t, "b@example.org")
	studioClients(t, w, a, b)

	want := []string{"Flo Flagged", "Sol Sore", "Quinn Quiet", "Zoë Ávila", "Rey Recent", "Otto Older"}
	for _, limit := range []string{"1", "2", "4", "50"} {
		if got := w.allPages(t, a, "limit="+limit); !slices.Equal(got, want) {
			t.Errorf("limit %s: %q, want %q", limit, got, want)
		}
	}
	first := w.clients(t, a, "limit=2")
	if len(first.Items) != 2 || first.Items[0].Attention != "emergency-now" || first.Items[1].Attention != "still-sore" || first.Next == "" {
		t.Fatalf("first page %+v", first)
	}
	if got := w.clients(t, a, "").Items; got[2].Attention != "inactive" || got[2].InactiveDays != 5 || got[4].Attention != "" {
		t.Fatalf("quiet and active rows: %+v", got)
	}
	if got := w.allPages(t, a, "status=ended&limit=1"); !slices.Equal(got, []string{"Eve Ended", "Tim Timed-out"}) {
		t.Errorf("ended: %q", got)
	}
	if got := w.allPages(t, a, "status=attention"); !slices.Equal(got, want[:4]) {
		t.Errorf("attention: %q", got)
	}
	if got := w.allPages(t, a, "status=active"); !slices.Equal(got, want[4:]) {
		t.Errorf("active: %q", got)
	}
	if got := w.allPages(t, a, "status=ended,active,attention&limit=3"); !slices.Equal(got, append(slices.Clone(want), "Eve Ended", "Tim Timed-out")) {
		t.Errorf("everything: %q", got)
	}
	// The owner sees every therapist's clients; B only their own.
	if got := w.allPages(t, w.login(t, "owner@example.org"), "limit=3"); !slices.Contains(got, "Bea OfB") || len(got) != 7 {
		t.Errorf("owner: %q", got)
	}
	if got := w.allPages(t, b, ""); !slices.Equal(got, []string{"Bea OfB"}) {
		t.Errorf("B: %q", got)
	}
}

// ?q= matches the client's name, folding case and accents, within the status asked for.
func TestClientsListSearchesNames(t *testing.T) {
	w := newWorkspace(t)
	a, b := w.login(t, "a@example.org"), w.login(t, "b@example.org")
	studioClients(t, w, a, b)
	for q, want := range map[string][]string{
		"zoe":         {"Zoë Ávila"},
		"ÁVILA":       {"Zoë Ávila"},
		"  zoë   ávi": {"Zoë Ávila"},
		"o":           {"Flo Flagged", "Sol Sore", "Zoë Ávila", "Otto Older"},
		"ended":       nil, // Eve is ended: not in the default view
		"bea":         nil, // B's client
		"nobody":      nil,
	} {
		if got := w.allPages(t, a, "limit=1&q="+url.QueryEscape(q)); !slices.Equal(got, want) {
			t.Errorf("q=%q: %q, want %q", q, got, want)
		}
	}
	if got := w.allPages(t, a, "q=eve&status=ended"); !slices.Equal(got, []string{"Eve Ended"}) {
		t.Errorf("q=eve&status=ended: %q", got)
	}
}

// A page after the first continues where it ended while plans change: a row
// that did not change is neither lost nor repeated.
func TestClientsListCursorIsStable(t *testing.T) {
	w := newWorkspace(t)
	a, b := w.login(t, "a@example.org"), w.login(t, "b@example.org")
	studioClients(t, w, a, b)
	p1 := w.clients(t, a, "limit=3")
	if len(p1.Items) != 3 || p1.Next == "" {
		t.Fatalf("first page: %+v", p1)
	}
	// Meanwhile: a new client, and time passes (Rey's activity is now 26 h old, Otto's 30 h).
	w.clock.Advance(25 * time.Hour)
	w.createPlan(t, a, "")
	seen := map[string]bool{}
	for _, it := range p1.Items {
		seen[it.ClientName] = true
	}
	var rest []string
	for cursor := p1.Next; cursor != ""; {
		p := w.clients(t, a, "limit=3&cursor="+url.QueryEscape(cursor))
		for _, it := range p.Items {
			if seen[it.ClientName] {
				t.Fatalf("%s again on a later page", it.ClientName)
			}
			seen[it.ClientName] = true
			rest = append(rest, it.ClientName)
		}
		cursor = p.Next
	}
	// The new client sorts after the first page (the newest activity), so it
	// comes too; Rey and Otto stay active by the first page's threshold.
	if want := []string{"Zoë Ávila", "Sam", "Rey Recent", "Otto Older"}; !slices.Equal(rest, want) {
		t.Fatalf("later pages: %q, want %q", rest, want)
	}
	// A fresh first page sees the new client and the new quiet threshold.
	if got := w.allPages(t, a, ""); !slices.Contains(got, "Sam") {
		t.Fatalf("fresh list without the new client: %q", got)
	}
}

// Time alone ends a plan: the next page lists it as ended, not active.
func TestClientsListMovesPlansThatRanOutToEnded(t *testing.T) {
	w := newWorkspace(t)
	a := &browser{bearer: w.apiToken(t, w.a)} // a session would expire meanwhile
	w.createPlan(t, a, "")
	if got := w.allPages(t, a, ""); !slices.Equal(got, []string{"Sam"}) {
		t.Fatalf("before: %q", got)
	}
	w.clock.Advance(16 * 24 * time.Hour)
	if got := w.allPages(t, a, ""); len(got) != 0 {
		t.Fatalf("a plan past its last day is still listed as running: %q", got)
	}
	p := w.clients(t, a, "status=ended")
	if len(p.Items) != 1 || p.Items[0].Active {
		t.Fatalf("ended: %+v", p)
	}
}

// Bad query parameters are refused with the parameter named.
func TestClientsListRefusesBadQueries(t *testing.T) {
	w := newWorkspace(t)
	a := w.login(t, "a@example.org")
	for query, field := range map[string]string{
		"limit=0":                            "limit",
		"limit=101":                          "limit",
		"limit=ten":                          "limit",
		"status=open":                        "status",
		"status=active,":                     "status",
		"cursor=not-a-cursor":                "cursor",
		"cursor=" + strings.Repeat("A", 300): "cursor",
		"q=" + strings.Repeat("x", 41):       "q",
		"q=a%0Ab":                            "q",
	} {
		r := w.do(t, a, "GET", "/api/clients?"+query, "")
		if r.Status != 400 || !strings.Contains(r.Body, field) {
			t.Errorf("%s: %d %s, want 400 naming %s", query, r.Status, r.Body, field)
		}
	}
}
