package suite

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// requestKind is what a request is, as root-cause attribution compares
// requests: two requests are of the same kind only when a receiver's
// handler has no reason to treat them differently.
type requestKind string

// The kinds of request attribution tells apart.
const (
	// transcriptNotification is a transcript-ready notification (D-2),
	// completed or error, extra fields or not, delivered as AssemblyAI
	// delivers it: POST, the configured auth header and an admitted source
	// address, the full retry policy (Delivery.Probe empty).
	transcriptNotification requestKind = "transcript notification"
	// sessionWebhook is a streaming session's webhook (S-2, S-4),
	// delivered the same way.
	sessionWebhook requestKind = "session webhook"
	// signedEvent is another provider's event, signed and delivered as
	// its profile says (a Delivery whose policy names a signature scheme,
	// not a probe).
	signedEvent requestKind = "signed event"
	// otherRequest is everything else: the redacted-audio notification
	// (D-11, no transcript_id), and every probe (a malformed body,
	// another method, a forged auth header or source address).
	otherRequest requestKind = "other"
)

// kindOf classifies a delivery record. A probe is never a delivery,
// whatever its body: its record says so (Delivery.Probe). A raw body that
// is not a probe is a transcript notification when it carries
// transcript_id and a transcript status (RC-06's extra fields).
func kindOf(d *webhook.Delivery) requestKind {
	if d.Probe != "" || d.Request.Method != http.MethodPost {
		return otherRequest
	}
	if d.Policy.Signature != "" {
		return signedEvent
	}
	switch d.Notification.Kind {
	case webhook.KindTranscript:
		return transcriptNotification
	case webhook.KindStreamingSession:
		return sessionWebhook
	case webhook.KindRaw:
		var body struct {
			TranscriptID string `json:"transcript_id"`
			Status       string `json:"status"`
		}
		if json.Unmarshal([]byte(d.Request.Body), &body) == nil && body.TranscriptID != "" &&
			(body.Status == webhook.StatusCompleted || body.Status == webhook.StatusError) {
			return transcriptNotification
		}
	}
	return otherRequest
}

// rootRequirements are the requirements whose plain delivery every other
// check of their kind of request builds on, first the one a report names
// first: a completed transcript notification acknowledged (RC-01), a
// session webhook acknowledged (RC-20), a correctly signed event of any
// signing provider accepted (SIG-01).
var rootRequirements = []struct {
	id   string
	kind requestKind
}{
	{"RC-01", transcriptNotification},
	{"RC-20", sessionWebhook},
	{"SIG-01", signedEvent},
}

// redirectRequirement is "never answers a 3xx" (P-3).
const redirectRequirement = "RC-12"

// root is a failed root requirement of this run and the answer its plain
// delivery got.
type root struct {
	// name is the requirement the report blames: the root requirement,
	// or RC-12 when the answer is a redirect RC-12 failed with too.
	name   string
	kind   requestKind
	answer answer
}

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

// ownAnswerOf is answerOf as the receiver gave it: with redirects
// followed, the 3xx that began the chain (its body is not kept), not where
// the chain led, so that a redirect is RC-12's root cause however the run
// treated it.
func ownAnswerOf(d *webhook.Delivery) (answer, bool) {
	if d != nil && len(d.Attempts) > 0 && d.Attempts[0].Redirect != nil {
		return answer{status: d.Attempts[0].Redirect.StatusCode}, true
	}
	return answerOf(d)
}

// String is how the report names the shared answer: "500", "timeout".
func (a answer) String() string {
	if a.status != 0 {
		return fmt.Sprintf("%d %s", a.status, http.StatusText(a.status))
	}
	return string(a.failure)
}

func (a answer) redirect() bool { return a.status >= 300 && a.status < 400 }

// attributeRootCause tells each failed requirement whether its failure is
// a finding of its own. Every request of its failed scenarios is compared
// with the plain delivery of each failed root requirement (RC-01 for
// transcript notifications, RC-20 for session webhooks, SIG-01 for a
// signing provider's events):
//
//   - blocked by the root (BlockedBy) when every one is of the root's kind
//     and got the root's very answer (status or error class, and body): a
//     receiver that answers 500 to every POST has one bug, not seven, and
//     the blocked requirement's own fix does not apply;
//   - possibly the same cause (PossiblySameAs) when every one got a root's
//     answer but some were of another kind: a redacted-audio
//     notification, a malformed body, another method, a forged auth header
//     or source address. A server that answers every unhandled exception
//     with the same 500 (uvicorn) makes a failed fetch and a json.loads
//     error look alike, so such a requirement keeps its own fix, shown
//     after the root's;
//   - its own diagnosis otherwise (another answer, a 2xx to a forgery, no
//     request at all).
//
// A root requirement is compared only with the roots before it: RC-20 can
// be possibly the same cause as RC-01. Nothing is attributed when no root
// failed or ran.
func attributeRootCause(reqs []reports.Requirement, scenarios []reports.Scenario) {
	var roots []root
	for _, r := range rootRequirements {
		if a, ok := rootAnswer(scenarios, r.id, r.kind); ok {
			roots = append(roots, root{name: r.id, kind: r.kind, answer: a})
		}
	}
	if len(roots) == 0 {
		return
	}
	// A redirect is RC-12's finding, with RC-12's fix: when RC-12 failed
	// with the very answer a root got, that root is blocked by it too.
	if failedBlocked(reqs, redirectRequirement, scenarios, roots) {
		for i := range roots {
			if roots[i].answer.redirect() {
				roots[i].name = redirectRequirement
			}
		}
	}
	for i := range reqs {
		q := &reqs[i]
		if q.Status != reports.Failed {
			continue
		}
		candidates := roots
		for k, r := range roots {
			if r.name == q.ID {
				candidates = roots[:k]
				break
			}
		}
		att, ok := attribute(q.ID, scenarios, candidates)
		switch {
		case !ok:
		case att.possibly != "":
			q.PossiblySameAs = &att.possibly
		default:
			q.BlockedBy = &att.blockedBy[0].name
			parts := make([]string, len(att.blockedBy))
			for k, r := range att.blockedBy {
				parts[k] = fmt.Sprintf("%s (same answer: %s)", r.name, r.answer)
			}
			q.Reason = "blocked by " + strings.Join(parts, " and ")
		}
	}
}

