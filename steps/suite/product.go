package suite

import (
	"regexp"
	"slices"

	"github.com/hookcheck/hookcheck/features"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/steps"
)

// A run's product is a tag filter: a streaming scenario is tagged
// @streaming (steps.StreamingTag), and every other is pre-recorded. So the
// built-in suite keeps one set of steps, and a team's own features choose
// their product the same way.

// forProduct restricts f to the scenarios of product p.
func (f tagFilter) forProduct(p reports.Product) tagFilter {
	switch p {
	case reports.Streaming:
		return f.And(steps.StreamingTag)
	case reports.BothProducts:
		return f
	}
	return f.And("~" + steps.StreamingTag)
}

// productOf is the product of a scenario with tags.
func productOf(tags []string) reports.Product {
	if slices.Contains(tags, steps.StreamingTag) {
		return reports.Streaming
	}
	return reports.PreRecorded
}

// productNote adds the product to a "nothing selected" message.
func productNote(p reports.Product, v steps.Vocabulary) string {
	if p == reports.PreRecorded {
		return ""
	}
	return " for " + v.Say("--product ", "Target.Product ") + string(p) + " (streaming scenarios are tagged " + steps.StreamingTag + ")"
}

// forProduct drops from the catalogue the requirements that only another
// product's scenarios check (RC-20..RC-23 in a pre-recorded run, RC-01 in
// a streaming one), so that a run does not list them as skipped. A
// requirement no scenario checks at all stays, as before products.
func forProduct(catalog []reports.Requirement, planned []plannedScenario, p reports.Product) []reports.Requirement {
	checked := map[string][]reports.Product{}
	for _, sc := range planned {
		for _, t := range sc.tags {
			if id, ok := requirementTag(t); ok {
				checked[id] = append(checked[id], productOf(sc.tags))
			}
		}
	}
	out := catalog[:0:0]
	for _, q := range catalog {
		ps, ok := checked[q.ID]
		if !ok || slices.ContainsFunc(ps, p.Includes) {
			out = append(out, q)
		}
	}
	return out
}

// markProducts sets each requirement's Products from the scenarios that
// checked it, in report order.
func markProducts(reqs []reports.Requirement, scenarios []reports.Scenario) {
	for i := range reqs {
		q := &reqs[i]
		q.Products = nil
		for _, p := range reports.BothProducts.Products() {
			for _, s := range scenarios {
				if s.Product == p && slices.Contains(s.Requirements, q.ID) {
					q.Products = append(q.Products, p)
					break
				}
			}
		}
	}
}

func requirementTag(t string) (string, bool) {
	if isRequirementTag(t) {
		return t[1:], true
	}
	return "", false
}

// requirementTagPattern matches a requirement id tag: @RC-01, @SIG-07.
var requirementTagPattern = regexp.MustCompile(`^@[A-Z]{2,5}-\d{2,3}$`)

// isRequirementTag says t names a requirement.
func isRequirementTag(t string) bool { return requirementTagPattern.MatchString(t) }

// catalogFor is the requirement catalogue of a provider's run: its own
// entries, and the shared ones its features check, in catalogue order.
func catalogFor(name string, planned []plannedScenario) ([]reports.Requirement, error) {
	all, err := features.AllRequirementsFor(name)
	if err != nil {
		return nil, err
	}
	own, err := features.RequirementsFor(name)
	if err != nil {
		return nil, err
	}
	keep := map[string]bool{}
	for _, q := range own {
		keep[q.ID] = true
	}
	for _, sc := range planned {
		for _, t := range sc.tags {
			if id, ok := requirementTag(t); ok {
				keep[id] = true
			}
		}
	}
	return slices.DeleteFunc(all, func(q reports.Requirement) bool { return !keep[q.ID] }), nil
}
