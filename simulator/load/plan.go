package load

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Bounds of a plan, so that a run's per-second and per-window records stay
// small: a day at most, at most maxWindows windows, at most MaxRate.
const (
	// MaxRate is the highest rate a plan may ask for, notifications per
	// second: far above what one machine generates (BENCHMARKS.md).
	MaxRate = 100_000
	// MaxDuration is the longest plan.
	MaxDuration = 24 * time.Hour
	// DefaultStep is the length of a step of --find-limit and of the
	// windows a run's held rate is judged on.
	DefaultStep = 5 * time.Second
	// maxWindows bounds the windows of a plan: a longer plan gets longer
	// windows.
	maxWindows = 1000
)

// Plan is how the offered rate moves over a run: constant (From == To), a
// linear ramp from From to To, or, with Steps, a staircase from From to To
// in steps of Step. Rates are notifications per second.
type Plan struct {
	From, To float64
	Duration time.Duration
	// Steps climbs in steps instead of a continuous ramp (--find-limit).
	Steps bool
	// Step is the length of a step, and of the windows every run is
	// judged on; zero means DefaultStep (longer when the plan would have
	// more than 1,000 windows).
	Step time.Duration
}

// Validate reports the first setting that cannot work.
func (p Plan) Validate() error {
	switch {
	case !(p.From > 0) || !(p.To > 0) || math.IsInf(p.From, 0) || math.IsInf(p.To, 0):
		return fmt.Errorf("rates must be positive, got %g and %g", p.From, p.To)
	case p.From > MaxRate || p.To > MaxRate:
		return fmt.Errorf("rates must be at most %d/s, got %g and %g", MaxRate, p.From, p.To)
	case p.Duration <= 0 || p.Duration > MaxDuration:
		return fmt.Errorf("duration must be positive and at most %s, got %s", MaxDuration, p.Duration)
	case p.Step < 0:
		return fmt.Errorf("step must not be negative, got %s", p.Step)
	case p.Steps && p.step() > p.Duration/2:
		return errors.New("a climb needs at least two steps: make the duration at least twice the step")
	}
	return nil
}

// step returns the window length in effect.
func (p Plan) step() time.Duration {
	s := p.Step
	if s == 0 {
		s = DefaultStep
	}
	if min := p.Duration / maxWindows; s < min {
		s = min
	}
	return s
}

// Windows returns how many windows the plan has.
func (p Plan) Windows() int {
	s := p.step()
	return int((p.Duration + s - 1) / s)
}

// window returns the index of the window holding t.
func (p Plan) window(t time.Duration) int {
	return min(max(int(t/p.step()), 0), p.Windows()-1)
}

// RateAt returns the planned rate at t from the start.
func (p Plan) RateAt(t time.Duration) float64 {
	if p.Steps {
		return p.stepRate(p.window(t))
	}
	f := min(max(float64(t)/float64(p.Duration), 0), 1)
	return p.From + (p.To-p.From)*f
}

// stepRate returns the rate of step k of a staircase.
func (p Plan) stepRate(k int) float64 {
	n := p.Windows()
	if n < 2 {
		return p.From
	}
	return p.From + (p.To-p.From)*float64(k)/float64(n-1)
}

// WindowRate returns the planned rate of window k: its step's rate, or the
// ramp's rate at the window's middle.
func (p Plan) WindowRate(k int) float64 {
	if p.Steps {
		return p.stepRate(k)
	}
	s := p.step()
	mid := time.Duration(k)*s + min(s, p.Duration-time.Duration(k)*s)/2
	return p.RateAt(mid)
}

// schedule yields the planned times of a plan's notifications, each
// computed from its index rather than summed from intervals, so that no
// rounding accumulates: a constant rate R offers exactly R·D.
type schedule struct {
	p        Plan
	n        int64         // notifications yielded
	j        int64         // within the current step
	step     int           // the current step, with Steps
	stepFrom time.Duration // its start
}

// next returns the planned time of the next notification, or false when
// the plan has no more.
func (s *schedule) next() (time.Duration, bool) {
	p := s.p
	var t time.Duration
	switch {
	case p.Steps:
		for {
			t = s.stepFrom + time.Duration(float64(s.j)*float64(time.Second)/p.stepRate(s.step))
			end := min(s.stepFrom+p.step(), p.Duration)
			if t < end {
				break
			}
			if end >= p.Duration {
				return 0, false
			}
			s.step, s.j, s.stepFrom = s.step+1, 0, end
		}
		s.j++
	case p.From == p.To:
		t = time.Duration(float64(s.n) * float64(time.Second) / p.From)
	default:
		// n notifications by t: From·t + (To−From)·t²/(2D); solve for t.
		d := p.Duration.Seconds()
		a, b := (p.To-p.From)/(2*d), p.From
		x := (-b + math.Sqrt(b*b+4*a*float64(s.n))) / (2 * a)
		if math.IsNaN(x) {
			return 0, false // a falling ramp that ends before the plan does
		}
		t = time.Duration(x * float64(time.Second))
	}
	if t >= p.Duration {
		return 0, false
	}
	s.n++
	return t, true
}
