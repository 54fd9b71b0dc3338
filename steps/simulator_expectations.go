package steps

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// The Then steps check the delivery record and what the receiver got;
// their times are exact because the suite runs in a synctest bubble.

// expectOutcome checks the outcome and the number of attempts.
func (st *simulatorScenario) expectOutcome(outcome string, n int) error {
	d, err := st.record()
	if err != nil {
		return err
	}
	if string(d.Outcome) != outcome || len(d.Attempts) != n {
		return fmt.Errorf("expected %s after %d attempt(s), got %s after %d: %s", outcome, n, d.Outcome, len(d.Attempts), attemptsSummary(d))
	}
	return nil
}

// expectAttemptStarts checks each attempt's start from the delivery's
// start, exactly (P-2).
func (st *simulatorScenario) expectAttemptStarts(list string) error {
	d, err := st.record()
	if err != nil {
		return err
	}
	want, err := secondsList(list)
	if err != nil {
		return err
	}
	got := make([]time.Duration, len(d.Attempts))
	for i, a := range d.Attempts {
		got[i] = a.StartedAt.Sub(d.StartedAt)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return fmt.Errorf("expected attempts to start at %v, got %v", want, got)
	}
	return nil
}

// expectDeliveryEnds checks the delivery's total duration exactly.
func (st *simulatorScenario) expectDeliveryEnds(secs int) error {
	d, err := st.record()
	if err != nil {
		return err
	}
	if got := d.EndedAt.Sub(d.StartedAt); got != time.Duration(secs)*time.Second {
		return fmt.Errorf("expected the delivery to end after %ds, it ended after %s", secs, got)
	}
	return nil
}

// expectEveryAttemptFailed checks every attempt's error class (P-4).
func (st *simulatorScenario) expectEveryAttemptFailed(class string) error {
	return st.everyAttempt(class, 0)
}

// expectEveryAttemptFailedAfter checks every attempt's error class and
// duration (D-3, P-1).
func (st *simulatorScenario) expectEveryAttemptFailedAfter(class string, secs int) error {
	return st.everyAttempt(class, time.Duration(secs)*time.Second)
}

// expectFirstSucceededAfter checks a 2xx and its exact duration.
func (st *simulatorScenario) expectFirstSucceededAfter(secs float64) error {
	d, err := st.record()
	if err != nil {
		return err
	}
	a := d.Attempts[0]
	if !a.Succeeded() || a.Duration != seconds(secs) {
		return fmt.Errorf("expected a 2xx after %ss, got %s", strconv.FormatFloat(secs, 'f', -1, 64), attemptSummary(a))
	}
	return nil
}

// expectFirstFailed checks the first attempt's error class.
func (st *simulatorScenario) expectFirstFailed(class string) error {
	d, err := st.record()
	if err != nil {
		return err
	}
	if a := d.Attempts[0]; string(a.Failure) != class {
		return fmt.Errorf("expected the first attempt to fail with %s, got %s", class, attemptSummary(a))
	}
	return nil
}

// expectWebhookStatusCode checks what AssemblyAI would report (D-10, P-5).
func (st *simulatorScenario) expectWebhookStatusCode(code int) error {
	d, err := st.record()
	if err != nil {
		return err
	}
	if d.WebhookStatusCode == nil || *d.WebhookStatusCode != code {
		return fmt.Errorf("expected webhook_status_code %d, got %s", code, statusCode(d.WebhookStatusCode))
	}
	return nil
}

// expectWebhookStatusCodeNull checks that no attempt got an HTTP answer
// (P-5).
func (st *simulatorScenario) expectWebhookStatusCodeNull() error {
	d, err := st.record()
	if err != nil {
		return err
	}
	if d.WebhookStatusCode != nil {
		return fmt.Errorf("expected webhook_status_code null, got %d", *d.WebhookStatusCode)
	}
	return nil
}

// expectRecordOmits checks that a secret is masked in the JSON record.
func (st *simulatorScenario) expectRecordOmits(text string) error {
	d, err := st.record()
	if err != nil {
		return err
	}
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode delivery record: %w", err)
	}
	if strings.Contains(string(b), text) {
		return errors.New("the delivery record shows a secret")
	}
	return nil
}

// expectRequests counts the requests the receiver got.
func (st *simulatorScenario) expectRequests(n int) error {
	if got := st.inbox.Len(); got != n {
		return fmt.Errorf("expected the receiver to get %d request(s), it got %d", n, got)
	}
	return nil
}

