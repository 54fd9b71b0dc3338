package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	hookcheckapi "github.com/hookcheck/hookcheck"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/webhook"
	"github.com/hookcheck/hookcheck/steps"
)

// build builds the run's hookcheck.Target from run's flags, in one place.
// It turns each flag's text into the Target's typed value and checks
// nothing else: every check of a value is Target.Validate's (called by
// hookcheck.Prepare), so the same bad value gets the same error from the
// CLI and from the Go API. A flag's zero means what the Target field's zero
// means (the default), except --max-duration 0, which is "no limit".
// builtIn reports that no target was given: the run then checks the
// built-in compliant receiver, whose URL runRun sets once it listens.
func (f *runFlags) build(a *app) (t hookcheckapi.Target, builtIn bool, err error) {
	regions, err := parseRegions(f.region)
	if err != nil {
		return t, false, err
	}
	if f.policy.sourceAddress, err = allowlistSource(f.allowlist); err != nil {
		return t, false, err
	}
	f.policy.region = string(regions[0])
	if _, ok := otherProvider(f.policy.provider); ok && f.allowlist == "" {
		// Another provider documents no source address to show.
		f.policy.sourceAddress = "none"
	}
	p, err := f.policy.policy(a.getenv)
	if err != nil {
		return t, false, err
	}
	t = hookcheckapi.Target{
		URL: f.target, SessionURL: f.sessionTarget, Product: reports.Product(f.product),
		Policy: &p, Regions: regions, Allowlist: f.allowlist != "",
		Burst: f.burst, LatencyBudget: f.latencyBudget, Concurrency: f.concurrency, MaxSessionDuration: f.maxSession,
		Tags: f.tags, Strict: f.strict, Seed: f.seed, MaxDuration: f.maxDuration, FullSchedules: f.fullSchedules,
		VerifyURL: f.verifyURL, VerifyHeaderName: f.verifyHeader, VerifyWithin: f.verifyWithin,
		APIAddr: f.api, APIKey: f.apiKey,
		Provider: f.policy.provider,
		Logger:   a.logger(), Clock: clockFor(p), Vocabulary: steps.CLIFlags, // messages name the flags
		OnScenario: func(s reports.Scenario) { printScenario(a.out, s) },
	}
	if !a.flagChanged("seed") {
		t.Seed = time.Now().UnixNano()
	}
	if f.maxDuration < 0 {
		return t, false, usagef("--max-duration must not be negative (0: no limit), got %s", f.maxDuration)
	}
	if f.maxDuration == 0 {
		t.MaxDuration = -1 // the flag's 0 is "no limit"; the API's 0 is the default
	}
	if pr, ok := otherProvider(f.policy.provider); ok && pr.Signing != "" {
		t.SigningSecret = a.getenv(envSigningSecret) // read only for a provider that signs
	}
	if f.verifyHeader != "" {
		t.VerifyHeaderValue = a.getenv("HOOKCHECK_VERIFY_HEADER_VALUE")
	}
	if t.APIAddr != "" && t.APIKey == "" {
		t.APIKey = a.getenv(envAPIKey)
	}
	switch f.verify {
	case "", verifyNone:
	case steps.VerifyAPIFetch:
		t.VerifyAPIFetch = true
	default:
		return t, false, usagef("--verify %q: want %s or %s (or --verify-url TEMPLATE)", f.verify, steps.VerifyAPIFetch, verifyNone)
	}
	if f.features != "" {
		if st, err := os.Stat(f.features); err != nil || !st.IsDir() {
			return t, false, usagef("--features %s: not a directory", f.features)
		}
		t.Features, t.FeaturesName = os.DirFS(f.features), f.features
	}
	if builtIn = f.target == "" && f.sessionTarget == ""; builtIn {
		f.builtInDefaults(a, &t)
	}
	return t, builtIn, nil
}

// builtInDefaults shows every check at work on the built-in receiver:
// unless the user set them, an auth header with a generated secret, an
// X-Forwarded-For allowlist, both regions, and the emulated API, whose
// fetches prove processing (RC-18) unless a verify URL is asked for.
func (f *runFlags) builtInDefaults(a *app, t *hookcheckapi.Target) {
	if pr, ok := otherProvider(t.Provider); ok {
		// The built-in receiver of another provider verifies its
		// signature; AssemblyAI's auth header, allowlist and API are not
		// its checks.
		if pr.Signing != "" && t.SigningSecret == "" {
			t.SigningSecret = string(newSigningSecret(pr.Signing))
		}
		return
	}
	if t.Policy.Auth == nil {
		t.Policy.Auth = &webhook.AuthHeader{Name: "X-Webhook-Secret", Value: webhook.Secret(webhook.NewUUID())}
	}
	t.Allowlist = true // header, unless --allowlist socket:IP said otherwise
	if !a.flagChanged("region") {
		t.Regions = []webhook.Region{webhook.RegionUS, webhook.RegionEU}
	}
	if f.verifyURL == "" && f.verify == "" {
		t.VerifyAPIFetch = true
	}
	if t.APIAddr == "" {
		t.APIAddr = builtInAPIAddr
	}
	if t.APIKey == "" {
		t.APIKey = "hookcheck-" + webhook.NewUUID()
	}
}

// allowlistSource turns --allowlist into the deliveries' source address
// (P-7): header (X-Forwarded-For, also without an allowlist) or
// socket:IP, where deliveries dial from IP and the receiver reads the
// socket's address; bind:IP is the same, by its older name.
func allowlistSource(allowlist string) (string, error) {
	switch {
	case allowlist == "" || allowlist == "header":
		return "header", nil
	case strings.HasPrefix(allowlist, "socket:"):
		return "bind:" + strings.TrimPrefix(allowlist, "socket:"), nil
	case strings.HasPrefix(allowlist, "bind:"):
		return allowlist, nil
	case allowlist == "socket":
		return "", usagef("--allowlist socket needs the address deliveries dial from, one the receiver admits: socket:IP, e.g. socket:127.0.0.2")
	}
	return "", usagef("--allowlist %q: want header or socket:IP", allowlist)
}

// routes says where each kind of webhook goes, as Prepare routes them: with
// --product streaming alone, session webhooks go to --session-target when
// it is given.
func routes(t hookcheckapi.Target) (transcript, session string) {
	if t.Product == reports.Streaming && t.SessionURL != "" {
		return t.SessionURL, ""
	}
	return t.URL, t.SessionURL
}

// describeBuiltIn is the header line of a built-in run.
func describeBuiltIn(t hookcheckapi.Target) string {
	if _, ok := otherProvider(t.Provider); ok {
		counted := ""
		if t.VerifyURL != "" {
			counted = "; it counts each event's processing at " + t.VerifyURL + " (SIG-09)"
		}
		return fmt.Sprintf("No --target: checking hookcheck's built-in compliant %s receiver at %s\n"+
			"  (it verifies every signature with the run's signing secret, generated unless $%s sets it%s)\n",
			t.Provider, t.URL, envSigningSecret, counted)
	}
	return fmt.Sprintf("No --target: checking hookcheck's built-in compliant receiver at %s\n"+
		"  (auth header %s with a generated secret, %s allowlist, regions %s)\n",
		t.URL, t.Policy.Auth.Name, allowlistLabel(t.Policy.Source), joinRegions(t.Regions))
}

// allowlistLabel names how the built-in receiver checks the source.
func allowlistLabel(s webhook.SourceAddress) string {
	if s.Mode == webhook.SourceBind {
		return "socket (" + s.BindIP.String() + ")"
	}
	return "X-Forwarded-For"
}
