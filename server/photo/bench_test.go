package photo

import (
	"context"
	"testing"

	"github.com/aftercare/aftercare/server/photo/phototest"
)

// BenchmarkProcess12MP is a phone photo's worth of pixels (4000×3000 JPEG)
// through the whole pipeline: inspect, decode, shrink to 1600 px, encode.
func BenchmarkProcess12MP(b *testing.B) {
	data := phototest.JPEG(phototest.TwoTone(4000, 3000))
	p := NewProcessor(1)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := p.Process(context.Background(), data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInspectBomb is the cost of refusing a 100,000 × 100,000 PNG.
func BenchmarkInspectBomb(b *testing.B) {
	data := phototest.PNGBomb(100_000, 100_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Inspect(data); err == nil {
			b.Fatal("accepted")
		}
	}
}
