package render_test

import (
	"io"
	"testing"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/htmlreport"
	"github.com/hookcheck/hookcheck/reports/render"
)

// countingWriter counts the bytes of a report.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// benchmarkRender renders the HTML report of r b.N times and reports its
// size; the result itself is built once, outside the timer.
func benchmarkRender(b *testing.B, r *reports.Result) {
	var size countingWriter
	if err := htmlreport.Write(&size, r); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := htmlreport.Write(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size.n)/1024, "KiB/report")
	b.ReportMetric(float64(r.DeliveryCount()), "deliveries")
}

// The fixtures are built with a zero testing.T: synctest.Test needs one,
// and a failure while building panics, which fails the benchmark.

// BenchmarkRenderDefault: the default suite, about 40 scenarios and 60
// deliveries. Targets: under 300 KB, under 100 ms.
func BenchmarkRenderDefault(b *testing.B) {
	benchmarkRender(b, fixture.Default(&testing.T{}, fixture.Options{}))
}

// BenchmarkRender1000Deliveries: the default suite with a burst of 1,000.
// Target: under 5 MB.
func BenchmarkRender1000Deliveries(b *testing.B) {
	benchmarkRender(b, fixture.Default(&testing.T{}, fixture.Options{Burst: 1000}))
}

// BenchmarkWriteAllDefault writes all five files of a default run.
func BenchmarkWriteAllDefault(b *testing.B) {
	r := fixture.Default(&testing.T{}, fixture.Options{})
	dir := b.TempDir()
	for b.Loop() {
		if _, err := render.WriteAll(dir, r); err != nil {
			b.Fatal(err)
		}
	}
}
