// Package hookcheck runs hookcheck's webhook conformance suite from a team's
// own Go tests: point it at a running receiver's URL, or hand it the
// http.Handler itself.
//
//	func TestWebhookConformance(t *testing.T) {
//		hookcheck.Test(t, hookcheck.Target{Handler: myapp.WebhookHandler(), Path: "/webhooks/assemblyai"})
//	}
//
// Each scenario becomes a subtest: a failure, reported at the line that
// called Test, names the requirement (RC-01 … RC-23), what was sent, what
// came back, what AssemblyAI would do about it and the fix. An in-process
// handler is checked in virtual time (testing/synctest),
// so the full retry schedules cost milliseconds; a URL is checked in real
// time, with accelerated waits when Fast is set.
package hookcheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hookcheck/hookcheck/features"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/clock"
	"github.com/hookcheck/hookcheck/simulator/memnet"
	"github.com/hookcheck/hookcheck/simulator/provider"
	"github.com/hookcheck/hookcheck/simulator/webhook"
	"github.com/hookcheck/hookcheck/steps"
	"github.com/hookcheck/hookcheck/steps/suite"
)

// Target is the receiver to check and how: the one description of a run
// that the Go API, the hookcheck CLI and the test fixtures all build, and
// Prepare turns into a suite ready to run. Set URL or Handler; every other
// field has a working zero value.
type Target struct {
	// URL is a running receiver's webhook URL.
	URL string
	// Handler is an in-process receiver; it is served on an in-memory
	// network and checked in virtual time. When it is an io.Closer, the
	// run closes it as it ends (see NewHandler).
	Handler http.Handler
	// Path is the path Handler serves the webhook on; default "/webhook".
	// It may carry a query ("/webhook?customer=1").
	Path string
	// SessionURL is the URL a running receiver serves streaming session
	// webhooks on (S-2), when it is not URL: the streaming scenarios
	// (Product Streaming or BothProducts) deliver there, transcript
	// notifications to URL. Empty means URL. For a Handler, see
	// SessionPath.
	SessionURL string
	// SessionPath is the path Handler serves session webhooks on, when it
	// is not Path; empty means Path.
	SessionPath string
	// AuthHeaderName and AuthHeaderValue are the webhook auth header the
	// receiver expects (D-8); leave empty when it expects none.
	AuthHeaderName  string
	AuthHeaderValue string
	// Allowlist says the receiver admits only AssemblyAI's source
	// addresses, read from X-Forwarded-For (or from the socket, when
	// Policy.Source binds deliveries to an address).
	Allowlist bool
	// Regions are the regions whose address is checked; default US.
	Regions []webhook.Region
	// Tags selects scenarios, e.g. "@must" or "@RC-01,@RC-04".
	Tags string
	// Rerun, when set, runs only these scenarios of an earlier run
	// (reports.Result.FailedScenarios); one the features no longer hold
	// is an error. The verdict is then partial, its reason naming RerunOf
	// (where the earlier run's results came from).
	Rerun   []reports.ScenarioRef
	RerunOf string
	// Strict makes SHOULD failures fail too.
	Strict bool
	// Fast divides the waits between attempts by 100 (URL targets; a
	// Handler always runs in virtual time).
	Fast bool
	// Features replaces the built-in feature files with the team's own,
	// written with hookcheck's steps (docs/steps.md).
	Features fs.FS
	// FeaturesName names Features in the report, e.g. their directory;
	// default "custom" (and "built-in" without Features).
	FeaturesName string
	// Burst is how many concurrent notifications RC-11 sends (default 50).
	Burst int
	// LatencyBudget bounds RC-03's p95 acknowledgement time; zero means
	// steps.DefaultLatencyBudget.
	LatencyBudget time.Duration
	// Policy, when set, replaces AssemblyAI's delivery policy. Fast,
	// AuthHeaderName and Regions still apply on top of it.
	Policy *webhook.Policy
	// Concurrency bounds the scenarios run at once; zero means
	// suite.DefaultConcurrency.
	Concurrency int
	// Seed shuffles the order scenarios start in, to replay a run's
	// order; zero keeps file order. Either way, scenarios tagged @long
	// start first in their pass. The report records it.
	Seed int64
	// OnScenario, when set, is called as each scenario ends (serialised),
	// e.g. for a progress line.
	OnScenario func(reports.Scenario)
	// Logger receives one debug line per delivery attempt; nil means none.
	Logger *slog.Logger
	// Clock times the deliveries to a URL; nil means the wall clock. (A
	// Handler runs in its synctest bubble's virtual time.)
	Clock clock.Clock
	// BuiltInReceiver tells the report that the target is one of
	// hookcheck's own reference receivers, started for this run.
	BuiltInReceiver bool

	// NewHandler, instead of Handler, is an in-process receiver built once
	// the run's emulated AssemblyAI API is up: it is given the API's base
	// URL, key and an HTTP client that reaches it (over the in-memory
	// network), so that a handler using AssemblyAI's SDK with a base-URL
	// option fetches its transcripts there and RC-15..RC-17, RC-19 apply. When
	// the handler is an io.Closer, the run closes it as it ends: work it
	// does in the background must end then, as a synctest bubble (where
	// hookcheck.Test runs it) requires. Test fails, naming them, when
	// goroutines the handler started are still alive after that.
	NewHandler func(api API) http.Handler
	// APIAddr, for a URL target, serves the emulated AssemblyAI API on
	// this address for the run (e.g. "127.0.0.1:8090"; port 0 picks one),
	// so that RC-15..RC-17, RC-19 apply. Empty serves none.
	APIAddr string
	// APIKey is the key the emulated API accepts: required with
	// APIAddr; with NewHandler, empty means a generated one.
	APIKey string
	// FullSchedules makes every retry AssemblyAI would make even after a
	// delivery's first attempt decided its check (by default the retries
	// are recorded as not made), for the evidence of whole schedules.
	FullSchedules bool
	// MaxDuration bounds the whole run: past it the run stops and its
	// result is incomplete, naming the scenarios cut. Zero means
	// DefaultMaxDuration (no bound with FullSchedules and a schedule
	// longer than it); negative means no bound.
	MaxDuration time.Duration
	// BodyBudget is the run's memory guard: the receiver's answer body
	// bytes the run may keep in all (each answer is read up to
	// Policy.MaxBodyBytes, at most 64 MiB). Past it the run stops and its
	// result is incomplete, naming the guard. Zero means
	// webhook.DefaultBodyBudget (256 MiB).
	BodyBudget int64
	// VerifyURL, when set, makes RC-18 ask the receiver's application
	// whether each transcript it acknowledged was processed: GET the URL
	// with {transcript_id} replaced; a 2xx means yes. For a Handler target
	// a path ("/processed/{transcript_id}") is served by the Handler.
	VerifyURL string
	// VerifyAPIFetch makes RC-18 accept as proof of processing that the
	// receiver fetched each acknowledged transcript from the run's
	// emulated API (a 2xx GET /v2/transcript/{id} with the right key):
	// `--verify api-fetch`. It needs the API (APIAddr or NewHandler); with
	// VerifyURL too, either evidence is enough.
	VerifyAPIFetch bool
	// VerifyHeaderName and VerifyHeaderValue authenticate those requests.
	VerifyHeaderName  string
	VerifyHeaderValue string
	// VerifyWithin bounds the polling; zero means steps.DefaultVerifyWithin.
	VerifyWithin time.Duration

	// Product is which webhook to check: reports.PreRecorded (the zero
	// value: the transcript notification), reports.Streaming (the webhook
	// of a streaming session, RC-20..RC-23 and the shared rules) or
	// reports.BothProducts in one report.
	Product reports.Product
	// MaxSessionDuration is the longest streaming session checked (RC-21,
	// RC-23); zero means webhook.MaxSessionDuration, 3 h (S-6).
	MaxSessionDuration time.Duration

	// Vocabulary is how the run's messages (a not-applicable reason, a
	// setup error) name a setting: the zero value names this struct's
	// fields ("set Target.Allowlist"); steps.CLIFlags, as hookcheck run
	// sets it, names its flags ("set --allowlist header").
	Vocabulary steps.Vocabulary

	// Provider is whose deliveries to imitate: "assemblyai" (empty, the
	// default), "standard-webhooks", "stripe" or "github" (provider.Names). It chooses the
	// delivery profile, the payloads, the signature and the built-in
	// features (simulator/provider).
	Provider string
	// SigningSecret is the secret the provider signs with, in its own
	// format (whsec_… for Standard Webhooks); required by a provider that
	// signs, refused by one that does not. Masked like every secret.
	SigningSecret string
}

