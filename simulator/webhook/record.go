package webhook

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/hookcheck/hookcheck/internal/stats"
)

// Outcome is how a delivery ended.
type Outcome string

// The outcomes of a delivery.
const (
	// Delivered: an attempt got a 2xx (D-3).
	Delivered Outcome = "delivered"
	// Rejected: an attempt got a 4xx, which is never retried (D-5, P-6).
	Rejected Outcome = "rejected"
	// Exhausted: every attempt failed; AssemblyAI gives up (D-6).
	Exhausted Outcome = "exhausted"
	// Cancelled: the run was stopped before the delivery ended.
	Cancelled Outcome = "cancelled"
	// Stopped: the caller had what it needed (DeliveryOptions.Decided)
	// and the remaining attempts were not made (Delivery.NotMade).
	Stopped Outcome = "stopped"
)

// ErrorClass names why an attempt got no HTTP answer (P-4).
type ErrorClass string

// The error classes of an attempt.
const (
	NoError           ErrorClass = ""
	ErrTimeout        ErrorClass = "timeout"
	ErrRefused        ErrorClass = "connection_refused"
	ErrReset          ErrorClass = "connection_reset"
	ErrDNS            ErrorClass = "dns"
	ErrTLS            ErrorClass = "tls"
	ErrProtocol       ErrorClass = "protocol"
	ErrAttemptStopped ErrorClass = "cancelled"
)

// Request is the evidence of what a delivery sent, secrets masked.
type Request struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	// Headers are shared between the deliveries of a sender: read-only.
	Headers http.Header `json:"headers"`
	Body    string      `json:"body"`
}

// Attempt is the record of one attempt of a delivery: when it ran, and
// either the HTTP answer it got (StatusCode, ResponseHeaders, ResponseBody)
// or why it got none (Failure, Detail).
type Attempt struct {
	// Number counts attempts from 1.
	Number int
	// StartedAt is when the attempt began to dial.
	StartedAt time.Time
	// Duration runs from StartedAt to the status line and headers, or to
	// the failure (P-1).
	Duration time.Duration
	// StatusCode is the answer's HTTP status; 0 when there was no answer.
	StatusCode int
	// Redirect, when the attempt's redirects were followed (P-3), is the
	// receiver's own first answer, a 3xx; the other fields are the end
	// of the chain. Nil when no redirect was followed.
	Redirect *Redirect
	// ResponseHeaders are the answer's headers. The sender shares equal
	// header sets between records to keep many pending deliveries small,
	// so treat them as read-only: clone before changing.
	ResponseHeaders http.Header
	// ResponseBody is at most MaxBodyBytes of the answer's body (P-1).
	ResponseBody string
	// BodyTruncated is true when the body was longer than what was kept,
	// or did not end before the deadline.
	BodyTruncated bool
	// Failure is why the attempt got no HTTP answer (P-4); NoError when
	// it got one.
	Failure ErrorClass
	// Detail is the transport's own words for Failure.
	Detail string
	// WaitAfter is the wait that followed this attempt (0 for the last).
	WaitAfter time.Duration
}

// Answered reports whether the attempt got an HTTP status.
func (a Attempt) Answered() bool { return a.StatusCode != 0 }

// OwnStatus is the receiver's own answer to the attempt: the 3xx of a
// followed redirect (Redirect), else StatusCode.
func (a Attempt) OwnStatus() int {
	if a.Redirect != nil {
		return a.Redirect.StatusCode
	}
	return a.StatusCode
}

// Succeeded reports whether the attempt got a 2xx (D-3).
func (a Attempt) Succeeded() bool { return a.StatusCode >= 200 && a.StatusCode < 300 }

// attemptJSON is an Attempt on the wire, in the field order that
// `hookcheck send --json` and results.json have always had.
type attemptJSON struct {
	Number          int         `json:"number"`
	Failure         ErrorClass  `json:"error"`
	Detail          string      `json:"detail,omitempty"`
	ResponseHeaders http.Header `json:"response_headers,omitempty"`
	ResponseBody    string      `json:"response_body,omitempty"`
	BodyTruncated   bool        `json:"body_truncated,omitempty"`
	StartedAt       string      `json:"started_at"`
	DurationMS      float64     `json:"duration_ms"`
	StatusCode      *int        `json:"status_code"`
	Redirect        *Redirect   `json:"redirect,omitempty"`
	WaitAfterMS     float64     `json:"wait_after_ms"`
}

