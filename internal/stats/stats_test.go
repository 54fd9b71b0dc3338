package stats_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/hookcheck/hookcheck/internal/stats"
)

func TestNearestRank(t *testing.T) {
	for _, c := range []struct{ n, p, want int }{
		{50, 95, 47}, // ⌈47.5⌉ = 48th sample; (n-1)·p/100 would give 46
		{50, 50, 24}, // ⌈25⌉ = 25th
		{20, 95, 18}, // ⌈19⌉ = 19th: RC-03's 20 deliveries
		{100, 95, 94},
		{1, 95, 0},
		{2, 50, 0},
		{3, 50, 1},
		{10, 0, 0},   // the minimum
		{10, 100, 9}, // the maximum
		{10, -5, 0},  // clamped
		{10, 200, 9}, // clamped
		{0, 95, -1},
	} {
		assert.Equal(t, c.want, stats.NearestRank(c.n, c.p), "n=%d p=%d", c.n, c.p)
	}
}

func TestPercentile(t *testing.T) {
	sorted := make([]time.Duration, 50)
	for i := range sorted {
		sorted[i] = time.Duration(i+1) * 100 * time.Millisecond
	}
	assert.Equal(t, 4800*time.Millisecond, stats.Percentile(sorted, 95))
	assert.Equal(t, 2500*time.Millisecond, stats.Percentile(sorted, 50))
	assert.Equal(t, 5*time.Second, stats.Percentile(sorted, 100))
	assert.Zero(t, stats.Percentile(nil, 95))
}

func TestMilliseconds(t *testing.T) {
	assert.Equal(t, 1234.567, stats.Milliseconds(1234567891*time.Nanosecond))
	assert.Equal(t, 0.0, stats.Milliseconds(999*time.Nanosecond))
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                      "0 ms",
		400 * time.Microsecond:                 "0.40 ms",
		4500 * time.Microsecond:                "4.5 ms",
		12 * time.Millisecond:                  "12 ms",
		999 * time.Millisecond:                 "999 ms",
		time.Second:                            "1 s",
		1500 * time.Millisecond:                "1.5 s",
		9950 * time.Millisecond:                "9.95 s",
		10 * time.Second:                       "10 s",
		12500 * time.Millisecond:               "12.5 s",
		3*time.Minute + 10*time.Second:         "3 min 10 s",
		3*time.Minute + 59600*time.Millisecond: "4 min 0 s",
		2*time.Hour + 5*time.Minute:            "2 h 5 min",
	} {
		assert.Equal(t, want, stats.FormatDuration(d), "%v", d)
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int]string{0: "0 B", 1023: "1023 B", 1024: "1 KiB", 1536: "1.5 KiB",
		14364: "14 KiB", 884905: "864 KiB", 2666467: "2.5 MiB", 1 << 20: "1 MiB"} {
		if got := stats.FormatBytes(n); got != want {
			t.Errorf("stats.FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestFormatLength(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Minute: "1 min", 10 * time.Minute: "10 min", time.Hour: "1 h", 3 * time.Hour: "3 h",
		90 * time.Minute: "1 h 30 min", 1500 * time.Millisecond: "1.5 s",
	} {
		if got := stats.FormatLength(d); got != want {
			t.Errorf("FormatLength(%s) = %q, want %q", d, got, want)
		}
	}
}
