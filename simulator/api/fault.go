package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Fault makes GET /v2/transcript/{id} of one transcript misbehave on
// purpose, so a check can see how a receiver copes when the transcript it
// fetches after a notification is slow or failing. The zero Fault is no
// fault. A GET that misbehaves first waits Delay, then answers Status (an
// {"error": ...} body, A-6) or, when Status is 0, the transcript as usual.
// Once Times GETs have misbehaved, or For has passed since the fault was
// set, the transcript answers normally again: a recovery.
type Fault struct {
	// Status, when not 0, is answered instead of the transcript: 400..599,
	// e.g. 500, or 429 with RetryAfter.
	Status int
	// Delay holds each misbehaving answer back this long, on the server's
	// clock; it ends early when the client goes away.
	Delay time.Duration
	// RetryAfter, when positive, is sent with the Status answer as a
	// Retry-After header in whole seconds, rounded up.
	RetryAfter time.Duration
	// Times is how many GETs misbehave before the recovery; 0 means no
	// count limit.
	Times int
	// For is how long after the fault is set GETs misbehave; 0 means no
	// time limit.
	For time.Duration
}

// validate reports what makes f unusable.
func (f Fault) validate() error {
	var errs []error
	if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
		errs = append(errs, fmt.Errorf("fault status must be 0 or 400..599, got %d", f.Status))
	}
	if f.Delay < 0 || f.RetryAfter < 0 || f.For < 0 || f.Times < 0 {
		errs = append(errs, errors.New("fault delay, retry-after, for and times must not be negative"))
	}
	if f.RetryAfter > 0 && f.Status == 0 {
		errs = append(errs, errors.New("fault retry-after needs a status"))
	}
	return errors.Join(errs...)
}

// setFault makes f t's fault from now on, counting afresh.
func (t *transcript) setFault(f Fault, now time.Time) {
	t.fault, t.faultSince, t.faultHits = f, now, 0
}

// takeFault reports whether a GET at now misbehaves, and how; it counts
// the GET against Fault.Times. It runs under the store's lock.
func (t *transcript) takeFault(now time.Time) (Fault, bool) {
	f := t.fault
	switch {
	case f == Fault{}:
		return f, false
	case f.Times > 0 && t.faultHits >= f.Times:
		return f, false
	case f.For > 0 && !now.Before(t.faultSince.Add(f.For)):
		return f, false
	}
	t.faultHits++
	return f, true
}

// SetFault makes transcript id's GET misbehave as f says, from now on
// (Fault.Times and Fault.For count from this call); the zero Fault clears
// it. It works for submitted and seeded transcripts alike.
func (s *Server) SetFault(id string, f Fault) error {
	if err := f.validate(); err != nil {
		return fmt.Errorf("transcript %s: %w", id, err)
	}
	now := s.cfg.Clock.Now()
	if !s.store.view(id, func(t *transcript) { t.setFault(f, now) }) {
		return fmt.Errorf("transcript %s: %w", id, ErrNoTranscript)
	}
	return nil
}

// answerFault applies f to a GET: the delay, then the Status answer. It
// reports whether it has answered (or the client went away), so the
// caller answers the transcript only when it returns false.
func (s *Server) answerFault(ctx context.Context, w http.ResponseWriter, f Fault) bool {
	if f.Delay > 0 && !s.sleep(ctx, f.Delay) {
		return true // the client is gone: nobody to answer
	}
	if f.Status == 0 {
		return false
	}
	if f.RetryAfter > 0 {
		secs := (f.RetryAfter + time.Second - 1) / time.Second
		w.Header().Set("Retry-After", strconv.FormatInt(int64(secs), 10))
	}
	writeError(w, f.Status, http.StatusText(f.Status))
	return true
}

// sleep waits d on the server's clock (virtual inside a synctest bubble or
// with a fake clock); it reports false when ctx ends first.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	t := s.cfg.Clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-ctx.Done():
		return false
	}
}
