package load

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// count returns how many notifications p plans.
func count(p Plan) int {
	n := 0
	s := schedule{p: p}
	prev := time.Duration(-1)
	for {
		t, ok := s.next()
		if !ok {
			return n
		}
		if t < prev {
			panic("planned times go back")
		}
		prev = t
		n++
	}
}

func TestPlanOffersTheRateAsked(t *testing.T) {
	constant := Plan{From: 40, To: 40, Duration: 10 * time.Second}
	require.NoError(t, constant.Validate())
	assert.Equal(t, 400, count(constant))

	ramp := Plan{From: 10, To: 80, Duration: 2 * time.Minute}
	require.NoError(t, ramp.Validate())
	assert.InDelta(t, 45*120, count(ramp), 1, "a linear ramp offers its mean rate")
	down := Plan{From: 80, To: 10, Duration: 2 * time.Minute}
	assert.InDelta(t, 45*120, count(down), 1, "down too")
	assert.InDelta(t, 45, ramp.RateAt(time.Minute), 1e-9)

	climb := Plan{From: 10, To: 80, Duration: 2 * time.Minute, Steps: true}
	require.NoError(t, climb.Validate())
	assert.Equal(t, 24, climb.Windows())
	assert.InDelta(t, 10, climb.WindowRate(0), 1e-9)
	assert.InDelta(t, 80, climb.WindowRate(23), 1e-9)
	assert.InDelta(t, 10+70.0/23, climb.RateAt(5*time.Second), 1e-9, "the second step")
	want := 0
	for k := range 24 {
		want += int(math.Ceil(5 * climb.WindowRate(k)))
	}
	assert.Equal(t, want, count(climb), "each step offers its rate for 5 s")
}

func TestPlanRejectsWhatCannotRun(t *testing.T) {
	for _, p := range []Plan{
		{From: 0, To: 10, Duration: time.Second},
		{From: 10, To: 10, Duration: 0},
		{From: 10, To: MaxRate + 1, Duration: time.Second},
		{From: 10, To: 10, Duration: 25 * time.Hour},
		{From: 10, To: 20, Duration: 6 * time.Second, Steps: true},
	} {
		assert.Error(t, p.Validate(), "%+v", p)
	}
	long := Plan{From: 1, To: 1, Duration: 24 * time.Hour}
	assert.LessOrEqual(t, long.Windows(), maxWindows, "windows stay bounded")
}