// attribution is how every failing request of a requirement is explained.
type attribution struct {
	// blockedBy are the roots whose kind and answer its requests shared,
	// in the order of roots.
	blockedBy []root
	// possibly is the first root whose answer a request of another kind
	// got; empty when there is none.
	possibly string
}

// attribute explains every request of id's failed scenarios by a root in
// roots; false when one (or a failed scenario without requests) is not
// explained.
func attribute(id string, scenarios []reports.Scenario, roots []root) (attribution, bool) {
	var att attribution
	seen := map[string]bool{}
	explained := false
	for _, s := range scenarios {
		if s.Status != reports.Failed || !contains(s.Requirements, id) {
			continue
		}
		if len(s.Deliveries) == 0 {
			return attribution{}, false
		}
		for _, d := range s.Deliveries {
			r, sameKind, ok := explain(d, roots)
			switch {
			case !ok:
				return attribution{}, false
			case !sameKind:
				if att.possibly == "" {
					att.possibly = r.name
				}
			case !seen[r.name]:
				seen[r.name] = true
				att.blockedBy = append(att.blockedBy, r)
			}
		}
		explained = true
	}
	return att, explained
}

// explain finds the root whose answer d got: one of d's kind first.
// It reports whether d was of that root's kind, and false when no root's
// answer is d's.
func explain(d *webhook.Delivery, roots []root) (found root, sameKind, ok bool) {
	a, answered := ownAnswerOf(d)
	if !answered {
		return root{}, false, false
	}
	k := kindOf(d)
	for _, r := range roots {
		if r.kind == k && r.answer == a {
			return r, true, true
		}
	}
	for _, r := range roots {
		if r.answer == a {
			return r, false, true
		}
	}
	return root{}, false, false
}

// failedBlocked reports whether requirement id failed and every request
// of its failed scenarios is of a root's kind with that root's answer.
func failedBlocked(reqs []reports.Requirement, id string, scenarios []reports.Scenario, roots []root) bool {
	for _, q := range reqs {
		if q.ID == id {
			att, ok := attribute(id, scenarios, roots)
			return q.Status == reports.Failed && ok && att.possibly == ""
		}
	}
	return false
}

// rootAnswer is the answer the first delivery of kind got in a failed
// scenario of root requirement id.
func rootAnswer(scenarios []reports.Scenario, id string, kind requestKind) (answer, bool) {
	for _, s := range scenarios {
		if s.Status != reports.Failed || !contains(s.Requirements, id) {
			continue
		}
		for _, d := range s.Deliveries {
			if kindOf(d) == kind {
				return ownAnswerOf(d)
			}
		}
	}
	return answer{}, false
}

// refineImpact narrows a failed security requirement (RC-09, RC-10) to
// what its failure costs in this run, from what its failed scenarios'
// requests got: a forgery (a probe) answered 2xx is a security hole; a
// real delivery (the right auth header, an admitted source) not
// acknowledged, whatever it got instead (a 4xx, a 500, a timeout), loses
// notifications; otherwise only forgeries got a 5xx or no answer, which
// they should not (retried for nothing). So a receiver that answers 500
// to forgeries is not told it accepts them, and one that answers 500 to
// the right secret is not told its 5xx were for malformed bodies.
func refineImpact(reqs []reports.Requirement, scenarios []reports.Scenario) {
	for i := range reqs {
		q := &reqs[i]
		if q.Status != reports.Failed || q.Impact != reports.Security {
			continue
		}
		accepted, lost := false, false
		for _, s := range scenarios {
			if s.Status != reports.Failed || !contains(s.Requirements, q.ID) {
				continue
			}
			for _, d := range s.Deliveries {
				a, ok := answerOf(d)
				if !ok {
					continue
				}
				ack := a.status >= 200 && a.status < 300
				if d.Probe != "" {
					accepted = accepted || ack
				} else {
					lost = lost || !ack
				}
			}
		}
		switch {
		case accepted:
		case lost:
			q.Impact = reports.LosesNotifications
		default:
			q.Impact = reports.WastesRetries
		}
	}
}
