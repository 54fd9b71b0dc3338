package suite

import (
	"fmt"
	"net/http"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// rootRequirement is the requirement whose plain delivery every other
// delivery check builds on: a completed notification, acknowledged (RC-01).
const rootRequirement = "RC-01"

// answer is what a first attempt got, as far as root-cause attribution
// compares it: the status or the error class, and the body there is one.
type answer struct {
	status  int
	failure webhook.ErrorClass
	body    string
}

func answerOf(d *webhook.Delivery) (answer, bool) {
	if d == nil || len(d.Attempts) == 0 {
		return answer{}, false
	}
	a := d.Attempts[0]
	return answer{status: a.StatusCode, failure: a.Failure, body: a.ResponseBody}, true
}

// String is how the report names the shared answer: "500", "timeout".
func (a answer) String() string {
	if a.status != 0 {
		return fmt.Sprintf("%d %s", a.status, http.StatusText(a.status))
	}
	return string(a.failure)
}

// attributeRootCause marks each failed requirement whose failing scenarios
// got, on every request they made, the same answer as RC-01's plain
// delivery in the same run: it is blocked by RC-01, not an independent
// finding with its own fix. A receiver that answers 500 to every POST has
// one bug, not seven. A requirement that failed in any other way (another
// status, another body, a 2xx to a forgery, no request at all) keeps its
// own diagnosis. Nothing is attributed when RC-01 passed or did not run.
func attributeRootCause(reqs []reports.Requirement, scenarios []reports.Scenario) {
	root, ok := rootAnswer(scenarios)
	if !ok {
		return
	}
	id := rootRequirement
	// A redirect is RC-12's finding, with RC-12's fix: when RC-12 failed
	// with the very answer RC-01 got, RC-01 is blocked by it too.
	if root.status >= 300 && root.status < 400 && failedSame(reqs, redirectRequirement, scenarios, root) {
		id = redirectRequirement
	}
	for i := range reqs {
		q := &reqs[i]
		if q.ID == id || q.Status != reports.Failed {
			continue
		}
		if sameFailure(q.ID, scenarios, root) {
			q.BlockedBy = &id
			q.Reason = fmt.Sprintf("blocked by %s (same answer: %s)", id, root)
		}
	}
}

// refineImpact narrows a failed security requirement (RC-09, RC-10) to
// what its failure costs in this run: a forged request answered 2xx is a
// security hole; without any 2xx the failures are real deliveries refused
// with a 4xx (notifications lost) or forgeries answered 5xx or not at all
// (retried for nothing). So a receiver that answers 500 to forgeries is
// not told it accepts them.
func refineImpact(reqs []reports.Requirement, scenarios []reports.Scenario) {
	for i := range reqs {
		q := &reqs[i]
		if q.Status != reports.Failed || q.Impact != reports.Security {
			continue
		}
		accepted, refused := false, false
		for _, s := range scenarios {
			if s.Status != reports.Failed || !contains(s.Requirements, q.ID) {
				continue
			}
			for _, d := range s.Deliveries {
				if a, ok := answerOf(d); ok {
					accepted = accepted || (a.status >= 200 && a.status < 300)
					refused = refused || (a.status >= 400 && a.status < 500)
				}
			}
		}
		switch {
		case accepted:
		case refused:
			q.Impact = reports.LosesNotifications
		default:
			q.Impact = reports.WastesRetries
		}
	}
}

// redirectRequirement is "never answers a 3xx" (P-3).
const redirectRequirement = "RC-12"

func failedSame(reqs []reports.Requirement, id string, scenarios []reports.Scenario, root answer) bool {
	for _, q := range reqs {
		if q.ID == id {
			return q.Status == reports.Failed && sameFailure(id, scenarios, root)
		}
	}
	return false
}

// rootAnswer is the answer RC-01's failed plain delivery got.
func rootAnswer(scenarios []reports.Scenario) (answer, bool) {
	for _, s := range scenarios {
		if s.Status != reports.Failed || !contains(s.Requirements, rootRequirement) || len(s.Deliveries) == 0 {
			continue
		}
		return answerOf(s.Deliveries[0])
	}
	return answer{}, false
}

// sameFailure reports whether every failed scenario of requirement id made
// requests and got root's answer to each of them.
func sameFailure(id string, scenarios []reports.Scenario, root answer) bool {
	any := false
	for _, s := range scenarios {
		if s.Status != reports.Failed || !contains(s.Requirements, id) {
			continue
		}
		if len(s.Deliveries) == 0 {
			return false
		}
		for _, d := range s.Deliveries {
			if a, ok := answerOf(d); !ok || a != root {
				return false
			}
		}
		any = true
	}
	return any
}
