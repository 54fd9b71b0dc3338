package clock

import (
	"runtime"
	"sync"
	"time"
)

// DefaultSlack is how early a Precise timer wakes before its deadline to
// spin the rest of the way.
const DefaultSlack = 20 * time.Millisecond

// Precise is the wall clock with timers that fire on time even where the
// operating system wakes a sleeping thread late (seen here: 4 to 10 ms late
// after a 10 s sleep on a virtual machine). A timer longer than Slack
// sleeps until Slack before its deadline, then yields the processor in a
// loop until the deadline passes. That costs up to Slack of CPU per timer
// that fires, so it suits the real-time, few-deliveries use (hookcheck send
// and run), where AssemblyAI's 10 s waits and deadlines should be kept to
// the millisecond; bulk engines keep Real.
type Precise struct {
	// Slack is the spin window; zero means DefaultSlack.
	Slack time.Duration
}

// Now returns time.Now().
func (Precise) Now() time.Time { return time.Now() }

// NewTimer returns a timer that sends on C at now+d.
func (p Precise) NewTimer(d time.Duration) Timer {
	c := make(chan time.Time, 1)
	t := &preciseTimer{slack: p.slack(), c: c}
	t.fire = func(now time.Time) {
		select {
		case c <- now:
		default:
		}
	}
	t.Reset(d)
	return t
}

// AfterFunc calls f in its own goroutine at now+d.
func (p Precise) AfterFunc(d time.Duration, f func()) Timer {
	t := &preciseTimer{slack: p.slack(), fire: func(time.Time) { f() }}
	t.Reset(d)
	return t
}

func (p Precise) slack() time.Duration {
	if p.Slack <= 0 {
		return DefaultSlack
	}
	return p.Slack
}

type preciseTimer struct {
	slack time.Duration
	c     chan time.Time
	fire  func(time.Time)

	mu      sync.Mutex
	gen     uint64 // bumped by Stop and Reset: a spin of an older arming gives up
	pending bool
	t       *time.Timer
}

func (t *preciseTimer) C() <-chan time.Time { return t.c }

func (t *preciseTimer) Stop() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.disarmLocked()
}

func (t *preciseTimer) Reset(d time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	was := t.disarmLocked()
	t.pending = true
	gen, deadline := t.gen, time.Now().Add(d)
	t.t = time.AfterFunc(max(d-t.slack, 0), func() { t.spin(gen, deadline) })
	return was
}

// disarmLocked cancels the current arming and reports whether it was
// pending; a spin already running sees the new generation and gives up.
func (t *preciseTimer) disarmLocked() bool {
	t.gen++
	if t.t != nil {
		t.t.Stop()
	}
	was := t.pending
	t.pending = false
	return was
}

// spin waits out the last stretch before deadline without sleeping, then
// fires unless the timer was stopped or reset meanwhile.
func (t *preciseTimer) spin(gen uint64, deadline time.Time) {
	for time.Now().Before(deadline) {
		if t.stale(gen) {
			return
		}
		runtime.Gosched()
	}
	t.mu.Lock()
	if t.gen != gen || !t.pending {
		t.mu.Unlock()
		return
	}
	t.pending = false
	t.mu.Unlock()
	t.fire(time.Now())
}

// stale reports whether gen is no longer the live arming of the timer.
func (t *preciseTimer) stale(gen uint64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.gen != gen || !t.pending
}
