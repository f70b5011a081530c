package clinic

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/model"
)

func h(hours float64) time.Time { return session.Add(time.Duration(hours * float64(time.Hour))) }

func pain(back, leg, soreness int) func(*CheckIn) {
	return func(c *CheckIn) { c.BackPain, c.LegPain, c.Soreness = back, leg, soreness }
}

func received(hours float64) func(*CheckIn) { return func(c *CheckIn) { c.ReceivedAt = h(hours) } }

func done(hours float64, n int) model.Completion {
	return model.Completion{ID: "done-" + h(hours).Format("02150405"), At: h(hours), RoutineID: "piriformis-release", Done: n, Total: 5}
}

// A week between sessions: what the therapist reads the day before the next one.
func summaryInput(t *testing.T) SummaryInput {
	t.Helper()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	handled := h(30)
	next := h(24*7 + 0) // 2026-11-27 10:00
	return SummaryInput{
		CheckIns: []CheckIn{
			// Shuffled on purpose: the summary orders by the client's time.
			checkIn("c-4-both-legs", 96, pain(3, 4, 2), sit(40), moved(LegUp), yes(FlagBothLegs)),
			checkIn("c-1-next-day", 24, pain(6, 7, 8), sit(20), woke(true)),
			checkIn("c-3-still-sore", 50, pain(5, 6, 7), sit(25), moved(LegSame), woke(false)),
			checkIn("c-2-weight", 28, pain(6, 7, 7), moved(LegDown), yes(FlagWeightLoss)),
			// Answered before the session, delivered by the outbox after the alerts were handled.
			checkIn("c-0-late", -1, pain(5, 7, 0), yes(FlagCancerHistory), received(40)),
			// Before the session and handled: not in this summary's flags.
			checkIn("c-0-old", -24*4, pain(7, 7, 0), yes(FlagFootDrop)),
			// Stamped ahead of now by a fast phone clock: left for the next summary.
			checkIn("c-9-future", 24*6+3, pain(9, 9, 9), yes(FlagSaddleNumbness)),
		},
		PSFS: []PSFS{
			rating(h(24*3), Activity{"walking", 5}, Activity{"socks", 3}),
			rating(h(-24*9), Activity{"walking", 1}, Activity{"socks", 1}),
			rating(h(24*6-1), Activity{"Walking", 6}, Activity{"socks", 5}),
			rating(h(-24*2), Activity{"walking", 3}, Activity{"socks", 2}),
			rating(h(24*6+5), Activity{"walking", 0}, Activity{"socks", 0}),
		},
		Preparations: []Preparation{
			{ID: "prep-before", At: h(-48), Pressure: PressureNotEnough},
			{ID: "prep-now", At: h(24*6 - 2), Pressure: PressureTooMuch, Goals: []string{"sit-longer"}},
			{ID: "prep-future", At: h(24*6 + 5)},
		},
		Completions: []model.Completion{
			done(-24, 5),    // the day before the session
			done(9, 5),      // the session day's evening (Nov 20)
			done(33, 5),     // Nov 21
			done(33.5, 2),   // Nov 21 again
			done(57, 0),     // Nov 22, opened but nothing done
			done(100, 5),    // Nov 24
			done(24*6+5, 5), // after now
		},
		LastSession:     session,
		NextSession:     &next,
		Now:             h(24*6 + 2), // 2026-11-26 12:00
		Location:        london,
		AlertsHandledAt: &handled,
		AlertsHandledBy: "therapist-anna",
	}
}