// API is the emulated AssemblyAI API a run serves, as the receiver under
// test reaches it. Every notification of the run refers to a transcript
// that exists there, in the state the notification announces.
type API struct {
	// BaseURL is what to give an SDK's base-URL option, e.g.
	// assemblyai.WithBaseURL(api.BaseURL) in Go.
	BaseURL string
	// Key is the API key it accepts; any other gets AssemblyAI's 401.
	Key string
	// HTTPClient reaches BaseURL; pass it on (assemblyai.WithHTTPClient)
	// for an in-process handler, whose API is on an in-memory network.
	HTTPClient *http.Client
}

// apiGrace bounds how long the emulated API may take to stop after a run.
// Nothing the run reads is still in flight then (a fetch RC-15 holds back
// on purpose may be), so it is short: a 2 s grace added up to 2 s to
// real-time runs whose receiver was still waiting on a slowed fetch.
const apiGrace = 200 * time.Millisecond

// DefaultMaxDuration bounds a run unless Target.MaxDuration says
// otherwise: long enough for a faithful (real-time) run of the built-in
// suite against any receiver, since each delivery stops at its first
// failed attempt, and short enough for a CI job.
const DefaultMaxDuration = suite.DefaultMaxDuration

// Prepared is a run ready to start: the features are parsed, every step is
// defined and the selection is counted, but nothing has been sent. As
// httptest.NewUnstartedServer lets a test look before Start, it lets a
// caller check the setup (and show Selected) before Run.
type Prepared struct {
	suite *suite.Prepared
	stop  func() // closes the in-memory server of a Handler target and the API
	api   *API   // the emulated API served for the run, if any
	// closer says the in-process handler is an io.Closer, which Close
	// (and Run) closes.
	closer bool
}

