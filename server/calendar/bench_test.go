package calendar

import "testing"

// BenchmarkFeed builds and encodes the feed of a 14-day and of a 180-day plan
// (the longest a plan runs), as each calendar refresh does.
func BenchmarkFeed(b *testing.B) {
	for _, days := range []int{14, 180} {
		p := berlinPlan(b)
		p.Days, p.NextSessionAt, p.CadenceDays = days, nil, 14
		in := input(p, p.SessionAt)
		b.Run(map[int]string{14: "14days", 180: "180days"}[days], func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				cal, err := Feed(in)
				if err != nil {
					b.Fatal(err)
				}
				out, err := Encode(cal)
				if err != nil {
					b.Fatal(err)
				}
				size = len(out)
			}
			b.ReportMetric(float64(size), "bytes/feed")
		})
	}
}
