package htmlreport

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/internal/stats"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// scenario is one scenario as the report shows it.
type scenario struct {
	*reports.Scenario
	Anchor   string
	Open     bool
	Chart    *chart
	Sessions *sessionChart // RC-21's size sweep
	Full     []*delivery
	Rest     []row
	Outcomes string // "18 delivered, 2 exhausted"
	// Reason is the scenario's reason unless a step already shows it as
	// its error: the suite's reason for a failed scenario is the first
	// failed step's error, which would otherwise be printed twice.
	Reason string
}

// delivery is a delivery shown in full.
type delivery struct {
	*webhook.Delivery
	Summary  string
	Class    string // outcome class
	Code     string // webhook_status_code
	Timeline timeline
	Attempts []attemptRow
	Request  evidence
	Answers  []answer
	// Calls are the receiver's calls to the emulated API about this
	// delivery's transcript, as lines: "+40 ms GET /v2/transcript/ID: 200
	// after 12 ms".
	Calls []string
}

type attemptRow struct {
	Number   int
	Offset   string
	Result   string
	Class    string
	Duration string
	Wait     string
	Detail   string
}

// row is a delivery summarised in one table row.
type row struct {
	ID, Outcome, Class, Results, First, Total string
	Attempts                                  int
}

func newScenario(r *reports.Result, sc *reports.Scenario, anchor string, o Options, b *budget) *scenario {
	s := &scenario{Scenario: sc, Anchor: anchor, Open: sc.Status == reports.Failed, Reason: sc.Reason}
	for _, st := range sc.Steps {
		if st.Error != "" && strings.TrimSpace(st.Error) == strings.TrimSpace(sc.Reason) {
			s.Reason = ""
		}
	}
	if sc.Chart == "latency" || sc.Chart == "burst" {
		s.Chart = newChart(sc, timeoutOf(r, sc), o.ChartBars)
	}
	if sc.Chart == "sessions" {
		s.Sessions = newSessionChart(sc)
	}
	counts := map[webhook.Outcome]int{}
	for i, d := range sc.Deliveries {
		counts[d.Outcome]++
		if b.take(i) {
			s.Full = append(s.Full, newDelivery(r, d, o, sc.CallsFor(d)))
		} else {
			s.Rest = append(s.Rest, newRow(d))
		}
	}
	var parts []string
	for _, oc := range []webhook.Outcome{webhook.Delivered, webhook.Rejected, webhook.Exhausted, webhook.Stopped, webhook.Cancelled} {
		if counts[oc] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[oc], oc))
		}
	}
	s.Outcomes = strings.Join(parts, ", ")
	return s
}

// timeoutOf is the per-attempt deadline the scenario ran under.
func timeoutOf(r *reports.Result, sc *reports.Scenario) time.Duration {
	for _, d := range sc.Deliveries {
		if d.Policy.TimeoutMS > 0 {
			return stats.FromMilliseconds(d.Policy.TimeoutMS)
		}
	}
	if r.Environment.TimeoutMS > 0 {
		return stats.FromMilliseconds(r.Environment.TimeoutMS)
	}
	return webhook.DefaultTimeout
}

func newDelivery(r *reports.Result, d *webhook.Delivery, o Options, calls []api.Call) *delivery {
	v := &delivery{Delivery: d, Class: string(d.Outcome), Code: "null"}
	if d.WebhookStatusCode != nil {
		v.Code = fmt.Sprint(*d.WebhookStatusCode)
	}
	v.Summary = outcomeSentence(d)
	timeout := stats.FromMilliseconds(d.Policy.TimeoutMS)
	if timeout <= 0 {
		timeout = stats.FromMilliseconds(r.Environment.TimeoutMS)
	}
	v.Timeline = newTimeline(d, timeout, calls)
	var first time.Time
	if len(d.Attempts) > 0 {
		first = d.Attempts[0].StartedAt
	}
	for _, c := range calls {
		v.Calls = append(v.Calls, fmt.Sprintf("+%s %s", reports.FormatDuration(c.At.Sub(first)), reports.DescribeCall(c)))
	}
	for _, a := range d.Attempts {
		ar := attemptRow{Number: a.Number, Offset: "+" + reports.FormatDuration(a.StartedAt.Sub(first)),
			Result: result(a), Class: attemptClass(a), Duration: reports.FormatDuration(a.Duration), Detail: a.Detail}
		if a.WaitAfter > 0 {
			ar.Wait = reports.FormatDuration(a.WaitAfter)
		}
		v.Attempts = append(v.Attempts, ar)
	}
	v.Request = requestEvidence(r, d, o.BodyExcerpt)
	v.Answers = answers(r, d, o.BodyExcerpt)
	return v
}

func newRow(d *webhook.Delivery) row {
	rw := row{ID: d.ID, Outcome: string(d.Outcome), Class: string(d.Outcome), Attempts: len(d.Attempts),
		Results: compactResults(d), Total: reports.FormatDuration(d.EndedAt.Sub(d.StartedAt))}
	if len(d.Attempts) > 0 {
		rw.First = reports.FormatDuration(d.Attempts[0].Duration)
	}
	return rw
}