func TestSummarize(t *testing.T) {
	in := summaryInput(t)
	s := Summarize(in)
	if s.CheckIns != 4 || !s.Since.Equal(session) || s.NextSession == nil {
		t.Fatalf("check-ins %d since %v next %v", s.CheckIns, s.Since, s.NextSession)
	}
	trends := []struct {
		name                    string
		got                     *Trend
		first, latest, readings int
		verdict                 Verdict
	}{
		{"back pain", s.BackPain, 6, 3, 4, VerdictBetter},
		{"leg pain", s.LegPain, 7, 4, 4, VerdictBetter},
		{"soreness", s.Soreness, 8, 2, 4, VerdictBetter},
		{"sitting", s.SitMinutes, 20, 40, 3, VerdictBetter},
	}
	for _, tr := range trends {
		if tr.got == nil || tr.got.First != tr.first || tr.got.Latest != tr.latest || tr.got.Readings != tr.readings ||
			tr.got.Change != tr.latest-tr.first || tr.got.Verdict != tr.verdict {
			t.Errorf("%s trend = %+v, want %d → %d over %d, %q", tr.name, tr.got, tr.first, tr.latest, tr.readings, tr.verdict)
		}
	}
	if !s.BackPain.FirstAt.Equal(h(24)) || !s.BackPain.LatestAt.Equal(h(96)) {
		t.Errorf("back pain from %v to %v", s.BackPain.FirstAt, s.BackPain.LatestAt)
	}
	if s.LegChanges != (LegChanges{Down: 1, Up: 1, Same: 1, Latest: LegUp}) {
		t.Errorf("leg changes %+v", s.LegChanges)
	}
	if s.NightsWoken != 1 || s.NightsAnswered != 2 {
		t.Errorf("nights %d of %d", s.NightsWoken, s.NightsAnswered)
	}
	// Nov 20 to Nov 26 is seven days; stretched on the 20th, 21st and 24th.
	if s.Adherence != (Adherence{DaysStretched: 3, Days: 7}) {
		t.Errorf("adherence %+v", s.Adherence)
	}
	// PSFS: from the first rating ever (1, 1) and from the last before the session (3, 2) to the latest (6, 5).
	if s.PSFS == nil || s.PSFS.AverageFirst != 1 || s.PSFS.AverageLatest != 5.5 || s.PSFS.Verdict != VerdictBetter || !s.PSFS.Meaningful {
		t.Errorf("PSFS overall %+v", s.PSFS)
	}
	if s.PSFSSinceSession == nil || s.PSFSSinceSession.AverageFirst != 2.5 || s.PSFSSinceSession.AverageChange != 3 ||
		!s.PSFSSinceSession.FirstAt.Equal(h(-48)) || !s.PSFSSinceSession.LatestAt.Equal(h(24*6-1)) {
		t.Errorf("PSFS since the session %+v", s.PSFSSinceSession)
	}
	if s.Preparation == nil || s.Preparation.ID != "prep-now" || s.Preparation.Pressure != PressureTooMuch {
		t.Errorf("preparation %+v", s.Preparation)
	}
	if s.Latest == nil || s.Latest.ID != "c-4-both-legs" {
		t.Errorf("latest %+v", s.Latest)
	}
	type flag struct {
		id        string
		tier      Tier
		handled   bool
		handledBy string
	}
	var flags []flag
	for _, f := range s.Flags {
		flags = append(flags, flag{f.CheckInID, f.Tier, f.Handled, f.HandledBy})
	}
	want := []flag{
		{"c-4-both-legs", EmergencyNow, false, ""},
		{"c-2-weight", SeeDoctorSoon, true, "therapist-anna"},
		{"c-0-late", SeeDoctorSoon, false, ""},
	}
	if !slices.Equal(flags, want) {
		t.Errorf("flags\n got %+v\nwant %+v", flags, want)
	}
	if f := s.Flags[1]; f.HandledAt == nil || !f.HandledAt.Equal(*in.AlertsHandledAt) || !slices.Equal(f.Flags, []Flag{FlagWeightLoss}) {
		t.Errorf("handled flag %+v", f)
	}
	var notices []string
	for _, n := range s.Notices {
		notices = append(notices, n.CheckInID+":"+strings.Join(n.Advice, ",")+":"+map[bool]string{true: "handled", false: "pending"}[n.Handled])
	}
	if want := []string{"c-3-still-sore:soreness-48h:pending", "c-2-weight:leg-moving-down:handled"}; !slices.Equal(notices, want) {
		t.Errorf("notices %v, want %v", notices, want)
	}
	if _, err := json.Marshal(s); err != nil {
		t.Fatalf("summary does not encode: %v", err)
	}
}

