package tmpbench

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/plan"
)

func data() []byte {
	loc, _ := time.LoadLocation("Europe/Berlin")
	session := time.Date(2026, 11, 26, 10, 0, 0, 0, loc)
	next := session.AddDate(0, 0, 30)
	p := plan.Plan{
		Token: "bench00000000001-abcdef12", TherapistID: "th1", ClientName: "Sam Example", RoutineID: "sciatica-gentle",
		SessionAt: session, NextSessionAt: &next, TimeZone: loc.String(), StretchTime: "19:00",
		Days: 28, Notes: "Gentle hamstring and glute work; go easy on the left side.",
		Prefs: plan.DefaultPrefs(), CreatedAt: session,
	}
	b, _ := json.Marshal(p)
	return b
}

type lite struct {
	Token         string     `json:"token"`
	TherapistID   string     `json:"therapistId"`
	ClientName    string     `json:"clientName"`
	SessionAt     time.Time  `json:"sessionAt"`
	NextSessionAt *time.Time `json:"nextSessionAt,omitempty"`
	TimeZone      string     `json:"timeZone"`
	StretchTime   string     `json:"stretchTime"`
	Days          int        `json:"days"`
	CadenceDays   int        `json:"cadenceDays"`
	Prefs         plan.Prefs `json:"prefs"`
	EndedAt       *time.Time `json:"endedAt,omitempty"`
}

func BenchmarkFull(b *testing.B) {
	d := data()
	b.Log(len(d), string(d))
	for b.Loop() {
		var p plan.Plan
		if err := json.Unmarshal(d, &p); err != nil {
			b.Fatal(err)
		}
	}
}
func BenchmarkLite(b *testing.B) {
	d := data()
	for b.Loop() {
		var p lite
		if err := json.Unmarshal(d, &p); err != nil {
			b.Fatal(err)
		}
	}
}
