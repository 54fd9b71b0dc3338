package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/internal/stats"
	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// The API steps check the receiver's whole job (RC-15..RC-17, RC-19): with the
// emulated AssemblyAI API served for the run (Conformance.API), every
// notification refers to a transcript that exists there in the matching
// state, the API can misbehave on purpose for a scenario's transcripts,
// and every call the receiver makes to it is evidence.

// apiPoll is how often an expectation looks at the API's call log while it
// waits for the receiver's fetch. An odd period: receivers retry after
// round waits (250 ms, 1 s, Retry-After), and a look at the very instant
// of a retry would see it or not by chance, so that the same run would
// take different (virtual) times; 23 ms never meets a multiple of 250 ms
// within a check's deadline.
const apiPoll = 23 * time.Millisecond

// requireAPI: RC-15..RC-17, RC-19 need the emulated API, or the receiver's calls
// cannot be seen.
func (st *conformanceScenario) requireAPI() error {
	if st.cfg.API == nil {
		return st.notApplicable("the run does not serve AssemblyAI's API (" + st.cfg.Vocabulary.Say(
			"set --api ADDR and HOOKCHECK_API_KEY, and point the receiver's AssemblyAI base URL at it",
			"set Target.NewHandler and build the handler with the API it is given; for a URL target, Target.APIAddr and Target.APIKey, and point the receiver's AssemblyAI base URL at it") + ")")
	}
	return nil
}

// apiSlow makes the API hold back every GET of the scenario's transcripts
// for secs seconds.
func (st *conformanceScenario) apiSlow(secs int) error {
	if err := st.requireAPI(); err != nil {
		return err
	}
	st.fault = api.Fault{Delay: time.Duration(secs) * time.Second}
	return nil
}

// apiFailing makes the API answer the first times GETs of each of the
// scenario's transcripts with status, then recover. A 429 carries
// Retry-After: 1, as a rate limit does.
func (st *conformanceScenario) apiFailing(times, status int) error {
	if err := st.requireAPI(); err != nil {
		return err
	}
	f := api.Fault{Status: status, Times: times}
	if status == http.StatusTooManyRequests {
		f.RetryAfter = time.Second
	}
	if f.Status < 400 || f.Status > 599 {
		return fmt.Errorf("the API can only fail with a 4xx or 5xx status, not %d", status)
	}
	st.fault = f
	return nil
}

// seed makes the transcript n refers to exist in the API in the matching
// state (completed or error), with the scenario's fault; a redacted-audio
// notification gets a completed transcript with redacted audio and its
// real URL. A redelivery's transcript exists already.
func (st *conformanceScenario) seed(n *webhook.Notification) error {
	if st.cfg.API == nil {
		return nil
	}
	seed := api.SeedTranscript{Fault: st.fault}
	switch n.Kind {
	case webhook.KindTranscript:
		seed.ID, seed.Status = n.TranscriptID, api.Status(n.Status)
	case webhook.KindRedactedAudio:
		seed.ID, seed.RedactPIIAudio = webhook.NewUUID(), true
		n.RedactedAudioURL = st.cfg.API.RedactedAudioURL(seed.ID)
	default:
		return nil
	}
	err := st.cfg.API.Seed(seed)
	if errors.Is(err, api.ErrTranscriptExists) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("seed the emulated API: %w", err)
	}
	st.mu.Lock()
	st.ids = append(st.ids, seed.ID)
	if seed.Fault != (api.Fault{}) {
		st.ev.APIFaults = append(st.ev.APIFaults, FaultedTranscript{TranscriptID: seed.ID, API: st.cfg.APIURL, Fault: seed.Fault})
	}
	st.mu.Unlock()
	return nil
}

// calls returns the API calls concerning the scenario's transcripts, in
// the order they arrived.
func (st *conformanceScenario) calls() []api.Call {
	if st.cfg.API == nil {
		return nil
	}
	st.mu.Lock()
	ids := slices.Clone(st.ids)
	st.mu.Unlock()
	var out []api.Call
	for _, id := range ids {
		out = append(out, st.cfg.API.Calls(id)...)
	}
	slices.SortStableFunc(out, func(a, b api.Call) int { return a.At.Compare(b.At) })
	return out
}

// expectNo4xx: no attempt of the latest delivery got a 4xx, which would
// end it (D-5), whatever the API did (RC-16).
func (st *conformanceScenario) expectNo4xx() error {
	return st.eachLast(func(d *webhook.Delivery) error {
		for _, a := range d.Attempts {
			if a.StatusCode >= 400 && a.StatusCode < 500 {
				return withMode(ModeAPIStatus, fmt.Errorf("%s; attempt %d got %d while AssemblyAI's API was failing. A 4xx is never retried (D-5, P-6): the notification is lost. Answer 2xx, then retry the fetch in the background until it succeeds",
					exchange(d), a.Number, a.StatusCode))
			}
		}
		return nil
	})
}

