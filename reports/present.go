package reports

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/internal/stats"
)

// Helpers shared by the renderers, so that every output words the verdict
// and formats times the same way.

// Title is the verdict as a heading shows it.
func (v Verdict) Title() string {
	switch v {
	case Conformant:
		return "Conformant"
	case NotConformant:
		return "Not conformant"
	case Incomplete:
		return "Incomplete"
	case Partial:
		return "Partial"
	}
	return "Unknown verdict"
}

// impactWords says what a failure of each impact class does, in words a
// reader acts on; Headline and Advice name the worst class that failed.
var impactWords = map[Impact]string{
	LosesNotifications: "notifications would be lost",
	Security:           "it accepts forged requests",
	WastesRetries:      "it answers 5xx or times out on malformed bodies: AssemblyAI never sends them, but each would be retried 10 times",
	Hygiene:            "nothing is lost today, but a SHOULD requirement is not met",
}

// strictWords replace Hygiene's words in the verdict of a strict run, the
// only one whose verdict a failed SHOULD decides.
const strictWords = "SHOULD requirements failed in strict mode"

// Words says what a failure of class i costs; "" for an unknown class.
func (i Impact) Words() string { return impactWords[i] }

// refuseWords are the wastes_retries words for requests other than
// RC-08's malformed bodies: forgeries (RC-09, RC-10) and the like.
const refuseWords = "it answers 5xx or times out on requests it must refuse with a 4xx: a 5xx is retried 10 times, a 4xx ends the request (D-4, D-5)"

// ImpactWords says what q's failure costs, in the words of what was
// observed: Words of its effective impact, except that wastes_retries
// speaks of malformed bodies only for RC-08, whose requests they are.
// They are AssemblyAI's words; Result.ImpactWordsOf speaks for the run's
// provider.
func (q Requirement) ImpactWords() string {
	if im := q.EffectiveImpact(); im == WastesRetries && q.ID != "RC-08" {
		return refuseWords
	}
	return q.EffectiveImpact().Words()
}

// providerImpactWords are impactWords for another provider's run: its
// deliveries are events, and its retry rules are its profile's, not
// AssemblyAI's 10 attempts (GitHub makes one).
var providerImpactWords = map[Impact]string{
	LosesNotifications: "events would be lost",
	Security:           "it accepts forged requests",
	WastesRetries:      "it answers 5xx or times out on malformed bodies, which it must refuse with a 4xx",
	Hygiene:            "nothing is lost today, but a SHOULD requirement is not met",
}

// providerRefuseWords are refuseWords for another provider's run.
const providerRefuseWords = "it answers 5xx or times out on requests it must refuse with a 4xx"

// ImpactWordsOf is q.ImpactWords in the words of the run's provider.
func (r *Result) ImpactWordsOf(q Requirement) string {
	return r.impactText(q.EffectiveImpact(), []Requirement{q})
}

// impactText says what the failures qs, of impact i, cost: the refusal
// words unless they are RC-08's malformed bodies alone, and for a
// duplicate the words of what was observed (processed again, or refused).
func (r *Result) impactText(i Impact, qs []Requirement) string {
	words, refuse := impactWords, refuseWords
	if r.Environment.Provider != nil {
		words, refuse = providerImpactWords, providerRefuseWords
	}
	switch {
	case i == WastesRetries && (len(qs) != 1 || qs[0].ID != "RC-08"):
		return refuse
	case i == DuplicatesWork:
		for _, q := range qs {
			if slices.Contains(q.FailureModes, reprocessedMode) {
				return duplicateWords
			}
		}
		return refusedRepeatWords
	}
	return words[i]
}

// The words of a DuplicatesWork failure: the repeat was processed again,
// or refused (the mode steps.ModeReprocessed, or an answer's).
const (
	reprocessedMode    = "reprocessed"
	duplicateWords     = "an event delivered again would be processed again"
	refusedRepeatWords = "an event delivered again would be refused, and its sender would count it as not delivered"
)

