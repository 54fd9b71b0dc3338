package steps

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/cucumber/godog"

	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/clock"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Defaults of a Conformance check.
const (
	// DefaultBurst is how many notifications RC-11 sends at once.
	DefaultBurst = 50
	// DefaultLatencyBudget is RC-03's bound on the p95 acknowledgement time.
	DefaultLatencyBudget = 2 * time.Second
)

// Conformance checks a team's receiver the way AssemblyAI would exercise
// it: real deliveries under the delivery policy, and probes (forged,
// malformed, other methods) that show how it refuses what it must refuse.
// Its fields are what the user configured; a scenario whose precondition is
// not configured (auth, allowlist, https) is not applicable.
type Conformance struct {
	// Target is the webhook URL under test.
	Target string
	// SessionTarget is the webhook URL the streaming scenarios
	// (StreamingTag) deliver session webhooks to, when the receiver
	// serves them on another route than transcript notifications; empty
	// means Target.
	SessionTarget string
	// Policy is the delivery policy; its Auth is the configured auth
	// header (D-8), its Source the way the source address is shown (P-7).
	Policy webhook.Policy
	// Regions are the regions whose source address is checked (D-7);
	// empty means Policy.Region.
	Regions []webhook.Region
	// Allowlist says the receiver admits only AssemblyAI's source
	// addresses, as Policy.Source shows them.
	Allowlist bool
	// Burst is how many concurrent notifications RC-11 sends.
	Burst int
	// LatencyBudget bounds RC-03's p95.
	LatencyBudget time.Duration
	// Options reach the receiver (e.g. an in-memory dialer).
	Options webhook.Options
	// API is the emulated AssemblyAI API served for the run, which the
	// receiver fetches transcripts from; nil makes RC-15..RC-17, RC-19 not
	// applicable. Every notification's transcript is seeded in it.
	API *api.Server
	// APIURL is API's base URL as the receiver reaches it, for messages.
	APIURL string
	// FullSchedules makes every retry AssemblyAI would make, even after
	// the first attempt has decided the check: slower, for the evidence
	// of a whole schedule. By default a delivery stops after its first
	// failed attempt (see decidedByFirstAttempt).
	FullSchedules bool
	// Verify, when set, is how RC-18 asks the receiver's application
	// whether what it acknowledged was processed.
	Verify *Verify
	// Ledger collects the acknowledged transcript ids of the run for
	// RC-18; the suite sets a new one for each run.
	Ledger *Ledger
	// Gate lets an isolated scenario run while the others idle (a
	// redelivery's wait); the suite sets a new one for each run, nil
	// outside one.
	Gate *Gate
	// MaxSessionDuration is the longest streaming session RC-21 and RC-23
	// deliver the webhook of; zero means webhook.MaxSessionDuration (S-6).
	MaxSessionDuration time.Duration
	// Vocabulary is how messages name the run's settings: the CLI's flags
	// or hookcheck.Target's fields (the zero value).
	Vocabulary Vocabulary
	// Payload, when set, is the run's provider's event generator
	// (simulator/provider): its deliveries and probes send its events.
	// Nil means AssemblyAI's notifications.
	Payload func(id string) []byte
	// First, when set, is the event a new endpoint of the run's provider
	// receives before any other, with the headers that name it (GitHub's
	// ping). Nil: the provider sends none.
	First func() (body []byte, header http.Header)
}

// Evidence is what a conformance scenario leaves for the report.
type Evidence struct {
	// Deliveries are the full records of every delivery and probe, in
	// the order they were made.
	Deliveries []*webhook.Delivery
	// NotApplicable says why the scenario's precondition does not hold.
	NotApplicable string
	// Chart asks for a response-time chart: "latency" or "burst".
	Chart string
	// APICalls are the calls the receiver made to the emulated API about
	// the scenario's transcripts, in the order they arrived; empty
	// without Conformance.API.
	APICalls []api.Call
	// Stopped says why the scenario made fewer deliveries than its steps
	// ask for: its outcome was already decided.
	Stopped string
	// APIFaults are the transcripts the API misbehaved for on purpose, as
	// seeded, so a reproduction can recreate the fault.
	APIFaults []FaultedTranscript
}

