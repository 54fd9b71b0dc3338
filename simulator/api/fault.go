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

// releaseCh is closed by Release to end the delays of the GETs held now;
// it is made on first use, under the store's lock.
func (t *transcript) releaseCh() chan struct{} {
	if t.released == nil {
		t.released = make(chan struct{})
	}
	return t.released
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

// Release ends the faults of the transcripts ids: their fault is cleared,
// and a GET held by a fault's delay right now is answered at once, as it
// would have been at the end of the delay. A check that made the API slow
// for one scenario calls it as the scenario ends, so that no fetch stays
// held into the next one. Unknown ids are ignored.
func (s *Server) Release(ids ...string) {
	for _, id := range ids {
		s.store.view(id, func(t *transcript) {
			t.fault = Fault{}
			if t.released != nil {
				close(t.released)
				t.released = nil
			}
		})
	}
}

// Held reports how many GETs of transcript id a fault's delay holds back
// right now: a receiver that fetches it is waiting for the answer.
func (s *Server) Held(id string) int {
	n := 0
	s.store.view(id, func(t *transcript) { n = t.held })
	return n
}

// answerFault applies f to a GET: the delay, then the Status answer. It
// reports whether it has answered (or the client went away), so the
// caller answers the transcript only when it returns false.
func (s *Server) answerFault(ctx context.Context, w http.ResponseWriter, id string, f Fault) bool {
	if f.Delay > 0 {
		var release chan struct{}
		s.store.view(id, func(t *transcript) { release = t.releaseCh(); t.held++ })
		ok := s.sleep(ctx, f.Delay, release)
		s.store.view(id, func(t *transcript) { t.held-- })
		if !ok {
			return true // the client is gone: nobody to answer
		}
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
// with a fake clock), or until release is closed (Release); it reports
// false when ctx ends first.
func (s *Server) sleep(ctx context.Context, d time.Duration, release <-chan struct{}) bool {
	t := s.cfg.Clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-release:
		return true
	case <-ctx.Done():
		return false
	}
}
