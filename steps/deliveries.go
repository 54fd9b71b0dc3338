package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hookcheck/hookcheck/internal/stats"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// The deliveries are AssemblyAI's traffic exactly as it sends it: the
// configured policy, the full retry schedule.

// deliverTranscript: one transcript-ready delivery (D-2).
func (st *conformanceScenario) deliverTranscript(ctx context.Context, status string) error {
	n, err := st.notification(status)
	if err != nil {
		return err
	}
	return st.deliver(ctx, n, "", nil)
}

// redeliverAfterInterval waits one retry interval, then delivers the
// previous notification again, same transcript_id (D-4).
func (st *conformanceScenario) redeliverAfterInterval(ctx context.Context) error {
	if st.lastN.Kind == "" {
		return errors.New("no earlier notification in this scenario to deliver again")
	}
	// Nothing is sent meanwhile: an isolated scenario may have the
	// receiver to itself (Gate); the redelivery waits for it to end.
	st.idle()
	t := st.cfg.clock().NewTimer(st.cfg.Policy.Wait())
	defer t.Stop()
	select {
	case <-t.C():
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := st.resume(ctx); err != nil {
		return fmt.Errorf("the run was stopped before the redelivery: %w", err)
	}
	return st.deliver(ctx, st.lastN, "", nil)
}

// deliverWithQuery adds a team's metadata to the webhook URL (D-9).
func (st *conformanceScenario) deliverWithQuery(ctx context.Context, status, query string) error {
	n, err := st.notification(status)
	if err != nil {
		return err
	}
	return st.deliver(ctx, n, query, nil)
}

// deliverFromRegion shows the region's source address (D-7).
func (st *conformanceScenario) deliverFromRegion(ctx context.Context, status, region string) error {
	n, err := st.notification(status)
	if err != nil {
		return err
	}
	return st.deliver(ctx, n, "", func(p *webhook.Policy) { p.Region = webhook.Region(region) })
}

// deliverExtraFields sends a body with fields beyond transcript_id and
// status, which a receiver must tolerate.
func (st *conformanceScenario) deliverExtraFields(ctx context.Context) error {
	id := webhook.NewUUID()
	// The transcript exists in the API like any other (with --api).
	known := webhook.Notification{Kind: webhook.KindTranscript, TranscriptID: id, Status: webhook.StatusCompleted}
	if err := st.seed(&known); err != nil {
		return err
	}
	body := fmt.Sprintf(`{"transcript_id":%q,"status":"completed","language_code":"en_us","audio_duration":281.5,"webhook_version":"2"}`, id)
	return st.deliver(ctx, webhook.RawBody([]byte(body), "application/json"), "", nil)
}

// deliverRedactedAudio sends the D-11 notification.
func (st *conformanceScenario) deliverRedactedAudio(ctx context.Context) error {
	n := webhook.RedactedAudioReady("https://cdn.assemblyai.example/redacted/" + webhook.NewUUID() + ".wav")
	return st.deliver(ctx, n, "", nil)
}

// deliverSequence makes count deliveries, each after the previous one
// ended; the latest When step's deliveries are all of them. It stops once
// the p95 of the count can no longer be within the latency budget (enough
// first attempts already missed it: RC-03 against a silent receiver would
// otherwise take 20 timeouts), and says so in the scenario's evidence.
func (st *conformanceScenario) deliverSequence(ctx context.Context, count int, status string) error {
	st.setChart("latency")
	budget := st.cfg.latencyBudget()
	// With nearest rank, the p95 of count values exceeds the budget as
	// soon as count-rank+1 of them do, whatever the others are.
	decisive := count - stats.NearestRank(count, 95)
	var all []*webhook.Delivery
	over := 0
	for range count {
		n, err := st.notification(status)
		if err != nil {
			return err
		}
		if err := st.deliver(ctx, n, "", nil); err != nil {
			return err
		}
		all = append(all, st.last...)
		for _, d := range st.last {
			if d.Attempts[0].Duration > budget {
				over++
			}
		}
		if over >= decisive && len(all) < count {
			st.setStopped(fmt.Sprintf("stopped after %d of %d deliveries: %d missed the %s budget, so the p95 of %d cannot be within it",
				len(all), count, over, stats.FormatDuration(budget), count))
			break
		}
	}
	st.last = all
	return nil
}

// deliver sends n under the configured policy, changed by change, to the
// target with query appended, and records the delivery.
func (st *conformanceScenario) deliver(ctx context.Context, n webhook.Notification, query string, change func(*webhook.Policy)) error {
	return st.send(ctx, n, query, change, "")
}

// send is deliver; a non-empty probeLabel makes the request a probe,
// something AssemblyAI never sends: it is sent once and its record says
// what it is (Delivery.Probe), so that root-cause attribution never takes
// it for a delivery.
func (st *conformanceScenario) send(ctx context.Context, n webhook.Notification, query string, change func(*webhook.Policy), probeLabel string) error {
	p := st.cfg.Policy
	if change != nil {
		change(&p)
	}
	if probeLabel != "" {
		probe(&p)
	}
	// With --api the transcript exists before it is announced (and the
	// redacted audio URL is real).
	if err := st.seed(&n); err != nil {
		return err
	}
	sender, err := webhook.NewSender(p, st.cfg.Options)
	if err != nil {
		return fmt.Errorf("delivery policy: %w", err)
	}
	defer sender.Close()
	o := st.deliveryOptions(n)
	o.MessageID = st.messageID // one event's deliveries share it (SIG-09)
	d, err := sender.DeliverWith(ctx, withQuery(st.target(), query), n, o, webhook.Observer{})
	if err != nil {
		return err
	}
	st.lastN = n
	d.Probe = probeLabel
	st.record(d)
	if d.Outcome == webhook.Cancelled {
		return fmt.Errorf("the run was stopped during the delivery: %w", context.Cause(ctx))
	}
	return nil
}

// burst sends --burst notifications at once through the engine, each with
// its own schedule.
func (st *conformanceScenario) burst(ctx context.Context, status string) error {
	st.setChart("burst")
	n := st.cfg.Burst
	if n <= 0 {
		n = DefaultBurst
	}
	sender, err := webhook.NewSender(st.cfg.Policy, st.cfg.Options)
	if err != nil {
		return fmt.Errorf("delivery policy: %w", err)
	}
	defer sender.Close()
	engine := webhook.NewEngine(sender, n)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- engine.Run(runCtx) }()
	tickets := make([]*webhook.Ticket, 0, n)
	for range n {
		note, err := st.notification(status)
		if err != nil {
			return err
		}
		if err := st.seed(&note); err != nil {
			return err
		}
		t, err := engine.Submit(st.target(), note, st.deliveryOptions(note), webhook.Observer{})
		if err != nil {
			return fmt.Errorf("submit burst delivery: %w", err)
		}
		tickets = append(tickets, t)
	}
	engine.Close()
	if err := <-done; err != nil {
		return fmt.Errorf("the run was stopped during the burst: %w", err)
	}
	ds := make([]*webhook.Delivery, len(tickets))
	for i, t := range tickets {
		<-t.Done()
		ds[i] = t.Delivery()
	}
	st.record(ds...)
	return nil
}

