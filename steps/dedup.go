package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/internal/stats"
	"github.com/hookcheck/hookcheck/simulator/signing"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// A provider sends the same event more than once: a retry after an
// answer that never reached it, Stripe's duplicates (ST-9), a redelivery
// someone asked for (GH-7). Each repeats the event's id (webhook-id,
// Stripe's event id, X-GitHub-Delivery), and a receiver acknowledges the
// repeat and does not do the work twice (SIG-09). Only the receiver knows
// how many times it did the work: the verify URL's answer says, as
// {"processed": N}.

// dedupSettle is how long SIG-09 keeps asking after the verify URL first
// counted one processing: a receiver that processes in the background may
// do the redelivery's work a moment after it answered.
const dedupSettle = 2 * time.Second

// maxCountBody bounds the verify URL answer SIG-09 reads.
const maxCountBody = 4 << 10

// ModeReprocessed is the failure mode of a receiver that processed a
// redelivered event again (SIG-09).
const ModeReprocessed = "reprocessed"

// dedupDefinitions lists the steps of SIG-09.
func (c *Conformance) dedupDefinitions() []Definition {
	return []Definition{
		{Kind: "Given", Pattern: `^the receiver's processing can be counted at the verify URL \(otherwise not applicable\)$`,
			Example: `the receiver's processing can be counted at the verify URL (otherwise not applicable)`,
			Doc:     "Not applicable unless --verify-url is set: a URL with {id} (the event's id) that answers how many times the receiver processed that event, as {\"processed\": N}.",
			Func:    conf((*conformanceScenario).requireVerifyURL)},
		{Kind: "When", Pattern: `^the provider delivers the same event again$`,
			Example: `the provider delivers the same event again`,
			Doc:     "The scenario's latest event again, as the provider redelivers it: the same body and id (webhook-id, Stripe's event id, X-GitHub-Delivery), a fresh signature (SIG-09).",
			Func:    conf((*conformanceScenario).redeliverEvent)},
		{Kind: "Then", Pattern: `^the receiver acknowledges the redelivery with a 2xx within the deadline$`,
			Example: `the receiver acknowledges the redelivery with a 2xx within the deadline`,
			Doc:     "The redelivery's first attempt got a 2xx within the deadline: a sender that gets anything else takes the event as not delivered (SIG-09).",
			Func:    conf((*conformanceScenario).expectRedeliveryAcknowledged)},
		{Kind: "Then", Pattern: `^the verify URL says the receiver processed the event once$`,
			Example: `the verify URL says the receiver processed the event once`,
			Doc:     "Asks --verify-url about the event's id until it answers 2xx with {\"processed\": N} or --verify-within passes, then for 2 s more: N must be 1 (SIG-09).",
			Func:    conf((*conformanceScenario).expectProcessedOnce)},
	}
}

// requireVerifyURL: SIG-09 needs the receiver's own count.
func (st *conformanceScenario) requireVerifyURL() error {
	if v := st.cfg.Verify; v == nil || v.URL == "" {
		return st.notApplicable("no verify URL configured to count how many times the receiver processed an event (set " +
			st.cfg.Vocabulary.Say("--verify-url", "Target.VerifyURL") + ` to a URL with {id} that answers {"processed": N})`)
	}
	return nil
}

// redeliverEvent sends the latest event again with its message id.
func (st *conformanceScenario) redeliverEvent(ctx context.Context) error {
	if st.lastN.Kind == "" || st.cfg.Policy.Signing == nil {
		return errors.New("no earlier event in this scenario to deliver again: add \"When the provider delivers an event\" first")
	}
	return st.deliverAs(ctx, st.lastN, st.eventMessageID)
}

// eventID is the id a receiver deduplicates the scenario's event on.
func (st *conformanceScenario) eventID() string {
	s := st.cfg.Policy.Signing
	if s == nil {
		return ""
	}
	h := http.Header{}
	h.Set(signing.HeaderWebhookID, st.eventMessageID)
	h.Set(signing.HeaderGitHubDelivery, st.eventMessageID)
	return signing.EventID(s.Provider, h, st.lastN.Raw)
}

// expectRedeliveryAcknowledged: the redelivery got a 2xx. Its consequence
// is a duplicate's, not a lost event's: the receiver already had it.
func (st *conformanceScenario) expectRedeliveryAcknowledged() error {
	return st.eachLast(func(d *webhook.Delivery) error {
		if d.Attempts[0].Succeeded() {
			return nil
		}
		return fmt.Errorf("%s, the redelivery of event %s; expected a 2xx within %s. %s",
			exchange(d), st.eventID(), stats.FormatDuration(d.Policy.Timeout()), duplicateConsequence(d))
	})
}

// duplicateConsequence says what the sender does when a redelivery of an
// event the receiver has is not acknowledged: from the record's policy.
func duplicateConsequence(d *webhook.Delivery) string {
	p, a := d.Policy, d.Attempts[0]
	sender := "A " + p.Signature + " sender"
	switch {
	case p.MaxAttempts <= 1 || (a.StatusCode >= 400 && a.StatusCode < 500 && !p.RetryOn4xx):
		return sender + " records this delivery as failed, though the receiver has the event: whoever redelivered it is told it never arrived"
	case slices.Contains(p.StopOn, a.StatusCode):
		return fmt.Sprintf("%s stops at a %d and takes the endpoint for gone, though the receiver has the event", sender, a.StatusCode)
	}
	return fmt.Sprintf("%s takes the event as not delivered and sends it again, up to %d attempts over %s, though the receiver already has it; each of those attempts fails the same way",
		sender, p.MaxAttempts, stats.FormatDuration(p.ScheduleLength()))
}

