package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hookcheck/hookcheck/internal/stats"
	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// RC-19: while AssemblyAI's API holds the receiver's fetch of one
// transcript, other notifications must still be acknowledged. A receiver
// that serves one request at a time meanwhile (FastAPI's `async def`
// route calling the blocking requests.get, a synchronous call in a Node
// handler, one worker) stalls them all. The scenario runs in the suite's
// isolated phase: the stall it provokes must not reach another scenario,
// and no other scenario's traffic may stand in its way.

// The failure modes of RC-19, by the kind of server the receiver's
// answers named (Server, X-Powered-By): each kind has its own fix.
const (
	ModeStallASGI = "stall-asgi" // uvicorn, hypercorn: an event loop blocked by a sync call
	ModeStallWSGI = "stall-wsgi" // gunicorn, Werkzeug, waitress: one worker
	ModeStallNode = "stall-node" // Express, Node: the event loop blocked
)

// deliverWhileFetchHeld delivers a notification whose transcript fetch
// the API holds (the scenario's slow fault), waits until the receiver's
// fetch of it is held, then delivers the others at once, each with a
// transcript the API answers at once. The latest deliveries are those
// others; the first is in the evidence, judged by RC-15.
func (st *conformanceScenario) deliverWhileFetchHeld(ctx context.Context, status string, others int) error {
	if err := st.requireAPI(); err != nil {
		return err
	}
	if st.fault.Delay <= 0 {
		return errors.New("no slow fetch in this scenario: add the Given step that makes AssemblyAI's API answer each fetch only after some seconds")
	}
	if others < 1 || others > maxHeldOthers {
		return fmt.Errorf("deliver between 1 and %d notifications while the fetch is held, not %d", maxHeldOthers, others)
	}
	// The others' transcripts answer at once; only the first is slow.
	slow := st.fault
	st.fault = api.Fault{}
	var rest []webhook.Notification
	for range others {
		n, err := st.notification(status)
		if err == nil {
			err = st.seed(&n)
		}
		if err != nil {
			st.fault = slow
			return err
		}
		rest = append(rest, n)
	}
	st.fault = slow
	first, err := st.notification(status)
	if err == nil {
		err = st.seed(&first)
	}
	if err != nil {
		return err
	}
	st.heldID = first.TranscriptID

	sender, err := webhook.NewSender(st.cfg.Policy, st.cfg.Options)
	if err != nil {
		return fmt.Errorf("delivery policy: %w", err)
	}
	defer sender.Close()
	deliver := func(n webhook.Notification) (*webhook.Delivery, error) {
		return sender.DeliverWith(ctx, st.target(), n, decidedByFirstAttempt, webhook.Observer{})
	}
	firstDone := make(chan struct{})
	var firstD *webhook.Delivery
	var firstErr error
	go func() {
		defer close(firstDone)
		firstD, firstErr = deliver(first)
	}()
	held := st.waitHeld(ctx, first.TranscriptID)
	if !held {
		<-firstDone
		if firstErr != nil {
			return firstErr
		}
		st.record(firstD)
		if ctx.Err() != nil {
			return fmt.Errorf("the run was stopped during the delivery: %w", context.Cause(ctx))
		}
		if why := st.silentAPI(); why != "" {
			return st.notApplicable(why + ", so no fetch was slow; RC-17 checks the fetch itself")
		}
		return st.notApplicable(fmt.Sprintf("the receiver made no fetch of transcript %s that AssemblyAI's API could hold within %s of its notification (%s), so no fetch was slow; RC-17 checks the fetch itself",
			first.TranscriptID, stats.FormatDuration(st.cfg.Policy.Timeout), describeCalls(st.cfg.API.Calls(first.TranscriptID))))
	}
	ds := make([]*webhook.Delivery, len(rest))
	errs := make([]error, len(rest))
	var wg sync.WaitGroup
	for i, n := range rest {
		wg.Go(func() { ds[i], errs[i] = deliver(n) })
	}
	wg.Wait()
	<-firstDone
	if err := errors.Join(append(errs, firstErr)...); err != nil {
		return err
	}
	st.record(append([]*webhook.Delivery{firstD}, ds...)...)
	st.last = ds
	st.lastN = rest[len(rest)-1]
	for _, d := range st.last {
		if d.Outcome == webhook.Cancelled {
			return fmt.Errorf("the run was stopped during the delivery: %w", context.Cause(ctx))
		}
	}
	return nil
}