// MarshalJSON renders times as RFC 3339 with fractional seconds, durations
// in milliseconds and a missing status as null.
func (a Attempt) MarshalJSON() ([]byte, error) {
	j := attemptJSON{Number: a.Number, Failure: a.Failure, Detail: a.Detail, ResponseHeaders: a.ResponseHeaders,
		ResponseBody: a.ResponseBody, BodyTruncated: a.BodyTruncated, Redirect: a.Redirect,
		StartedAt: a.StartedAt.UTC().Format(time.RFC3339Nano), DurationMS: stats.Milliseconds(a.Duration), WaitAfterMS: stats.Milliseconds(a.WaitAfter)}
	if a.StatusCode != 0 {
		j.StatusCode = &a.StatusCode
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes. Like encoding/json for a
// plain struct, it keeps the fields the input leaves out.
func (a *Attempt) UnmarshalJSON(b []byte) error {
	j := attemptJSON{Number: a.Number, Failure: a.Failure, Detail: a.Detail, ResponseHeaders: a.ResponseHeaders,
		ResponseBody: a.ResponseBody, BodyTruncated: a.BodyTruncated}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	t, err := time.Parse(time.RFC3339Nano, j.StartedAt)
	if err != nil {
		return err
	}
	a.Number, a.Failure, a.Detail = j.Number, j.Failure, j.Detail
	a.ResponseHeaders, a.ResponseBody, a.BodyTruncated = j.ResponseHeaders, j.ResponseBody, j.BodyTruncated
	if j.Redirect != nil {
		a.Redirect = j.Redirect
	}
	a.StartedAt, a.Duration, a.WaitAfter = t, stats.FromMilliseconds(j.DurationMS), stats.FromMilliseconds(j.WaitAfterMS)
	if j.StatusCode != nil {
		a.StatusCode = *j.StatusCode
	}
	return nil
}

// PolicySummary is the part of a policy a record shows (secrets left out).
type PolicySummary struct {
	TimeoutMS       float64 `json:"timeout_ms"`
	MaxAttempts     int     `json:"max_attempts"`
	RetryIntervalMS float64 `json:"retry_interval_ms"`
	Pace            string  `json:"pace"`
	Region          Region  `json:"region"`
	SourceAddress   string  `json:"source_address"`
	AuthHeaderName  string  `json:"auth_header_name,omitempty"`
	// ScheduleMS are the waits before each retry, when the policy has a
	// schedule rather than one interval.
	ScheduleMS []float64 `json:"schedule_ms,omitempty"`
	// Signature names the signing scheme of a signed delivery.
	Signature string `json:"signature,omitempty"`
	// RetryOn4xx says the sender retries a 4xx answer (other providers
	// than AssemblyAI, which never does: D-5).
	RetryOn4xx bool `json:"retry_on_4xx,omitempty"`
	// StopOn lists answers that end a delivery at once (other providers).
	StopOn []int `json:"stop_on,omitempty"`
	// RetryAfterOn lists answers whose Retry-After sets the wait before
	// the next attempt (other providers: SW-10).
	RetryAfterOn []int `json:"retry_after_on,omitempty"`
}

// ScheduleLength is how long a delivery that fails every attempt waits in
// all, in real time (whatever the pace of the run that recorded it).
func (s PolicySummary) ScheduleLength() time.Duration {
	var total time.Duration
	for n := 1; n < s.MaxAttempts; n++ {
		ms := s.RetryIntervalMS
		if n <= len(s.ScheduleMS) {
			ms = s.ScheduleMS[n-1]
		}
		total += time.Duration(ms * float64(time.Millisecond))
	}
	return total
}

// LogValue logs the summary as attributes named as in a record, so that a
// log line carries key=value pairs, never a Go struct.
func (s PolicySummary) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.Float64("timeout_ms", s.TimeoutMS), slog.Int("max_attempts", s.MaxAttempts),
		slog.Float64("retry_interval_ms", s.RetryIntervalMS), slog.String("pace", s.Pace),
		slog.String("region", string(s.Region)), slog.String("source_address", s.SourceAddress),
	}
	if s.AuthHeaderName != "" {
		attrs = append(attrs, slog.String("auth_header_name", s.AuthHeaderName))
	}
	return slog.GroupValue(attrs...)
}

