package load

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestHistogramBucketsCoverEveryDuration(t *testing.T) {
	for _, d := range []time.Duration{0, time.Microsecond, 7 * time.Microsecond, 8 * time.Microsecond,
		999 * time.Microsecond, time.Millisecond, 100 * time.Millisecond, 10 * time.Second, time.Hour} {
		i := bucket(d)
		assert.GreaterOrEqual(t, upper(i), min(d, upper(histBuckets-1)), "%s in bucket %d", d, i)
		if i > 0 && d < upper(histBuckets-1) {
			assert.Less(t, upper(i-1), d, "%s: the bucket below holds less", d)
		}
	}
}

func TestHistogramPercentilesWithinBucketError(t *testing.T) {
	var h Histogram
	for i := 1; i <= 1000; i++ {
		h.Add(time.Duration(i) * time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 500 * time.Millisecond}, {95, 950 * time.Millisecond}, {99, 990 * time.Millisecond}, {100, time.Second}} {
		got := h.Percentile(c.p)
		assert.GreaterOrEqual(t, got, c.want, "p%v never understated", c.p)
		assert.LessOrEqual(t, float64(got), float64(c.want)*1.125, "p%v within 12.5%%", c.p)
	}
	var empty Histogram
	assert.Zero(t, empty.Percentile(99))
	var one Histogram
	one.Add(3 * time.Second)
	assert.Equal(t, 3*time.Second, one.Percentile(50), "never above the max")
}
