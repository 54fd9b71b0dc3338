package steps

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// samples are n durations around base with uniform jitter of ±jitter.
func samples(r *rand.Rand, n int, base, jitter time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = base + time.Duration(r.Int64N(int64(2*jitter))) - jitter
	}
	return out
}

// TestJudgeTiming: a shift of the late probes' times well beyond the
// noise is a leak; the same times, a shift within the noise, or one under
// MinTimingLeak are not.
func TestJudgeTiming(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		name          string
		shift, jitter time.Duration
		leak          bool
	}{
		{"constant time, noisy", 0, 300 * time.Microsecond, false},
		{"constant time, virtual", 0, 0, false},
		{"1 ms per run of bytes, quiet", 2 * time.Millisecond, 100 * time.Microsecond, true},
		{"virtual time, 43 ms", 43 * time.Millisecond, 0, true},
		{"under the floor", 50 * time.Microsecond, 0, false},
		{"within heavy noise", 300 * time.Microsecond, 20 * time.Millisecond, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			early := samples(r, 50, time.Millisecond, max(c.jitter, 1))
			late := samples(r, 50, time.Millisecond+c.shift, max(c.jitter, 1))
			v := judgeTiming(early, late)
			assert.Equal(t, c.leak, v.leak, "%+v", v)
		})
	}
	assert.Equal(t, "v1,AbcD", spoil("v1,bbcD", false))
	assert.Equal(t, "v1,bbcA==", spoil("v1,bbcD==", true))
}