// compactResults lists attempt results with runs folded: "500 ×9, 200".
func compactResults(d *webhook.Delivery) string {
	var parts []string
	for i := 0; i < len(d.Attempts); {
		j := i
		for j < len(d.Attempts) && shortResult(d.Attempts[j]) == shortResult(d.Attempts[i]) {
			j++
		}
		p := shortResult(d.Attempts[i])
		if j-i > 1 {
			p += fmt.Sprintf(" ×%d", j-i)
		}
		parts = append(parts, p)
		i = j
	}
	return strings.Join(parts, ", ")
}

func outcomeSentence(d *webhook.Delivery) string {
	n := fmt.Sprintf("%d attempts", len(d.Attempts))
	if len(d.Attempts) == 1 {
		n = "1 attempt"
	}
	took := reports.FormatDuration(d.EndedAt.Sub(d.StartedAt))
	if d.Policy.Signature != "" {
		return providerOutcome(d, n, took)
	}
	switch d.Outcome {
	case webhook.Delivered:
		return fmt.Sprintf("Delivered after %s in %s (D-3).", n, took)
	case webhook.Rejected:
		if lost := d.Lost(); lost != "" {
			return fmt.Sprintf("Rejected with %s after %s: a 4xx is never retried, so %s (D-5, P-6).", shortResult(d.LastAttempt()), n, lost)
		}
		return fmt.Sprintf("Rejected with %s after %s: a 4xx ends the request (D-5).", shortResult(d.LastAttempt()), n)
	case webhook.Exhausted:
		lost := d.Lost()
		if lost == "" {
			// A probe is sent once and announces nothing: no transcript
			// is lost, whatever it got.
			return fmt.Sprintf("Failed: %s over %s. This request is not a notification AssemblyAI sends, so nothing is lost; AssemblyAI retries such an answer (D-4).", n, took)
		}
		return fmt.Sprintf("Exhausted: all %s failed over %s; %s (D-4, D-6).", n, took, lost)
	case webhook.Cancelled:
		return fmt.Sprintf("Cancelled after %s in %s: the run stopped first.", n, took)
	case webhook.Stopped:
		return fmt.Sprintf("Stopped after %s, which decided the check: AssemblyAI would retry %d more times (D-4); those attempts were not made.", n, d.NotMade)
	}
	return fmt.Sprintf("%s after %s.", d.Outcome, n)
}

// providerOutcome is outcomeSentence for another provider's delivery (a
// signed one): its sender's rules, from the record's policy, not
// AssemblyAI's.
func providerOutcome(d *webhook.Delivery, n, took string) string {
	p := d.Policy
	sender := "the " + p.Signature + " sender"
	lost := d.Lost()
	switch d.Outcome {
	case webhook.Delivered:
		return fmt.Sprintf("Delivered after %s in %s.", n, took)
	case webhook.Rejected:
		if lost != "" {
			return fmt.Sprintf("Rejected with %s after %s: %s makes no more attempts, so %s.", shortResult(d.LastAttempt()), n, sender, lost)
		}
		return fmt.Sprintf("Rejected with %s after %s: %s makes no more attempts.", shortResult(d.LastAttempt()), n, sender)
	case webhook.Exhausted:
		if lost == "" {
			return fmt.Sprintf("Failed: %s over %s. This request is not an event %s sends, so nothing is lost.", n, took, sender)
		}
		return fmt.Sprintf("Exhausted: all %s failed over %s; %s.", n, took, lost)
	case webhook.Cancelled:
		return fmt.Sprintf("Cancelled after %s in %s: the run stopped first.", n, took)
	case webhook.Stopped:
		return fmt.Sprintf("Stopped after %s, which decided the check: %s would make up to %d more attempts; those were not made.", n, sender, d.NotMade)
	}
	return fmt.Sprintf("%s after %s.", d.Outcome, n)
}

// result is an attempt's result in words: "500 Internal Server Error".
func result(a webhook.Attempt) string {
	if a.Answered() {
		return strings.TrimSpace(fmt.Sprintf("%d %s", a.StatusCode, http.StatusText(a.StatusCode)))
	}
	if a.Failure == "" {
		return "no answer"
	}
	return strings.ReplaceAll(string(a.Failure), "_", " ")
}

func shortResult(a webhook.Attempt) string {
	if a.Answered() {
		return fmt.Sprint(a.StatusCode)
	}
	if a.Failure == "" {
		return "none"
	}
	return strings.ReplaceAll(string(a.Failure), "_", " ")
}

// attemptClass is the colour class of an attempt: s2 (2xx), s4 (4xx, lost),
// s5 (5xx and 3xx, retried), timeout, neterr (refused, reset, DNS, TLS,
// protocol) or cancel.
func attemptClass(a webhook.Attempt) string {
	switch {
	case a.Succeeded():
		return "s2"
	case a.StatusCode >= 400 && a.StatusCode < 500:
		return "s4"
	case a.Answered():
		return "s5"
	case a.Failure == webhook.ErrTimeout:
		return "timeout"
	case a.Failure == webhook.ErrAttemptStopped:
		return "cancel"
	}
	return "neterr"
}

// sortedHeaders returns h's names in order.
func sortedHeaders(h http.Header) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
