package steps

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/hookcheck/hookcheck/internal/stats"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// StreamingTag marks a scenario (or a whole feature) that checks the
// webhook of a streaming speech-to-text session (S-2) rather than the
// transcript-ready notification: in it, every delivery and every probe
// carries a session webhook, and the streaming steps below apply.
const StreamingTag = "@streaming"

// DefaultSessionLength is the session a streaming scenario's ordinary
// deliveries and probes announce: a one-minute session is a small body
// (about 14 KiB, S-5), so these checks test the rule, not the size.
const DefaultSessionLength = time.Minute

// SweepLengths are the session lengths RC-21 delivers, shortest first, up
// to the longest session (Conformance.MaxSessionDuration): they straddle
// the usual body limits (S-5: 100 KB from about 7 min, 1 MB from about
// 70 min).
var SweepLengths = []time.Duration{time.Minute, 10 * time.Minute, time.Hour}

// isStreaming reports whether a scenario's tags make it a streaming one.
func isStreaming(sc *godog.Scenario) bool {
	for _, t := range sc.Tags {
		if t.Name == StreamingTag {
			return true
		}
	}
	return false
}

// maxSession is the longest session the run checks (S-6 by default).
func (c *Conformance) maxSession() time.Duration {
	if c.MaxSessionDuration > 0 {
		return c.MaxSessionDuration
	}
	return webhook.MaxSessionDuration
}

// notification is what a delivery of the scenario's product carries: a
// transcript notification with status, or in a streaming scenario the
// webhook of a session of DefaultSessionLength (which has no status).
func (st *conformanceScenario) notification(status string) (webhook.Notification, error) {
	if st.streaming {
		return session(DefaultSessionLength)
	}
	if st.cfg.Payload != nil {
		return st.event()
	}
	return webhook.TranscriptReady("", status)
}

// session is the webhook of a session of d with a random seed (not a
// secret: math/rand is enough). The seed is in the record, so the body can
// be made again byte for byte.
func session(d time.Duration) (webhook.Notification, error) {
	return webhook.StreamingSession("", webhook.Session{Duration: d, Seed: rand.Uint64()})
}

// sessionLength reads "1-minute", "3-hour".
func sessionLength(n int, unit string) time.Duration {
	if strings.HasPrefix(unit, "hour") {
		return time.Duration(n) * time.Hour
	}
	return time.Duration(n) * time.Minute
}

// deliverSession: the webhook of a session of n minutes or hours (S-2).
func (st *conformanceScenario) deliverSession(ctx context.Context, n int, unit string) error {
	return st.deliverSessionOf(ctx, sessionLength(n, unit), "", nil)
}

// deliverLongestSession: the webhook of the longest session (S-6).
func (st *conformanceScenario) deliverLongestSession(ctx context.Context) error {
	return st.deliverSessionOf(ctx, st.cfg.maxSession(), "", nil)
}

// deliverSessionWithQuery: a team's metadata on the webhook URL (D-9, S-1).
func (st *conformanceScenario) deliverSessionWithQuery(ctx context.Context, n int, unit, query string) error {
	return st.deliverSessionOf(ctx, sessionLength(n, unit), query, nil)
}

// deliverSessionFromRegion: the region's source address (D-7, S-3).
func (st *conformanceScenario) deliverSessionFromRegion(ctx context.Context, n int, unit, region string) error {
	return st.deliverSessionOf(ctx, sessionLength(n, unit), "", func(p *webhook.Policy) { p.Region = webhook.Region(region) })
}

func (st *conformanceScenario) deliverSessionOf(ctx context.Context, d time.Duration, query string, change func(*webhook.Policy)) error {
	n, err := session(d)
	if err != nil {
		return err
	}
	return st.deliver(ctx, n, query, change)
}

// sessionBurst: the burst of RC-11, of session webhooks.
func (st *conformanceScenario) sessionBurst(ctx context.Context) error {
	if !st.streaming {
		return errors.New("a burst of session webhooks needs a " + StreamingTag + " scenario")
	}
	return st.burst(ctx, webhook.StatusCompleted)
}

