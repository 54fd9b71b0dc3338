package suite

import (
	"slices"
	"strings"

	"github.com/hookcheck/hookcheck/reports"
)

// chooseFixes sets each failed requirement's fix from what was observed:
// its failed scenarios' failure modes, those of the failed level first (a
// MUST/SHOULD requirement whose MUST part failed is fixed for that), each
// mode's own fix from the catalogue, or the requirement's default fix for
// a mode without one. Two modes with the same fix show it once.
func chooseFixes(reqs []reports.Requirement, scenarios []reports.Scenario, fixes map[string]map[string]string) {
	for i := range reqs {
		q := &reqs[i]
		if q.Status != reports.Failed {
			continue
		}
		var modes []string
		for _, first := range []bool{true, false} {
			for _, s := range scenarios {
				if s.Status != reports.Failed || !slices.Contains(s.Requirements, q.ID) || s.FailureMode == "" {
					continue
				}
				if (q.FailedLevel == "" || s.Level == "" || s.Level == q.FailedLevel) != first {
					continue
				}
				if !slices.Contains(modes, s.FailureMode) {
					modes = append(modes, s.FailureMode)
				}
			}
		}
		if len(modes) == 0 {
			continue
		}
		q.FailureModes = modes
		var texts []string
		for _, m := range modes {
			text, ok := fixes[q.ID][m]
			if !ok {
				text = q.Remediation
			}
			if !slices.Contains(texts, text) {
				texts = append(texts, text)
			}
		}
		q.Remediation = strings.Join(texts, " ")
	}
}
