package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cucumber/godog"

	"github.com/hookcheck/hookcheck/simulator/memnet"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Simulator checks hookcheck's own sender against AssemblyAI's rules. Its
// receivers are the reference receivers, served on an in-memory network
// (or on real loopback where a scenario needs a socket address), and its
// assertions on time are exact, so it must run inside a testing/synctest
// bubble, where time is virtual.
type Simulator struct {
	// Policy returns the policy a scenario starts from; nil means
	// webhook.DefaultPolicy. The mutation check uses it to break a rule.
	Policy func() webhook.Policy
}

// simulatorScenario is one scenario's state.
type simulatorScenario struct {
	net      *memnet.Network
	closers  []func()
	inbox    *receiver.Inbox
	target   string // base URL of the receiver
	loopback bool   // the receiver is on real loopback, not memnet
	policy   webhook.Policy
	delivery *webhook.Delivery
}

// RegisterSteps adds the simulator's steps to sc.
func (s Simulator) RegisterSteps(sc *godog.ScenarioContext) {
	sc.Before(func(ctx context.Context, _ *godog.Scenario) (context.Context, error) {
		p := webhook.DefaultPolicy()
		if s.Policy != nil {
			p = s.Policy()
		}
		return withState(ctx, &simulatorScenario{net: memnet.New(), inbox: receiver.NewInbox(), policy: p}), nil
	})
	sc.After(func(ctx context.Context, _ *godog.Scenario, err error) (context.Context, error) {
		if st, e := stateFrom[simulatorScenario](ctx); e == nil {
			for i := len(st.closers) - 1; i >= 0; i-- {
				st.closers[i]()
			}
		}
		return ctx, nil
	})
	register(sc, s.Definitions())
}