// expectProcessedOnce asks the verify URL how many times the receiver
// processed the scenario's event: once, after it was delivered twice.
func (st *conformanceScenario) expectProcessedOnce(ctx context.Context) error {
	v := st.cfg.Verify
	if v == nil || v.URL == "" {
		return errors.New("no verify URL configured")
	}
	id := st.eventID()
	if id == "" {
		return errors.New("no event delivered in this scenario to ask about")
	}
	within := v.within()
	client := st.verifyClient()
	clk := st.cfg.clock()
	deadline := clk.Now().Add(within)
	var (
		got     string    // the latest answer, when it counted nothing
		onceAt  time.Time // when the count was first 1
		counted bool
	)
	for {
		n, ok, answer, final := st.countAtVerifyURL(ctx, client, v, id)
		switch {
		case final:
			return withMode(ModeNotProcessed, fmt.Errorf("the verify URL, asked about event %s: %s", id, answer))
		case ok && n == -1:
			return st.notApplicable(fmt.Sprintf(`the verify URL answered 2xx for event %s without a count: SIG-09 needs {"processed": N} in the answer (got %s)`, id, answer))
		case ok && n > 1:
			return withMode(ModeReprocessed, fmt.Errorf("the receiver processed event %s %d times, as its verify URL says: it acknowledged the redelivery and did the work again. %s",
				id, n, reprocessedConsequence(st.cfg.Policy.Signing.Provider)))
		case ok && n == 1 && !counted:
			counted, onceAt = true, clk.Now()
		case !ok || n < 1:
			got = answer
		}
		now := clk.Now()
		if counted && now.Sub(onceAt) >= dedupSettle {
			return nil
		}
		if !counted && !now.Before(deadline) || ctx.Err() != nil {
			break
		}
		st.pollPause(ctx)
	}
	if counted {
		return nil // the run ended while it settled: once so far
	}
	return withMode(ModeNotProcessed, fmt.Errorf("the verify URL never said event %s was processed within %s (its last answer: %s), though the receiver acknowledged it",
		id, stats.FormatDuration(within), got))
}

// reprocessedConsequence says what doing an event's work twice means.
func reprocessedConsequence(p signing.Provider) string {
	rule := map[signing.Provider]string{signing.StandardWebhooks: "SW-1", signing.Stripe: "ST-9", signing.GitHub: "GH-7"}[p]
	return fmt.Sprintf("Every retry after a lost answer, and every duplicate the provider sends (%s), repeats the event's side effects: a second charge, a second email, a counter counted twice", rule)
}

// verifyClient is the client that asks the verify URL: the deadline of a
// delivery, redirects within the URL's origin only.
func (st *conformanceScenario) verifyClient() *http.Client {
	client := &http.Client{Timeout: st.cfg.Policy.Timeout, CheckRedirect: verifyRedirect}
	if st.cfg.Options.DialContext != nil {
		client.Transport = &http.Transport{DialContext: st.cfg.Options.DialContext}
	}
	return client
}

// verifyRequest is the GET of the verify URL about id.
func verifyRequest(ctx context.Context, v *Verify, id string) (*http.Request, error) {
	u := strings.ReplaceAll(v.URL, TranscriptIDPlaceholder, url.PathEscape(id))
	u = strings.ReplaceAll(u, EventIDPlaceholder, url.PathEscape(id))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if v.HeaderName != "" {
		req.Header.Set(v.HeaderName, v.HeaderValue.Reveal())
	}
	return req, nil
}

// countAtVerifyURL asks the verify URL about id. ok is a 2xx; n is its
// count, -1 when a 2xx carried none; answer says what came back; final is
// an answer asking again cannot change (a redirect to another origin).
func (st *conformanceScenario) countAtVerifyURL(ctx context.Context, client *http.Client, v *Verify, id string) (n int, ok bool, answer string, final bool) {
	req, err := verifyRequest(ctx, v, id)
	if err != nil {
		return 0, false, err.Error(), true
	}
	resp, err := client.Do(req)
	var elsewhere *otherOrigin
	switch {
	case errors.As(err, &elsewhere):
		return 0, false, elsewhere.Error(), true
	case err != nil:
		return 0, false, "no answer", false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxCountBody))
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return 0, false, strconv.Itoa(resp.StatusCode), false
	}
	var c struct {
		Processed *json.Number `json:"processed"`
	}
	if json.Unmarshal(body, &c) != nil || c.Processed == nil {
		return -1, true, fmt.Sprintf("%d %q", resp.StatusCode, printable(string(body), 80)), false
	}
	count, err := c.Processed.Int64()
	if err != nil || count < 0 {
		return -1, true, fmt.Sprintf("%d %q", resp.StatusCode, printable(string(body), 80)), false
	}
	return int(min(count, 1<<20)), true, fmt.Sprintf("%d, processed %d", resp.StatusCode, count), false
}