// Prepare checks t without sending anything. Its errors are the caller's
// to fix: a bad target, unreadable or undefined features, a tag
// expression that selects nothing (those are *suite.SetupError). A Handler
// target is served on an in-memory network at once; Run or Close stops it.
func Prepare(t Target) (*Prepared, error) {
	if err := t.Validate(); err != nil {
		return nil, &suite.SetupError{Err: err}
	}
	target, opts, stop := t.URL, webhook.Options{Clock: t.Clock, Logger: t.Logger}, func() {}
	sessionTarget := t.SessionURL
	var (
		apiSrv  *api.Server
		apiInfo *API
		closer  io.Closer // an in-process handler's, closed as the run ends
	)
	if t.Handler != nil || t.NewHandler != nil {
		n := memnet.New()
		h := t.Handler
		if t.NewHandler != nil {
			key := t.APIKey
			if key == "" {
				key = "hookcheck-" + webhook.NewUUID()
			}
			l, err := n.Listen("")
			if err != nil {
				return nil, fmt.Errorf("serve the emulated API: %w", err)
			}
			client := &http.Client{Transport: &http.Transport{DialContext: n.DialContext}}
			apiInfo = &API{BaseURL: l.URL(), Key: key, HTTPClient: client}
			var stopAPI func()
			// The bubble's virtual time paces the API too: no wall clock.
			apiSrv, stopAPI, err = serveAPI(l, apiInfo, nil, t.Logger)
			if err != nil {
				return nil, err
			}
			h = t.NewHandler(*apiInfo)
			stop = func() {
				stopAPI()
				client.CloseIdleConnections()
			}
		}
		srv, err := n.Serve("", h)
		if err != nil {
			stop()
			return nil, fmt.Errorf("serve the handler: %w", err)
		}
		path := t.Path
		if path == "" {
			path = "/webhook"
		}
		// The bubble's virtual time paces a Handler: no wall clock.
		stopAPI := stop
		target, opts.DialContext, opts.Clock = srv.URL+path, n.DialContext, nil
		if t.SessionPath != "" {
			sessionTarget = srv.URL + t.SessionPath
		}
		closer, _ = h.(io.Closer)
		stop = func() {
			srv.Close()
			// The handler's background work (its fetches) ends before the
			// API does: a synctest bubble needs every goroutine gone.
			if closer != nil {
				_ = closer.Close()
			}
			stopAPI()
		}
	} else if t.Product == reports.Streaming && t.SessionURL != "" {
		// The session webhook alone: SessionURL is where every delivery goes.
		target, sessionTarget = t.SessionURL, ""
	}
	if t.Handler == nil && t.NewHandler == nil && t.APIAddr != "" {
		l, err := net.Listen("tcp", t.APIAddr)
		if err != nil {
			return nil, &suite.SetupError{Err: fmt.Errorf("serve the emulated AssemblyAI API on %s: %w", t.APIAddr, err)}
		}
		apiInfo = &API{BaseURL: "http://" + l.Addr().String(), Key: t.APIKey, HTTPClient: http.DefaultClient}
		apiSrv, stop, err = serveAPI(l, apiInfo, t.Clock, t.Logger)
		if err != nil {
			return nil, err
		}
	}
	var verify *steps.Verify
	if t.VerifyURL != "" || t.VerifyAPIFetch {
		verify = &steps.Verify{APIFetch: t.VerifyAPIFetch, HeaderName: t.VerifyHeaderName,
			HeaderValue: webhook.Secret(t.VerifyHeaderValue), Within: t.VerifyWithin}
	}
	if t.VerifyURL != "" {
		u := t.VerifyURL
		if (t.Handler != nil || t.NewHandler != nil) && strings.HasPrefix(u, "/") {
			u = baseURL(target) + t.VerifyURL
		}
		verify.URL = u
	}
	p := t.policy()
	// Every secret the run knows is masked by value in every record and
	// output: a receiver may echo them.
	secrets := append(p.Secrets(), webhook.TargetSecrets(t.URL)...)
	secrets = append(secrets, webhook.TargetSecrets(t.SessionURL)...)
	if apiInfo != nil && apiInfo.Key != "" {
		secrets = append(secrets, apiInfo.Key)
	}
	if t.VerifyHeaderValue != "" {
		secrets = append(secrets, t.VerifyHeaderValue)
	}
	opts.Secrets = secrets
	pr, _ := provider.Lookup(t.Provider) // Validate has checked the name
	cfg := suite.Config{
		Provider: pr,
		Conformance: steps.Conformance{Payload: pr.Payload, First: pr.First, Target: target, SessionTarget: sessionTarget, Policy: p, Regions: t.Regions, Allowlist: t.Allowlist,
			Burst: t.Burst, LatencyBudget: t.LatencyBudget, Options: opts, API: apiSrv,
			FullSchedules: t.FullSchedules, Verify: verify, MaxSessionDuration: t.MaxSessionDuration,
			Vocabulary: t.Vocabulary},
		Features: t.Features, FeaturesName: t.FeaturesName, Tags: t.Tags, Strict: t.Strict,
		Concurrency: t.Concurrency, Version: Version(), BuiltInReceiver: t.BuiltInReceiver,
		Seed: t.Seed, OnScenario: t.OnScenario, MaxDuration: t.maxDuration(p), Secrets: secrets, Product: t.Product,
		BodyBudget: t.BodyBudget, Rerun: t.Rerun, RerunOf: t.RerunOf,
	}
	if apiInfo != nil {
		cfg.Conformance.APIURL = apiInfo.BaseURL
	}
	if t.Features != nil && cfg.FeaturesName == "" {
		cfg.FeaturesName = "custom"
	}
	if t.Allowlist {
		cfg.AllowlistName = p.Source.String() // "header" or "bind:IP"
	}
	prep, err := suite.Prepare(cfg)
	if err != nil {
		stop()
		return nil, err
	}
	return &Prepared{suite: prep, stop: sync.OnceFunc(stop), api: apiInfo, closer: closer != nil}, nil
}