// sweepLengths are SweepLengths up to the longest session, and the longest.
func (c *Conformance) sweepLengths() []time.Duration {
	var out []time.Duration
	for _, d := range SweepLengths {
		if d < c.maxSession() {
			out = append(out, d)
		}
	}
	return append(out, c.maxSession())
}

// deliverSessionSweep delivers the webhook of a session of each sweep
// length, shortest first, each after the previous one ended (RC-21); the
// scenario gets a size chart.
func (st *conformanceScenario) deliverSessionSweep(ctx context.Context) error {
	st.setChart("sessions")
	var all []*webhook.Delivery
	for _, d := range st.cfg.sweepLengths() {
		if err := st.deliverSessionOf(ctx, d, "", nil); err != nil {
			return err
		}
		all = append(all, st.last...)
	}
	st.last = all
	return nil
}

// expectEverySessionLength: every session of the sweep was acknowledged;
// otherwise say the largest accepted, the first refused and why that loses
// transcripts (RC-21).
func (st *conformanceScenario) expectEverySessionLength() error {
	if len(st.last) == 0 {
		return errors.New("no session webhook in this scenario yet: add a When step")
	}
	var largest, refused *webhook.Delivery
	for _, d := range st.last {
		if acknowledged(d) == nil {
			if refused == nil {
				largest = d
			}
			continue
		}
		if refused == nil {
			refused = d
		}
	}
	if refused == nil {
		return nil
	}
	accepted := "no session at all was accepted"
	if largest != nil {
		accepted = "the longest accepted was " + describeSession(largest)
	}
	a := refused.Attempts[0]
	why := consequence(refused)
	if a.StatusCode == 413 {
		why = fmt.Sprintf("413 is a 4xx, never retried (D-5): the transcript of every session longer than %s is lost. "+
			"Usual causes: Express express.json() (limit 100kb), Next.js API routes (bodyParser.sizeLimit 1mb), nginx client_max_body_size (1m). "+
			"The webhook of a %s session is %s (S-5, S-6): set the webhook route's limit to twice that or more",
			sessionDuration(largest), stats.FormatLength(st.cfg.maxSession()), stats.FormatBytes(payloadBytes(st.last[len(st.last)-1])))
	}
	return fmt.Errorf("%s; the first refused was %s: %s. %s", accepted, describeSession(refused), answer(a), why)
}

// expectLongestWithinBudget: the latest delivery (the longest session) was
// acknowledged within the latency budget (RC-23).
func (st *conformanceScenario) expectLongestWithinBudget() error {
	return st.eachLast(func(d *webhook.Delivery) error {
		if err := acknowledged(d); err != nil {
			return err
		}
		budget := st.cfg.LatencyBudget
		if budget <= 0 {
			budget = DefaultLatencyBudget
		}
		if took := d.Attempts[0].Duration; took > budget {
			return fmt.Errorf("%s was acknowledged after %s, over the %s budget. Parsing megabytes before answering is how a receiver misses the 10 s deadline under load (D-3): store the raw body, answer, then parse it in the background",
				describeSession(d), stats.FormatDuration(took), stats.FormatDuration(budget))
		}
		return nil
	})
}

// describeSession names a session webhook for a message: "the webhook of
// a 1 h session (864 KiB)".
func describeSession(d *webhook.Delivery) string {
	return fmt.Sprintf("the webhook of a %s session (%s)", sessionDuration(d), stats.FormatBytes(payloadBytes(d)))
}

func sessionDuration(d *webhook.Delivery) string {
	if d == nil || d.Notification.Session == nil {
		return "0 s"
	}
	return stats.FormatLength(d.Notification.Session.Duration)
}

// payloadBytes is the size of the body sent, also once the record keeps
// only its start.
func payloadBytes(d *webhook.Delivery) int {
	if d.Payload != nil {
		return d.Payload.Bytes
	}
	return len(d.Request.Body)
}