// Definitions lists the simulator's steps.
func (s Simulator) Definitions() []Definition {
	return []Definition{
		// Receivers.
		{Kind: "Given", Pattern: `^a receiver that answers (\d{3})$`, Example: "a receiver that answers 500", Doc: "Serves the `status` reference receiver on the in-memory network.",
			Func: sim(func(st *simulatorScenario, code int) error {
				return st.serveBehaviour("status", receiver.Params{Status: code})
			})},
		{Kind: "Given", Pattern: `^a receiver that answers (\d{3}) after ([\d.]+) seconds$`, Example: "a receiver that answers 200 after 9.9 seconds", Doc: "Serves the `delay` reference receiver (virtual time).",
			Func: sim(func(st *simulatorScenario, code int, secs float64) error {
				if code != http.StatusOK {
					return errors.New("the delayed reference receiver answers 200 only")
				}
				return st.serveBehaviour("delay", receiver.Params{Delay: seconds(secs)})
			})},
		{Kind: "Given", Pattern: `^a receiver that never answers$`, Example: "a receiver that never answers", Doc: "Serves the `hang` reference receiver.",
			Func: sim(func(st *simulatorScenario) error {
				return st.serveBehaviour("hang", receiver.Params{})
			})},
		{Kind: "Given", Pattern: `^a receiver that resets the connection$`, Example: "a receiver that resets the connection", Doc: "Serves the `reset` reference receiver.",
			Func: sim(func(st *simulatorScenario) error {
				return st.serveBehaviour("reset", receiver.Params{})
			})},
		{Kind: "Given", Pattern: `^a receiver that redirects every delivery$`, Example: "a receiver that redirects every delivery", Doc: "Serves the `redirect` reference receiver (302 to itself).",
			Func: sim(func(st *simulatorScenario) error {
				return st.serveBehaviour("redirect", receiver.Params{})
			})},
		{Kind: "Given", Pattern: `^a receiver that fails the first (\d+) deliveries with (\d{3}), then answers 200$`, Example: "a receiver that fails the first 3 deliveries with 500, then answers 200", Doc: "Serves the `fail-first` reference receiver.",
			Func: sim(func(st *simulatorScenario, k, code int) error {
				return st.serveBehaviour("fail-first", receiver.Params{FailFirst: k, Status: code})
			})},
		{Kind: "Given", Pattern: `^a receiver that answers (\d{3}) once, then never answers$`, Example: "a receiver that answers 503 once, then never answers", Doc: "One answer, then hangs: for P-5.",
			Func: sim(func(st *simulatorScenario, code int) error {
				status, err := receiver.Lookup("status")
				if err != nil {
					return err
				}
				hang, err := receiver.Lookup("hang")
				if err != nil {
					return err
				}
				cfg := receiver.Config{Inbox: st.inbox}
				first, rest := status.New(cfg, receiver.Params{Status: code}), hang.New(cfg, receiver.Params{})
				var n atomic.Int64
				return st.serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if n.Add(1) == 1 {
						first.ServeHTTP(w, r)
						return
					}
					rest.ServeHTTP(w, r)
				}))
			})},
		{Kind: "Given", Pattern: `^a loopback receiver that answers (\d{3})$`, Example: "a loopback receiver that answers 200", Doc: "Serves on real 127.0.0.1, for checks of the socket peer address (P-7).",
			Func: sim(func(st *simulatorScenario, code int) error {
				b, err := receiver.Lookup("status")
				if err != nil {
					return err
				}
				return st.serveLoopback(b.New(receiver.Config{Inbox: st.inbox}, receiver.Params{Status: code}))
			})},
		{Kind: "Given", Pattern: `^no receiver is listening$`, Example: "no receiver is listening", Doc: "Targets an address where nothing listens: connections are refused (P-4).",
			Func: sim(func(st *simulatorScenario) error {
				st.target = "http://127.0.0.1:9" // nothing listens there on the in-memory network
				return nil
			})},

		// Policy.
		{Kind: "Given", Pattern: `^the auth header "([^"]+)" is configured with value "([^"]+)"$`, Example: `the auth header "X-Webhook-Secret" is configured with value "s3cret"`, Doc: "Sets the policy's auth header (D-8).",
			Func: sim(func(st *simulatorScenario, name, value string) error {
				st.policy.Auth = &webhook.AuthHeader{Name: name, Value: webhook.Secret(value)}
				return nil
			})},
		{Kind: "Given", Pattern: `^the region is "([^"]+)"$`, Example: `the region is "eu"`, Doc: "Sets the policy's region (D-7).",
			Func: sim(func(st *simulatorScenario, region string) error {
				r, err := webhook.ParseRegion(region)
				st.policy.Region = r
				return err
			})},
		{Kind: "Given", Pattern: `^the source address is shown as "([^"]+)"$`, Example: `the source address is shown as "bind:127.0.0.2"`, Doc: "Sets the source-address mode: header, none or bind:IP (P-7).",
			Func: sim(func(st *simulatorScenario, mode string) error {
				src, err := webhook.ParseSourceAddress(mode)
				st.policy.Source = src
				return err
			})},

		// Deliveries.
		{Kind: "When", Pattern: `^a "(completed|error)" transcript notification is delivered$`, Example: `a "completed" transcript notification is delivered`, Doc: "Runs one delivery's full schedule to the receiver's /webhook.",
			Func: sim(func(st *simulatorScenario, status string) error {
				return st.deliverTranscript("", status, "/webhook")
			})},
		{Kind: "When", Pattern: `^a "(completed|error)" transcript notification for transcript "([^"]+)" is delivered$`, Example: `a "completed" transcript notification for transcript "9ea68fd3-f953-42c1-9742-976c447fb463" is delivered`, Doc: "The same, with a given transcript id.",
			Func: sim(func(st *simulatorScenario, status, id string) error {
				return st.deliverTranscript(id, status, "/webhook")
			})},
		{Kind: "When", Pattern: `^a "(completed|error)" transcript notification is delivered to the path "([^"]+)"$`, Example: `a "completed" transcript notification is delivered to the path "/webhook?customer_id=1234"`, Doc: "The same, to a given path and query (D-9).",
			Func: sim(func(st *simulatorScenario, status, uri string) error {
				return st.deliverTranscript("", status, uri)
			})},
		{Kind: "When", Pattern: `^a redacted-audio notification for "([^"]+)" is delivered$`, Example: `a redacted-audio notification for "https://cdn.example/redacted.wav" is delivered`, Doc: "Delivers the D-11 notification.",
			Func: sim(func(st *simulatorScenario, url string) error {
				return st.deliver(webhook.RedactedAudioReady(url), "/webhook")
			})},

		// Expectations on the delivery record.
		{Kind: "Then", Pattern: `^the delivery is "(delivered|rejected|exhausted|cancelled)" after (\d+) attempts?$`, Example: `the delivery is "exhausted" after 10 attempts`, Doc: "Checks the outcome and the number of attempts.",
			Func: sim(func(st *simulatorScenario, outcome string, n int) error {
				d, err := st.record()
				if err != nil {
					return err
				}
				if string(d.Outcome) != outcome || len(d.Attempts) != n {
					return fmt.Errorf("expected %s after %d attempt(s), got %s after %d: %s", outcome, n, d.Outcome, len(d.Attempts), attemptsSummary(d))
				}
				return nil
			})},
		{Kind: "Then", Pattern: `^the attempts start at ([\d., ]+) seconds$`, Example: "the attempts start at 0, 10, 20 seconds", Doc: "Checks each attempt's start, from the delivery's start, exactly (P-2).",
			Func: sim(func(st *simulatorScenario, list string) error {
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
			})},
		{Kind: "Then", Pattern: `^the delivery ends (\d+) seconds after it started$`, Example: "the delivery ends 90 seconds after it started", Doc: "Checks the delivery's total duration exactly.",
			Func: sim(func(st *simulatorScenario, secs int) error {
				d, err := st.record()
				if err != nil {
					return err
				}
				if got := d.EndedAt.Sub(d.StartedAt); got != time.Duration(secs)*time.Second {
					return fmt.Errorf("expected the delivery to end after %ds, it ended after %s", secs, got)
				}
				return nil
			})},
		{Kind: "Then", Pattern: `^every attempt failed with "([a-z_]+)"$`, Example: `every attempt failed with "connection_refused"`, Doc: "Checks every attempt's error class (P-4).",
			Func: sim(func(st *simulatorScenario, class string) error {
				return st.everyAttempt(class, 0)
			})},
		{Kind: "Then", Pattern: `^every attempt failed with "([a-z_]+)" after (\d+) seconds$`, Example: `every attempt failed with "timeout" after 10 seconds`, Doc: "The same, with each attempt's duration (D-3, P-1).",
			Func: sim(func(st *simulatorScenario, class string, secs int) error {
				return st.everyAttempt(class, time.Duration(secs)*time.Second)
			})},
		{Kind: "Then", Pattern: `^the first attempt succeeded after ([\d.]+) seconds$`, Example: "the first attempt succeeded after 9.9 seconds", Doc: "Checks a 2xx and its exact duration.",
			Func: sim(func(st *simulatorScenario, secs float64) error {
				d, err := st.record()
				if err != nil {
					return err
				}
				a := d.Attempts[0]
				if !a.Succeeded() || a.Duration != seconds(secs) {
					return fmt.Errorf("expected a 2xx after %ss, got %s", strconv.FormatFloat(secs, 'f', -1, 64), attemptSummary(a))
				}
				return nil
			})},
		{Kind: "Then", Pattern: `^the first attempt failed with "([a-z_]+)"$`, Example: `the first attempt failed with "timeout"`, Doc: "Checks the first attempt's error class.",
			Func: sim(func(st *simulatorScenario, class string) error {
				d, err := st.record()
				if err != nil {
					return err
				}
				if a := d.Attempts[0]; string(a.Failure) != class {
					return fmt.Errorf("expected the first attempt to fail with %s, got %s", class, attemptSummary(a))
				}
				return nil
			})},
		{Kind: "Then", Pattern: `^webhook_status_code is (\d{3})$`, Example: "webhook_status_code is 503", Doc: "Checks what AssemblyAI would report (D-10, P-5).",
			Func: sim(func(st *simulatorScenario, code int) error {
				d, err := st.record()
				if err != nil {
					return err
				}
				if d.WebhookStatusCode == nil || *d.WebhookStatusCode != code {
					return fmt.Errorf("expected webhook_status_code %d, got %s", code, statusCode(d.WebhookStatusCode))
				}
				return nil
			})},
		{Kind: "Then", Pattern: `^webhook_status_code is null$`, Example: "webhook_status_code is null", Doc: "Checks that no attempt got an HTTP answer (P-5).",
			Func: sim(func(st *simulatorScenario) error {
				d, err := st.record()
				if err != nil {
					return err
				}
				if d.WebhookStatusCode != nil {
					return fmt.Errorf("expected webhook_status_code null, got %d", *d.WebhookStatusCode)
				}
				return nil
			})},
		{Kind: "Then", Pattern: `^the delivery record does not contain "([^"]+)"$`, Example: `the delivery record does not contain "s3cret"`, Doc: "Checks that a secret is masked in the JSON record.",
			Func: sim(func(st *simulatorScenario, text string) error {
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
			})},

		// Expectations on what the receiver got.
		{Kind: "Then", Pattern: `^the receiver got (\d+) requests?$`, Example: "the receiver got 10 requests", Doc: "Counts the requests the receiver got.",
			Func: sim(func(st *simulatorScenario, n int) error {
				if got := st.inbox.Len(); got != n {
					return fmt.Errorf("expected the receiver to get %d request(s), it got %d", n, got)
				}
				return nil
			})},
		{Kind: "Then", Pattern: `^every request was a POST with a JSON body$`, Example: "every request was a POST with a JSON body", Doc: "Checks method and body of every request (D-1).",
			Func: sim(func(st *simulatorScenario) error {
				for i, r := range st.inbox.Requests() {
					if r.Method != http.MethodPost || !json.Valid(r.Body) {
						return fmt.Errorf("request %d: %s with body %q", i+1, r.Method, r.Body)
					}
				}
				return nil
			})},
		{Kind: "Then", Pattern: `^the request body is exactly:$`, Example: "the request body is exactly:", Doc: "Compares the first request's body byte for byte with the doc string (D-2, D-11).",
			Func: sim(func(st *simulatorScenario, doc *godog.DocString) error {
				r, err := st.request()
				if err != nil {
					return err
				}
				if string(r.Body) != doc.Content {
					return fmt.Errorf("expected body\n  %s\ngot\n  %s", doc.Content, r.Body)
				}
				return nil
			})},
		{Kind: "Then", Pattern: `^the request URI is exactly "([^"]+)"$`, Example: `the request URI is exactly "/webhook?a=1&a=2"`, Doc: "Compares the request target byte for byte (D-9).",
			Func: sim(func(st *simulatorScenario, uri string) error {
				r, err := st.request()
				if err != nil {
					return err
				}
				if r.RequestURI != uri {
					return fmt.Errorf("expected request URI %q, got %q", uri, r.RequestURI)
				}
				return nil
			})},
		{Kind: "Then", Pattern: `^the request has the header "([^"]+)" with value "([^"]*)"$`, Example: `the request has the header "Accept" with value "*/*"`, Doc: "Checks one header of the first request (D-12).",
			Func: sim(func(st *simulatorScenario, name, value string) error {
				r, err := st.request()
				if err != nil {
					return err
				}
				return headerIs(r, name, value)
			})},
		{Kind: "Then", Pattern: `^every request has the header "([^"]+)" with value "([^"]*)"$`, Example: `every request has the header "X-Webhook-Secret" with value "s3cret"`, Doc: "Checks one header of every request (D-8).",
			Func: sim(func(st *simulatorScenario, name, value string) error {
				for _, r := range st.inbox.Requests() {
					if err := headerIs(r, name, value); err != nil {
						return err
					}
				}
				return nil
			})},
		{Kind: "Then", Pattern: `^the request has no header "([^"]+)"$`, Example: `the request has no header "X-Forwarded-For"`, Doc: "Checks that the first request lacks a header.",
			Func: sim(func(st *simulatorScenario, name string) error {
				r, err := st.request()
				if err != nil {
					return err
				}
				if vs := r.Header.Values(name); len(vs) > 0 {
					return fmt.Errorf("expected no %s header, got %d value(s)", name, len(vs))
				}
				return nil
			})},
		{Kind: "Then", Pattern: `^the receiver saw the peer address "([^"]+)"$`, Example: `the receiver saw the peer address "127.0.0.2"`, Doc: "Checks the socket peer address of the first request (P-7).",
			Func: sim(func(st *simulatorScenario, ip string) error {
				r, err := st.request()
				if err != nil {
					return err
				}
				host, _, err := net.SplitHostPort(r.RemoteAddr)
				if err != nil || host != ip {
					return fmt.Errorf("expected peer address %s, got %q", ip, r.RemoteAddr)
				}
				return nil
			})},
	}
}