// expectFetchRecovered: when a fetch of a latest delivery's transcript got
// the API's failure, a later one succeeded (RC-16). A receiver that never
// fetches (or whose fetches never got the failure, being refused for a
// wrong key) had nothing to recover from: the step is not applicable, and
// the fetch itself is RC-17's finding. The scenario's "never answers it
// with a 4xx" runs before this step and keeps its own meaning.
func (st *conformanceScenario) expectFetchRecovered(ctx context.Context) error {
	if err := st.requireAPI(); err != nil {
		return err
	}
	if st.fault.Status == 0 {
		return errors.New("AssemblyAI's API was not made to fail in this scenario, so there is no recovery to check: add a Given step \"AssemblyAI's API answers the first 2 fetches of the transcript with 500, then recovers\"")
	}
	// Not applicable only if nothing else is wrong: a 4xx loses the
	// notification fetch or not, whatever order a feature's steps are in.
	if lost := st.expectNo4xx(); lost != nil {
		return lost
	}
	return st.eachLastTranscript(ctx, func(id string, calls []api.Call) (bool, error) {
		failedAt := -1
		var fetches []api.Call
		for i, c := range calls {
			if !isFetch(c, id) {
				continue
			}
			fetches = append(fetches, c)
			if c.Status == st.fault.Status {
				failedAt = i
			}
		}
		for _, c := range calls[failedAt+1:] {
			if isFetch(c, id) && c.Authorized && c.Status == http.StatusOK {
				return true, nil
			}
		}
		switch {
		case failedAt >= 0:
			return false, withMode(ModeNotRetried, fmt.Errorf("the receiver's fetch of transcript %s got %d from AssemblyAI's API and it never fetched it successfully after the API recovered (%s). The transcript is never read: retry the fetch with backoff (honour Retry-After) until it succeeds",
				id, st.fault.Status, describeCalls(calls)))
		case len(fetches) == 0:
			return false, notApplicableError(fmt.Sprintf("the receiver never fetched transcript %s within %s of the notification, so there was no failed fetch to recover from; RC-17 checks the fetch itself",
				id, stats.FormatDuration(st.cfg.Policy.Timeout)))
		}
		return false, notApplicableError(fmt.Sprintf("no fetch of transcript %s got AssemblyAI's %d (%s), so there was no failed fetch to recover from; RC-17 checks the fetch itself",
			id, st.fault.Status, describeCalls(fetches)))
	})
}

