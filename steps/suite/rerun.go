package suite

import (
	"fmt"
	"strings"

	"github.com/hookcheck/hookcheck/reports"
)

// rerun narrows p.selected to the scenarios refs name, matched by feature
// URI (as results.json writes it) and line. A ref that matches no
// selected scenario is an error naming each such ref: the features
// changed since that run, or it was made with another selection.
func (p *Prepared) rerun(refs []reports.ScenarioRef) error {
	want := map[reports.ScenarioRef]bool{}
	for _, r := range refs {
		want[reports.ScenarioRef{Feature: r.Feature, Line: r.Line}] = true
	}
	var kept []plannedScenario
	found := map[reports.ScenarioRef]bool{}
	for _, sc := range p.selected {
		k := reports.ScenarioRef{Feature: p.uriPrefix + sc.uri, Line: sc.line}
		if want[k] {
			kept = append(kept, sc)
			found[k] = true
		}
	}
	var missing []string
	for _, r := range refs {
		if !found[reports.ScenarioRef{Feature: r.Feature, Line: r.Line}] {
			missing = append(missing, fmt.Sprintf("%s:%d (%s)", r.Feature, r.Line, r.Name))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("cannot rerun %d of the %d scenarios: not among the scenarios of %s for this product and selection: %s",
			len(missing), len(refs), p.cfg.FeaturesName, strings.Join(missing, ", "))
	}
	p.selected = kept
	return nil
}
