package webhook

import (
	"sync"
	"time"
)

// attemptRec is an Attempt as a journal keeps it: 56 bytes instead of
// Attempt's 120, because what rarely varies between attempts (failure,
// detail, response headers and body) sits in an answer shared between
// them. Ten attempts fit a 576-byte allocation instead of 1,280 bytes.
type attemptRec struct {
	startedAt time.Time
	duration  time.Duration
	waitAfter time.Duration
	// number and status fit int32: a status has three digits (net/http
	// rejects others) and no schedule runs two billion attempts.
	number int32
	status int32
	answer *answer // nil when the attempt got neither headers, body nor failure
}

// plain returns the public record of the attempt.
func (r *attemptRec) plain() Attempt {
	a := Attempt{Number: int(r.number), StartedAt: r.startedAt, Duration: r.duration,
		StatusCode: int(r.status), WaitAfter: r.waitAfter}
	if an := r.answer; an != nil {
		a.Failure, a.Detail = an.failure, an.detail
		a.ResponseHeaders, a.ResponseBody, a.BodyTruncated = an.headers, an.body, an.truncated
		a.Redirect = an.redirect
	}
	return a
}

// journal is the record of one delivery as the sender keeps it while the
// delivery runs, and as a Ticket keeps it afterwards: the plain Delivery
// without its attempts, and the attempts in compact form. With 100,000
// deliveries pending, the attempts are most of the memory (§2 of
// BENCHMARKS.md); the public Attempt stays a plain struct, and a plain
// *Delivery is built from the journal whenever someone asks for one.
//
// One goroutine at a time runs the delivery and writes the journal; mu
// lets any other goroutine build the record meanwhile.
type journal struct {
	mu sync.Mutex
	// head holds every field of the record but Attempts and
	// WebhookStatusCode, which delivery derives from attempts. Its ID,
	// Target, Notification, Policy, Request and StartedAt are set before
	// the delivery is handed to anyone and never change.
	head     Delivery
	attempts []attemptRec
}

// count returns the number of attempts recorded; only the goroutine that
// runs the delivery calls it.
func (j *journal) count() int { return len(j.attempts) }

// add records an attempt whose answer has been interned.
func (j *journal) add(a *Attempt, an *answer) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.attempts = append(j.attempts, attemptRec{startedAt: a.StartedAt, duration: a.Duration, waitAfter: a.WaitAfter,
		number: int32(a.Number), status: int32(a.StatusCode), answer: an}) //nolint:gosec // bounds: see attemptRec
}

// notMade records how many attempts of the schedule were not made.
func (j *journal) notMade(n int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.head.NotMade = n
}

// end records how and when the delivery ended.
func (j *journal) end(o Outcome, at time.Time) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.head.Outcome, j.head.EndedAt = o, at
}

// delivery builds the plain record so far: a new *Delivery that the
// caller owns, sharing only read-only values (header sets, strings) with
// the journal.
func (j *journal) delivery() *Delivery {
	j.mu.Lock()
	defer j.mu.Unlock()
	d := j.head
	d.Attempts = make([]Attempt, len(j.attempts))
	for i := range j.attempts {
		d.Attempts[i] = j.attempts[i].plain()
	}
	d.WebhookStatusCode = webhookStatusCode(d.Attempts)
	return &d
}
