package steps

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/hookcheck/hookcheck/internal/stats"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// The checks below explain a failure the way a reviewer needs it: what was
// sent, what came back, and what AssemblyAI would do about it.

// acknowledged: the first attempt got a 2xx within the deadline (D-3).
func acknowledged(d *webhook.Delivery) error {
	if first := d.Attempts[0]; first.Succeeded() {
		return nil
	}
	return fmt.Errorf("%s; expected a 2xx within %s. %s", exchange(d), stats.FormatDuration(d.Policy.Timeout()), consequence(d))
}

// refused: a 4xx, which ends the request (D-5).
func refused(d *webhook.Delivery) error {
	a := d.Attempts[0]
	switch {
	case a.StatusCode >= 400 && a.StatusCode < 500:
		return nil
	case a.Succeeded():
		return fmt.Errorf("%s; expected a 4xx. %s", exchange(d), acceptedRisk(d))
	case d.Policy.Signature != "":
		// Another provider's rules: a 4xx refuses, and what its sender
		// does with any other answer is its profile's.
		return fmt.Errorf("%s; expected a 4xx, which refuses a request that can never succeed. %s", exchange(d), providerConsequence(d))
	case a.StatusCode >= 500:
		return fmt.Errorf("%s; expected a 4xx. A 5xx tells AssemblyAI to retry (D-4) a request that can never succeed", exchange(d))
	}
	return fmt.Errorf("%s; expected a 4xx, the only answer that ends such a request at once (D-5)", exchange(d))
}

// senderOf names who sends d: AssemblyAI, or another provider's sender.
func senderOf(d *webhook.Delivery) string {
	if d.Policy.Signature != "" {
		return "the " + d.Policy.Signature + " sender"
	}
	return "AssemblyAI"
}

// deliveryNoun is what d's kind of request is called: an event for
// another provider, a notification for AssemblyAI.
func deliveryNoun(d *webhook.Delivery) string {
	if d.Policy.Signature != "" {
		return "an event"
	}
	return "a notification"
}

// providerRules are, for each other provider, the rules that say its
// sender does not follow a 3xx and always POSTs.
var providerRules = map[string]struct{ redirect, post string }{
	"standard-webhooks": {"SW-10", "SW-8"},
	"stripe":            {"ST-7", "ST-8"},
	"github":            {"GH-4", "GH-6"},
}

// redirectRule is the rule that says d's sender does not follow a 3xx.
func redirectRule(d *webhook.Delivery) string {
	if r, ok := providerRules[d.Policy.Signature]; ok {
		return r.redirect
	}
	return "P-3"
}

// postRule is the rule that says d's sender always POSTs.
func postRule(d *webhook.Delivery) string {
	if r, ok := providerRules[d.Policy.Signature]; ok {
		return r.post
	}
	return "D-1"
}

// retried is " and is retried" for AssemblyAI (P-3); another provider's
// consequence says whether its sender retries.
func retried(d *webhook.Delivery) string {
	if d.Policy.Signature != "" {
		return ""
	}
	return " and is retried"
}

// acceptedRisk says what a 2xx to this probe risks: each probe has its
// own, and a reader fixes what the sentence names.
func acceptedRisk(d *webhook.Delivery) string {
	switch {
	case d.Request.Method != http.MethodPost:
		return fmt.Sprintf("A 2xx to %s acknowledges a method %s never uses (%s): if the route does any work for it, crawlers, link previews and health checks can set that work off. Answer 405 with Allow: POST",
			d.Request.Method, senderOf(d), postRule(d))
	case d.Notification.Kind == webhook.KindRaw && d.Request.Body == "":
		return "A 2xx to an empty body hides a bug: the receiver acknowledged " + deliveryNoun(d) + " it cannot have processed, so a real one lost this way would go unnoticed"
	case d.Notification.Kind == webhook.KindRaw:
		return "A 2xx to a malformed body hides a bug: the receiver acknowledged " + deliveryNoun(d) + " it cannot have processed, so a real one lost this way would go unnoticed"
	}
	return "The receiver accepted a forged request it must refuse: anyone who finds the URL can trigger its processing"
}

