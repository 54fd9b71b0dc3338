package capture

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/simulator/profiles"
	"github.com/hookcheck/hookcheck/simulator/signing"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Sender is the delivery rules of a provider other than AssemblyAI, for a
// Recorder to group its requests and say what it does after each answer
// (Config.Sender). AssemblyAI's rules are the Recorder's own (nil Sender).
type Sender struct {
	// Name names the provider on each live line ("standard-webhooks
	// retries in 5s").
	Name string
	// Policy is the provider's delivery policy (its profile): attempts,
	// the schedule's waits, stop-on answers, 4xx and Retry-After rules.
	// Its pace is ignored: a capture sees real deliveries.
	Policy webhook.Policy
	// Signing is its signing scheme; it picks the header that names a
	// delivery. Empty: requests are grouped as AssemblyAI's are.
	Signing signing.Provider
}

// KeyOf names the delivery a request of scheme p belongs to: the id every
// attempt of one message repeats, "webhook-id:<id>" (SW-1),
// "x-github-delivery:<id>" (GH-1) or Stripe's event "id:<evt_…>" (ST-9);
// without it, the AssemblyAI ids (Key). "" when the request names none.
func KeyOf(p signing.Provider, h http.Header, body []byte) string {
	prefix := map[signing.Provider]string{signing.StandardWebhooks: "webhook-id:", signing.GitHub: "x-github-delivery:", signing.Stripe: "id:"}
	if id := signing.EventID(p, h, body); id != "" {
		return prefix[p] + id
	}
	return Key(body)
}

// Next says what s's sender does after attempt of a delivery was
// answered status (0: no answer) with Retry-After retryAfter: the tail of
// a live line, from s's profile and never from AssemblyAI's rules.
func (s *Sender) Next(attempt, status int, retryAfter string) string {
	p := s.Policy
	switch {
	case status >= 200 && status < 300:
		return "acknowledged"
	case status != 0 && slices.Contains(p.StopOn, status):
		return fmt.Sprintf("%s stops at a %d (its stop-on rule): the event is lost, the endpoint may be disabled", s.Name, status)
	case status >= 400 && status < 500 && !p.RetryOn4xx:
		return fmt.Sprintf("%s does not retry a 4xx: the event is lost", s.Name)
	case attempt >= p.MaxAttempts:
		if p.MaxAttempts == 1 {
			return fmt.Sprintf("%s makes 1 attempt, no retry: the event is lost", s.Name)
		}
		return fmt.Sprintf("that was attempt %d of %d: %s gives up, the event is lost", attempt, p.MaxAttempts, s.Name)
	}
	wait := p.Schedule
	d := p.RetryInterval
	if attempt >= 1 && attempt <= len(wait) {
		d = wait[attempt-1]
	}
	why := ""
	if status != 0 && slices.Contains(p.RetryAfterOn, status) {
		if secs, err := strconv.Atoi(strings.TrimSpace(retryAfter)); err == nil && secs >= 0 {
			d = min(time.Duration(secs)*time.Second, profiles.MaxRetryInterval)
			why = " (Retry-After honoured)"
		}
	}
	return fmt.Sprintf("%s retries in %s%s, attempt %d of %d", s.Name, d, why, attempt+1, p.MaxAttempts)
}

// senderTail is the live-line tail of a request answered by the capture
// itself, for a provider's Sender.
func (rc *Recorder) senderTail(rec Record) string {
	if rec.Incomplete {
		return ""
	}
	status := rec.Status
	if rec.ClientGone {
		status = 0
	}
	return "  " + rc.cfg.Sender.Next(rec.Attempt, status, "")
}