// FaultedTranscript is one transcript the emulated API misbehaved for on
// purpose, and how; API is the API's base URL as the receiver reaches it.
type FaultedTranscript struct {
	TranscriptID string
	API          string
	Fault        api.Fault
}

// conformanceScenario is one scenario's state.
type conformanceScenario struct {
	cfg   *Conformance
	mu    sync.Mutex
	ev    Evidence
	last  []*webhook.Delivery // the deliveries of the latest When step
	lastN webhook.Notification
	// messageID is the message id (webhook-id, X-GitHub-Delivery) the
	// delivery being sent carries; empty lets each delivery make its own.
	// eventMessageID is the one the latest event was sent with, so that a
	// redelivery repeats it (SIG-09).
	messageID, eventMessageID string
	tlsErr                    error
	tlsVer                    uint16
	fault                     api.Fault // how the API treats the scenario's transcripts
	// heldID is the transcript whose fetch RC-19's step held while it
	// delivered the others.
	heldID string
	// holds is what the scenario holds of the run's Gate; only the
	// scenario's own goroutine (its hooks and steps) touches it.
	holds hold
	ids   []string // transcripts seeded in the API, under mu
	// streaming says the scenario is tagged StreamingTag: its deliveries
	// and probes carry session webhooks.
	streaming bool
}

// EvidenceFrom returns the evidence of the scenario running in ctx. Its
// API calls include those still in flight when it ended (see
// settledCalls).
func EvidenceFrom(ctx context.Context) (Evidence, bool) {
	st, err := stateFrom[conformanceScenario](ctx)
	if err != nil {
		return Evidence{}, false
	}
	st.mu.Lock()
	ev := st.ev
	ev.Deliveries = slices.Clone(ev.Deliveries)
	st.mu.Unlock()
	ev.APICalls = st.settledCalls(ctx) // takes mu itself
	return ev, true
}

// callSettle is the age below which a call in flight when its scenario
// ends is not yet evidence: a fetch sent a moment ago by a receiver that
// acknowledged first says nothing until answered, and whether it shows
// would depend on scheduling. A scenario that slows the API on purpose
// (RC-15) waits this long for its fetches before reading them, so that a
// fetch sent just after the acknowledgement shows, in flight, on every
// run; elsewhere nothing waits.
const callSettle = 100 * time.Millisecond

// settledCalls returns the scenario's API calls: every answered one, and
// those in flight at least callSettle (all of them after the wait of a
// slowed-API scenario), marked api.Call.InFlight.
func (st *conformanceScenario) settledCalls(ctx context.Context) []api.Call {
	if st.cfg.API == nil {
		return nil
	}
	if st.fault.Delay > 0 {
		t := st.cfg.clock().NewTimer(callSettle)
		select {
		case <-t.C():
			return st.calls()
		case <-ctx.Done():
			t.Stop()
		}
	}
	young := float64(callSettle) / float64(time.Millisecond)
	return slices.DeleteFunc(st.calls(), func(c api.Call) bool { return c.InFlight && c.WaitedMS < young })
}

// RegisterSteps adds the conformance steps to sc.
func (c *Conformance) RegisterSteps(sc *godog.ScenarioContext) {
	sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
		return withState(ctx, &conformanceScenario{cfg: c, streaming: isStreaming(s)}), nil
	})
	register(sc, c.Definitions())
}

// conf adapts a step method of the conformance state to godog's signature.
func conf[F any](f F) any { return bind[conformanceScenario](f) }

// Definitions lists the conformance steps. Each entry points at a method of
// the scenario state; the methods live by role in preconditions.go,
// deliveries.go, probes.go and expectations.go.
func (c *Conformance) Definitions() []Definition {
	return slices.Concat(c.definitions(), c.streamingDefinitions(), c.signedDefinitions(), c.dedupDefinitions(), c.timingDefinitions())
}

