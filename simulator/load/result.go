package load

import (
	"time"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Lost counts notifications lost for good, by why (D-5, D-6, P-6).
type Lost struct {
	// Exhausted: every attempt of the schedule failed (D-4, D-6).
	Exhausted int64 `json:"exhausted"`
	// TooMany: a 429 ended the delivery (D-5, P-6): shed load is lost load.
	TooMany int64 `json:"status_429"`
	// Other4xx: any other 4xx ended the delivery (D-5).
	Other4xx int64 `json:"other_4xx"`
}

// Total returns every lost notification.
func (l Lost) Total() int64 { return l.Exhausted + l.TooMany + l.Other4xx }

func (l *Lost) add(o Lost) {
	l.Exhausted += o.Exhausted
	l.TooMany += o.TooMany
	l.Other4xx += o.Other4xx
}

// Second is what happened in one second of a run. Offered counts the
// notifications planned in the second; the other counts are of attempts
// and deliveries that ended in it, and the percentiles are of the answer
// times (to the status line and headers, or the deadline, P-1) of the
// attempts that ended in it.
type Second struct {
	// T is the second's end, in seconds from the start.
	T int `json:"t"`
	// PlannedRate is the rate the plan asked for at the second's start.
	PlannedRate float64 `json:"planned_rate"`
	// Offered is the notifications whose schedule began in the second.
	Offered int64 `json:"offered"`
	// Sent is the attempts sent in the second, first and retries.
	Sent int64 `json:"attempts_sent"`
	// InFlight is the attempts waiting for an answer at the second's end.
	InFlight int64 `json:"in_flight"`
	// Pending is the deliveries not yet ended at the second's end.
	Pending int64 `json:"pending"`
	// AckFirst is the deliveries acknowledged at their first attempt.
	AckFirst int64 `json:"acknowledged_first_try"`
	// AckRetry is the deliveries acknowledged at a later attempt.
	AckRetry int64 `json:"acknowledged_after_retry"`
	// Retries is the attempts after a first one that ended in the second.
	Retries int64 `json:"retries"`
	// Timeouts is the attempts that reached the deadline (D-3).
	Timeouts int64 `json:"timeouts"`
	// Lost is the deliveries that ended lost in the second.
	Lost Lost `json:"lost"`
	// Answer percentiles, milliseconds; 0 when no attempt ended.
	P50MS float64 `json:"p50_ms"`
	P95MS float64 `json:"p95_ms"`
	P99MS float64 `json:"p99_ms"`
	// LagP99MS is the p99 of how late the generator sent an attempt
	// (actual start minus planned start), milliseconds.
	LagP99MS float64 `json:"lag_p99_ms"`
}

// Window is one step of the plan (a find-limit step, or a stretch of a
// ramp or constant rate) as judged: every count is of the notifications
// planned in it, whenever their deliveries ended.
type Window struct {
	// Index counts windows from 0; StartS and EndS bound it.
	Index  int     `json:"index"`
	StartS float64 `json:"start_s"`
	EndS   float64 `json:"end_s"`
	// Rate is the planned rate, notifications per second.
	Rate     float64 `json:"rate"`
	Offered  int64   `json:"offered"`
	AckFirst int64   `json:"acknowledged_first_try"`
	Lost     Lost    `json:"lost"`
	// First-attempt answer times: p95 of the window, and the median of
	// its first and of its second half (a growing queue shows as growth).
	P95MS          float64 `json:"first_try_p95_ms"`
	FirstHalfP50MS float64 `json:"first_half_p50_ms"`
	LastHalfP50MS  float64 `json:"last_half_p50_ms"`
	// LagP99MS is the p99 of the generator's lag on first attempts.
	LagP99MS float64 `json:"lag_p99_ms"`
	// Held is true when the receiver held the window's rate; Why says
	// why not.
	Held bool   `json:"held"`
	Why  string `json:"why,omitempty"`
	// GeneratorLimited says the generator, not the receiver, was late.
	GeneratorLimited bool `json:"generator_limited,omitempty"`
}

// LostNotification is one notification lost for good.
type LostNotification struct {
	TranscriptID string `json:"transcript_id,omitempty"`
	// SessionID names a streaming session's webhook instead (S-4).
	SessionID  string `json:"session_id,omitempty"`
	DeliveryID string `json:"delivery_id"`
	// Reason is exhausted, status_429 or other_4xx.
	Reason string `json:"reason"`
	// Status is the last HTTP status answered; 0 when none.
	Status   int     `json:"status,omitempty"`
	Attempts int     `json:"attempts"`
	AtS      float64 `json:"at_s"` // when it was lost, from the start
}

// Percentiles are durations in milliseconds.
type Percentiles struct {
	P50MS float64 `json:"p50_ms"`
	P95MS float64 `json:"p95_ms"`
	P99MS float64 `json:"p99_ms"`
	MaxMS float64 `json:"max_ms"`
}

// Amplification is where retries began to multiply the load.
type Amplification struct {
	// Overall is attempts sent per notification offered.
	Overall float64 `json:"overall"`
	// Peak is the highest attempts per notification over 5 seconds.
	Peak float64 `json:"peak"`
	// StartS is when attempts per notification first passed 1.1 over 5
	// seconds, from the start; absent when they never did.
	StartS *int `json:"start_s,omitempty"`
	// StartRate is the planned rate then.
	StartRate float64 `json:"start_rate,omitempty"`
}

// Result is a load run: what was asked, what happened each second and in
// each window, and the verdicts.
type Result struct {
	Target    string                `json:"target"`
	Mode      string                `json:"mode"` // constant, ramp or find-limit
	FromRate  float64               `json:"from_rate"`
	ToRate    float64               `json:"to_rate"`
	DurationS float64               `json:"duration_s"`
	StepS     float64               `json:"step_s"`
	Policy    webhook.PolicySummary `json:"policy"`
	StartedAt time.Time             `json:"started_at"`
	EndedAt   time.Time             `json:"ended_at"`
	// Interrupted: the run was stopped (SIGINT) before its end.
	Interrupted bool `json:"interrupted,omitempty"`
	// StoppedAtS: find-limit stopped climbing then, a step having failed.
	StoppedAtS *float64 `json:"stopped_at_s,omitempty"`

	// HeldRate is the highest planned rate, notifications per second, of
	// a window that held before the first that did not (all windows when
	// none failed); 0 when the first window already failed.
	HeldRate float64 `json:"held_rate"`
	// Knee is the rate of the first window that failed; absent when none.
	Knee *Window `json:"knee,omitempty"`

	Offered          int64              `json:"offered"`
	AttemptsSent     int64              `json:"attempts_sent"`
	AckFirst         int64              `json:"acknowledged_first_try"`
	AckRetry         int64              `json:"acknowledged_after_retry"`
	LostBy           Lost               `json:"lost_by"`
	Lost             int64              `json:"lost"`
	PendingAtEnd     int64              `json:"pending_at_end"`
	LostListed       []LostNotification `json:"lost_notifications"`
	LostNotListed    int64              `json:"lost_not_listed,omitempty"`
	Answer           Percentiles        `json:"answer"`
	FirstTry         Percentiles        `json:"first_try_answer"`
	Lag              Percentiles        `json:"generator_lag"`
	Amplification    Amplification      `json:"amplification"`
	GeneratorLimited bool               `json:"generator_limited"`
	// PeakPending is the most deliveries pending at once: the memory the
	// run's records needed grows with it.
	PeakPending int64 `json:"peak_pending"`

	// Objectives are the run's stated goals, judged (--objective).
	Objectives []Verdict `json:"objectives,omitempty"`
	// Findings say what the team needs to read, with the fix.
	Findings []Finding `json:"findings,omitempty"`

	Seconds []Second `json:"seconds"`
	Windows []Window `json:"windows"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func percentiles(h *Histogram) Percentiles {
	return Percentiles{P50MS: ms(h.Percentile(50)), P95MS: ms(h.Percentile(95)), P99MS: ms(h.Percentile(99)), MaxMS: ms(h.Max())}
}

// Finding is one thing a run showed, with what to do about it.
type Finding struct {
	// Kind is held, knee, amplification, lost_429, lost_4xx,
	// lost_exhausted or generator.
	Kind string `json:"kind"`
	Text string `json:"text"`
	// Requirement is the requirement whose fix applies, e.g. RC-11.
	Requirement string `json:"requirement,omitempty"`
	Fix         string `json:"fix,omitempty"`
}

// Pass reports whether every objective held.
func (r *Result) Pass() bool {
	for _, v := range r.Objectives {
		if !v.Pass {
			return false
		}
	}
	return true
}
