// Package hookcheck runs hookcheck's webhook conformance suite from a team's
// own Go tests: point it at a running receiver's URL, or hand it the
// http.Handler itself.
//
//	func TestWebhookConformance(t *testing.T) {
//		hookcheck.Test(t, hookcheck.Target{Handler: myapp.WebhookHandler(), Path: "/webhooks/assemblyai"})
//	}
//
// Each scenario becomes a subtest: a failure names the requirement (RC-01 …
// RC-14), what was sent, what came back and what AssemblyAI would do about
// it. An in-process handler is checked in virtual time (testing/synctest),
// so the full retry schedules cost milliseconds; a URL is checked in real
// time, with accelerated waits when Fast is set.
package hookcheck

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/clock"
	"github.com/hookcheck/hookcheck/simulator/memnet"
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
	// network and checked in virtual time.
	Handler http.Handler
	// Path is the path Handler serves the webhook on; default "/webhook".
	// It may carry a query ("/webhook?customer=1").
	Path string
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
	// order; zero keeps file order. The report records it.
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
}

// Prepared is a run ready to start: the features are parsed, every step is
// defined and the selection is counted, but nothing has been sent. As
// httptest.NewUnstartedServer lets a test look before Start, it lets a
// caller check the setup (and show Selected) before Run.
type Prepared struct {
	suite *suite.Prepared
	stop  func() // closes the in-memory server of a Handler target
}

// Prepare checks t without sending anything. Its errors are the caller's
// to fix: a bad target, unreadable or undefined features, a tag
// expression that selects nothing (those are *suite.SetupError). A Handler
// target is served on an in-memory network at once; Run or Close stops it.
func Prepare(t Target) (*Prepared, error) {
	target, opts, stop := t.URL, webhook.Options{Clock: t.Clock, Logger: t.Logger}, func() {}
	if t.Handler != nil {
		n := memnet.New()
		srv, err := n.Serve("", t.Handler)
		if err != nil {
			return nil, fmt.Errorf("serve the handler: %w", err)
		}
		path := t.Path
		if path == "" {
			path = "/webhook"
		}
		// The bubble's virtual time paces a Handler: no wall clock.
		target, opts.DialContext, opts.Clock, stop = srv.URL+path, n.DialContext, nil, srv.Close
	} else if _, err := webhook.ParseTarget(t.URL); err != nil {
		return nil, err
	}
	p := webhook.DefaultPolicy()
	if t.Policy != nil {
		p = *t.Policy
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
	if err := p.Validate(); err != nil {
		stop()
		// The user's setup, refused before anything is sent (exit 2).
		return nil, &suite.SetupError{Err: fmt.Errorf("delivery policy: %w", err)}
	}
	// Every secret the run knows is masked by value in every record and
	// output: a receiver may echo them (a run with an API key adds it
	// here).
	secrets := append(p.Secrets(), webhook.TargetSecrets(t.URL)...)
	opts.Secrets = secrets
	cfg := suite.Config{
		Conformance: steps.Conformance{Target: target, Policy: p, Regions: t.Regions, Allowlist: t.Allowlist,
			Burst: t.Burst, LatencyBudget: t.LatencyBudget, Options: opts},
		Features: t.Features, FeaturesName: t.FeaturesName, Tags: t.Tags, Strict: t.Strict,
		Concurrency: t.Concurrency, Version: Version(), BuiltInReceiver: t.BuiltInReceiver,
		Seed: t.Seed, OnScenario: t.OnScenario, Secrets: secrets,
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
	return &Prepared{suite: prep, stop: stop}, nil
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
	if t.Handler != nil {
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
	if target.Handler != nil {
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
			switch s.Status {
			case reports.Failed:
				level := "MUST"
				if s.Level == reports.Should {
					level = "SHOULD"
				}
				if s.Level == reports.Should && !target.Strict {
					t.Logf("%s requirement not met (not failing without Strict): %s", level, s.Reason)
					return
				}
				t.Errorf("%s requirement not met: %s", level, s.Reason)
			case reports.NotApplicable, reports.Skipped:
				t.Skip(s.Reason)
			}
		})
	}
	return res
}

// runHandler checks an in-process handler on an in-memory network inside a
// synctest bubble, where time is virtual.
func runHandler(t *testing.T, target Target) *reports.Result {
	t.Helper()
	var res *reports.Result
	synctest.Test(t, func(t *testing.T) {
		prep, err := Prepare(target)
		if err != nil {
			t.Fatalf("hookcheck: %v", err)
		}
		res = prep.Run(t.Context())
	})
	return res
}

func subtestName(s reports.Scenario) string {
	if len(s.Requirements) == 0 {
		return s.Name
	}
	return strings.Join(s.Requirements, ",") + " " + s.Name
}