// streamingDefinitions are the steps of @streaming scenarios. Where the
// rule is the one of the transcript notification, they bind the same
// methods as its steps: the scenario's tag decides what is sent.
func (c *Conformance) streamingDefinitions() []Definition {
	return []Definition{
		{Kind: "When", Pattern: `^AssemblyAI delivers the webhook of a (\d+)-(minute|hour) streaming session$`,
			Example: `AssemblyAI delivers the webhook of a 1-minute streaming session`,
			Doc:     "The webhook sent when a streaming session of that length ends (S-2, S-4), with the full retry schedule (S-3).",
			Func:    conf((*conformanceScenario).deliverSession)},
		{Kind: "When", Pattern: `^AssemblyAI delivers the webhook of the longest streaming session$`,
			Example: `AssemblyAI delivers the webhook of the longest streaming session`,
			Doc:     "The webhook of a session of --max-session-duration (default 3 h, the longest AssemblyAI keeps open, S-6): about 2.5 MiB (S-5).",
			Func:    conf((*conformanceScenario).deliverLongestSession)},
		{Kind: "When", Pattern: `^AssemblyAI delivers the webhooks of streaming sessions of increasing length, up to the longest$`,
			Example: `AssemblyAI delivers the webhooks of streaming sessions of increasing length, up to the longest`,
			Doc:     "One session webhook each of 1 min, 10 min, 1 h and --max-session-duration (default 3 h), one after another; the scenario gets a size chart (RC-21).",
			Func:    conf((*conformanceScenario).deliverSessionSweep)},
		{Kind: "When", Pattern: `^AssemblyAI delivers the webhook of a (\d+)-(minute|hour) streaming session to the webhook URL with the query "([^"]*)"$`,
			Example: `AssemblyAI delivers the webhook of a 1-minute streaming session to the webhook URL with the query "customer_id=1234"`,
			Doc:     "Adds the query parameters to the session's webhook_url, as a team's metadata (D-9, S-1).",
			Func:    conf((*conformanceScenario).deliverSessionWithQuery)},
		{Kind: "When", Pattern: `^AssemblyAI delivers the webhook of a (\d+)-(minute|hour) streaming session from the "(us|eu)" address$`,
			Example: `AssemblyAI delivers the webhook of a 1-minute streaming session from the "eu" address`,
			Doc:     "Shows the region's documented source address (D-7, S-3) the way --allowlist says.",
			Func:    conf((*conformanceScenario).deliverSessionFromRegion)},
		{Kind: "When", Pattern: `^AssemblyAI delivers the same session webhook again after the retry interval$`,
			Example: `AssemblyAI delivers the same session webhook again after the retry interval`,
			Doc:     "Waits one retry interval, then delivers the previous session webhook again, same session_id and body (D-4, S-3).",
			Func:    conf((*conformanceScenario).redeliverAfterInterval)},
		{Kind: "When", Pattern: `^AssemblyAI delivers a burst of concurrent streaming session webhooks$`,
			Example: `AssemblyAI delivers a burst of concurrent streaming session webhooks`,
			Doc:     "--burst webhooks of 1-minute sessions at once, each with its own schedule; the scenario gets a burst chart. Only in a @streaming scenario.",
			Func:    conf((*conformanceScenario).sessionBurst)},
		{Kind: "Then", Pattern: `^the receiver accepts every session length up to the longest$`,
			Example: `the receiver accepts every session length up to the longest`,
			Doc:     "Every session webhook of the scenario got a 2xx within the deadline; otherwise names the longest session accepted, the first refused and its answer (RC-21).",
			Func:    conf((*conformanceScenario).expectEverySessionLength)},
		{Kind: "Then", Pattern: `^the receiver acknowledges it within the latency budget$`,
			Example: `the receiver acknowledges it within the latency budget`,
			Doc:     "The latest delivery's first attempt got a 2xx within --latency-budget (default 2 s; RC-23).",
			Func:    conf((*conformanceScenario).expectLongestWithinBudget)},
	}
}