func (c *Conformance) definitions() []Definition {
	return []Definition{
		// Preconditions: guards that configure nothing. Each makes the
		// scenario not applicable unless the run was configured so, and
		// says so in its text.
		{Kind: "Given", Pattern: `^the run is configured with an auth header \(otherwise not applicable\)$`,
			Example: `the run is configured with an auth header (otherwise not applicable)`,
			Doc:     "Not applicable unless --auth-header-name is set (RC-09).",
			Func:    conf((*conformanceScenario).requireAuthHeader)},
		{Kind: "Given", Pattern: `^the run is configured with a source-address allowlist \(otherwise not applicable\)$`,
			Example: `the run is configured with a source-address allowlist (otherwise not applicable)`,
			Doc:     "Not applicable unless --allowlist is set (RC-10).",
			Func:    conf((*conformanceScenario).requireAllowlist)},
		{Kind: "Given", Pattern: `^the run's allowlist reads X-Forwarded-For \(otherwise not applicable\)$`,
			Example: `the run's allowlist reads X-Forwarded-For (otherwise not applicable)`,
			Doc:     "Not applicable when the allowlist reads the socket address (--allowlist socket:IP).",
			Func:    conf((*conformanceScenario).requireHeaderAllowlist)},
		{Kind: "Given", Pattern: `^the run is configured for the "(us|eu)" region \(otherwise not applicable\)$`,
			Example: `the run is configured for the "eu" region (otherwise not applicable)`,
			Doc:     "Not applicable unless --region names the region (or both).",
			Func:    conf((*conformanceScenario).requireRegion)},
		{Kind: "Given", Pattern: `^the run is configured with AssemblyAI's API \(otherwise not applicable\)$`,
			Example: `the run is configured with AssemblyAI's API (otherwise not applicable)`,
			Doc:     "Not applicable unless --api is set: the run serves the emulated AssemblyAI API and the receiver fetches from it (RC-15..RC-17, RC-19).",
			Func:    conf((*conformanceScenario).requireAPI)},
		{Kind: "Given", Pattern: `^the run targets an https webhook URL and verifies its certificate \(otherwise not applicable\)$`,
			Example: `the run targets an https webhook URL and verifies its certificate (otherwise not applicable)`,
			Doc:     "Not applicable for an http target, or with --insecure (RC-14).",
			Func:    conf((*conformanceScenario).requireHTTPS)},

		// The emulated API misbehaving on purpose, for the transcripts the
		// scenario delivers from then on (with --api).
		{Kind: "Given", Pattern: `^AssemblyAI's API answers each fetch of the transcript only after (\d+) seconds$`,
			Example: `AssemblyAI's API answers each fetch of the transcript only after 15 seconds`,
			Doc:     "Every GET /v2/transcript/{id} of the scenario's transcripts is held back that long (RC-15). Not applicable without --api.",
			Func:    conf((*conformanceScenario).apiSlow)},
		{Kind: "When", Pattern: `^AssemblyAI delivers a "(completed|error)" transcript notification and, while the receiver's fetch of it is held, (\d+) more$`,
			Example: `AssemblyAI delivers a "completed" transcript notification and, while the receiver's fetch of it is held, 5 more`,
			Doc:     "Delivers a notification whose transcript the scenario's slow API holds, waits until the receiver's fetch of it is held, then delivers the others at once, each with a transcript the API answers at once (RC-19). Not applicable without --api, nor when the receiver made no fetch the API could hold within the deadline.",
			Func:    conf((*conformanceScenario).deliverWhileFetchHeld)},
		{Kind: "Given", Pattern: `^AssemblyAI's API answers the first (\d+) fetches of the transcript with (\d{3}), then recovers$`,
			Example: `AssemblyAI's API answers the first 2 fetches of the transcript with 500, then recovers`,
			Doc:     "The first GETs of each of the scenario's transcripts get that status (a 429 with Retry-After: 1), later ones the transcript (RC-16). Not applicable without --api.",
			Func:    conf((*conformanceScenario).apiFailing)},
		{Kind: "Given", Pattern: `^the run is configured with a verify URL \(otherwise not applicable\)$`,
			Example: `the run is configured with a verify URL (otherwise not applicable)`,
			Doc:     "Not applicable unless --verify-url or --verify api-fetch (with --api) is set (RC-18).",
			Func:    conf((*conformanceScenario).requireVerify)},

		// Deliveries, exactly as AssemblyAI sends them.
		{Kind: "When", Pattern: `^AssemblyAI delivers an? "(completed|error)" transcript notification$`,
			Example: `AssemblyAI delivers a "completed" transcript notification`,
			Doc:     "One transcript-ready delivery (D-2) with the full retry schedule.",
			Func:    conf((*conformanceScenario).deliverTranscript)},
		{Kind: "When", Pattern: `^AssemblyAI delivers the same notification again after the retry interval$`,
			Example: `AssemblyAI delivers the same notification again after the retry interval`,
			Doc:     "Waits one retry interval (10 s; 100 ms with --fast), then delivers the previous notification again, same transcript_id (D-4).",
			Func:    conf((*conformanceScenario).redeliverAfterInterval)},
		{Kind: "When", Pattern: `^AssemblyAI delivers a "(completed|error)" transcript notification to the webhook URL with the query "([^"]*)"$`,
			Example: `AssemblyAI delivers a "completed" transcript notification to the webhook URL with the query "customer_id=1234"`,
			Doc:     "Adds the query parameters to the webhook URL, as a team's metadata (D-9).",
			Func:    conf((*conformanceScenario).deliverWithQuery)},
		{Kind: "When", Pattern: `^AssemblyAI delivers a "(completed|error)" transcript notification from the "(us|eu)" address$`,
			Example: `AssemblyAI delivers a "completed" transcript notification from the "eu" address`,
			Doc:     "Shows the region's documented source address (D-7) the way --allowlist says.",
			Func:    conf((*conformanceScenario).deliverFromRegion)},
		{Kind: "When", Pattern: `^AssemblyAI delivers a transcript notification with extra fields$`,
			Example: `AssemblyAI delivers a transcript notification with extra fields`,
			Doc:     "A transcript-ready body with fields beyond transcript_id and status.",
			Func:    conf((*conformanceScenario).deliverExtraFields)},
		{Kind: "When", Pattern: `^AssemblyAI delivers a redacted-audio notification$`,
			Example: `AssemblyAI delivers a redacted-audio notification`,
			Doc:     "The D-11 notification, without transcript_id.",
			Func:    conf((*conformanceScenario).deliverRedactedAudio)},
		{Kind: "When", Pattern: `^AssemblyAI delivers (\d+) "(completed|error)" transcript notifications one after another$`,
			Example: `AssemblyAI delivers 20 "completed" transcript notifications one after another`,
			Doc:     "Sequential deliveries, each after the previous one ended; the scenario gets a latency chart. Stops early once enough first attempts missed --latency-budget that the p95 cannot be within it.",
			Func:    conf((*conformanceScenario).deliverSequence)},
		{Kind: "When", Pattern: `^AssemblyAI delivers a burst of concurrent "(completed|error)" transcript notifications$`,
			Example: `AssemblyAI delivers a burst of concurrent "completed" transcript notifications`,
			Doc:     "--burst notifications (default 50) at once, each with its own schedule; the scenario gets a burst chart.",
			Func:    conf((*conformanceScenario).burst)},

		// Probes: one attempt each, not part of AssemblyAI's traffic.
		{Kind: "When", Pattern: `^a delivery with (invalid JSON|an empty body|no transcript_id|no session_id) arrives$`,
			Example: `a delivery with invalid JSON arrives`,
			Doc:     "A malformed body, sent once (RC-08).",
			Func:    conf((*conformanceScenario).sendMalformed)},
		{Kind: "When", Pattern: `^a forged request arrives without the auth header$`,
			Example: `a forged request arrives without the auth header`,
			Doc:     "A well-formed notification without the configured auth header, sent once.",
			Func:    conf((*conformanceScenario).forgeWithoutAuth)},
		{Kind: "When", Pattern: `^a forged request arrives with a wrong auth header value$`,
			Example: `a forged request arrives with a wrong auth header value`,
			Doc:     "The configured auth header with a random wrong value, sent once.",
			Func:    conf((*conformanceScenario).forgeWrongAuth)},
		{Kind: "When", Pattern: `^a forged request arrives from an address that is not AssemblyAI's$`,
			Example: `a forged request arrives from an address that is not AssemblyAI's`,
			Doc:     "X-Forwarded-For " + forgedSourceAddress + " (header mode), or another loopback address (bind mode), sent once.",
			Func:    conf((*conformanceScenario).forgeSource)},
		{Kind: "When", Pattern: `^a forged request arrives without X-Forwarded-For$`,
			Example: `a forged request arrives without X-Forwarded-For`,
			Doc:     "A notification with no source address header, sent once.",
			Func:    conf((*conformanceScenario).forgeWithoutForwardedFor)},
		{Kind: "When", Pattern: `^a (GET|PUT|DELETE|PATCH|HEAD|OPTIONS) request arrives at the webhook URL$`,
			Example: `a GET request arrives at the webhook URL`,
			Doc:     "A request with another method, sent once (RC-13): GET, HEAD, DELETE and OPTIONS without a body or Content-Type, as crawlers and tools send them; PUT and PATCH with the notification.",
			Func:    conf((*conformanceScenario).sendOtherMethod)},
		{Kind: "When", Pattern: `^AssemblyAI connects to the webhook URL over TLS$`,
			Example: `AssemblyAI connects to the webhook URL over TLS`,
			Doc:     "A TLS handshake with certificate verification, accepting TLS 1.0 and up so an old version is seen and reported.",
			Func:    conf((*conformanceScenario).connectTLS)},

		// Expectations.
		{Kind: "Then", Pattern: `^the receiver acknowledges it with a 2xx within the deadline$`,
			Example: `the receiver acknowledges it with a 2xx within the deadline`,
			Doc:     "The first attempt of the latest delivery got a 2xx within the deadline (D-3). Without --api, a 5xx or a timeout to a transcript notification adds that a receiver that fetches the transcript before it answers needs --api.",
			Func:    conf((*conformanceScenario).expectAcknowledged)},
		{Kind: "Then", Pattern: `^every delivery is acknowledged with a 2xx within the deadline$`,
			Example: `every delivery is acknowledged with a 2xx within the deadline`,
			Doc:     "The first attempt of every delivery in the scenario got a 2xx within the deadline.",
			Func:    conf((*conformanceScenario).expectEveryAcknowledged)},
		{Kind: "Then", Pattern: `^the p95 acknowledgement time is within the latency budget$`,
			Example: `the p95 acknowledgement time is within the latency budget`,
			Doc:     "The 95th percentile (nearest rank, as the report's chart) of first-attempt times is at most --latency-budget (default 2 s; RC-03).",
			Func:    conf((*conformanceScenario).p95WithinBudget)},
		{Kind: "Then", Pattern: `^the receiver (?:refuses|rejects) it with a 4xx$`,
			Example: `the receiver refuses it with a 4xx`,
			Doc:     "The latest request got a 4xx: refused, and not retried (D-5). \"rejects\" reads better for malformed input.",
			Func:    conf((*conformanceScenario).expectRefused)},
		{Kind: "Then", Pattern: `^the receiver neither fails with a 5xx nor times out$`,
			Example: `the receiver neither fails with a 5xx nor times out`,
			Doc:     "The latest request got an HTTP answer below 500: no 5xx, no timeout, no broken connection (a 3xx is RC-12's concern).",
			Func:    conf((*conformanceScenario).expectNoServerFailure)},
		{Kind: "Then", Pattern: `^the receiver does not answer with a 3xx$`,
			Example: `the receiver does not answer with a 3xx`,
			Doc:     "No attempt of the latest delivery got a redirect (P-3). Fails when no attempt got an HTTP answer at all: silence proves nothing.",
			Func:    conf((*conformanceScenario).expectNoRedirect)},
		{Kind: "Then", Pattern: `^every notification the receiver acknowledged in this run was processed$`,
			Example: `every notification the receiver acknowledged in this run was processed`,
			Doc:     "Asks --verify-url about every transcript_id acknowledged so far in the run (run it last: tag @final), polling until each gets a 2xx or --verify-within passes (a redirect within the URL's origin is followed, the verify header with it; one to another origin is not, fails the id at once and names where it pointed); with --verify api-fetch, a 2xx fetch of the transcript from the emulated API is proof too (RC-18); with api-fetch alone only \"completed\" notifications count (an unfetched \"error\" one is RC-17's), and a run that acknowledged only \"error\" ones makes it not applicable.",
			Func:    conf((*conformanceScenario).expectProcessed)},
		{Kind: "Then", Pattern: `^the certificate verifies and the TLS version is 1\.2 or later$`,
			Example: `the certificate verifies and the TLS version is 1.2 or later`,
			Doc:     "The TLS handshake verified the certificate and negotiated TLS 1.2 or 1.3 (RC-14).",
			Func:    conf((*conformanceScenario).tlsVerdict)},

		{Kind: "Then", Pattern: `^the receiver never answers it with a 4xx$`,
			Example: `the receiver never answers it with a 4xx`,
			Doc:     "No attempt of the latest delivery got a 4xx, which would end it (D-5): a 2xx or a 5xx are both fine (RC-16).",
			Func:    conf((*conformanceScenario).expectNo4xx)},
		{Kind: "Then", Pattern: `^the receiver fetches the transcript successfully once AssemblyAI's API recovers$`,
			Example: `the receiver fetches the transcript successfully once AssemblyAI's API recovers`,
			Doc:     "If a fetch of the latest delivery's transcript got the API's failure, a later one got the transcript, within the deadline after the delivery ended (RC-16). Not applicable without --api, nor when no fetch got the failure (the receiver never fetched: RC-17's finding).",
			Func:    conf((*conformanceScenario).expectFetchRecovered)},
		{Kind: "Then", Pattern: `^the receiver fetched the transcript from the slow API \(otherwise not applicable\)$`,
			Example: `the receiver fetched the transcript from the slow API (otherwise not applicable)`,
			Doc:     "Within the deadline after the latest delivery, the receiver sent a GET of its transcript with the API key; otherwise the scenario is not applicable: the slow API held nothing up (RC-15). RC-17 checks the fetch itself.",
			Func:    conf((*conformanceScenario).expectFetchedFromSlowAPI)},
		{Kind: "Then", Pattern: `^each notification delivered while that fetch was held is acknowledged with a 2xx within the deadline$`,
			Example: `each notification delivered while that fetch was held is acknowledged with a 2xx within the deadline`,
			Doc:     "Every notification of the latest step, delivered while the receiver's fetch of another transcript was held, got a 2xx to its first attempt within the deadline (RC-19).",
			Func:    conf((*conformanceScenario).expectAcknowledgedWhileHeld)},
		{Kind: "Then", Pattern: `^the receiver fetches the notified transcript with the configured API key$`,
			Example: `the receiver fetches the notified transcript with the configured API key`,
			Doc:     "Within the deadline after the latest delivery ended, the receiver got its transcript with GET /v2/transcript/{id} and the right key (RC-17). Not applicable without --api.",
			Func:    conf((*conformanceScenario).expectFetched)},

		// Deprecated phrasings of the guards: they read as if they
		// configured something. Kept so that users' own feature files
		// still run; same methods, so same behaviour.
		{Kind: "Given", Pattern: `^an auth header is configured$`, Example: `an auth header is configured`,
			Doc:        "Deprecated phrasing of the auth header guard.",
			Deprecated: `the run is configured with an auth header (otherwise not applicable)`,
			Func:       conf((*conformanceScenario).requireAuthHeader)},
		{Kind: "Given", Pattern: `^a source-address allowlist is declared$`, Example: `a source-address allowlist is declared`,
			Doc:        "Deprecated phrasing of the allowlist guard.",
			Deprecated: `the run is configured with a source-address allowlist (otherwise not applicable)`,
			Func:       conf((*conformanceScenario).requireAllowlist)},
		{Kind: "Given", Pattern: `^the allowlist reads X-Forwarded-For$`, Example: `the allowlist reads X-Forwarded-For`,
			Doc:        "Deprecated phrasing of the X-Forwarded-For allowlist guard.",
			Deprecated: `the run's allowlist reads X-Forwarded-For (otherwise not applicable)`,
			Func:       conf((*conformanceScenario).requireHeaderAllowlist)},
		{Kind: "Given", Pattern: `^the "(us|eu)" region is selected$`, Example: `the "eu" region is selected`,
			Doc:        "Deprecated phrasing of the region guard.",
			Deprecated: `the run is configured for the "eu" region (otherwise not applicable)`,
			Func:       conf((*conformanceScenario).requireRegion)},
		{Kind: "Given", Pattern: `^the webhook URL uses https$`, Example: `the webhook URL uses https`,
			Doc:        "Deprecated phrasing of the https guard.",
			Deprecated: `the run targets an https webhook URL and verifies its certificate (otherwise not applicable)`,
			Func:       conf((*conformanceScenario).requireHTTPS)},
	}
}

