package clock_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/hookcheck/hookcheck/simulator/clock"
)

// These use short durations: the precision itself is measured by
// `make timing`, not asserted here.

func TestPreciseTimerFiresNotBeforeItsDeadline(t *testing.T) {
	c := clock.Precise{Slack: 5 * time.Millisecond}
	start := time.Now()
	tm := c.NewTimer(30 * time.Millisecond)
	got := <-tm.C()
	assert.GreaterOrEqual(t, got.Sub(start), 30*time.Millisecond)
	assert.False(t, tm.Stop(), "a fired timer is no longer pending")
}

func TestPreciseTimerStopAndReset(t *testing.T) {
	c := clock.Precise{Slack: 5 * time.Millisecond}
	var fired atomic.Int32
	tm := c.AfterFunc(20*time.Millisecond, func() { fired.Add(1) })
	assert.True(t, tm.Stop())
	time.Sleep(40 * time.Millisecond)
	assert.Zero(t, fired.Load(), "a stopped timer never fires")

	assert.False(t, tm.Reset(10*time.Millisecond))
	assert.True(t, tm.Reset(15*time.Millisecond), "reset of a pending timer")
	assert.Eventually(t, func() bool { return fired.Load() == 1 }, time.Second, time.Millisecond)
	time.Sleep(30 * time.Millisecond)
	assert.Equal(t, int32(1), fired.Load(), "fires once per arming")
}

func TestPreciseStopDuringSpin(t *testing.T) {
	c := clock.Precise{Slack: 50 * time.Millisecond}
	tm := c.NewTimer(60 * time.Millisecond)
	time.Sleep(25 * time.Millisecond) // inside the spin window
	assert.True(t, tm.Stop())
	select {
	case <-tm.C():
		t.Fatal("stopped while spinning, yet fired")
	case <-time.After(80 * time.Millisecond):
	}
}
