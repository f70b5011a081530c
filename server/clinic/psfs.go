package clinic

import (
	"cmp"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/aftercare/aftercare/server/model"
)

// The Patient-Specific Functional Scale: the client names up to three
// everyday activities the pain makes hard and rates each from 0 (cannot do
// it) to 10 (as well as before the problem). Higher is better.
const (
	// MaxPSFSActivities is how many activities the client may name.
	MaxPSFSActivities = 3
	// MaxActivityName is the length of an activity's name, in characters.
	MaxActivityName = 60
	// PSFSMeaningfulChange is the change, per activity and in the average,
	// that is shown as a real change.
	PSFSMeaningfulChange = 2
	// PSFSEvery is how often the app asks again.
	PSFSEvery = 7 * 24 * time.Hour
)

// Activity is one named activity and how well the client can do it, 0–10.
type Activity struct {
	Name  string `json:"name"`
	Score int    `json:"score"`
}

// PSFS is one rating of the client's activities.
type PSFS struct {
	// ID is chosen by the phone so a resend is stored once.
	ID         string     `json:"id"`
	At         time.Time  `json:"at"`
	Activities []Activity `json:"activities"`
	ReceivedAt time.Time  `json:"receivedAt"`
	atSent     bool
}

// PSFSInput is the body the app sends.
type PSFSInput struct {
	ID         string `json:"id"`
	At         string `json:"at"`
	Activities []struct {
		Name  string `json:"name"`
		Score *int   `json:"score"`
	} `json:"activities"`
}

// DecodePSFS validates a PSFS rating: 1 to MaxPSFSActivities activities, each
// a name (a label others see: no control or bidi characters) given once and
// a score 0–10. Errors are *model.InputError naming the field.
func DecodePSFS(data []byte, now time.Time) (PSFS, error) {
	var in PSFSInput
	if err := model.DecodeStrict(data, &in); err != nil {
		return PSFS{}, err
	}
	p := PSFS{ID: in.ID, ReceivedAt: now.UTC(), atSent: in.At != "", Activities: []Activity{}}
	var err error
	if err = checkID(in.ID); err != nil {
		return p, err
	}
	if p.At, err = model.ClientTime("at", in.At, now); err != nil {
		return p, err
	}
	if len(in.Activities) == 0 || len(in.Activities) > MaxPSFSActivities {
		return p, bad("activities", "must name 1 to %d activities", MaxPSFSActivities)
	}
	for i, a := range in.Activities {
		f := fmt.Sprintf("activities[%d]", i)
		name, err := model.CleanLabel(f+".name", collapseSpace(a.Name), MaxActivityName, true)
		if err != nil {
			return p, err
		}
		if slices.ContainsFunc(p.Activities, func(b Activity) bool { return sameActivity(b.Name, name) }) {
			return p, bad(f+".name", "%q is named twice", name)
		}
		s, err := score(f+".score", a.Score)
		if err != nil {
			return p, err
		}
		p.Activities = append(p.Activities, Activity{Name: name, Score: s})
	}
	return p, nil
}

func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// sameActivity matches activities across ratings by name, ignoring case and spacing.
func sameActivity(a, b string) bool { return strings.EqualFold(collapseSpace(a), collapseSpace(b)) }

// SameAs reports whether sent, a decoded rating that reuses p's id, says what p says (see CheckIn.SameAs).
func (p PSFS) SameAs(sent PSFS) bool {
	return (!sent.atSent || p.At.Equal(sent.At)) && reflect.DeepEqual(p.Activities, sent.Activities)
}

