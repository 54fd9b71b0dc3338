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
	// A failed delivery whose own transcript the scenario's API fault held
	// comes after the others that failed: where both failed (RC-19: the
	// notifications delivered while another's fetch was held), the reason
	// names one of the others, and its reproduction sends the held one in
	// the background first.
	faulted := map[string]bool{}
	for _, f := range s.APIFaults {
		faulted[f.TranscriptID] = true
	}
	var failed, held, rest []*webhook.Delivery
	for _, d := range s.Deliveries {
		switch {
		case d.Outcome == webhook.Delivered:
			rest = append(rest, d)
		case d.Notification.Kind == webhook.KindTranscript && faulted[d.Notification.TranscriptID]:
			held = append(held, d)
		default:
			failed = append(failed, d)
		}
	}
	failed = append(failed, held...)
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
