package steps

import (
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/hookcheck/hookcheck/internal/stats"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// The expectations judge what the deliveries and probes of the scenario
// got; the checks of one delivery are in verdicts.go.

// expectAcknowledged: the latest delivery's first attempt got a 2xx
// within the deadline (D-3).
// While the API is slow on purpose (RC-15), a failure also names the
// receiver's fetch that was still waiting when the attempt ended.
func (st *conformanceScenario) expectAcknowledged() error {
	err := st.eachLast(func(d *webhook.Delivery) error {
		err := acknowledged(d)
		if err != nil && st.cfg.API == nil && fetchMayExplain(d) {
			return fmt.Errorf("%w. %s", err, st.cfg.Vocabulary.Say(withoutAPIHint, withoutAPIHintGo))
		}
		return err
	})
	if err != nil && st.fault.Delay > 0 {
		if note := st.heldFetches(); note != "" {
			return fmt.Errorf("%w. %s", err, note)
		}
	}
	return err
}

// withoutAPIHint explains a 5xx or a timeout to a transcript notification
// in a run without the emulated API: the transcript_id is hookcheck's own,
// so a receiver that fetches before it answers cannot succeed.
const withoutAPIHint = "This run serves no AssemblyAI API (no --api), so no API knows this transcript_id: " +
	"a receiver that fetches the transcript before it answers gets an error or no answer, and fails like this. " +
	"If yours fetches first, run with --api and point its AssemblyAI base URL at hookcheck's emulated API (and answer before fetching: RC-15)"

// withoutAPIHintGo is withoutAPIHint for the Go API, which names Target's
// fields instead of flags.
const withoutAPIHintGo = "This run serves no AssemblyAI API (Target.APIKey is empty), so no API knows this transcript_id: " +
	"a receiver that fetches the transcript before it answers gets an error or no answer, and fails like this. " +
	"If yours fetches first, set Target.APIKey and build the handler with Target.NewHandler, pointing its AssemblyAI base URL at the API it is given (and answer before fetching: RC-15)"

// fetchMayExplain reports whether a failed fetch inside the handler could
// be why d's first attempt failed: a transcript notification answered
// with a 5xx or not at all.
func fetchMayExplain(d *webhook.Delivery) bool {
	a := d.Attempts[0]
	return d.Notification.Kind == webhook.KindTranscript && d.Probe == "" && (a.StatusCode >= 500 || !a.Answered())
}

// expectEveryAcknowledged: so did every delivery of the scenario.
func (st *conformanceScenario) expectEveryAcknowledged() error {
	return st.eachDelivery(acknowledged)
}

// expectRefused: the latest request got a 4xx (D-5).
func (st *conformanceScenario) expectRefused() error { return st.eachLast(refused) }

// expectNoServerFailure: the latest request got no 5xx and no timeout.
func (st *conformanceScenario) expectNoServerFailure() error { return st.eachLast(noServerFailure) }

// expectNoRedirect: no attempt of the latest delivery got a 3xx (P-3).
func (st *conformanceScenario) expectNoRedirect() error { return st.eachLast(noRedirect) }

// tlsVerdict: the handshake verified the certificate and negotiated TLS
// 1.2 or later (RC-14).
func (st *conformanceScenario) tlsVerdict() error {
	switch {
	case st.tlsErr != nil:
		return fmt.Errorf("the TLS handshake with %s failed: %w. AssemblyAI's deliveries would fail on every attempt (P-4) and the notification would be lost", st.target(), st.tlsErr)
	case st.tlsVer == 0:
		return errors.New("no TLS handshake was made in this scenario")
	case st.tlsVer < tls.VersionTLS12:
		return fmt.Errorf("the server negotiated %s; TLS 1.2 or later is required", tls.VersionName(st.tlsVer))
	}
	return nil
}

// eachLast applies check to every delivery of the latest When step.
func (st *conformanceScenario) eachLast(check func(*webhook.Delivery) error) error {
	if len(st.last) == 0 {
		return errors.New("no delivery in this scenario yet: add a When step")
	}
	return checkAll(st.last, check)
}

// eachDelivery applies check to every delivery of the scenario.
func (st *conformanceScenario) eachDelivery(check func(*webhook.Delivery) error) error {
	st.mu.Lock()
	ds := slices.Clone(st.ev.Deliveries)
	stopped := st.ev.Stopped
	st.mu.Unlock()
	if len(ds) == 0 {
		return errors.New("no delivery in this scenario yet: add a When step")
	}
	err := checkAll(ds, check)
	if err != nil && stopped != "" {
		// Say why fewer deliveries were made than the step asked for.
		return fmt.Errorf("%w (the sequence %s)", err, stopped)
	}
	return err
}

func checkAll(ds []*webhook.Delivery, check func(*webhook.Delivery) error) error {
	var failed []error
	for _, d := range ds {
		if err := check(d); err != nil {
			if FailureMode(err) == "" {
				err = withMode(deliveryMode(d), err) // the fix depends on the answer
			}
			failed = append(failed, err)
		}
	}
	switch {
	case len(failed) == 0:
		return nil
	case len(ds) == 1:
		return failed[0]
	}
	return fmt.Errorf("%d of %d deliveries failed; the first: %w", len(failed), len(ds), failed[0])
}

// p95WithinBudget: the 95th percentile of the first attempts' times is
// within the latency budget (RC-03).
func (st *conformanceScenario) p95WithinBudget() error {
	st.mu.Lock()
	ds := slices.Clone(st.ev.Deliveries)
	st.mu.Unlock()
	if len(ds) == 0 {
		return errors.New("no delivery in this scenario yet")
	}
	times := make([]time.Duration, len(ds))
	for i, d := range ds {
		times[i] = d.Attempts[0].Duration
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	p95 := stats.Percentile(times, 95)
	budget := st.cfg.latencyBudget()
	st.mu.Lock()
	stopped := st.ev.Stopped
	st.mu.Unlock()
	if stopped != "" {
		return fmt.Errorf("p95 acknowledgement time exceeds the %s budget: %s (p50 %s, max %s over the %d made). At this speed a slow moment in production reaches AssemblyAI's 10 s deadline (D-3), and each miss costs a retry",
			stats.FormatDuration(budget), stopped, stats.FormatDuration(stats.Percentile(times, 50)), stats.FormatDuration(times[len(times)-1]), len(times))
	}
	if p95 > budget {
		return fmt.Errorf("p95 acknowledgement time %s exceeds the %s budget (p50 %s, max %s over %d deliveries). At this speed a slow moment in production reaches AssemblyAI's 10 s deadline (D-3), and each miss costs a retry",
			stats.FormatDuration(p95), stats.FormatDuration(budget), stats.FormatDuration(stats.Percentile(times, 50)), stats.FormatDuration(times[len(times)-1]), len(times))
	}
	return nil
}