func TestSummarizeWithLittleData(t *testing.T) {
	in := summaryInput(t)
	in.CheckIns = []CheckIn{checkIn("c-1-only", 24, pain(4, 5, 6))}
	in.PSFS = in.PSFS[:1]
	in.Preparations, in.Completions = nil, nil
	s := Summarize(in)
	if s.BackPain == nil || s.BackPain.Readings != 1 || s.BackPain.Verdict != "" || s.SitMinutes != nil {
		t.Fatalf("one reading: back %+v sit %+v", s.BackPain, s.SitMinutes)
	}
	if s.PSFS != nil || s.PSFSSinceSession != nil || s.Preparation != nil || len(s.Flags) != 0 || s.Flags == nil {
		t.Fatalf("nothing to compare: %+v", s)
	}
	if s.Adherence != (Adherence{DaysStretched: 0, Days: 7}) {
		t.Fatalf("adherence %+v", s.Adherence)
	}
	if s.LegChanges.Latest != LegUnknown {
		t.Fatalf("leg change %+v", s.LegChanges)
	}
}

func TestPainTrendVerdicts(t *testing.T) {
	cases := []struct {
		first, latest int
		want          Verdict
	}{{7, 5, VerdictBetter}, {7, 6, VerdictNoChange}, {7, 7, VerdictNoChange}, {5, 6, VerdictNoChange}, {5, 7, VerdictWorse}, {0, 10, VerdictWorse}}
	for _, tc := range cases {
		in := summaryInput(t)
		in.CheckIns = []CheckIn{checkIn("c-1-first", 24, leg(tc.first)), checkIn("c-2-second", 48, leg(tc.latest))}
		if got := Summarize(in).LegPain.Verdict; got != tc.want {
			t.Errorf("leg pain %d → %d: %q, want %q", tc.first, tc.latest, got, tc.want)
		}
	}
}

// Adherence counts the client's calendar days, also across a clock change.
func TestAdherenceAcrossTheClockChange(t *testing.T) {
	london, _ := time.LoadLocation("Europe/London")
	sess := time.Date(2026, 10, 23, 18, 0, 0, 0, london) // Friday; clocks go back on Sunday the 25th
	now := time.Date(2026, 10, 26, 23, 30, 0, 0, london) // Monday night
	c := func(at time.Time) model.Completion { return model.Completion{At: at, Done: 1, Total: 1} }
	a := adherence([]model.Completion{
		c(time.Date(2026, 10, 23, 21, 0, 0, 0, london)),
		c(time.Date(2026, 10, 25, 0, 30, 0, 0, london)),
		c(time.Date(2026, 10, 25, 23, 30, 0, 0, london)), // the same local day, 24 h later in a 25-hour day
		c(time.Date(2026, 10, 26, 23, 0, 0, 0, london)),
	}, sess, now, london)
	if a != (Adherence{DaysStretched: 3, Days: 4}) {
		t.Fatalf("adherence %+v, want 3 of 4 days", a)
	}
	if a := adherence(nil, sess, sess.Add(-time.Hour), london); a != (Adherence{}) {
		t.Fatalf("before the session: %+v", a)
	}
}

func TestChart(t *testing.T) {
	pts := Chart(
		[]CheckIn{checkIn("c-2", 48, pain(5, 6, 3), yes(FlagFever)), checkIn("c-1", 24, pain(6, 7, 8))},
		[]PSFS{rating(h(30), Activity{"walking", 3}, Activity{"socks", 4})})
	if len(pts) != 3 || !pts[0].At.Equal(h(24)) || !pts[1].At.Equal(h(30)) || !pts[2].At.Equal(h(48)) {
		t.Fatalf("points %+v", pts)
	}
	if *pts[0].LegPain != 7 || *pts[0].BackPain != 6 || *pts[0].Soreness != 8 || pts[0].PSFS != nil || pts[0].Tier != None {
		t.Fatalf("check-in point %+v", pts[0])
	}
	if pts[1].PSFS == nil || *pts[1].PSFS != 3.5 || pts[1].LegPain != nil {
		t.Fatalf("PSFS point %+v", pts[1])
	}
	if pts[2].Tier != SeeDoctorSoon {
		t.Fatalf("flagged point %+v", pts[2])
	}
	rated, err := json.Marshal(pts[1])
	if err != nil || string(rated) != `{"at":"2026-11-21T16:00:00Z","psfs":3.5}` {
		t.Fatalf("PSFS point JSON %s %v", rated, err)
	}
	flagged, err := json.Marshal(pts[2])
	if err != nil || !strings.Contains(string(flagged), `"tier":"see-doctor-soon"`) {
		t.Fatalf("flagged point JSON %s %v", flagged, err)
	}
}

