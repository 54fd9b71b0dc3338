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
	"net/http"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/memnet"
	"github.com/hookcheck/hookcheck/simulator/webhook"
	"github.com/hookcheck/hookcheck/steps"
	"github.com/hookcheck/hookcheck/steps/suite"
)

// Target is the receiver to check and how. Set URL or Handler.
type Target struct {
	// URL is a running receiver's webhook URL.
	URL string
	// Handler is an in-process receiver; it is served on an in-memory
	// network and checked in virtual time.
	Handler http.Handler
	// Path is the path Handler serves the webhook on; default "/webhook".
	Path string
	// AuthHeaderName and AuthHeaderValue are the webhook auth header the
	// receiver expects (D-8); leave empty when it expects none.
	AuthHeaderName  string
	AuthHeaderValue string
	// Allowlist says the receiver admits only AssemblyAI's source
	// addresses, read from X-Forwarded-For.
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
	// Burst is how many concurrent notifications RC-11 sends (default 50).
	Burst int
	// Policy, when set, replaces AssemblyAI's delivery policy.
	Policy *webhook.Policy
}

// Check runs the suite against a URL target and returns the result. It
// fails only when the suite cannot run (bad target or features); a
// receiver's failures are in the result.
func Check(ctx context.Context, t Target) (*reports.Result, error) {
	if t.Handler != nil {
		return nil, errors.New("hookcheck.Check takes a URL target; use hookcheck.Test for an http.Handler")
	}
	if _, err := webhook.ParseTarget(t.URL); err != nil {
		return nil, err
	}
	prep, err := t.prepare(t.URL, webhook.Options{})
	if err != nil {
		return nil, err
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
		n := memnet.New()
		srv, err := n.Serve("", target.Handler)
		if err != nil {
			t.Fatalf("hookcheck: serve handler: %v", err)
		}
		defer srv.Close()
		path := target.Path
		if path == "" {
			path = "/webhook"
		}
		prep, err := target.prepare(srv.URL+path, webhook.Options{DialContext: n.DialContext})
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

func (t Target) prepare(url string, opts webhook.Options) (*suite.Prepared, error) {
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
	prep, err := suite.Prepare(suite.Config{
		Conformance: steps.Conformance{Target: url, Policy: p, Regions: t.Regions, Allowlist: t.Allowlist,
			Burst: t.Burst, Options: opts},
		Features: t.Features, FeaturesName: featuresName(t.Features), Tags: t.Tags, Strict: t.Strict, Version: Version(),
	})
	if err != nil {
		return nil, fmt.Errorf("hookcheck: %w", err)
	}
	return prep, nil
}

func featuresName(f fs.FS) string {
	if f == nil {
		return ""
	}
	return "custom"
}
