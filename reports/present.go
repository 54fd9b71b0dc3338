package reports

import (
	"fmt"
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
	}
	return "Unknown verdict"
}

// Advice answers the reader's question in one sentence: may this endpoint
// be registered with AssemblyAI, and if not, why not.
func (r *Result) Advice() string {
	switch r.Verdict {
	case Conformant:
		s := "Safe to register with AssemblyAI: every MUST requirement passed."
		if r.Counts.ShouldFailed > 0 {
			s += fmt.Sprintf(" %s should still be improved.", plural(r.Counts.ShouldFailed, "SHOULD requirement"))
		}
		return s
	case NotConformant:
		if r.Counts.MustFailed == 0 {
			return fmt.Sprintf("Do not register this endpoint yet: %s failed in strict mode.",
				plural(r.Counts.ShouldFailed, "SHOULD requirement"))
		}
		return fmt.Sprintf("Do not register this endpoint with AssemblyAI yet: %s failed; notifications would be lost.",
			plural(r.Counts.MustFailed, "MUST requirement"))
	case Incomplete:
		if r.Reason != "" {
			return "The run is incomplete, so there is no verdict: " + r.Reason
		}
		return "The run is incomplete, so there is no verdict; run it again to the end."
	}
	return "The results carry no verdict."
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
