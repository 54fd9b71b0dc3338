package reports

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// ValidationError is a loaded result that a renderer cannot trust: it
// names the JSON path of the first bad value, e.g.
// "scenarios[2].deliveries[0] is null".
type ValidationError struct {
	// Path is the value's JSON path from the top of results.json.
	Path string
	// Problem says what is wrong with it.
	Problem string
}

func (e *ValidationError) Error() string { return e.Path + " " + e.Problem }

// maxSpan bounds any duration a result may hold: AssemblyAI's schedule
// lasts about 100 s (D-4), and a renderer draws axes to scale.
const maxSpan = 30 * 24 * time.Hour

var (
	verdicts = []Verdict{Conformant, NotConformant, Incomplete, Partial}
	statuses = []Status{Passed, Failed, NotApplicable, Skipped}
	levels   = []Level{"", Must, Should, MustShould}
)

// Validate checks what the renderers rely on in a result that was read
// back from a file (a hand-edited or foreign results.json): known
// verdict, statuses and levels, no null delivery, finite non-negative
// durations, attempts numbered from 1. hookcheck's own runs always pass it.
// The error is a *ValidationError.
func (r *Result) Validate() error {
	if !slices.Contains(verdicts, r.Verdict) {
		return &ValidationError{"verdict", fmt.Sprintf("is %q: want conformant, not_conformant, partial or incomplete", r.Verdict)}
	}
	if bad := badDuration(r.Environment.DurationMS, r.Environment.TimeoutMS, r.Environment.RetryIntervalMS, r.Environment.WaitMS); bad >= 0 {
		return &ValidationError{"environment", "holds a negative or non-finite duration"}
	}
	for i, q := range r.Requirements {
		at := fmt.Sprintf("requirements[%d]", i)
		if !slices.Contains(statuses, q.Status) {
			return &ValidationError{at + ".status", fmt.Sprintf("is %q: want passed, failed, not_applicable or skipped", q.Status)}
		}
		if !slices.Contains(levels, q.Level) || !slices.Contains(levels, q.FailedLevel) {
			return &ValidationError{at + ".level", fmt.Sprintf("is %q: want MUST, SHOULD or MUST/SHOULD", q.Level)}
		}
	}
	for i, s := range r.Scenarios {
		if err := s.validate(fmt.Sprintf("scenarios[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

func (s Scenario) validate(at string) error {
	if !slices.Contains(statuses, s.Status) {
		return &ValidationError{at + ".status", fmt.Sprintf("is %q: want passed, failed, not_applicable or skipped", s.Status)}
	}
	if !slices.Contains(levels, s.Level) {
		return &ValidationError{at + ".level", fmt.Sprintf("is %q: want MUST, SHOULD or MUST/SHOULD", s.Level)}
	}
	if badDuration(s.DurationMS) >= 0 {
		return &ValidationError{at + ".duration_ms", "is negative or not finite"}
	}
	for j, st := range s.Steps {
		if !slices.Contains(statuses, st.Status) {
			return &ValidationError{fmt.Sprintf("%s.steps[%d].status", at, j), fmt.Sprintf("is %q", st.Status)}
		}
		if badDuration(st.DurationMS) >= 0 {
			return &ValidationError{fmt.Sprintf("%s.steps[%d].duration_ms", at, j), "is negative or not finite"}
		}
	}
	for j, d := range s.Deliveries {
		dat := fmt.Sprintf("%s.deliveries[%d]", at, j)
		if d == nil {
			return &ValidationError{dat, "is null"}
		}
		if err := validateDelivery(dat, d); err != nil {
			return err
		}
	}
	return nil
}

func validateDelivery(at string, d *webhook.Delivery) error {
	if badDuration(d.Policy.TimeoutMS, d.Policy.RetryIntervalMS) >= 0 {
		return &ValidationError{at + ".policy", "holds a negative or non-finite duration"}
	}
	if d.EndedAt.Before(d.StartedAt) && !d.EndedAt.IsZero() {
		return &ValidationError{at + ".ended_at", "is before started_at"}
	}
	if len(d.Attempts) > 0 && d.Attempts[len(d.Attempts)-1].StartedAt.Sub(d.Attempts[0].StartedAt) > maxSpan {
		return &ValidationError{at + ".attempts", "span over 30 days"}
	}
	for k, a := range d.Attempts {
		aat := fmt.Sprintf("%s.attempts[%d]", at, k)
		if a.Number != k+1 {
			return &ValidationError{aat + ".number", fmt.Sprintf("is %d: attempts are numbered from 1 in order", a.Number)}
		}
		if a.Duration < 0 || a.WaitAfter < 0 || a.Duration > maxSpan || a.WaitAfter > maxSpan {
			return &ValidationError{aat, "holds a negative or absurd (over 30 days) duration"}
		}
		if a.StatusCode < 0 || a.StatusCode > 999 {
			return &ValidationError{aat + ".status_code", fmt.Sprintf("is %d: want a 3-digit HTTP status or null", a.StatusCode)}
		}
		if k > 0 && a.StartedAt.Before(d.Attempts[k-1].StartedAt) {
			return &ValidationError{aat + ".started_at", "is before the previous attempt's"}
		}
	}
	return nil
}

// badDuration returns the index of the first negative, NaN or infinite
// value among ms, or -1.
func badDuration(ms ...float64) int {
	for i, v := range ms {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return i
		}
	}
	return -1
}