// MaxBurst bounds Target.Burst: RC-11's notifications are all in flight
// at once, and a burst past this measures the machine, not the receiver.
const MaxBurst = 1000

// maxSessionDuration bounds MaxSessionDuration: past a day it is a
// mistake, not a session (webhook.StreamingSession refuses it too).
const maxSessionDuration = 24 * time.Hour

// Validate checks every value of t without starting anything: Prepare
// calls it first, and the hookcheck CLI builds a Target from its flags
// and relies on it, so that a bad value gets the same error from both.
// Errors name each setting as t.Vocabulary does ("Target.Burst" or
// "--burst"). Zero values are the defaults and always valid.
func (t Target) Validate() error {
	name := func(flag, field string) string { return t.Vocabulary.Say(flag, "Target."+field) }
	handler := t.Handler != nil || t.NewHandler != nil
	switch {
	case t.Handler != nil && t.NewHandler != nil:
		return errors.New("set Handler or NewHandler, not both")
	case handler && t.APIAddr != "":
		return errors.New("APIAddr is for a URL target; an in-process handler gets its API through NewHandler")
	case handler && t.SessionURL != "":
		return errors.New("SessionURL is for a URL target; an in-process handler serves session webhooks on SessionPath")
	case t.SessionPath != "" && !strings.HasPrefix(t.SessionPath, "/"):
		return fmt.Errorf("SessionPath %q must start with /", t.SessionPath)
	case !handler && t.SessionPath != "":
		return errors.New("SessionPath is for a Handler target; a URL target takes SessionURL")
	}
	product, err := reports.ParseProduct(string(t.Product))
	if err != nil {
		return fmt.Errorf("%s: %w", name("--product", "Product"), err)
	}
	if err := t.validateRoutes(product, handler); err != nil {
		return err
	}
	if err := t.validateAPI(handler); err != nil {
		return err
	}
	switch {
	case t.Burst < 0 || t.Burst > MaxBurst:
		return fmt.Errorf("%s must be between 1 and %d (0: the default, %d), got %d", name("--burst", "Burst"), MaxBurst, steps.DefaultBurst, t.Burst)
	case t.LatencyBudget < 0:
		return fmt.Errorf("%s must not be negative (0: the default, %s), got %s", name("--latency-budget", "LatencyBudget"), steps.DefaultLatencyBudget, t.LatencyBudget)
	case t.Concurrency < 0:
		return fmt.Errorf("%s must not be negative (0: the default, %d), got %d", name("--concurrency", "Concurrency"), suite.DefaultConcurrency, t.Concurrency)
	case t.VerifyWithin < 0:
		return fmt.Errorf("%s must not be negative (0: the default, %s), got %s", name("--verify-within", "VerifyWithin"), steps.DefaultVerifyWithin, t.VerifyWithin)
	case t.BodyBudget < 0:
		return fmt.Errorf("%s must not be negative (0: the default, %d bytes), got %d", "Target.BodyBudget", webhook.DefaultBodyBudget, t.BodyBudget)
	case t.MaxSessionDuration < 0 || t.MaxSessionDuration > maxSessionDuration:
		return fmt.Errorf("%s must be at most %s (0: the default, %s), got %s", name("--max-session-duration", "MaxSessionDuration"), maxSessionDuration, webhook.MaxSessionDuration, t.MaxSessionDuration)
	}
	for _, r := range t.Regions {
		if r.Address() == "" {
			return fmt.Errorf("%s: unknown region %q (want us or eu)", name("--region", "Regions"), r)
		}
	}
	if err := t.validateVerify(handler); err != nil {
		return err
	}
	if err := t.validateProvider(handler); err != nil {
		return err
	}
	if err := t.policy().Validate(); err != nil {
		// The user's setup, refused before anything is sent (exit 2).
		return fmt.Errorf("delivery policy: %w", err)
	}
	return nil
}

