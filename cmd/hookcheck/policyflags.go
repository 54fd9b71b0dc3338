package main

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/hookcheck/hookcheck/simulator/clock"
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
}

// policyFlagSet says which optional groups of policy flags a command has.
type policyFlagSet struct {
	auth   bool // serve-api takes the auth header from each transcript
	source bool // run names its regions and source itself
}

// register adds the flags to fs.
func (f *policyFlags) register(fs *pflag.FlagSet, set policyFlagSet) {
	d := webhook.DefaultPolicy()
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
	fs.BoolVar(&f.followRedirects, "follow-redirects", false, "follow 3xx answers (AssemblyAI's behaviour is undocumented; P-3 counts them as failures)")
	fs.BoolVar(&f.retryOn4xx, "retry-on-4xx", false, "retry after a 4xx answer (AssemblyAI never does: D-5)")
	fs.BoolVar(&f.insecure, "insecure", false, "deliveries accept any TLS certificate (run: RC-14 is then not applicable)")
	fs.BoolVar(&f.keepAlive, "keep-alive", false, "reuse connections between attempts")
}

// policy builds and checks the delivery policy; every error is the user's.
func (f *policyFlags) policy(getenv func(string) string) (webhook.Policy, error) {
	p := webhook.DefaultPolicy()
	if f.timeout <= 0 {
		return p, usagef("--timeout must be positive, got %s", f.timeout)
	}
	if f.maxAttempts < 1 {
		return p, usagef("--max-attempts must be at least 1, got %d", f.maxAttempts)
	}
	if f.retryInterval < 0 {
		return p, usagef("--retry-interval must not be negative, got %s", f.retryInterval)
	}
	region, err := webhook.ParseRegion(f.region)
	if err != nil {
		return p, usagef("--region: %v", err)
	}
	source, err := webhook.ParseSourceAddress(f.sourceAddress)
	if err != nil {
		return p, usagef("--source-address: %v", err)
	}
	p.Timeout, p.MaxAttempts, p.RetryInterval = f.timeout, f.maxAttempts, f.retryInterval
	p.Region, p.Source, p.UserAgent = region, source, f.userAgent
	p.FollowRedirects, p.RetryOn4xx, p.InsecureSkipVerify, p.KeepAlive = f.followRedirects, f.retryOn4xx, f.insecure, f.keepAlive
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

// clockFor is the clock of a command's deliveries: in real time, Precise,
// so AssemblyAI's 10 s waits and deadlines hold to the millisecond even on
// a machine that wakes sleepers late; accelerated runs need no precision.
func clockFor(p webhook.Policy) clock.Clock {
	if p.Pace == webhook.RealTime {
		return clock.Precise{}
	}
	return clock.Real{}
}
