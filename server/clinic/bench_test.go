package clinic

import (
	"fmt"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/model"
)

// fullPlan is a plan at its stored limits: model.MaxCheckIns check-ins and
// model.MaxCompletions completions over 90 days, a PSFS rating a week.
func fullPlan(b *testing.B) SummaryInput {
	b.Helper()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		b.Fatal(err)
	}
	in := summaryInputFor(london)
	step := 90 * 24 * time.Hour / model.MaxCheckIns
	for i := range model.MaxCheckIns {
		c := checkIn(fmt.Sprintf("bench-checkin-%04d", i), float64(time.Duration(i)*step)/float64(time.Hour),
			pain(i%10, (i*7)%11, (i*3)%11), sit(10+i%50), moved([]LegChange{LegDown, LegUp, LegSame, LegUnknown}[i%4]), woke(i%3 == 0))
		if i%50 == 0 {
			yes(FlagFever)(&c)
		}
		in.CheckIns = append(in.CheckIns, c)
	}
	for i := range model.MaxCompletions {
		in.Completions = append(in.Completions, model.Completion{At: session.Add(time.Duration(i) * step), Done: 1, Total: 5})
	}
	for w := range 13 {
		in.PSFS = append(in.PSFS, rating(session.AddDate(0, 0, 7*w), Activity{"walking", w % 11}, Activity{"socks", (w * 2) % 11}, Activity{"film", 3}))
	}
	in.Now = session.AddDate(0, 0, 90)
	return in
}

func summaryInputFor(loc *time.Location) SummaryInput {
	return SummaryInput{LastSession: session, Location: loc}
}

// BenchmarkSummarizeFullPlan is the therapist's summary of a plan at its limits.
func BenchmarkSummarizeFullPlan(b *testing.B) {
	in := fullPlan(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = Summarize(in)
	}
}

// BenchmarkAssessFullHistory is one check-in's tier and advice against a full history.
func BenchmarkAssessFullHistory(b *testing.B) {
	in := fullPlan(b)
	last := in.CheckIns[len(in.CheckIns)-1]
	b.ReportAllocs()
	for b.Loop() {
		_ = Assess(last, in.CheckIns, session)
	}
}

// BenchmarkAttentionForFullHistory is one row of the clients list.
func BenchmarkAttentionForFullHistory(b *testing.B) {
	in := fullPlan(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = AttentionFor(in.CheckIns, session, nil)
	}
}
