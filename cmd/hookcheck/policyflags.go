package main

import (
	"errors"
	"fmt"
	"strings"
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
	// provider is --provider, on the commands that take it: its profile
	// is the policy's start, unless --profile names another. An unknown
	// name starts from AssemblyAI's; the command refuses it.
	provider string
	// fs is the flag set registered on, to tell a value the user set
	// from a default that must not override the profile's.
	fs *pflag.FlagSet
	// groups is what register was given.
	groups policyFlagSet
	// regionList is --region's regions: both for "both", where the
	// command takes several.
	regionList []webhook.Region
}

// policyFlagSet says which optional groups of policy flags a command has:
// a command lists only the flags that act on it. The zero value is run's
// set (run names its regions and source itself).
type policyFlagSet struct {
	auth   bool // serve-api takes the auth header from each transcript
	source bool // run names its regions and source itself
	// oneRegion, with source, says why --region takes one region: the
	// usage error of --region both. Empty: --region takes both (default),
	// as diff compares deliveries from every region.
	oneRegion string
	// compare: the command compares a capture with the policy and sends
	// nothing (diff), so the flags that shape only a connection
	// (--insecure, --keep-alive, --follow-redirects) do not act on it.
	compare bool
	// asCaptured: the command sends the captured User-Agent and source
	// address (replay), so --user-agent, --region and --source-address do
	// not act on it.
	asCaptured bool
}

// regionBoth is the --region value of every region, where a command takes
// several.
const regionBoth = "both"

// register adds the flags to fs.
func (f *policyFlags) register(fs *pflag.FlagSet, set policyFlagSet) {
	d := webhook.DefaultPolicy()
	f.fs, f.groups = fs, set
	fs.StringVar(&f.profile, "profile", "", "delivery profile file (from 'hookcheck diff --update-profile'); flags set explicitly override it (default: the built-in AssemblyAI profile)")
	fs.DurationVar(&f.timeout, "timeout", d.Timeout, "deadline for a 2xx answer to each attempt (D-3)")
	fs.IntVar(&f.maxAttempts, "max-attempts", d.MaxAttempts, "attempts in total (D-4)")
	fs.DurationVar(&f.retryInterval, "retry-interval", d.RetryInterval, "wait from the end of one attempt to the start of the next (D-4, P-2)")
	fs.BoolVar(&f.fast, "fast", false, fmt.Sprintf("accelerated waits: divide each wait by %d (the deadline stays)", webhook.AcceleratedFactor))
	f.region, f.sourceAddress = string(d.Region), "header"
	if set.source && !set.asCaptured {
		if set.oneRegion != "" {
			fs.StringVar(&f.region, "region", f.region, "AssemblyAI region whose source address deliveries show: us or eu (D-7)")
		} else {
			f.region = regionBoth
			fs.StringVar(&f.region, "region", f.region, "AssemblyAI region(s) whose source address a delivery may show: us, eu or both (D-7)")
		}
		fs.StringVar(&f.sourceAddress, "source-address", f.sourceAddress, "how the source address is shown: header (X-Forwarded-For), bind:IP, or none (P-7)")
	}
	if set.auth {
		fs.StringVar(&f.authName, "auth-header-name", "", "custom auth header sent with every delivery (D-8)")
		fs.StringVar(&f.authValue, "auth-header-value", "", "value of the auth header; prefer env "+envAuthHeaderValue)
	}
	if !set.asCaptured {
		fs.StringVar(&f.userAgent, "user-agent", d.UserAgent, "User-Agent of each delivery (D-12)")
	}
	if !set.compare {
		fs.BoolVar(&f.followRedirects, "follow-redirects", false, "follow 3xx answers (AssemblyAI's behaviour is undocumented; P-3 counts them as failures); a hop to another origin carries no auth or secret header")
	}
	fs.BoolVar(&f.retryOn4xx, "retry-on-4xx", false, "retry after a 4xx answer (AssemblyAI never does: D-5)")
	if !set.compare {
		fs.BoolVar(&f.insecure, "insecure", false, "deliveries accept any TLS certificate (run: RC-14 is then not applicable)")
		fs.BoolVar(&f.keepAlive, "keep-alive", false, "reuse connections between attempts")
	}
}

// regions is --region's regions: one, or every region for "both" where
// the command takes several. Valid after policy.
func (f *policyFlags) regions() []webhook.Region { return f.regionList }

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
	region, err := f.parseRegion()
	if err != nil {
		return p, err
	}
	source, err := webhook.ParseSourceAddress(f.sourceAddress)
	if err != nil {
		return p, usagef("--source-address: %v", err)
	}
	if pr, ok := otherProvider(f.provider); ok && f.profile == "" {
		// The provider's delivery rules; its signature is added by the
		// command, which has the secret.
		if p, err = webhook.PolicyFromProfile(pr.Profile); err != nil {
			return p, err
		}
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
	if set("region") && region != "" {
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

// parseRegion reads --region: one region, or "" for both where the
// command takes several (f.regionList then holds both). Where one delivery
// comes from one region, both is a usage error that says why.
func (f *policyFlags) parseRegion() (webhook.Region, error) {
	if strings.EqualFold(strings.TrimSpace(f.region), regionBoth) {
		if f.groups.oneRegion != "" {
			return "", usagef("--region both: %s: give us or eu", f.groups.oneRegion)
		}
		f.regionList = []webhook.Region{webhook.RegionUS, webhook.RegionEU}
		return "", nil
	}
	region, err := webhook.ParseRegion(f.region)
	if err != nil {
		if f.groups.source && f.groups.oneRegion == "" {
			return "", usagef("--region: %v (or both)", err)
		}
		return "", usagef("--region: %v", err)
	}
	f.regionList = []webhook.Region{region}
	return region, nil
}

// set reports whether a policy value comes from the flag: the user set it,
// or the command set the field itself without registering the flag (run
// names its region and source). Otherwise the profile's value stands: a
// flag a command does not list never overrides it.
func (f *policyFlags) set(name string) bool {
	if f.fs == nil {
		return true
	}
	fl := f.fs.Lookup(name)
	if fl == nil {
		return !f.groups.source && (name == "region" || name == "source-address")
	}
	return fl.Changed
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