// decidedByFirstAttempt stops a delivery after its first failed attempt:
// every conformance check reads the first attempt (D-3: it must be
// acknowledged), so the retries AssemblyAI would make (D-4) cannot change
// a verdict. They are recorded as not made (webhook.Stopped), and a
// receiver that answers 500 slowly, or never, costs one attempt per
// delivery instead of ten.
var decidedByFirstAttempt = webhook.DeliveryOptions{Decided: func(webhook.Attempt) bool { return true }}

// deliveryOptions stops the delivery of n at its first failed attempt
// unless the run wants whole schedules. Where the scenario's API fails on
// purpose, RC-16 reads the redeliveries (D-4): a receiver that answers 5xx
// because its fetch failed fetches again on the next attempt, once the API
// has recovered. Such a delivery goes on while its failed attempts fetch
// the transcript, and stops at the first failed attempt that did not
// (a receiver that hangs or crashes whatever the API does).
func (st *conformanceScenario) deliveryOptions(n webhook.Notification) webhook.DeliveryOptions {
	switch {
	case st.cfg.FullSchedules:
		return webhook.DeliveryOptions{}
	case st.fault.Status == 0 || st.cfg.API == nil || n.TranscriptID == "":
		return decidedByFirstAttempt
	}
	server, id := st.cfg.API, n.TranscriptID
	return webhook.DeliveryOptions{Decided: func(a webhook.Attempt) bool {
		for _, c := range server.Calls(id) {
			if !c.At.Before(a.StartedAt) {
				return false // it fetched during this attempt: a retry may succeed
			}
		}
		return true
	}}
}

func withQuery(target, query string) string {
	if query == "" {
		return target
	}
	if strings.Contains(target, "?") {
		return target + "&" + query
	}
	return target + "?" + query
}