// registerWith says where a conformant endpoint is registered: "with
// AssemblyAI", "with Stripe", "as a Standard Webhooks endpoint".
func (r *Result) registerWith() string {
	if p := r.Environment.Provider; p != nil {
		switch p.Name {
		case "standard-webhooks":
			return "as a Standard Webhooks endpoint"
		case "stripe":
			return "with Stripe"
		case "github":
			return "with GitHub"
		}
		return "with " + p.Name
	}
	return "with AssemblyAI"
}

// RootCauses returns the failed requirements that count against the
// verdict (MUST, and SHOULD with strict) and are not blocked by another,
// worst impact first, then in catalogue order; a requirement that is
// possibly the same cause as another comes right after that one, so that
// its own fix reads after the root's.
func (r *Result) RootCauses() []Requirement { return afterTheirCause(r.rootCausesByImpact()) }

// rootCausesByImpact is RootCauses in impact order first, so that
// consequences names each class once; within a class, a requirement that
// is possibly the same cause as another still follows it.
func (r *Result) rootCausesByImpact() []Requirement {
	var out []Requirement
	for _, q := range r.Requirements {
		if q.Status != Failed || q.BlockedBy != nil {
			continue
		}
		if q.effectiveLevel() == Must || r.Environment.Strict {
			out = append(out, q)
		}
	}
	out = afterTheirCause(out)
	sort.SliceStable(out, func(i, j int) bool { return out[i].EffectiveImpact().rank() < out[j].EffectiveImpact().rank() })
	return out
}