// Average is the mean score, to one decimal.
func (p PSFS) Average() float64 {
	if len(p.Activities) == 0 {
		return 0
	}
	sum := 0
	for _, a := range p.Activities {
		sum += a.Score
	}
	return round1(float64(sum) / float64(len(p.Activities)))
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// Verdict is how a change reads: better, worse, or no real change.
type Verdict string

// The verdicts; content.PSFS.Verdicts words them for the client.
const (
	VerdictBetter   Verdict = "better"
	VerdictWorse    Verdict = "worse"
	VerdictNoChange Verdict = "no-change"
)

// ActivityChange is one activity rated in both ratings.
type ActivityChange struct {
	Name   string `json:"name"`
	First  int    `json:"first"`
	Latest int    `json:"latest"`
	// Change is Latest - First: positive is better.
	Change     int     `json:"change"`
	Meaningful bool    `json:"meaningful"`
	Verdict    Verdict `json:"verdict"`
}

// PSFSComparison is the change from one rating to a later one.
type PSFSComparison struct {
	FirstAt  time.Time `json:"firstAt"`
	LatestAt time.Time `json:"latestAt"`
	// Activities are those named in both, in the latest rating's order.
	Activities []ActivityChange `json:"activities"`
	// Added and Dropped are named in only the latest or only the first rating.
	Added   []string `json:"added"`
	Dropped []string `json:"dropped"`
	// The averages are over Activities only, so a changed list does not read as a change.
	AverageFirst  float64 `json:"averageFirst"`
	AverageLatest float64 `json:"averageLatest"`
	AverageChange float64 `json:"averageChange"`
	Meaningful    bool    `json:"meaningful"`
	Verdict       Verdict `json:"verdict"`
	// Comparable is false when no activity is in both ratings (no averages then).
	Comparable bool `json:"comparable"`
}

// PSFSChange compares a first and a latest rating, activity by activity (by
// name) and in the average. A change of PSFSMeaningfulChange points or more
// is meaningful, up (better) or down (worse).
func PSFSChange(first, latest PSFS) PSFSComparison {
	out := PSFSComparison{FirstAt: first.At, LatestAt: latest.At, Activities: []ActivityChange{}, Added: []string{}, Dropped: []string{}, Verdict: VerdictNoChange}
	sumFirst, sumLatest := 0, 0
	for _, l := range latest.Activities {
		i := slices.IndexFunc(first.Activities, func(f Activity) bool { return sameActivity(f.Name, l.Name) })
		if i < 0 {
			out.Added = append(out.Added, l.Name)
			continue
		}
		f := first.Activities[i]
		d := l.Score - f.Score
		out.Activities = append(out.Activities, ActivityChange{Name: l.Name, First: f.Score, Latest: l.Score, Change: d,
			Meaningful: abs(d) >= PSFSMeaningfulChange, Verdict: verdict(d, 1)})
		sumFirst += f.Score
		sumLatest += l.Score
	}
	for _, f := range first.Activities {
		if !slices.ContainsFunc(latest.Activities, func(l Activity) bool { return sameActivity(f.Name, l.Name) }) {
			out.Dropped = append(out.Dropped, f.Name)
		}
	}
	n := len(out.Activities)
	if n == 0 {
		return out
	}
	out.Comparable = true
	out.AverageFirst = round1(float64(sumFirst) / float64(n))
	out.AverageLatest = round1(float64(sumLatest) / float64(n))
	out.AverageChange = round1(float64(sumLatest-sumFirst) / float64(n))
	// Compared in whole points (sums), not rounded averages: 2 points of average is 2·n of sum.
	d := sumLatest - sumFirst
	out.Meaningful = abs(d) >= PSFSMeaningfulChange*n
	out.Verdict = verdict(d, n)
	return out
}

// verdict reads a change of sum points over n items (positive is better).
func verdict(sum, n int) Verdict {
	switch {
	case sum >= PSFSMeaningfulChange*n:
		return VerdictBetter
	case -sum >= PSFSMeaningfulChange*n:
		return VerdictWorse
	}
	return VerdictNoChange
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// PSFSDue says why the app should ask for a rating now, or PSFSNotDue.
type PSFSDue string

// The reasons to ask.
const (
	PSFSNotDue        PSFSDue = ""
	PSFSFirst         PSFSDue = "first"
	PSFSWeekly        PSFSDue = "weekly"
	PSFSBeforeSession PSFSDue = "before-session"
)

// DuePSFS decides whether the app asks for a rating at now: on the first
// open (no rating yet), PSFSEvery after the latest, and on the client's local
// day before the next session unless one was given that day.
func DuePSFS(ratings []PSFS, nextSession *time.Time, now time.Time, loc *time.Location) PSFSDue {
	if len(ratings) == 0 {
		return PSFSFirst
	}
	latest := slices.MaxFunc(ratings, func(a, b PSFS) int { return cmp.Compare(a.At.UnixNano(), b.At.UnixNano()) })
	if now.Sub(latest.At) >= PSFSEvery {
		return PSFSWeekly
	}
	if nextSession != nil && now.Before(*nextSession) {
		today := civilDay(now, loc)
		if civilDay(*nextSession, loc)-today == 1 && civilDay(latest.At, loc) != today {
			return PSFSBeforeSession
		}
	}
	return PSFSNotDue
}

// civilDay numbers t's calendar day in loc, so subtracting two gives whole
// days whatever the DST changes between them.
func civilDay(t time.Time, loc *time.Location) int {
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := t.In(loc).Date()
	return int(time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Unix() / 86400)
}