// validateRoutes checks where deliveries go: URL (or the handler) and
// SessionURL, which only the session webhook's products use.
func (t Target) validateRoutes(product reports.Product, handler bool) error {
	name := func(flag, field string) string { return t.Vocabulary.Say(flag, "Target."+field) }
	// With the session webhook alone, SessionURL may stand for URL.
	sessionOnly := product == reports.Streaming && t.SessionURL != ""
	if !handler && (t.URL != "" || !sessionOnly) {
		if t.URL == "" && t.SessionURL != "" && product == reports.BothProducts {
			return fmt.Errorf("%s needs %s with both products: the transcript notifications' route",
				name("--session-target", "SessionURL"), name("--target", "URL"))
		}
		if _, err := webhook.ParseTarget(t.URL); err != nil {
			return fmt.Errorf("%s: %w", name("--target", "URL"), err)
		}
	}
	if t.SessionURL == "" && t.SessionPath == "" {
		return nil
	}
	if product == reports.PreRecorded {
		return fmt.Errorf("%s is where session webhooks go: it needs %s", t.Vocabulary.Say("--session-target", "Target.SessionURL (or SessionPath)"),
			t.Vocabulary.Say("--product streaming or both", "Target.Product Streaming or BothProducts"))
	}
	if t.SessionURL != "" {
		if _, err := webhook.ParseTarget(t.SessionURL); err != nil {
			return fmt.Errorf("%s: %w", name("--session-target", "SessionURL"), err)
		}
	}
	return nil
}