// maxHeldOthers bounds RC-19's deliveries: enough to show a stall, few
// enough that a receiver's own concurrency limit is not what is tested
// (RC-11 is).
const maxHeldOthers = 20

// waitHeld waits, up to the deadline, until a GET of transcript id is
// held by the API's fault: the receiver is waiting for its fetch.
func (st *conformanceScenario) waitHeld(ctx context.Context, id string) bool {
	return st.pollAPI(ctx, func() bool { return st.cfg.API.Held(id) > 0 })
}

// pollAPI reports whether cond held, looking every apiPoll up to the
// deadline. It looks first after one apiPoll, not at once: a receiver's
// fetch started at the same instant as the look would be seen or not by
// chance, and a run's timings (virtual ones in tests) must not depend on
// it.
func (st *conformanceScenario) pollAPI(ctx context.Context, cond func() bool) bool {
	clk := st.cfg.clock()
	deadline := clk.Now().Add(st.cfg.Policy.Timeout)
	for {
		if st.pause(ctx) != nil {
			return false
		}
		if cond() {
			return true
		}
		if !clk.Now().Before(deadline) || st.silentAPI() != "" {
			return false
		}
	}
}

// silentAPI says why waiting any longer for a fetch in a scenario that
// faults the API (RC-15, RC-16, RC-19) is pointless: the receiver has
// made no call to the emulated API in the whole run, though its first
// delivery ended a deadline or more ago (so RC-17, had it run, waited as
// long). It is "" otherwise, and in a scenario without a fault: RC-17
// itself always waits the whole deadline. A receiver that never fetches
// then costs one poll per such scenario, not 10 s each.
func (st *conformanceScenario) silentAPI() string {
	if st.cfg.API == nil || st.fault == (api.Fault{}) {
		return ""
	}
	since := st.cfg.Ledger.since(st.cfg.clock().Now())
	if since < st.cfg.Policy.Timeout || len(st.cfg.API.Calls("")) > 0 || st.cfg.API.DroppedCalls() > 0 {
		return ""
	}
	return fmt.Sprintf("the receiver has made no call to AssemblyAI's emulated API in this run (%s since its first delivery)", stats.FormatDuration(since))
}

