package steps

import (
	"context"

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

// Definitions lists the simulator's steps. Each entry points at a method of
// the scenario state, in simulator_receivers.go, simulator_deliveries.go
// and simulator_expectations.go.
func (s Simulator) Definitions() []Definition {
	return []Definition{
		// Receivers.
		{Kind: "Given", Pattern: `^a receiver that answers (\d{3})$`, Example: "a receiver that answers 500", Doc: "Serves the `status` reference receiver on the in-memory network.",
			Func: sim((*simulatorScenario).serveStatus)},
		{Kind: "Given", Pattern: `^a receiver that answers (\d{3}) after ([\d.]+) seconds$`, Example: "a receiver that answers 200 after 9.9 seconds", Doc: "Serves the `delay` reference receiver (virtual time).",
			Func: sim((*simulatorScenario).serveDelayed)},
		{Kind: "Given", Pattern: `^a receiver that never answers$`, Example: "a receiver that never answers", Doc: "Serves the `hang` reference receiver.",
			Func: sim((*simulatorScenario).serveHang)},
		{Kind: "Given", Pattern: `^a receiver that resets the connection$`, Example: "a receiver that resets the connection", Doc: "Serves the socket-level `reset-mid-answer` receiver (`simulator/hostile`).",
			Func: sim((*simulatorScenario).serveReset)},
		{Kind: "Given", Pattern: `^a receiver that redirects every delivery$`, Example: "a receiver that redirects every delivery", Doc: "Serves the `redirect` reference receiver (302 to itself).",
			Func: sim((*simulatorScenario).serveRedirect)},
		{Kind: "Given", Pattern: `^a receiver that fails the first (\d+) deliveries with (\d{3}), then answers 200$`, Example: "a receiver that fails the first 3 deliveries with 500, then answers 200", Doc: "Serves the `fail-first` reference receiver.",
			Func: sim((*simulatorScenario).serveFailFirst)},
		{Kind: "Given", Pattern: `^a receiver that answers (\d{3}) once, then never answers$`, Example: "a receiver that answers 503 once, then never answers", Doc: "One answer, then hangs: for P-5.",
			Func: sim((*simulatorScenario).serveOnceThenHang)},
		{Kind: "Given", Pattern: `^a loopback receiver that answers (\d{3})$`, Example: "a loopback receiver that answers 200", Doc: "Serves on real 127.0.0.1, for checks of the socket peer address (P-7).",
			Func: sim((*simulatorScenario).serveLoopbackStatus)},
		{Kind: "Given", Pattern: `^no receiver is listening$`, Example: "no receiver is listening", Doc: "Targets an address where nothing listens: connections are refused (P-4).",
			Func: sim((*simulatorScenario).noReceiver)},

		// Policy.
		{Kind: "Given", Pattern: `^the auth header "([^"]+)" is configured with value "([^"]+)"$`, Example: `the auth header "X-Webhook-Secret" is configured with value "s3cret"`, Doc: "Sets the policy's auth header (D-8).",
			Func: sim((*simulatorScenario).setAuthHeader)},
		{Kind: "Given", Pattern: `^the region is "([^"]+)"$`, Example: `the region is "eu"`, Doc: "Sets the policy's region (D-7).",
			Func: sim((*simulatorScenario).setRegion)},
		{Kind: "Given", Pattern: `^the source address is shown as "([^"]+)"$`, Example: `the source address is shown as "bind:127.0.0.2"`, Doc: "Sets the source-address mode: header, none or bind:IP (P-7).",
			Func: sim((*simulatorScenario).setSourceAddress)},

		// Deliveries.
		{Kind: "When", Pattern: `^a "(completed|error)" transcript notification is delivered$`, Example: `a "completed" transcript notification is delivered`, Doc: "Runs one delivery's full schedule to the receiver's /webhook.",
			Func: sim((*simulatorScenario).deliverStatus)},
		{Kind: "When", Pattern: `^a "(completed|error)" transcript notification for transcript "([^"]+)" is delivered$`, Example: `a "completed" transcript notification for transcript "9ea68fd3-f953-42c1-9742-976c447fb463" is delivered`, Doc: "The same, with a given transcript id.",
			Func: sim((*simulatorScenario).deliverForTranscript)},
		{Kind: "When", Pattern: `^a "(completed|error)" transcript notification is delivered to the path "([^"]+)"$`, Example: `a "completed" transcript notification is delivered to the path "/webhook?customer_id=1234"`, Doc: "The same, to a given path and query (D-9).",
			Func: sim((*simulatorScenario).deliverToPath)},
		{Kind: "When", Pattern: `^a redacted-audio notification for "([^"]+)" is delivered$`, Example: `a redacted-audio notification for "https://cdn.example/redacted.wav" is delivered`, Doc: "Delivers the D-11 notification.",
			Func: sim((*simulatorScenario).deliverRedacted)},

		// Expectations on the delivery record.
		{Kind: "Then", Pattern: `^the delivery is "(delivered|rejected|exhausted|cancelled)" after (\d+) attempts?$`, Example: `the delivery is "exhausted" after 10 attempts`, Doc: "Checks the outcome and the number of attempts.",
			Func: sim((*simulatorScenario).expectOutcome)},
		{Kind: "Then", Pattern: `^the attempts start at ([\d., ]+) seconds$`, Example: "the attempts start at 0, 10, 20 seconds", Doc: "Checks each attempt's start, from the delivery's start, exactly (P-2).",
			Func: sim((*simulatorScenario).expectAttemptStarts)},
		{Kind: "Then", Pattern: `^the delivery ends (\d+) seconds after it started$`, Example: "the delivery ends 90 seconds after it started", Doc: "Checks the delivery's total duration exactly.",
			Func: sim((*simulatorScenario).expectDeliveryEnds)},
		{Kind: "Then", Pattern: `^every attempt failed with "([a-z_]+)"$`, Example: `every attempt failed with "connection_refused"`, Doc: "Checks every attempt's error class (P-4).",
			Func: sim((*simulatorScenario).expectEveryAttemptFailed)},
		{Kind: "Then", Pattern: `^every attempt failed with "([a-z_]+)" after (\d+) seconds$`, Example: `every attempt failed with "timeout" after 10 seconds`, Doc: "The same, with each attempt's duration (D-3, P-1).",
			Func: sim((*simulatorScenario).expectEveryAttemptFailedAfter)},
		{Kind: "Then", Pattern: `^the first attempt succeeded after ([\d.]+) seconds$`, Example: "the first attempt succeeded after 9.9 seconds", Doc: "Checks a 2xx and its exact duration.",
			Func: sim((*simulatorScenario).expectFirstSucceededAfter)},
		{Kind: "Then", Pattern: `^the first attempt failed with "([a-z_]+)"$`, Example: `the first attempt failed with "timeout"`, Doc: "Checks the first attempt's error class.",
			Func: sim((*simulatorScenario).expectFirstFailed)},
		{Kind: "Then", Pattern: `^webhook_status_code is (\d{3})$`, Example: "webhook_status_code is 503", Doc: "Checks what AssemblyAI would report (D-10, P-5).",
			Func: sim((*simulatorScenario).expectWebhookStatusCode)},
		{Kind: "Then", Pattern: `^webhook_status_code is null$`, Example: "webhook_status_code is null", Doc: "Checks that no attempt got an HTTP answer (P-5).",
			Func: sim((*simulatorScenario).expectWebhookStatusCodeNull)},
		{Kind: "Then", Pattern: `^the delivery record does not contain "([^"]+)"$`, Example: `the delivery record does not contain "s3cret"`, Doc: "Checks that a secret is masked in the JSON record.",
			Func: sim((*simulatorScenario).expectRecordOmits)},

		// Expectations on what the receiver got.
		{Kind: "Then", Pattern: `^the receiver got (\d+) requests?$`, Example: "the receiver got 10 requests", Doc: "Counts the requests the receiver got.",
			Func: sim((*simulatorScenario).expectRequests)},
		{Kind: "Then", Pattern: `^every request was a POST with a JSON body$`, Example: "every request was a POST with a JSON body", Doc: "Checks method and body of every request (D-1).",
			Func: sim((*simulatorScenario).expectPOSTWithJSON)},
		{Kind: "Then", Pattern: `^the request body is exactly:$`, Example: "the request body is exactly:", Doc: "Compares the first request's body byte for byte with the doc string (D-2, D-11).",
			Func: sim((*simulatorScenario).expectBody)},
		{Kind: "Then", Pattern: `^the request URI is exactly "([^"]+)"$`, Example: `the request URI is exactly "/webhook?a=1&a=2"`, Doc: "Compares the request target byte for byte (D-9).",
			Func: sim((*simulatorScenario).expectRequestURI)},
		{Kind: "Then", Pattern: `^the request has the header "([^"]+)" with value "([^"]*)"$`, Example: `the request has the header "Accept" with value "*/*"`, Doc: "Checks one header of the first request (D-12).",
			Func: sim((*simulatorScenario).expectHeader)},
		{Kind: "Then", Pattern: `^every request has the header "([^"]+)" with value "([^"]*)"$`, Example: `every request has the header "X-Webhook-Secret" with value "s3cret"`, Doc: "Checks one header of every request (D-8).",
			Func: sim((*simulatorScenario).expectEveryHeader)},
		{Kind: "Then", Pattern: `^the request has no header "([^"]+)"$`, Example: `the request has no header "X-Forwarded-For"`, Doc: "Checks that the first request lacks a header.",
			Func: sim((*simulatorScenario).expectNoHeader)},
		{Kind: "Then", Pattern: `^the receiver saw the peer address "([^"]+)"$`, Example: `the receiver saw the peer address "127.0.0.2"`, Doc: "Checks the socket peer address of the first request (P-7).",
			Func: sim((*simulatorScenario).expectPeerAddress)},
	}
}

// sim adapts a step on the simulator's state to godog's signature.
func sim[F any](f F) any { return bind[simulatorScenario](f) }