func TestAttentionFor(t *testing.T) {
	handledAt := h(60)
	cases := []struct {
		name    string
		checks  []CheckIn
		handled *time.Time
		want    Attention
	}{
		{"no check-ins", nil, nil, AttentionNone},
		{"all fine", []CheckIn{checkIn("c-1", 24, sore(5))}, nil, AttentionNone},
		{"emergency", []CheckIn{checkIn("c-1", 24, yes(FlagBladderBowel)), checkIn("c-2", 48)}, nil, AttentionEmergency},
		{"emergency beats see-doctor", []CheckIn{checkIn("c-1", 24, yes(FlagFever)), checkIn("c-2", 30, yes(FlagFootDrop))}, nil, AttentionEmergency},
		{"see a doctor", []CheckIn{checkIn("c-1", 24, yes(FlagFever)), checkIn("c-2", 50, sore(9))}, nil, AttentionSeeDoctor},
		{"emergency handled, see-doctor after it pending", []CheckIn{checkIn("c-1", 24, yes(FlagFootDrop)), checkIn("c-2", 70, yes(FlagNightPain))}, &handledAt, AttentionSeeDoctor},
		{"all handled", []CheckIn{checkIn("c-1", 24, yes(FlagFootDrop)), checkIn("c-2", 50, sore(9))}, &handledAt, AttentionNone},
		{"still sore at 48 h", []CheckIn{checkIn("c-1", 24, sore(9)), checkIn("c-2", 50, sore(8))}, nil, AttentionStillSore},
		{"still sore earlier, fine now", []CheckIn{checkIn("c-1", 50, sore(8)), checkIn("c-2", 74, sore(3))}, nil, AttentionNone},
		{"moving down the leg", []CheckIn{checkIn("c-1", 30, moved(LegDown))}, nil, AttentionWorsening},
		{"leg pain rising", []CheckIn{checkIn("c-1", 24, leg(2)), checkIn("c-3", 72, leg(5)), checkIn("c-2", 48, leg(3))}, nil, AttentionWorsening},
		{"late delivery after handling still counts", []CheckIn{checkIn("c-1", 24, yes(FlagSaddleNumbness), received(61))}, &handledAt, AttentionEmergency},
	}
	for _, tc := range cases {
		if got := AttentionFor(tc.checks, session, tc.handled); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	order := []Attention{AttentionNone, AttentionWorsening, AttentionStillSore, AttentionSeeDoctor, AttentionEmergency}
	slices.SortFunc(order, func(a, b Attention) int { return a.Rank() - b.Rank() })
	if !slices.Equal(order, []Attention{AttentionEmergency, AttentionSeeDoctor, AttentionStillSore, AttentionWorsening, AttentionNone}) {
		t.Fatalf("rank order %v", order)
	}
}

func TestSummarizeNoticesLegPainRising(t *testing.T) {
	in := summaryInput(t)
	in.CheckIns = []CheckIn{
		checkIn("c-3", 72, leg(6)), checkIn("c-1", 24, leg(3)), checkIn("c-2", 48, leg(4)),
		checkIn("c-0", -24*20, leg(0)), // three weeks earlier: outside the trend's window
	}
	s := Summarize(in)
	if len(s.Notices) != 1 || s.Notices[0].CheckInID != "c-3" || !slices.Equal(s.Notices[0].Advice, []string{AdviceLegPainRising}) {
		t.Fatalf("notices %+v", s.Notices)
	}
	if s.LegPain.Verdict != VerdictWorse || s.LegPain.First != 3 || s.LegPain.Latest != 6 {
		t.Fatalf("leg pain trend %+v", s.LegPain)
	}
}