// expectPOSTWithJSON checks the method and body of every request (D-1).
func (st *simulatorScenario) expectPOSTWithJSON() error {
	for i, r := range st.inbox.Requests() {
		if r.Method != http.MethodPost || !json.Valid(r.Body) {
			return fmt.Errorf("request %d: %s with body %q", i+1, r.Method, r.Body)
		}
	}
	return nil
}

// expectBody compares the first request's body byte for byte (D-2, D-11).
func (st *simulatorScenario) expectBody(doc *godog.DocString) error {
	r, err := st.request()
	if err != nil {
		return err
	}
	if string(r.Body) != doc.Content {
		return fmt.Errorf("expected body\n  %s\ngot\n  %s", doc.Content, r.Body)
	}
	return nil
}

// expectRequestURI compares the request target byte for byte (D-9).
func (st *simulatorScenario) expectRequestURI(uri string) error {
	r, err := st.request()
	if err != nil {
		return err
	}
	if r.RequestURI != uri {
		return fmt.Errorf("expected request URI %q, got %q", uri, r.RequestURI)
	}
	return nil
}

// expectHeader checks one header of the first request (D-12).
func (st *simulatorScenario) expectHeader(name, value string) error {
	r, err := st.request()
	if err != nil {
		return err
	}
	return headerIs(r, name, value)
}

// expectEveryHeader checks one header of every request (D-8).
func (st *simulatorScenario) expectEveryHeader(name, value string) error {
	for _, r := range st.inbox.Requests() {
		if err := headerIs(r, name, value); err != nil {
			return err
		}
	}
	return nil
}

// expectNoHeader checks that the first request lacks a header.
func (st *simulatorScenario) expectNoHeader(name string) error {
	r, err := st.request()
	if err != nil {
		return err
	}
	if vs := r.Header.Values(name); len(vs) > 0 {
		return fmt.Errorf("expected no %s header, got %d value(s)", name, len(vs))
	}
	return nil
}

// expectPeerAddress checks the socket peer address of the first request
// (P-7).
func (st *simulatorScenario) expectPeerAddress(ip string) error {
	r, err := st.request()
	if err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil || host != ip {
		return fmt.Errorf("expected peer address %s, got %q", ip, r.RemoteAddr)
	}
	return nil
}

func (st *simulatorScenario) record() (*webhook.Delivery, error) {
	if st.delivery == nil {
		return nil, errors.New("no delivery yet: add a When step that delivers")
	}
	return st.delivery, nil
}

func (st *simulatorScenario) request() (receiver.Request, error) {
	reqs := st.inbox.Requests()
	if len(reqs) == 0 {
		return receiver.Request{}, errors.New("the receiver got no request")
	}
	return reqs[0], nil
}

func (st *simulatorScenario) everyAttempt(class string, after time.Duration) error {
	d, err := st.record()
	if err != nil {
		return err
	}
	for _, a := range d.Attempts {
		if string(a.Failure) != class || (after > 0 && a.Duration != after) {
			return fmt.Errorf("expected every attempt to fail with %s, got %s", class, attemptsSummary(d))
		}
	}
	return nil
}

func headerIs(r receiver.Request, name, value string) error {
	if got := r.Header.Values(name); len(got) != 1 || got[0] != value {
		return fmt.Errorf("expected header %s: %q, got %q", name, value, got)
	}
	return nil
}

func attemptSummary(a webhook.Attempt) string {
	if a.Answered() {
		return fmt.Sprintf("%d after %s", a.StatusCode, a.Duration)
	}
	return fmt.Sprintf("%s after %s", a.Failure, a.Duration)
}

func attemptsSummary(d *webhook.Delivery) string {
	parts := make([]string, len(d.Attempts))
	for i, a := range d.Attempts {
		parts[i] = fmt.Sprintf("#%d %s", a.Number, attemptSummary(a))
	}
	return strings.Join(parts, ", ")
}

func statusCode(c *int) string {
	if c == nil {
		return "null"
	}
	return strconv.Itoa(*c)
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func secondsList(list string) ([]time.Duration, error) {
	var out []time.Duration
	for _, f := range strings.Split(list, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number of seconds", f)
		}
		out = append(out, seconds(v))
	}
	return out, nil
}
