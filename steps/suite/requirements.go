package suite

import (
	"fmt"
	"strings"

	"github.com/hookcheck/hookcheck/reports"
)

// requirementResults sets each catalogue requirement's status from the
// scenarios tagged with its id: failed if any failed, passed if any passed
// and none failed, not_applicable if all were, skipped if none ran.
func requirementResults(catalog []reports.Requirement, scenarios []reports.Scenario) []reports.Requirement {
	out := make([]reports.Requirement, 0, len(catalog))
	known := map[string]bool{}
	for _, q := range catalog {
		known[q.ID] = true
		out = append(out, requirementResult(q, scenarios))
	}
	// Requirements that user features tag but the catalogue lacks.
	for _, s := range scenarios {
		for _, id := range s.Requirements {
			if !known[id] {
				known[id] = true
				level := s.Level
				if level == "" {
					level = reports.Must
				}
				out = append(out, requirementResult(reports.Requirement{ID: id, Level: level, Title: s.Feature}, scenarios))
			}
		}
	}
	return out
}

func requirementResult(q reports.Requirement, scenarios []reports.Scenario) reports.Requirement {
	var passed, failed, na, skipped []reports.Scenario
	for _, s := range scenarios {
		if !contains(s.Requirements, q.ID) {
			continue
		}
		q.Scenarios = append(q.Scenarios, s.Ref())
		switch s.Status {
		case reports.Passed:
			passed = append(passed, s)
		case reports.Failed:
			failed = append(failed, s)
		case reports.NotApplicable:
			na = append(na, s)
		default:
			skipped = append(skipped, s)
		}
	}
	switch {
	case len(failed) > 0:
		q.Status = reports.Failed
		q.FailedLevel = q.Level
		if q.Level == reports.MustShould {
			q.FailedLevel = reports.Should
			for _, s := range failed {
				if s.Level == reports.Must {
					q.FailedLevel = reports.Must
				}
			}
		}
		reasons := make([]string, 0, len(failed))
		for _, s := range failed {
			reasons = append(reasons, fmt.Sprintf("%s: %s", s.Name, s.Reason))
		}
		q.Reason = strings.Join(reasons, " | ")
	case len(passed) > 0:
		q.Status = reports.Passed
	case len(na) > 0 && len(skipped) == 0:
		q.Status, q.Reason = reports.NotApplicable, na[0].Reason
	case len(q.Scenarios) == 0:
		q.Status, q.Reason = reports.Skipped, "no selected scenario checks it"
	default:
		q.Status, q.Reason = reports.Skipped, "not run"
	}
	return q
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
