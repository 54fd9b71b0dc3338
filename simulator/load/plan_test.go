package load

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// count returns how many notifications p plans.
func count(p Plan) int {
	n := 0
	for t := time.Duration(0); t < p.Duration; t = p.next(t) {
		n++
	}
	return n
}

func TestPlanOffersTheRateAsked(t *testing.T) {
	constant := Plan{From: 40, To: 40, Duration: 10 * time.Second}
	require.NoError(t, constant.Validate())
	assert.Equal(t, 400, count(constant))

	ramp := Plan{From: 10, To: 80, Duration: 2 * time.Minute}
	require.NoError(t, ramp.Validate())
	assert.InDelta(t, 45*120, count(ramp), 10, "a linear ramp offers its mean rate")
	assert.InDelta(t, 45, ramp.RateAt(time.Minute), 1e-9)

	climb := Plan{From: 10, To: 80, Duration: 2 * time.Minute, Steps: true}
	require.NoError(t, climb.Validate())
	assert.Equal(t, 24, climb.Windows())
	assert.InDelta(t, 10, climb.WindowRate(0), 1e-9)
	assert.InDelta(t, 80, climb.WindowRate(23), 1e-9)
	assert.InDelta(t, 10+70.0/23, climb.RateAt(5*time.Second), 1e-9, "the second step")
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
