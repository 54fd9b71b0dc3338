package reports

import (
	"github.com/hookcheck/hookcheck/reports/repro"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// MaxReproducedDeliveries bounds the deliveries of one failed scenario that
// get reproductions: a burst scenario makes hundreds of equal requests,
// and the first few show the failure.
const MaxReproducedDeliveries = 5

// ReproductionsFor returns the reproductions of a failed scenario, one per
// attempt of its first deliveries; nil for any other scenario.
func ReproductionsFor(s Scenario) []repro.Reproduction {
	if s.Status != Failed {
		return nil
	}
	// The deliveries that failed come first, in run order: the first one
	// is the one the scenario's reason names.
	var failed, rest []*webhook.Delivery
	for _, d := range s.Deliveries {
		if d.Outcome == webhook.Delivered {
			rest = append(rest, d)
		} else {
			failed = append(failed, d)
		}
	}
	var out []repro.Reproduction
	for i, d := range append(failed, rest...) {
		if i == MaxReproducedDeliveries {
			break
		}
		rs := repro.ForDelivery(d)
		// An API fault the scenario made is part of what to reproduce:
		// a plain delivery cannot recreate it (RC-15, RC-16).
		if cmd := repro.ServeAPI(s.APIFaults, d, s.Deliveries); cmd != "" {
			for i := range rs {
				rs[i].API = cmd
			}
		}
		out = append(out, rs...)
	}
	return out
}

// FirstReproduction returns the reproduction of a failed scenario's first
// attempt, the one reports show; false when there is none.
func (s Scenario) FirstReproduction() (repro.Reproduction, bool) {
	if len(s.Reproductions) == 0 {
		return repro.Reproduction{}, false
	}
	return s.Reproductions[0], true
}