// noServerFailure: no 5xx, timeout or broken connection. A 3xx is RC-12's
// concern, not this check's, followed (Attempt.Redirect) or not.
func noServerFailure(d *webhook.Delivery) error {
	a := d.Attempts[0]
	if a.Redirect != nil || a.Answered() && a.StatusCode < 500 {
		return nil
	}
	return fmt.Errorf("%s; expected no 5xx and no timeout. %s", exchange(d), consequence(d))
}

// noRedirect: no attempt got a 3xx (P-3). It judges the receiver's own
// answer: with redirects followed, the 3xx that began the chain, not
// where it led. A delivery that got no HTTP answer at all proves nothing
// about redirects, so it cannot pass: it fails with the failure that kept
// the answer away (and the report then attributes it to that failure's
// requirement).
func noRedirect(d *webhook.Delivery) error {
	for _, a := range d.Attempts {
		if rd := a.Redirect; rd != nil {
			return fmt.Errorf("%s; the receiver's own answer was a %d redirect (to %q): this run followed it, %s does not, it counts as a failure%s (%s). %s",
				exchange(d), rd.StatusCode, rd.Location, senderOf(d), retried(d), redirectRule(d), consequence(d))
		}
		if a.StatusCode >= 300 && a.StatusCode < 400 {
			return fmt.Errorf("%s; a %d redirect (to %q) is not followed: it counts as a failure%s (%s). %s",
				exchange(d), a.StatusCode, a.ResponseHeaders.Get("Location"), retried(d), redirectRule(d), consequence(d))
		}
	}
	for _, a := range d.Attempts {
		if a.Answered() {
			return nil
		}
	}
	return fmt.Errorf("%s; no attempt got an HTTP answer, so whether the receiver redirects cannot be seen. %s", exchange(d), consequence(d))
}

// exchange says what was sent and what came back on the first attempt.
func exchange(d *webhook.Delivery) string {
	return fmt.Sprintf("sent %s %s %s; got %s", d.Request.Method, d.Target, describeBody(d), answer(d.Attempts[0]))
}

func describeBody(d *webhook.Delivery) string {
	switch d.Notification.Kind {
	case webhook.KindTranscript:
		return fmt.Sprintf("(%s notification, transcript %s)", d.Notification.Status, d.Notification.TranscriptID)
	case webhook.KindRedactedAudio:
		return "(redacted-audio notification, D-11)"
	case webhook.KindStreamingSession:
		return "(" + strings.TrimPrefix(describeSession(d), "the ") + ", session " + d.Notification.SessionID + ")"
	}
	body := d.Request.Body
	if body == "" && d.Request.Method != http.MethodPost {
		return "without a body"
	}
	if len(body) > 60 {
		body = body[:60] + "…"
	}
	return fmt.Sprintf("with body %q", body)
}

func answer(a webhook.Attempt) string {
	if rd := a.Redirect; rd != nil {
		// The receiver's own answer first, then where following it led.
		b := a
		b.Redirect = nil
		hops := "1 redirect"
		if rd.Count != 1 {
			hops = fmt.Sprintf("%d redirects", rd.Count)
		}
		return fmt.Sprintf("%d %s (to %q; followed, %s in all, it ended with %s)",
			rd.StatusCode, http.StatusText(rd.StatusCode), rd.Location, hops, answer(b))
	}
	if a.Answered() {
		return fmt.Sprintf("%d %s after %s", a.StatusCode, http.StatusText(a.StatusCode), stats.FormatDuration(a.Duration))
	}
	switch a.Failure {
	case webhook.ErrTimeout:
		return fmt.Sprintf("no answer within %s (timeout)", stats.FormatDuration(a.Duration))
	}
	return fmt.Sprintf("%s after %s (%s)", a.Failure, stats.FormatDuration(a.Duration), a.Detail)
}