// validateAPI checks the emulated API's settings.
func (t Target) validateAPI(handler bool) error {
	if t.APIAddr == "" {
		if t.APIKey != "" && !handler {
			return fmt.Errorf("%s is the emulated API's key: it needs %s", t.Vocabulary.Say("--api-key", "Target.APIKey"),
				t.Vocabulary.Say("--api ADDR", "Target.APIAddr (or Target.NewHandler)"))
		}
		return nil
	}
	if t.APIKey == "" {
		return errors.New("the emulated API needs a key (" + t.Vocabulary.Say("--api-key or HOOKCHECK_API_KEY", "set Target.APIKey") + ")")
	}
	if _, _, err := net.SplitHostPort(t.APIAddr); err != nil {
		return fmt.Errorf("%s %q: want host:port, e.g. 127.0.0.1:8090", t.Vocabulary.Say("--api", "Target.APIAddr"), t.APIAddr)
	}
	for _, u := range []string{t.URL, t.SessionURL} {
		if !handler && u != "" && webhook.SameAddress(t.APIAddr, u) {
			return fmt.Errorf("%s %s is the receiver's own address (%s): serve the API on another port",
				t.Vocabulary.Say("--api", "Target.APIAddr"), t.APIAddr, webhook.RedactTarget(u))
		}
	}
	return nil
}

// validateProvider checks the provider, its signing secret and how long
// its schedule takes in real time.
func (t Target) validateProvider(handler bool) error {
	name := func(flag, field string) string { return t.Vocabulary.Say(flag, "Target."+field) }
	pr, err := provider.Lookup(t.Provider)
	if err != nil {
		return fmt.Errorf("%s: %w", name("--provider", "Provider"), err)
	}
	if _, err := pr.Policy(webhook.Secret(t.SigningSecret)); err != nil {
		// The error names the secret's format, never its value.
		return fmt.Errorf("%s (%s): %w", name("--provider", "Provider"), t.Vocabulary.Say("$HOOKCHECK_SIGNING_SECRET", "Target.SigningSecret"), err)
	}
	p := t.policy()
	if total := p.ScheduleLength(); !handler && p.Pace == webhook.RealTime && !t.FullSchedules && total > DefaultMaxDuration {
		fast := p
		fast.Pace = webhook.Accelerated
		return fmt.Errorf("%s's retry schedule takes %s in real time: set %s (its waits divided by %d: %s), or %s to run it as it is",
			pr.Name, total, name("--fast", "Fast"), webhook.AcceleratedFactor, fast.ScheduleLength(), name("--full-schedules", "FullSchedules"))
	}
	return nil
}

// validateVerify checks RC-18's evidence settings.
func (t Target) validateVerify(handler bool) error {
	name := func(flag, field string) string { return t.Vocabulary.Say(flag, "Target."+field) }
	if t.VerifyAPIFetch && t.APIAddr == "" && t.NewHandler == nil {
		return errors.New(t.Vocabulary.Say("--verify api-fetch needs the emulated AssemblyAI API: set --api ADDR",
			"Target.VerifyAPIFetch needs the emulated AssemblyAI API: set Target.NewHandler (or Target.APIAddr for a URL target)"))
	}
	if t.VerifyURL != "" {
		u := t.VerifyURL
		if handler && strings.HasPrefix(u, "/") {
			u = "http://handler" + u // served by the Handler: any base parses
		}
		if err := steps.ParseVerifyURL(u); err != nil {
			return fmt.Errorf("%s: %w", name("--verify-url", "VerifyURL"), err)
		}
	}
	switch {
	case t.VerifyHeaderName != "" && t.VerifyURL == "":
		return fmt.Errorf("%s authenticates the requests to %s: set it too", name("--verify-header", "VerifyHeaderName"), name("--verify-url", "VerifyURL"))
	case t.VerifyHeaderName != "":
		if err := webhook.ValidateHeaderName(t.VerifyHeaderName); err != nil {
			return fmt.Errorf("%s: %w", name("--verify-header", "VerifyHeaderName"), err)
		}
		if t.VerifyHeaderValue == "" {
			return fmt.Errorf("%s %s needs a value (%s)", name("--verify-header", "VerifyHeaderName"), t.VerifyHeaderName,
				t.Vocabulary.Say("$HOOKCHECK_VERIFY_HEADER_VALUE", "Target.VerifyHeaderValue"))
		}
	case t.VerifyHeaderValue != "":
		return fmt.Errorf("%s needs %s", "Target.VerifyHeaderValue", "Target.VerifyHeaderName")
	}
	return nil
}