// clock is the time source of the deliveries and the waits between them.
func (c *Conformance) clock() clock.Clock {
	if c.Options.Clock != nil {
		return c.Options.Clock
	}
	return clock.Real{}
}

func (c *Conformance) regions() []webhook.Region {
	if len(c.Regions) == 0 {
		return []webhook.Region{c.Policy.Region}
	}
	return c.Regions
}

// target is the webhook URL the scenario delivers to: SessionTarget in a
// streaming scenario when set, Target otherwise.
func (st *conformanceScenario) target() string {
	if st.streaming && st.cfg.SessionTarget != "" {
		return st.cfg.SessionTarget
	}
	return st.cfg.Target
}

// notApplicable records why and skips the rest of the scenario.
func (st *conformanceScenario) notApplicable(why string) error {
	st.mu.Lock()
	st.ev.NotApplicable = why
	st.mu.Unlock()
	return godog.ErrSkip
}

func (st *conformanceScenario) setStopped(why string) {
	st.mu.Lock()
	st.ev.Stopped = why
	st.mu.Unlock()
}

// latencyBudget is RC-03's bound on the p95.
func (c *Conformance) latencyBudget() time.Duration {
	if c.LatencyBudget <= 0 {
		return DefaultLatencyBudget
	}
	return c.LatencyBudget
}

func (st *conformanceScenario) setChart(kind string) {
	st.mu.Lock()
	st.ev.Chart = kind
	st.mu.Unlock()
}

func (st *conformanceScenario) record(ds ...*webhook.Delivery) {
	for _, d := range ds {
		// A session webhook's megabytes are not kept for the report (S-5).
		d.SummarisePayload(webhook.DefaultKeptBodyBytes)
	}
	st.mu.Lock()
	st.ev.Deliveries = append(st.ev.Deliveries, ds...)
	st.mu.Unlock()
	st.last = ds
	st.cfg.Ledger.noteServer(ds...)
	st.cfg.Ledger.noteDelivery(st.cfg.clock().Now())
	// A transcript whose fetch the scenario slows or fails on purpose
	// (RC-15, RC-16) is judged by those requirements; its processing is
	// held up by hookcheck itself, so RC-18 does not wait for it.
	if st.fault == (api.Fault{}) {
		st.cfg.Ledger.add(ds...)
	}
}
