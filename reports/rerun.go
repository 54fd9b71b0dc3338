package reports

import "fmt"

// rerunPrefix starts the Reason of a rerun's partial verdict.
const rerunPrefix = "rerun of the "

// FailedScenarios returns the scenarios to run again after r: every
// failed scenario, plus those of each requirement that failed blocked by
// or possibly the same cause as another, in r's order, each once.
func (r *Result) FailedScenarios() []ScenarioRef {
	want := map[ScenarioRef]bool{}
	for _, q := range r.Requirements {
		if q.Status == Failed && (q.BlockedBy != nil || q.PossiblySameAs != nil) {
			for _, ref := range q.Scenarios {
				want[ScenarioRef{Feature: ref.Feature, Line: ref.Line}] = true
			}
		}
	}
	var out []ScenarioRef
	seen := map[ScenarioRef]bool{}
	for _, s := range r.Scenarios {
		k := ScenarioRef{Feature: s.URI, Line: s.Line}
		if (s.Status == Failed || want[k]) && !seen[k] {
			seen[k] = true
			out = append(out, s.Ref())
		}
	}
	return out
}

// RerunReason is the Reason of a run that reran n scenarios that failed
// in the results file from.
func RerunReason(n int, from string) string {
	return fmt.Sprintf("%s%s that failed in %s", rerunPrefix, plural(n, "scenario"), from)
}
