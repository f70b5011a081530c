package clinic

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/model"
)

func TestDecodePSFS(t *testing.T) {
	p, err := DecodePSFS([]byte(`{"id":"psfs-0001","at":"2026-11-26T09:00:00Z","activities":[
		{"name":"  sitting   through a film ","score":3},{"name":"Putting on socks","score":6}]}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "psfs-0001" || !p.At.Equal(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)) || len(p.Activities) != 2 {
		t.Fatalf("decoded %+v", p)
	}
	if p.Activities[0] != (Activity{"sitting through a film", 3}) || p.Activities[1] != (Activity{"Putting on socks", 6}) {
		t.Fatalf("activities = %+v", p.Activities)
	}
	if p.Average() != 4.5 {
		t.Fatalf("average = %v", p.Average())
	}
}

func TestDecodePSFSRefusesWithTheFieldNamed(t *testing.T) {
	act := func(list string) string { return `{"id":"psfs-0002","activities":[` + list + `]}` }
	cases := []struct{ name, body, field string }{
		{"no id", `{"activities":[{"name":"walking","score":3}]}`, "id"},
		{"none named", act(``), "activities"},
		{"no list", `{"id":"psfs-0002"}`, "activities"},
		{"four named", act(`{"name":"a","score":1},{"name":"b","score":1},{"name":"c","score":1},{"name":"d","score":1}`), "activities"},
		{"no name", act(`{"name":"  ","score":3}`), "activities[0].name"},
		{"name too long", act(`{"name":"` + strings.Repeat("x", 61) + `","score":3}`), "activities[0].name"},
		{"name with a bidi override", act(`{"name":"walk\u202eing","score":3}`), "activities[0].name"},
		{"name twice", act(`{"name":"Walking","score":3},{"name":"walking ","score":5}`), "activities[1].name"},
		{"no score", act(`{"name":"walking"}`), "activities[0].score"},
		{"score 11", act(`{"name":"walking","score":11}`), "activities[0].score"},
		{"score text", act(`{"name":"walking","score":"3"}`), "activities.score"}, // encoding/json names the path without the index
		{"unknown field", act(`{"name":"walking","score":3,"goal":8}`), "goal"},
		{"future", `{"id":"psfs-0002","at":"2027-01-01T00:00:00Z","activities":[{"name":"walking","score":3}]}`, "at"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodePSFS([]byte(tc.body), now)
			var ie *model.InputError
			if !errors.As(err, &ie) || ie.Field != tc.field {
				t.Fatalf("err = %v, want an InputError naming %q", err, tc.field)
			}
		})
	}
}

func rating(at time.Time, acts ...Activity) PSFS {
	return PSFS{ID: "psfs-" + at.Format("0102150405"), At: at, Activities: acts}
}

func TestPSFSChange(t *testing.T) {
	t0 := session
	t1 := session.AddDate(0, 0, 7)
	cases := []struct {
		name        string
		first, last []Activity
		// per activity: name, change, meaningful, verdict
		acts       []ActivityChange
		avgChange  float64
		meaningful bool
		verdict    Verdict
		comparable bool
		added      []string
		dropped    []string
	}{
		{"one activity up 2 is better", []Activity{{"walking", 3}}, []Activity{{"walking", 5}},
			[]ActivityChange{{"walking", 3, 5, 2, true, VerdictBetter}}, 2, true, VerdictBetter, true, nil, nil},
		{"one activity up 1 is no real change", []Activity{{"walking", 3}}, []Activity{{"walking", 4}},
			[]ActivityChange{{"walking", 3, 4, 1, false, VerdictNoChange}}, 1, false, VerdictNoChange, true, nil, nil},
		{"one activity down 2 is worse", []Activity{{"walking", 6}}, []Activity{{"walking", 4}},
			[]ActivityChange{{"walking", 6, 4, -2, true, VerdictWorse}}, -2, true, VerdictWorse, true, nil, nil},
		{"average of +2 +2 +1 is 1.7: not meaningful, though two activities are",
			[]Activity{{"a", 2}, {"b", 2}, {"c", 2}}, []Activity{{"a", 4}, {"b", 4}, {"c", 3}},
			[]ActivityChange{{"a", 2, 4, 2, true, VerdictBetter}, {"b", 2, 4, 2, true, VerdictBetter}, {"c", 2, 3, 1, false, VerdictNoChange}},
			1.7, false, VerdictNoChange, true, nil, nil},
		{"average of +3 +2 +1 is 2: meaningful",
			[]Activity{{"a", 2}, {"b", 2}, {"c", 2}}, []Activity{{"a", 5}, {"b", 4}, {"c", 3}},
			[]ActivityChange{{"a", 2, 5, 3, true, VerdictBetter}, {"b", 2, 4, 2, true, VerdictBetter}, {"c", 2, 3, 1, false, VerdictNoChange}},
			2, true, VerdictBetter, true, nil, nil},
		{"average of -4 +1 is -1.5: not meaningful",
			[]Activity{{"a", 6}, {"b", 2}}, []Activity{{"a", 2}, {"b", 3}},
			[]ActivityChange{{"a", 6, 2, -4, true, VerdictWorse}, {"b", 2, 3, 1, false, VerdictNoChange}},
			-1.5, false, VerdictNoChange, true, nil, nil},
		{"names match across case and spacing", []Activity{{"Putting on  socks", 2}}, []Activity{{"putting on socks", 7}},
			[]ActivityChange{{"putting on socks", 2, 7, 5, true, VerdictBetter}}, 5, true, VerdictBetter, true, nil, nil},
		{"a new activity is not counted in the average", []Activity{{"walking", 4}}, []Activity{{"walking", 4}, {"driving", 10}},
			[]ActivityChange{{"walking", 4, 4, 0, false, VerdictNoChange}}, 0, false, VerdictNoChange, true, []string{"driving"}, nil},
		{"nothing in common", []Activity{{"walking", 1}}, []Activity{{"driving", 9}},
			nil, 0, false, VerdictNoChange, false, []string{"driving"}, []string{"walking"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := PSFSChange(rating(t0, tc.first...), rating(t1, tc.last...))
			if !slices.Equal(c.Activities, tc.acts) && !(len(c.Activities) == 0 && len(tc.acts) == 0) {
				t.Fatalf("activities = %+v, want %+v", c.Activities, tc.acts)
			}
			if c.AverageChange != tc.avgChange || c.Meaningful != tc.meaningful || c.Verdict != tc.verdict || c.Comparable != tc.comparable {
				t.Fatalf("average change %v meaningful %v verdict %q comparable %v; want %v %v %q %v",
					c.AverageChange, c.Meaningful, c.Verdict, c.Comparable, tc.avgChange, tc.meaningful, tc.verdict, tc.comparable)
			}
			if !slices.Equal(c.Added, tc.added) && !(len(c.Added) == 0 && len(tc.added) == 0) ||
				!slices.Equal(c.Dropped, tc.dropped) && !(len(c.Dropped) == 0 && len(tc.dropped) == 0) {
				t.Fatalf("added %v dropped %v, want %v %v", c.Added, c.Dropped, tc.added, tc.dropped)
			}
			if !c.FirstAt.Equal(t0) || !c.LatestAt.Equal(t1) {
				t.Fatalf("times %v %v", c.FirstAt, c.LatestAt)
			}
		})
	}
}

func TestDuePSFS(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	next := at("2026-12-03 10:00")
	// 2026-03-29 is the spring change in Berlin: the day before a session on
	// the 30th is the 29th, a 23-hour day.
	dstNext := at("2026-03-30 09:00")
	cases := []struct {
		name    string
		ratings []PSFS
		next    *time.Time
		now     time.Time
		want    PSFSDue
	}{
		{"first open", nil, &next, at("2026-11-26 12:00"), PSFSFirst},
		{"six days on", []PSFS{rating(at("2026-11-20 12:00"))}, nil, at("2026-11-26 11:59"), PSFSNotDue},
		{"a week on", []PSFS{rating(at("2026-11-19 12:00"))}, nil, at("2026-11-26 12:00"), PSFSWeekly},
		{"a week after the latest, not the first", []PSFS{rating(at("2026-11-10 12:00")), rating(at("2026-11-22 12:00"))}, nil, at("2026-11-26 12:00"), PSFSNotDue},
		{"the day before the session", []PSFS{rating(at("2026-11-30 12:00"))}, &next, at("2026-12-02 08:00"), PSFSBeforeSession},
		{"late evening the day before", []PSFS{rating(at("2026-11-30 12:00"))}, &next, at("2026-12-02 23:59"), PSFSBeforeSession},
		{"already rated that day", []PSFS{rating(at("2026-12-02 07:00"))}, &next, at("2026-12-02 20:00"), PSFSNotDue},
		{"two days before", []PSFS{rating(at("2026-11-30 12:00"))}, &next, at("2026-12-01 20:00"), PSFSNotDue},
		{"the session day itself", []PSFS{rating(at("2026-11-30 12:00"))}, &next, at("2026-12-03 08:00"), PSFSNotDue},
		{"the day before, across the spring change", []PSFS{rating(at("2026-03-26 12:00"))}, &dstNext, at("2026-03-29 00:30"), PSFSBeforeSession},
		{"two days before, across the spring change", []PSFS{rating(at("2026-03-26 12:00"))}, &dstNext, at("2026-03-28 23:30"), PSFSNotDue},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := DuePSFS(tc.ratings, tc.next, tc.now, berlin); got != tc.want {
				t.Fatalf("DuePSFS = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPSFSSameAs(t *testing.T) {
	body := `{"id":"psfs-0003","at":"2026-11-26T09:00:00Z","activities":[{"name":"walking","score":3}]}`
	a, err := DecodePSFS([]byte(body), now)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := DecodePSFS([]byte(body), now.Add(time.Minute))
	c, _ := DecodePSFS([]byte(strings.Replace(body, `"score":3`, `"score":4`, 1)), now)
	if !a.SameAs(b) || a.SameAs(c) {
		t.Fatalf("SameAs: same %v, different %v", a.SameAs(b), a.SameAs(c))
	}
}