// maxDuration is the run's bound: MaxDuration, or none when whole
// schedules are asked for and the provider's is longer than the default
// bound (Standard Webhooks' 75 h, SW-9): a bound would cut every schedule
// it was asked to show. AssemblyAI's 90 s schedule keeps the default.
func (t Target) maxDuration(p webhook.Policy) time.Duration {
	if t.MaxDuration == 0 && t.FullSchedules && p.ScheduleLength() > DefaultMaxDuration {
		return -1
	}
	return t.MaxDuration
}

// policy is the delivery policy t describes: Policy (or AssemblyAI's),
// with Fast, the auth header and the first region on top.
func (t Target) policy() webhook.Policy {
	p := webhook.DefaultPolicy()
	var signing *webhook.Signing
	if pr, err := provider.Lookup(t.Provider); err == nil && !pr.IsDefault() {
		if pp, err := pr.Policy(webhook.Secret(t.SigningSecret)); err == nil {
			p, signing = pp, pp.Signing
		}
	}
	if t.Policy != nil {
		p = *t.Policy
		if signing != nil {
			p.Signing = signing
		}
	}
	if t.Fast {
		p.Pace = webhook.Accelerated
	}
	if t.AuthHeaderName != "" {
		p.Auth = &webhook.AuthHeader{Name: t.AuthHeaderName, Value: webhook.Secret(t.AuthHeaderValue)}
	}
	if len(t.Regions) > 0 {
		p.Region = t.Regions[0]
	}
	return p
}