// consequence says what AssemblyAI does with this delivery's answers, and
// what the app loses by it only when the delivery announced something
// (webhook.Delivery.Lost): a probe has no transcript to lose.
func consequence(d *webhook.Delivery) string {
	if d.Policy.Signature != "" {
		return providerConsequence(d)
	}
	a := d.Attempts[0]
	last := d.LastAttempt()
	lost := d.Lost()
	then := func(s string) string { // ": <what is lost>" or ""
		if lost == "" {
			return s
		}
		return s + ": " + lost
	}
	switch {
	case a.StatusCode >= 400 && a.StatusCode < 500 && lost == "":
		return "A 4xx is never retried (D-5)"
	case a.StatusCode == http.StatusTooManyRequests:
		return "A 429 is a 4xx: AssemblyAI never retries it (D-5, P-6), so this notification is lost. Exempt the webhook from rate limiting"
	case a.StatusCode == http.StatusNotFound:
		return "A 4xx is never retried (D-5): the notification is lost. Check that the receiver serves the exact path registered as webhook_url"
	case a.StatusCode == http.StatusUnauthorized || a.StatusCode == http.StatusForbidden:
		return "A 4xx is never retried (D-5): the notification is lost. Check the auth header and allowlist settings on both sides"
	case a.StatusCode >= 400 && a.StatusCode < 500:
		return "A 4xx is never retried (D-5): AssemblyAI would lose this notification"
	case len(d.Attempts) == 1 && d.Policy.MaxAttempts == 1:
		return "AssemblyAI retries such an answer, up to 10 attempts in total (D-4)"
	case d.Outcome == webhook.Stopped:
		lose := ": the notification would be lost"
		if lost == "" {
			lose = ""
		}
		return fmt.Sprintf("AssemblyAI would retry it %d more times (D-4) and, if every attempt failed, give up (D-6)%s. The first attempt decides this check, so hookcheck did not make the retries", d.NotMade, lose)
	case d.Outcome == webhook.Delivered:
		return fmt.Sprintf("AssemblyAI would retry (D-4); here attempt %d got %s, so the notification arrives late and your handler runs more than once", last.Number, answer(last))
	case d.Outcome == webhook.Rejected:
		return then(fmt.Sprintf("AssemblyAI retried until attempt %d got %s, a 4xx, which ends the delivery (D-5)", last.Number, answer(last)))
	case d.Outcome == webhook.Exhausted && d.Notification.Kind == webhook.KindStreamingSession:
		return then(fmt.Sprintf("AssemblyAI would retry %d times in all and then give up (D-6, S-3)", len(d.Attempts)))
	case d.Outcome == webhook.Exhausted:
		return then(fmt.Sprintf("AssemblyAI would retry %d times in all and then give up (D-6)", len(d.Attempts)))
	}
	return "The delivery was stopped before it ended"
}

// providerConsequence says what another provider's sender does with this
// delivery's answer, from the rules of its profile that the record
// carries: none of AssemblyAI's rules (D-4..D-6) applies to it.
func providerConsequence(d *webhook.Delivery) string {
	a := d.Attempts[0]
	p := d.Policy
	if d.Probe != "" && p.MaxAttempts == 1 && len(p.ScheduleMS) > 0 {
		// A probe is sent once; the provider's sender would make every
		// attempt of its schedule.
		p.MaxAttempts = len(p.ScheduleMS) + 1
	}
	sender := "A " + p.Signature + " sender"
	lost := ": the event is lost"
	if d.Lost() == "" {
		lost = "" // a probe announces nothing to lose
	}
	switch {
	case slices.Contains(p.StopOn, a.StatusCode):
		return fmt.Sprintf("%s stops at a %d and makes no more attempts%s", sender, a.StatusCode, lost)
	case a.StatusCode >= 400 && a.StatusCode < 500 && !p.RetryOn4xx:
		return fmt.Sprintf("%s never retries a 4xx%s", sender, lost)
	case p.MaxAttempts <= 1:
		return fmt.Sprintf("%s makes no other attempt%s", sender, lost)
	}
	then := ": the event arrives late, and if each gets the same answer, is lost"
	if lost == "" {
		then = "" // a probe announces no event
	}
	if ra := a.ResponseHeaders.Get("Retry-After"); ra != "" && slices.Contains(p.RetryAfterOn, a.StatusCode) {
		// The answer sets the waits, not the schedule (SW-10).
		return fmt.Sprintf("%s throttles on a %d: it retries after the Retry-After it names (%s s), up to %d attempts%s",
			sender, a.StatusCode, ra, p.MaxAttempts, then)
	}
	return fmt.Sprintf("%s retries it, up to %d attempts over %s%s", sender, p.MaxAttempts,
		stats.FormatDuration(p.ScheduleLength()), then)
}