// Summary returns what a record shows of p.
func (p Policy) Summary() PolicySummary {
	s := PolicySummary{TimeoutMS: stats.Milliseconds(p.Timeout), MaxAttempts: p.MaxAttempts,
		RetryIntervalMS: stats.Milliseconds(p.RetryInterval), Pace: p.Pace.String(), Region: p.Region,
		SourceAddress: p.Source.String()}
	if p.Auth != nil {
		s.AuthHeaderName = p.Auth.Name
	}
	for _, d := range p.Schedule {
		s.ScheduleMS = append(s.ScheduleMS, stats.Milliseconds(d))
	}
	if p.Signing != nil {
		s.Signature = string(p.Signing.Provider)
		s.RetryOn4xx, s.StopOn, s.RetryAfterOn = p.RetryOn4xx, p.StopOn, p.RetryAfterOn
	}
	return s
}

// Delivery is the full record of one notification's delivery: what was
// sent, every attempt, and how it ended.
type Delivery struct {
	// ID identifies the delivery within a run.
	ID string `json:"id"`
	// Target is the webhook URL, any password in it masked.
	Target       string        `json:"target"`
	Notification Notification  `json:"notification"`
	Policy       PolicySummary `json:"policy"`
	Request      Request       `json:"request"`
	Attempts     []Attempt     `json:"attempts"`
	Outcome      Outcome       `json:"outcome"`
	// WebhookStatusCode is what AssemblyAI would report in the
	// transcript's webhook_status_code (D-10, P-5).
	WebhookStatusCode *int      `json:"webhook_status_code"`
	StartedAt         time.Time `json:"started_at"`
	EndedAt           time.Time `json:"ended_at"`
	// NotMade counts the attempts the policy still allowed when the
	// delivery was Stopped: AssemblyAI would have made them.
	NotMade int `json:"attempts_not_made,omitempty"`
	// Payload, when set, summarises a body that Request.Body holds only
	// the start of (a streaming session's webhook, S-5).
	Payload *PayloadSummary `json:"payload,omitempty"`
	// Probe, for a request AssemblyAI never sends (a conformance probe,
	// sent once to see how the receiver answers it), says what makes it
	// one: "malformed body: invalid JSON", "no auth header", "method GET".
	// Empty for a delivery as AssemblyAI makes it.
	Probe string `json:"probe,omitempty"`
}

// LastAttempt returns the last attempt, or the zero Attempt when none ran.
func (d *Delivery) LastAttempt() Attempt {
	if len(d.Attempts) == 0 {
		return Attempt{}
	}
	return d.Attempts[len(d.Attempts)-1]
}

// webhookStatusCode applies P-5: the status of the last attempt that got an
// HTTP answer, nil when none did.
func webhookStatusCode(attempts []Attempt) *int {
	for i := len(attempts) - 1; i >= 0; i-- {
		if attempts[i].Answered() {
			c := attempts[i].StatusCode
			return &c
		}
	}
	return nil
}

// Timeout returns the per-attempt deadline the delivery ran under.
func (s PolicySummary) Timeout() time.Duration { return stats.FromMilliseconds(s.TimeoutMS) }

// Lost says what the receiver's app loses when AssemblyAI gives up on d
// (D-5, D-6), by what d announced: "the notification is lost and your app
// must poll GET /v2/transcript/{id}" for a transcript (D-6), the
// notification alone for D-11's, which names no transcript, and the
// session's transcript for a streaming session (S-3). It is "" for a probe (Probe, or a method other than POST,
// which AssemblyAI never uses: D-1), which announces nothing.
func (d *Delivery) Lost() string {
	if d.Probe != "" || (d.Request.Method != "" && d.Request.Method != http.MethodPost) {
		return ""
	}
	switch d.Notification.Kind {
	case KindRaw: // a notification sent as it is, e.g. with extra fields (RC-06)
		if d.Policy.Signature != "" {
			return "the event is lost" // another provider's signed event
		}
		return "the notification is lost"
	case KindTranscript:
		return "the notification is lost and your app must poll GET /v2/transcript/{id}"
	case KindRedactedAudio:
		return "the redacted-audio notification is lost"
	case KindStreamingSession:
		return "the session's transcript is lost, and a streaming session has none to poll"
	}
	return ""
}