// consequences names each impact class among the root causes, worst
// first, with the requirements behind it: "notifications would be lost
// (RC-01); it accepts forged requests (RC-09)".
func (r *Result) consequences() string {
	var parts []string
	var group []Requirement
	var cur Impact
	flush := func() {
		if len(group) == 0 {
			return
		}
		w := r.impactText(cur, group)
		if cur == Hygiene && r.Environment.Strict {
			w = strictWords
		}
		if w == "" {
			w = "requirements failed"
		}
		ids := make([]string, len(group))
		for i, q := range group {
			ids[i] = q.ID
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", w, strings.Join(ids, ", ")))
		group = nil
	}
	for i, q := range r.rootCausesByImpact() {
		if i == 0 || q.EffectiveImpact() != cur {
			flush()
			cur = q.EffectiveImpact()
		}
		group = append(group, q)
	}
	flush()
	return strings.Join(parts, "; ")
}

// Headline is the verdict in one line, as the console prints it last:
// "NOT CONFORMANT: it accepts forged requests (RC-09)".
func (r *Result) Headline() string {
	switch r.Verdict {
	case Conformant:
		// Safe to register only when the run saw the work done: a 2xx
		// alone proves delivery, not processing.
		if nc := r.notCheckedText(); nc != "" {
			return "CONFORMANT " + r.scopeText() + "; " + nc
		}
		return "CONFORMANT " + r.scopeText() + ": safe to register " + r.registerWith()
	case NotConformant:
		s := "NOT CONFORMANT"
		if c := r.consequences(); c != "" {
			s += ": " + c
		}
		if nc := r.notCheckedText(); nc != "" {
			s += "; " + nc
		}
		return s
	case Partial:
		s := "PARTIAL: " + r.coverageText() + "; not a conformance verdict"
		if strings.HasPrefix(r.Reason, rerunPrefix) {
			s = "PARTIAL: " + r.Reason + "; not a conformance verdict"
		}
		if c := r.consequences(); c != "" {
			s += "; failed: " + c
		}
		if nc := r.notCheckedText(); nc != "" {
			s += "; " + nc
		}
		return s
	case Incomplete:
		return "INCOMPLETE: " + r.Reason
	}
	return "NO VERDICT"
}

// coverageText is "1 of 14 requirements checked".
func (r *Result) coverageText() string {
	if r.Coverage == nil {
		return "not every requirement was checked"
	}
	return fmt.Sprintf("%d of %d requirements checked", r.Coverage.Checked, r.Coverage.Applicable)
}

// blockedText is " 6 more requirements failed the same way as RC-01
// (blocked by RC-01): fix RC-01 first." or "", followed by the
// requirements that are possibly the same cause (sameCauseTexts).
func (r *Result) blockedText() string {
	by := map[string]int{}
	var order []string
	for _, q := range r.Requirements {
		if b := q.Blocker(); b != "" && q.Status == Failed {
			if by[b] == 0 {
				order = append(order, b)
			}
			by[b]++
		}
	}
	var parts []string
	for _, b := range order {
		parts = append(parts, fmt.Sprintf("%s failed the same way as %s (blocked by %s): fix %s first", plural(by[b], "more requirement"), b, b, b))
	}
	parts = append(parts, r.sameCauseTexts()...)
	if len(parts) == 0 {
		return ""
	}
	return " " + strings.Join(parts, "; ") + "."
}

// sameCauseTexts are "RC-07, RC-08 got the same answer as RC-01 to other
// kinds of request: possibly the same cause; fix RC-01 first, then their
// own fixes if they still fail", one per root.
func (r *Result) sameCauseTexts() []string {
	ids := map[string][]string{}
	var order []string
	for _, q := range r.Requirements {
		if b := q.SameCause(); b != "" && q.Status == Failed {
			if ids[b] == nil {
				order = append(order, b)
			}
			ids[b] = append(ids[b], q.ID)
		}
	}
	out := make([]string, 0, len(order))
	for _, b := range order {
		own := "their own fixes if they still fail"
		if len(ids[b]) == 1 {
			own = "its own fix if it still fails"
		}
		out = append(out, fmt.Sprintf("%s got the same answer as %s to other kinds of request: possibly the same cause; fix %s first, then %s",
			strings.Join(ids[b], ", "), b, b, own))
	}
	return out
}

// SessionRouteHint is, for a run of both products in which session
// webhooks failed (RC-20) while transcript notifications were acknowledged
// (RC-01 passed), the likely reason: the session webhooks reach the wrong
// route. "" otherwise.
func (r *Result) SessionRouteHint() string {
	if r.Environment.Product != BothProducts {
		return ""
	}
	session, ok := r.Requirement("RC-20")
	transcript, ok2 := r.Requirement("RC-01")
	if !ok || !ok2 || session.Status != Failed || transcript.Status != Passed {
		return ""
	}
	const hint = "Session webhooks failed (RC-20) while transcript notifications were acknowledged (RC-01): the session webhooks probably reach the wrong route, such as a handler written for transcript notifications."
	if r.Environment.SessionTarget != "" {
		return hint + " Check the session webhook URL: " + r.Environment.SessionTarget + "."
	}
	return hint + " The receiver may serve session webhooks on another path: give it with --session-target (Target.SessionURL in Go)."
}

// Advice answers the reader's question in one sentence: may this endpoint
// be registered with AssemblyAI (or the run's provider), and if not, why
// not.
func (r *Result) Advice() string {
	switch r.Verdict {
	case Conformant:
		s := "Safe to register " + r.registerWith() + ": every MUST requirement passed, checked " + r.scopeText() + "."
		if r.notCheckedText() != "" {
			s = "Every MUST requirement passed, checked " + r.scopeText() + "."
		}
		if r.Counts.ShouldFailed > 0 {
			s += fmt.Sprintf(" %s should still be improved.", plural(r.Counts.ShouldFailed, "SHOULD requirement"))
		}
		return s + r.notCheckedSentence()
	case NotConformant:
		if r.Counts.MustFailed == 0 {
			return fmt.Sprintf("Do not register this endpoint yet: %s failed in strict mode.",
				plural(r.Counts.ShouldFailed, "SHOULD requirement")) + r.blockedText() + r.notCheckedSentence()
		}
		return fmt.Sprintf("Do not register this endpoint %s yet: %s. %s failed.",
			r.registerWith(), r.consequences(), plural(r.Counts.MustFailed, "MUST requirement")) + r.blockedText() + r.routeText() + r.notCheckedSentence()
	case Partial:
		s := "Partial run: " + r.coverageText() + ", so this is not a conformance verdict"
		if strings.HasPrefix(r.Reason, rerunPrefix) {
			s = "Partial run: " + r.Reason + ", so this is not a conformance verdict"
		} else if r.Coverage != nil && len(r.Coverage.LeftOut) > 0 {
			s += " (left out: " + strings.Join(r.Coverage.LeftOut, ", ") + ")"
		}
		s += "."
		if c := r.consequences(); c != "" {
			s += " Among those checked: " + c + "." + r.blockedText() + r.routeText()
		} else {
			s += " Nothing selected failed."
		}
		return s + r.notCheckedSentence()
	case Incomplete:
		if r.Reason != "" {
			return "The run is incomplete, so there is no verdict: " + r.Reason
		}
		return "The run is incomplete, so there is no verdict; run it again to the end."
	}
	return "The results carry no verdict."
}

// routeText is " " + SessionRouteHint, or "".
func (r *Result) routeText() string {
	if h := r.SessionRouteHint(); h != "" {
		return " " + h
	}
	return ""
}

// Features returns the feature names in the order scenarios first use them.
func (r *Result) Features() []string {
	var out []string
	seen := map[string]bool{}
	for _, sc := range r.Scenarios {
		if !seen[sc.Feature] {
			seen[sc.Feature] = true
			out = append(out, sc.Feature)
		}
	}
	return out
}

// Requirement returns the requirement with id.
func (r *Result) Requirement(id string) (Requirement, bool) {
	for _, q := range r.Requirements {
		if q.ID == id {
			return q, true
		}
	}
	return Requirement{}, false
}

// DeliveryCount returns the number of deliveries in all scenarios.
func (r *Result) DeliveryCount() int {
	n := 0
	for _, sc := range r.Scenarios {
		n += len(sc.Deliveries)
	}
	return n
}

// ScenarioCounts tallies the scenarios by status.
func (r *Result) ScenarioCounts() map[Status]int {
	out := map[Status]int{}
	for _, sc := range r.Scenarios {
		out[sc.Status]++
	}
	return out
}

// FormatMS formats a duration in milliseconds for people: "0.4 ms",
// "12 ms", "9.95 s", "3 min 10 s".
func FormatMS(ms float64) string {
	return FormatDuration(time.Duration(ms * float64(time.Millisecond)))
}

// FormatDuration formats d for people, like FormatMS. It is
// stats.FormatDuration, which the step library's failure messages use too,
// so a time reads the same in a message and in the report beside it.
func FormatDuration(d time.Duration) string { return stats.FormatDuration(d) }

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Label is a status as a report shows it: "passed", "not applicable".
func (s Status) Label() string { return strings.ReplaceAll(string(s), "_", " ") }

// Diagnosis is the impact and root cause of a failed scenario, as the
// JUnit and Cucumber messages carry them: "impact: loses_notifications;
// blocked by RC-01 (same answer: 500 Internal Server Error)", or for one
// that is possibly the same cause "RC-07 impact: loses_notifications;
// possibly the same cause as RC-01". It reads the requirements the
// scenario checks; "" when none of them failed.
func (r *Result) Diagnosis(sc Scenario) string {
	var parts []string
	for _, id := range sc.Requirements {
		q, ok := r.Requirement(id)
		if !ok || q.Status != Failed {
			continue
		}
		part := q.ID
		if im := q.EffectiveImpact(); im != "" {
			part += " impact: " + string(im)
		}
		switch {
		case q.Blocker() != "":
			part += "; " + q.Reason
		case q.SameCause() != "":
			part += "; possibly the same cause as " + q.SameCause()
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, " | ")
}