// serveAPI serves the emulated AssemblyAI API on l until the returned stop
// is called. Transcripts are seeded by the run, not submitted, so the API
// has no processing delay to speak of; its deliveries (of a transcript a
// receiver submits itself) follow AssemblyAI's policy.
func serveAPI(l net.Listener, info *API, clk clock.Clock, logger *slog.Logger) (*api.Server, func(), error) {
	srv, err := api.New(api.Config{APIKey: webhook.Secret(info.Key), BaseURL: info.BaseURL, Clock: clk, Logger: logger})
	if err != nil {
		_ = l.Close() // nothing was served on it
		return nil, nil, fmt.Errorf("emulated API: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ctx, l, apiGrace) // ends when stop cancels ctx
	}()
	return srv, func() { cancel(); <-done }, nil
}

// API returns the emulated AssemblyAI API served for the run, and false
// when the run serves none.
func (p *Prepared) API() (API, bool) {
	if p.api == nil {
		return API{}, false
	}
	return *p.api, true
}

// Selected is the number of scenarios Run will execute.
func (p *Prepared) Selected() int { return p.suite.Selected() }

// Run executes the suite once and returns the result; a receiver's
// failures are in the result. When ctx ends early the result is
// incomplete. Run closes a Handler target's server when it returns.
func (p *Prepared) Run(ctx context.Context) *reports.Result {
	defer p.Close()
	return p.suite.Run(ctx)
}

// Close stops a Handler target's in-memory server; Run does it too.
func (p *Prepared) Close() { p.stop() }

// Check runs the suite against a URL target and returns the result. It
// fails only when the suite cannot run (bad target or features); a
// receiver's failures are in the result.
func Check(ctx context.Context, t Target) (*reports.Result, error) {
	if t.Handler != nil || t.NewHandler != nil {
		return nil, errors.New("hookcheck.Check takes a URL target; use hookcheck.Test for an http.Handler")
	}
	prep, err := Prepare(t)
	if err != nil {
		return nil, fmt.Errorf("hookcheck: %w", err)
	}
	return prep.Run(ctx), nil
}

// Test runs the suite against target and reports each scenario as a
// subtest of t. It returns the result for further assertions.
func Test(t *testing.T, target Target) *reports.Result {
	t.Helper()
	var res *reports.Result
	if target.Handler != nil || target.NewHandler != nil {
		res = runHandler(t, target)
	} else {
		var err error
		res, err = Check(t.Context(), target)
		if err != nil {
			t.Fatalf("hookcheck: %v", err)
		}
	}
	for _, s := range res.Scenarios {
		t.Run(subtestName(s), func(t *testing.T) {
			t.Helper() // each frame on the way to t.Error: the failure names the caller's line
			reportScenario(t, s, res, target.Strict)
		})
	}
	return res
}

// reportScenario fails, logs or skips t as scenario s of res ended; a
// failure carries the fix of each requirement it fails.
func reportScenario(t *testing.T, s reports.Scenario, res *reports.Result, strict bool) {
	t.Helper()
	switch s.Status {
	case reports.Failed:
		level := "MUST"
		if s.Level == reports.Should {
			level = "SHOULD"
		}
		msg := s.Reason + fixes(res, s)
		if s.Level == reports.Should && !strict {
			t.Logf("%s requirement not met (not failing without Strict): %s", level, msg)
			return
		}
		t.Errorf("%s requirement not met: %s", level, msg)
	case reports.NotApplicable, reports.Skipped:
		t.Skip(s.Reason)
	}
}

// fixes is the remediation of each requirement s fails, one line each: a
// requirement blocked by another (the same answer to the same kind of
// request) points at the other's fix, which comes first.
func fixes(res *reports.Result, s reports.Scenario) string {
	byID := make(map[string]reports.Requirement, len(res.Requirements))
	for _, q := range res.Requirements {
		byID[q.ID] = q
	}
	var b strings.Builder
	shown := map[string]bool{}
	for _, id := range s.Requirements {
		q, ok := byID[id]
		if !ok || q.Status != reports.Failed || shown[id] {
			continue
		}
		shown[id] = true
		if q.BlockedBy != nil {
			root := *q.BlockedBy
			if shown[root] {
				fmt.Fprintf(&b, "\n%s repeats %s's failure: fix %s first", id, root, root)
			} else {
				shown[root] = true
				rq, ok := byID[root]
				if !ok {
					rq.ID = root
				}
				fmt.Fprintf(&b, "\nFix %s first (%s repeats its failure): %s", root, id, remediation(rq))
			}
			continue
		}
		if fix := remediation(q); fix != "" {
			fmt.Fprintf(&b, "\nFix %s: %s", id, fix)
		}
	}
	return b.String()
}

// remediation is q's fix as the run chose it, or the catalogue's.
func remediation(q reports.Requirement) string {
	if q.Remediation != "" {
		return q.Remediation
	}
	catalogue, err := features.AllRequirements()
	if err != nil {
		return ""
	}
	for _, c := range catalogue {
		if c.ID == q.ID {
			return c.Remediation
		}
	}
	return ""
}

// runHandler checks an in-process handler on an in-memory network inside a
// synctest bubble, where time is virtual.
func runHandler(t *testing.T, target Target) *reports.Result {
	t.Helper()
	var (
		res    *reports.Result
		err    error
		left   *leftovers
		closer bool
	)
	deadlock := runBubble(t, func(t *testing.T) {
		var prep *Prepared
		if prep, err = Prepare(target); err != nil {
			return
		}
		res, closer = prep.Run(t.Context()), prep.closer
		if left = awaitGoroutines(); left != nil && left.stuck {
			// Nothing in the bubble will wake them, so it would never
			// end: fail the test binary with the reason instead of
			// hanging until its timeout.
			panic("hookcheck: " + left.message(closer))
		}
	})
	// Failed here, outside the bubble: from inside it the failure would
	// name synctest's line, not the caller's (t.Helper cannot reach past
	// the bubble's goroutine).
	switch {
	case err != nil:
		t.Fatalf("hookcheck: %v", err)
	case left != nil:
		t.Errorf("hookcheck: %s", left.message(closer))
	case deadlock != nil:
		t.Errorf("hookcheck: goroutines the handler started were still blocked as the run ended (synctest: %v): "+
			"implement io.Closer on the handler to stop its background work and wait for it to end; hookcheck calls Close as the run ends", deadlock)
	}
	if res == nil {
		t.FailNow() // the run itself deadlocked: no result to report
	}
	return res
}

// runBubble runs f in a synctest bubble. The deadlock synctest panics with
// when goroutines of the bubble outlive f (a handler's background work)
// is returned, for the caller to report with what to do about it.
func runBubble(t *testing.T, f func(*testing.T)) (deadlock error) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if e, ok := r.(error); ok && strings.HasPrefix(e.Error(), "deadlock: ") {
			deadlock = e
			return
		}
		panic(r)
	}()
	synctest.Test(t, f)
	return nil
}

// baseURL is scheme://host of a URL.
func baseURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func subtestName(s reports.Scenario) string {
	if len(s.Requirements) == 0 {
		return s.Name
	}
	return strings.Join(s.Requirements, ",") + " " + s.Name
}