// sim adapts a step on the simulator's state to godog's signature.
func sim[F any](f F) any { return bind[simulatorScenario](f) }

func (st *simulatorScenario) serveBehaviour(name string, p receiver.Params) error {
	b, err := receiver.Lookup(name)
	if err != nil {
		return err
	}
	return st.serve(b.New(receiver.Config{Inbox: st.inbox}, p))
}

func (st *simulatorScenario) serve(h http.Handler) error {
	srv, err := st.net.Serve("", h)
	if err != nil {
		return fmt.Errorf("start receiver: %w", err)
	}
	st.closers = append(st.closers, srv.Close)
	st.target = srv.URL
	return nil
}

// serveLoopback serves h on real 127.0.0.1, for scenarios that need a
// socket peer address.
func (st *simulatorScenario) serveLoopback(h http.Handler) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen on loopback: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	st.closers = append(st.closers, func() {
		_ = srv.Close()
		<-done
	})
	st.target, st.loopback = "http://"+l.Addr().String(), true
	return nil
}

func (st *simulatorScenario) deliverTranscript(id, status, uri string) error {
	n, err := webhook.TranscriptReady(id, status)
	if err != nil {
		return err
	}
	return st.deliver(n, uri)
}

func (st *simulatorScenario) deliver(n webhook.Notification, uri string) error {
	if st.target == "" {
		return errors.New("no receiver: add a Given step that starts one")
	}
	opts := webhook.Options{}
	if !st.loopback {
		opts.DialContext = st.net.DialContext
	}
	sender, err := webhook.NewSender(st.policy, opts)
	if err != nil {
		return err
	}
	defer sender.Close()
	d, err := sender.Deliver(context.Background(), st.target+uri, n, webhook.Observer{})
	if err != nil {
		return err
	}
	st.delivery = d
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
