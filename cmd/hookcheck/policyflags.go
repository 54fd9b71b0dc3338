package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/hookcheck/hookcheck/simulator/clock"
	"github.com/hookcheck/hookcheck/simulator/profiles"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// envAuthHeaderValue lets CI pass the auth header value without putting it
// on the command line.
const envAuthHeaderValue = "HOOKCHECK_AUTH_HEADER_VALUE"

// policyFlags are the delivery-policy flags that send, serve-api and run
// share. Every default is AssemblyAI's (D-3, D-4, D-7, D-12).
type policyFlags struct {
	timeout         time.Duration
	maxAttempts     int
	retryInterval   time.Duration
	fast            bool
	region          string
	sourceAddress   string
	authName        string
	authValue       string
	userAgent       string
	followRedirects bool
	retryOn4xx      bool
	insecure        bool
	keepAlive       bool
	// profile is the --profile file; empty for the built-in one.
	profile string
	// fs is the flag set registered on, to tell a value the user set
	// from a default that must not override the profile's.
	fs *pflag.FlagSet
}

// policyFlagSet says which optional groups of policy flags a command has.
type policyFlagSet struct {
	auth   bool // serve-api takes the auth header from each transcript
	source bool // run names its regions and source itself
}

// register adds the flags to fs.
func (f *policyFlags) register(fs *pflag.FlagSet, set policyFlagSet) {
	d := webhook.DefaultPolicy()
	f.fs = fs
	fs.StringVar(&f.profile, "profile", "", "delivery profile file (from 'hookcheck diff --update-profile'); flags set explicitly override it (default: the built-in AssemblyAI profile)")
	fs.DurationVar(&f.timeout, "timeout", d.Timeout, "deadline for a 2xx answer to each attempt (D-3)")
	fs.IntVar(&f.maxAttempts, "max-attempts", d.MaxAttempts, "attempts in total (D-4)")
	fs.DurationVar(&f.retryInterval, "retry-interval", d.RetryInterval, "wait from the end of one attempt to the start of the next (D-4, P-2)")
	fs.BoolVar(&f.fast, "fast", false, fmt.Sprintf("accelerated waits: divide each wait by %d (the deadline stays)", webhook.AcceleratedFactor))
	f.region, f.sourceAddress = string(d.Region), "header"
	if set.source {
		fs.StringVar(&f.region, "region", f.region, "AssemblyAI region whose source address is shown: us or eu (D-7)")
		fs.StringVar(&f.sourceAddress, "source-address", f.sourceAddress, "how the source address is shown: header (X-Forwarded-For), bind:IP, or none (P-7)")
	}
	if set.auth {
		fs.StringVar(&f.authName, "auth-header-name", "", "custom auth header sent with every delivery (D-8)")
		fs.StringVar(&f.authValue, "auth-header-value", "", "value of the auth header; prefer env "+envAuthHeaderValue)
	}
	fs.StringVar(&f.userAgent, "user-agent", d.UserAgent, "User-Agent of each delivery (D-12)")
	fs.BoolVar(&f.followRedirects, "follow-redirects", false, "follow 3xx answers (AssemblyAI's behaviour is undocumented; P-3 counts them as failures); a hop to another origin carries no auth or secret header")
	fs.BoolVar(&f.retryOn4xx, "retry-on-4xx", false, "retry after a 4xx answer (AssemblyAI never does: D-5)")
	fs.BoolVar(&f.insecure, "insecure", false, "deliveries accept any TLS certificate (run: RC-14 is then not applicable)")
	fs.BoolVar(&f.keepAlive, "keep-alive", false, "reuse connections between attempts")
}

// policy builds and checks the delivery policy; every error is the user's.
func (f *policyFlags) policy(getenv func(string) string) (webhook.Policy, error) {
	p := webhook.DefaultPolicy()
	// The profile's bounds hold for the flags too (docs: README, "Delivery
	// profiles").
	if err := profiles.CheckTimeout(f.timeout); err != nil {
		return p, usagef("--timeout %v", err)
	}
	if err := profiles.CheckAttempts(f.maxAttempts); err != nil {
		return p, usagef("--max-attempts %v", err)
	}
	if err := profiles.CheckRetryInterval(f.retryInterval); err != nil {
		return p, usagef("--retry-interval %v", err)
	}
	region, err := webhook.ParseRegion(f.region)
	if err != nil {
		return p, usagef("--region: %v", err)
	}
	source, err := webhook.ParseSourceAddress(f.sourceAddress)
	if err != nil {
		return p, usagef("--source-address: %v", err)
	}
	if f.profile != "" {
		if p, err = loadProfile(f.profile); err != nil {
			return p, err
		}
	}
	set := f.set
	if set("timeout") {
		p.Timeout = f.timeout
	}
	if set("max-attempts") {
		p.MaxAttempts = f.maxAttempts
	}
	if set("retry-interval") {
		p.RetryInterval = f.retryInterval
	}
	if set("region") {
		p.Region = region
	}
	if set("source-address") {
		p.Source = source
	}
	if set("user-agent") {
		p.UserAgent = f.userAgent
	}
	if set("follow-redirects") {
		p.FollowRedirects = f.followRedirects
	}
	if set("retry-on-4xx") {
		p.RetryOn4xx = f.retryOn4xx
	}
	p.InsecureSkipVerify, p.KeepAlive = f.insecure, f.keepAlive
	if f.fast {
		p.Pace = webhook.Accelerated
	}
	value := f.authValue
	if value == "" && f.authName != "" {
		value = getenv(envAuthHeaderValue)
	}
	switch {
	case f.authName != "":
		if err := webhook.ValidateHeaderName(f.authName); err != nil {
			return p, usagef("--auth-header-name: %v", err)
		}
		if value == "" {
			return p, usagef("--auth-header-name %s needs a value: set --auth-header-value or %s", f.authName, envAuthHeaderValue)
		}
		p.Auth = &webhook.AuthHeader{Name: f.authName, Value: webhook.Secret(value)}
	case f.authValue != "":
		return p, usagef("--auth-header-value needs --auth-header-name")
	}
	if err := p.Validate(); err != nil {
		return p, usageError{err}
	}
	return p, nil
}

// set reports whether a policy value comes from the flag: the user set it,
// or the command set the field itself without registering the flag (run
// names its region and source). Otherwise the profile's value stands.
func (f *policyFlags) set(name string) bool {
	if f.fs == nil {
		return true
	}
	fl := f.fs.Lookup(name)
	return fl == nil || fl.Changed
}

// loadProfile reads a --profile file; a malformed one is a usage error
// naming the file, the line and the field.
func loadProfile(path string) (webhook.Policy, error) {
	pr, err := profiles.ReadFile(path)
	if pe := (*profiles.Error)(nil); errors.As(err, &pe) {
		return webhook.Policy{}, usagef("--profile %v", err)
	}
	if err != nil {
		return webhook.Policy{}, usagef("--profile: %v", err)
	}
	p, err := webhook.PolicyFromProfile(pr)
	if err != nil {
		return p, usagef("--profile %s: %v", path, err)
	}
	return p, nil
}

// clockFor is the clock of a command's deliveries: in real time, Precise,
// so AssemblyAI's 10 s waits and deadlines hold to the millisecond even on
// a machine that wakes sleepers late; accelerated runs need no precision.
func clockFor(p webhook.Policy) clock.Clock {
	if p.Pace == webhook.RealTime {
		return clock.Precise{}
	}
	return clock.Real{}
}