// heldFetches says which fetches of the latest deliveries' transcripts
// were sent during a first attempt that failed and had no answer from the
// slowed API when that attempt ended: the evidence of RC-15's failure.
func (st *conformanceScenario) heldFetches() string {
	calls := st.calls()
	var parts []string
	for _, d := range st.last {
		if len(d.Attempts) == 0 || d.Attempts[0].Succeeded() {
			continue
		}
		a := d.Attempts[0]
		end := a.StartedAt.Add(a.Duration)
		for _, c := range calls {
			if !isFetch(c, d.Notification.TranscriptID) || !c.At.Before(end) || c.At.Before(a.StartedAt) {
				continue
			}
			took := time.Duration(c.DurationMS * float64(time.Millisecond))
			if c.InFlight {
				took = time.Duration(c.WaitedMS * float64(time.Millisecond))
			}
			if c.Status != 0 && c.At.Add(took).Before(end) {
				continue // answered while the attempt still waited
			}
			parts = append(parts, fmt.Sprintf("GET %s, sent %s into attempt %d, had no answer from AssemblyAI's slow API when the attempt ended",
				c.Path, stats.FormatDuration(c.At.Sub(a.StartedAt)), a.Number))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "The receiver's own fetch " + strings.Join(parts, "; ") + ": an answer that waits for the fetch cannot come before the API's"
}

// notApplicableError is what a check of eachLastTranscript returns when
// the precondition of its sentence never happened (no fetch to judge): at
// the end of the wait it makes the step not applicable, not passed.
type notApplicableError string

func (e notApplicableError) Error() string { return string(e) }

// isFailure reports whether err is a finding, not a missing precondition.
func isFailure(err error) bool {
	var na notApplicableError
	return !errors.As(err, &na)
}

// expectFetched: every latest delivery's transcript was fetched with the
// configured key and got it (RC-17).
func (st *conformanceScenario) expectFetched(ctx context.Context) error {
	if err := st.requireAPI(); err != nil {
		return err
	}
	return st.eachLastTranscript(ctx, func(id string, calls []api.Call) (bool, error) {
		var fetches []api.Call
		for _, c := range calls {
			if isFetch(c, id) {
				fetches = append(fetches, c)
			}
		}
		for _, c := range fetches {
			if c.Authorized && c.Status == http.StatusOK {
				return true, nil
			}
		}
		switch {
		case len(fetches) > 0 && !slices.ContainsFunc(fetches, func(c api.Call) bool { return c.Authorized }):
			return false, withMode(ModeWrongKey, fmt.Errorf("the receiver fetched transcript %s with a wrong API key: AssemblyAI's API answered 401 (A-1) and the transcript was never read (%s). Check the key the receiver is configured with",
				id, describeCalls(fetches)))
		case len(fetches) > 0:
			return false, withMode(ModeNotRetried, fmt.Errorf("the receiver fetched transcript %s but never got it (%s)", id, describeCalls(fetches)))
		case len(st.cfg.API.Calls("")) == 0:
			return false, withMode(ModeNoAPICall, fmt.Errorf("the receiver made no call to the emulated AssemblyAI API at %s within %s of the notification. If it calls https://api.assemblyai.com directly, its fetches cannot be checked: make its AssemblyAI base URL configurable and point it here (docs/serve-api.md)",
				st.cfg.APIURL, stats.FormatDuration(st.cfg.Policy.Timeout)))
		}
		return false, withMode(ModeNeverFetched, fmt.Errorf("the receiver did not fetch transcript %s (GET /v2/transcript/%s) within %s of the notification, though it called the API otherwise. Without the fetch it never reads the text, or the error of a failed transcript",
			id, id, stats.FormatDuration(st.cfg.Policy.Timeout)))
	})
}

// eachLastTranscript waits, up to the deadline after the latest delivery
// ended, until check reports done for the transcript of each delivery of
// the latest When step, then returns the first error check gave at the
// end of the wait. check sees the API calls concerning the transcript.
func (st *conformanceScenario) eachLastTranscript(ctx context.Context, check func(id string, calls []api.Call) (bool, error)) error {
	var ids []string
	for _, d := range st.last {
		if d.Notification.Kind == webhook.KindTranscript && !slices.Contains(ids, d.Notification.TranscriptID) {
			ids = append(ids, d.Notification.TranscriptID)
		}
	}
	if len(ids) == 0 {
		return errors.New("no transcript notification in the latest step: add a When step that delivers one")
	}
	clk := st.cfg.clock()
	deadline := clk.Now().Add(st.cfg.Policy.Timeout)
	for {
		// Look after one poll, never at once: a fetch started at the same
		// instant would be seen or not by chance (see pollAPI).
		if err := st.pause(ctx); err != nil {
			return err
		}
		var errs []error
		pending := false
		for _, id := range ids {
			done, err := check(id, st.cfg.API.Calls(id))
			if !done {
				pending = true
				if err != nil {
					errs = append(errs, err)
				}
			}
		}
		if !pending {
			return nil
		}
		if !clk.Now().Before(deadline) {
			return st.endOfWait(errs)
		}
		if why := st.silentAPI(); why != "" && !slices.ContainsFunc(errs, isFailure) {
			// Every check still waits for a first fetch, and none will
			// come (RC-16: no failed fetch to recover from).
			return st.notApplicable(why + ", so no fetch met the API's failure; RC-17 checks the fetch itself")
		}
	}
}

// endOfWait is the step's result when eachLastTranscript's wait ends with
// errs: the failures, if any; otherwise, when every check found its
// precondition missing, not applicable with the first reason.
func (st *conformanceScenario) endOfWait(errs []error) error {
	var failures []error
	var na notApplicableError
	for _, err := range errs {
		var e notApplicableError
		if errors.As(err, &e) {
			if na == "" {
				na = e
			}
			continue
		}
		failures = append(failures, err)
	}
	if len(failures) == 0 && na != "" {
		return st.notApplicable(string(na))
	}
	return errors.Join(failures...)
}

// isFetch reports whether c is a GET of transcript id.
func isFetch(c api.Call, id string) bool {
	return c.Method == http.MethodGet && c.Path == "/v2/transcript/"+id
}

// describeCalls lists calls briefly: "GET 401, GET still waiting after 3 s".
func describeCalls(calls []api.Call) string {
	if len(calls) == 0 {
		return "no call"
	}
	parts := make([]string, 0, len(calls))
	for _, c := range calls {
		status := "no answer"
		switch {
		case c.InFlight:
			status = "still waiting after " + stats.FormatDuration(time.Duration(c.WaitedMS*float64(time.Millisecond)))
		case c.Status != 0:
			status = fmt.Sprint(c.Status)
		}
		parts = append(parts, c.Method+" "+status)
	}
	return strings.Join(parts, ", ")
}