// pause waits one apiPoll on the run's clock, or until ctx ends.
func (st *conformanceScenario) pause(ctx context.Context) error {
	t := st.cfg.clock().NewTimer(apiPoll)
	defer t.Stop()
	select {
	case <-t.C():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// expectAcknowledgedWhileHeld: every notification of the latest step was
// acknowledged in time while the fetch of another was held (RC-19).
func (st *conformanceScenario) expectAcknowledgedWhileHeld() error {
	if len(st.last) == 0 {
		return errors.New("no delivery in this scenario yet: add the When step that delivers notifications while a fetch is held")
	}
	if st.heldID == "" {
		return errors.New("no fetch was held in this scenario: use the When step that delivers notifications while the receiver's fetch of one is held")
	}
	var failed []string
	var first error
	var firstD *webhook.Delivery
	for _, d := range st.last {
		if err := acknowledged(d); err != nil {
			failed = append(failed, d.Notification.TranscriptID)
			if first == nil {
				first, firstD = err, d
			}
		}
	}
	if len(failed) == 0 {
		return nil
	}
	mode, server := stallMode(st.cfg.Ledger.Server())
	if mode == "" {
		mode = deliveryMode(firstD) // no kind of server known: the answer's fix
	}
	kind := "the receiver"
	if server != "" {
		kind = "the receiver (" + server + ")"
	}
	return withMode(mode, fmt.Errorf("%d of %d notifications delivered while the receiver's fetch of transcript %s was held by AssemblyAI's slow API were not acknowledged in time; the first: %w. None of them was slow itself: %s stops answering every request while one fetch waits, as a blocking call inside an event loop or a server with one worker does, and each would be retried (D-4) and could be lost (D-6)",
		len(failed), len(st.last), st.heldID, first, kind))
}

// stallMode names the kind of server a Server or X-Powered-By header
// shows, with the failure mode whose fix fits it; "" for an unknown one.
func stallMode(server string) (mode, shown string) {
	s := strings.ToLower(server)
	switch {
	case s == "":
		return "", ""
	case strings.Contains(s, "uvicorn"), strings.Contains(s, "hypercorn"), strings.Contains(s, "daphne"):
		return ModeStallASGI, server
	case strings.Contains(s, "gunicorn"), strings.Contains(s, "werkzeug"), strings.Contains(s, "waitress"):
		return ModeStallWSGI, server
	case strings.Contains(s, "express"), strings.Contains(s, "node"), strings.Contains(s, "next.js"):
		return ModeStallNode, server
	}
	return "", server
}

// serverOf is what an answer says of the server that made it: its Server
// header, else X-Powered-By.
func serverOf(h http.Header) string {
	if s := h.Get("Server"); s != "" {
		return s
	}
	return h.Get("X-Powered-By")
}

// settleQuiet is how long the emulated API must see no call, after a
// scenario that left the receiver failing, before the next scenario
// starts: a receiver that was stalled works through what queued up
// meanwhile (each queued notification fetching its transcript) first.
const settleQuiet = 500 * time.Millisecond

// Settle ends what the scenario in ctx left behind before the next one
// starts, so that no verdict depends on what ran before it: the faults
// it set on the emulated API end, a fetch still held is answered at once
// (api.Server.Release), and when one of its deliveries failed (a
// receiver stalled by a slow fetch may still be working through the
// requests that queued up) it waits until the API has seen no call for
// settleQuiet, up to the deadline. Call it after the scenario's evidence
// was read: a call still held is evidence (RC-15). The suite calls it
// after each scenario of its isolated phase; it does nothing without the
// API.
func Settle(ctx context.Context) {
	st, err := stateFrom[conformanceScenario](ctx)
	if err != nil || st.cfg.API == nil {
		return
	}
	st.mu.Lock()
	ids := slices.Clone(st.ids)
	failed := slices.ContainsFunc(st.ev.Deliveries, func(d *webhook.Delivery) bool {
		return len(d.Attempts) > 0 && (d.Attempts[0].StatusCode >= 500 || !d.Attempts[0].Answered())
	})
	st.mu.Unlock()
	st.cfg.API.Release(ids...)
	if !failed || ctx.Err() != nil {
		return
	}
	clk := st.cfg.clock()
	deadline := clk.Now().Add(st.cfg.Policy.Timeout)
	last, quietSince := apiActivity(st.cfg.API), clk.Now()
	for clk.Now().Before(deadline) {
		if now := apiActivity(st.cfg.API); now != last {
			last, quietSince = now, clk.Now()
		} else if last.inFlight == 0 && clk.Now().Sub(quietSince) >= settleQuiet {
			return
		}
		if st.pause(ctx) != nil {
			return
		}
	}
}

// activity is what changes in the API's call log when a receiver calls it.
type activity struct{ answered, inFlight int }

func apiActivity(s *api.Server) activity {
	var a activity
	for _, c := range s.Calls("") {
		if c.InFlight {
			a.inFlight++
		} else {
			a.answered++
		}
	}
	a.answered += s.DroppedCalls()
	return a
}

// expectFetchedFromSlowAPI: the receiver did fetch the latest delivery's
// transcript, with its key, from the API the scenario made slow, within
// the deadline after the delivery; otherwise the scenario is not
// applicable (RC-15): a receiver that never fetches answered in time, but
// not "while the transcript fetch takes 15 s", and that sentence must not
// stand in a report. RC-17 checks the fetch itself.
func (st *conformanceScenario) expectFetchedFromSlowAPI(ctx context.Context) error {
	if err := st.requireAPI(); err != nil {
		return err
	}
	if len(st.last) == 0 || st.last[0].Notification.Kind != webhook.KindTranscript {
		return errors.New("no transcript notification in the latest step: add a When step that delivers one")
	}
	id := st.last[0].Notification.TranscriptID
	fetched := func() bool {
		return slices.ContainsFunc(st.cfg.API.Calls(id), func(c api.Call) bool { return isFetch(c, id) && c.Authorized })
	}
	if st.pollAPI(ctx, fetched) {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if why := st.silentAPI(); why != "" {
		return st.notApplicable(why + ", so the slow API could not hold it up; RC-17 checks the fetch itself")
	}
	return st.notApplicable(fmt.Sprintf("the receiver made no fetch of transcript %s with the API key within %s of the notification (%s), so the slow API could not hold it up; RC-17 checks the fetch itself",
		id, stats.FormatDuration(st.cfg.Policy.Timeout), describeCalls(st.cfg.API.Calls(id))))
}
