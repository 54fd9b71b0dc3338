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

// The fixtures are real suite runs (internal/fixture), built once per
// benchmark outside the timer. fixture.Run takes the *testing.B: the run
// happens in a synctest bubble, whose *testing.T is then a zero one that
// nothing reports through (fixture.TestBenchmarkPath covers this path); a
// failed build fails the benchmark through b.

// BenchmarkRenderDefault: the default run (fixture.Default: the built-in
// suite against a receiver with four flaws), 27 scenarios and 88
// deliveries. Targets: under 300 KB, under 100 ms.
func BenchmarkRenderDefault(b *testing.B) {
	benchmarkRender(b, fixture.Default(b))
}

// BenchmarkRender1000Deliveries: the same with a burst of 1,000
// (fixture.Large). Target: under 5 MB.
func BenchmarkRender1000Deliveries(b *testing.B) {
	benchmarkRender(b, fixture.Large(b))
}

// BenchmarkWriteAllDefault writes all five files of a default run.
func BenchmarkWriteAllDefault(b *testing.B) {
	r := fixture.Default(b)
	dir := b.TempDir()
	for b.Loop() {
		if _, err := render.WriteAll(dir, r); err != nil {
			b.Fatal(err)
		}
	}
}
