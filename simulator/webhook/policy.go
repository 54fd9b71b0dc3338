// Package webhook is hookcheck's AssemblyAI webhook sender: a delivery policy
// whose defaults are AssemblyAI's documented behaviour (rules D-1..D-12 and
// project decisions P-1..P-7 of docs/spec.md), a Sender that runs one
// delivery's full schedule, and an Engine that runs many thousands of
// deliveries at once with bounded memory and goroutines.
package webhook

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hookcheck/hookcheck/internal/secret"
	"github.com/hookcheck/hookcheck/simulator/profiles"
	"github.com/hookcheck/hookcheck/simulator/signing"
)

// AssemblyAI's documented delivery constants. DefaultPolicy takes its
// values from the built-in profile; these name the same values for code
// that needs a constant, and a test keeps the two equal.
const (
	// DefaultTimeout is the deadline for a 2xx answer (D-3).
	DefaultTimeout = 10 * time.Second
	// DefaultMaxAttempts is the number of attempts in total (D-4).
	DefaultMaxAttempts = 10
	// DefaultRetryInterval is the wait between attempts (D-4), measured
	// from the end of one attempt to the start of the next (P-2).
	DefaultRetryInterval = 10 * time.Second
	// DefaultMaxBodyBytes is how much of an answer's body is kept (P-1).
	DefaultMaxBodyBytes = 64 << 10
	// DefaultUserAgent is the historic User-Agent of a delivery (D-12).
	DefaultUserAgent = "python-requests/2.25.1"
	// AcceleratedFactor divides the wait between attempts in the
	// accelerated pace: 10 s becomes 100 ms.
	AcceleratedFactor = 100
	// maxResponseHeaderBytes bounds a hostile receiver's endless headers.
	maxResponseHeaderBytes = 64 << 10
)

// Pace says how the waits between attempts relate to the policy.
type Pace int

const (
	// RealTime waits RetryInterval between attempts, as AssemblyAI does.
	RealTime Pace = iota
	// Accelerated divides each wait by AcceleratedFactor, for CI. The
	// per-attempt deadline is unchanged because it is what the receiver
	// must meet.
	Accelerated
)

// String names the pace as reports show it.
func (p Pace) String() string {
	if p == Accelerated {
		return "accelerated"
	}
	return "real-time"
}

// Region is an AssemblyAI region with fixed delivery addresses (D-7).
type Region string

// The regions AssemblyAI delivers from.
const (
	RegionUS Region = "us"
	RegionEU Region = "eu"
)

// regionAddress holds the documented source address of each region (D-7),
// read once from the built-in profile (simulator/profiles/assemblyai.json)
// so the addresses live in one place; never written after.
var regionAddress = profiles.AssemblyAI().SourceAddresses.Value

// Address returns the region's documented source address (D-7).
func (r Region) Address() string { return regionAddress[string(r)] }

// ParseRegion accepts "us" or "eu".
func ParseRegion(s string) (Region, error) {
	r := Region(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := regionAddress[string(r)]; !ok {
		return "", fmt.Errorf("unknown region %q (want us or eu)", s)
	}
	return r, nil
}

// SourceMode says how a delivery shows its source address (P-7).
type SourceMode int

const (
	// SourceHeader sets X-Forwarded-For to the region's address, as a
	// proxy or load balancer in front of the receiver would.
	SourceHeader SourceMode = iota
	// SourceBind dials from a local address the user names, for receivers
	// that read the socket's peer address (e.g. 127.0.0.2 on loopback).
	SourceBind
	// SourceNone shows no source address at all.
	SourceNone
)

// SourceAddress is the source-address setting of a policy (D-7, P-7).
type SourceAddress struct {
	Mode SourceMode
	// BindIP is the local address dialed from in SourceBind mode.
	BindIP net.IP
}

// String renders the setting as the --source-address flag takes it.
func (s SourceAddress) String() string {
	switch s.Mode {
	case SourceBind:
		return "bind:" + s.BindIP.String()
	case SourceNone:
		return "none"
	default:
		return "header"
	}
}

// ParseSourceAddress accepts "header", "none" or "bind:IP".
func ParseSourceAddress(s string) (SourceAddress, error) {
	switch {
	case s == "header" || s == "":
		return SourceAddress{Mode: SourceHeader}, nil
	case s == "none":
		return SourceAddress{Mode: SourceNone}, nil
	case strings.HasPrefix(s, "bind:"):
		ip := net.ParseIP(strings.TrimPrefix(s, "bind:"))
		if ip == nil {
			return SourceAddress{}, fmt.Errorf("source address %q: %q is not an IP address", s, strings.TrimPrefix(s, "bind:"))
		}
		return SourceAddress{Mode: SourceBind, BindIP: ip}, nil
	}
	return SourceAddress{}, fmt.Errorf("unknown source address %q (want header, none or bind:IP)", s)
}

// Secret is a value that must never be printed, logged or reported: its
// String, GoString and JSON forms are masked. Reveal returns the value.
// It is secret.Secret, shared with the signers (simulator/signing).
type Secret = secret.Secret

// Mask is what a secret shows instead of its value.
const Mask = secret.Mask

// AuthHeader is the optional custom authentication header (D-8).
type AuthHeader struct {
	Name  string
	Value Secret
}

// Policy is everything that decides how a delivery is sent and retried. The
// zero value is not useful; start from DefaultPolicy, whose every field is
// AssemblyAI's behaviour, and change what a test needs.
type Policy struct {
	// Method is the request method: POST (D-1). The conformance suite
	// changes it to probe how a receiver treats other methods.
	Method string
	// Timeout is the per-attempt deadline for the status line and headers
	// (D-3, P-1).
	Timeout time.Duration
	// MaxAttempts is the number of attempts in total (D-4).
	MaxAttempts int
	// RetryInterval is the wait from the end of one attempt to the start
	// of the next (D-4, P-2).
	RetryInterval time.Duration
	// Pace shortens the waits for CI (Accelerated) or keeps them (RealTime).
	Pace Pace
	// RetryOn4xx retries after a 4xx answer; AssemblyAI never does (D-5, P-6).
	RetryOn4xx bool
	// FollowRedirects follows 3xx answers; AssemblyAI's behaviour is
	// undocumented and the project counts them as retryable failures (P-3).
	FollowRedirects bool
	// MaxRedirects bounds redirect following when it is on.
	MaxRedirects int
	// UserAgent is sent as User-Agent (D-12).
	UserAgent string
	// ExtraHeaders are added to every attempt after the D-12 set.
	ExtraHeaders http.Header
	// Auth is the optional custom header sent verbatim (D-8).
	Auth *AuthHeader
	// Region picks the documented source address (D-7).
	Region Region
	// Source says how the source address is shown (P-7).
	Source SourceAddress
	// MaxBodyBytes is how much of each answer's body is kept (P-1).
	MaxBodyBytes int64
	// KeepAlive reuses connections between attempts and deliveries. Off by
	// default: each attempt opens its own connection.
	KeepAlive bool
	// InsecureSkipVerify accepts any TLS certificate.
	InsecureSkipVerify bool

	// Schedule, when set, is the wait before each retry (Schedule[0]
	// before the second attempt, ...), replacing RetryInterval: a
	// provider whose waits grow (Standard Webhooks, SW-9).
	Schedule []time.Duration
	// StopOn lists answers that end a delivery at once (Standard
	// Webhooks' 410, SW-10), even when RetryOn4xx retries other 4xx.
	StopOn []int
	// RetryAfterOn lists answers whose Retry-After (in seconds) sets the
	// wait before the next attempt, bounded by profiles.MaxRetryInterval
	// (SW-10's throttling answers).
	RetryAfterOn []int
	// Signing, when set, signs every attempt as a provider does: the
	// same message id on each, the attempt's own timestamp.
	Signing *Signing
}

// Signing is how a policy signs its deliveries.
type Signing struct {
	// Provider names the scheme (signing.StandardWebhooks, ...).
	Provider signing.Provider
	// Signer signs one attempt's message.
	Signer signing.Signer
	// Secrets are the signer's secrets, masked wherever they might show.
	Secrets []Secret
}

// NewSigning returns the Signing of provider with secrets.
func NewSigning(provider signing.Provider, secrets ...Secret) (*Signing, error) {
	s, err := signing.NewSigner(provider, secrets...)
	if err != nil {
		return nil, err
	}
	return &Signing{Provider: provider, Signer: s, Secrets: secrets}, nil
}

// DefaultPolicy returns AssemblyAI's delivery behaviour: the built-in
// profile, simulator/profiles/assemblyai.json, where every value names its
// docs/spec.md rule.
func DefaultPolicy() Policy {
	p, err := builtinPolicy()
	if err != nil {
		// The embedded profile is checked by this package's tests: a
		// failure here is a build defect, not a user's mistake.
		panic(fmt.Sprintf("built-in profile: %v", err))
	}
	p.ExtraHeaders = p.ExtraHeaders.Clone()
	return p
}

// builtinPolicy parses the embedded profile once; the result is only read.
var builtinPolicy = sync.OnceValues(func() (Policy, error) {
	return PolicyFromProfile(profiles.AssemblyAI())
})

// Validate reports the first setting that cannot work.
func (p Policy) Validate() error {
	var errs []error
	if p.Method == "" {
		errs = append(errs, errors.New("method is empty"))
	}
	if p.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("timeout must be positive, got %s", p.Timeout))
	}
	if p.MaxAttempts < 1 {
		errs = append(errs, fmt.Errorf("max attempts must be at least 1, got %d", p.MaxAttempts))
	}
	if p.RetryInterval < 0 {
		errs = append(errs, fmt.Errorf("retry interval must not be negative, got %s", p.RetryInterval))
	}
	if p.Region.Address() == "" {
		errs = append(errs, fmt.Errorf("unknown region %q", p.Region))
	}
	if p.Source.Mode == SourceBind && p.Source.BindIP == nil {
		errs = append(errs, errors.New("bind source address needs an IP"))
	}
	if p.Auth != nil {
		if err := ValidateHeaderName(p.Auth.Name); err != nil {
			errs = append(errs, fmt.Errorf("auth header: %w", err))
		}
		if p.Auth.Value == "" {
			errs = append(errs, fmt.Errorf("auth header %q has no value", p.Auth.Name))
		} else if err := ValidateHeaderValue(p.Auth.Value.Reveal()); err != nil {
			errs = append(errs, fmt.Errorf("auth header %q: %w", p.Auth.Name, err))
		}
	}
	for name, vs := range p.ExtraHeaders {
		if err := ValidateHeaderName(name); err != nil {
			errs = append(errs, fmt.Errorf("extra header: %w", err))
		}
		for _, v := range vs {
			if err := ValidateHeaderValue(v); err != nil {
				errs = append(errs, fmt.Errorf("extra header %q: %w", name, err))
			}
		}
	}
	if err := profiles.CheckMaxBodyBytes(p.MaxBodyBytes); err != nil {
		// The part of each answer kept in memory (P-1): a profile's bound.
		errs = append(errs, fmt.Errorf("max body bytes %w", err))
	}
	return errors.Join(errs...)
}

// Wait returns the actual wait before the second attempt, after the pace.
func (p Policy) Wait() time.Duration { return p.WaitAfter(1) }

// WaitAfter returns the actual wait after attempt n failed, before the
// next one, after the pace: Schedule[n-1] when the policy has a schedule,
// else RetryInterval.
func (p Policy) WaitAfter(n int) time.Duration {
	d := p.RetryInterval
	if n >= 1 && n <= len(p.Schedule) {
		d = p.Schedule[n-1]
	}
	return p.paced(d)
}

func (p Policy) paced(d time.Duration) time.Duration {
	if p.Pace == Accelerated {
		return d / AcceleratedFactor
	}
	return d
}

// Waits says how long the policy waits between attempts, after the pace,
// for a console line: "wait 10s" for a fixed interval, or the first waits
// of a schedule and its length ("waits 5s, 5m0s, 30m0s, … (75h35m0s in
// all)").
func (p Policy) Waits() string {
	if len(p.Schedule) == 0 || p.MaxAttempts <= 2 {
		return "wait " + p.Wait().String()
	}
	var parts []string
	for n := 1; n < p.MaxAttempts && n <= 3; n++ {
		parts = append(parts, p.WaitAfter(n).String())
	}
	more := ""
	if p.MaxAttempts > 4 {
		more = ", …"
	}
	return fmt.Sprintf("waits %s%s (%s in all)", strings.Join(parts, ", "), more, p.ScheduleLength())
}

// ScheduleLength is how long a delivery that fails every attempt at once
// waits in all, after the pace: the time a full schedule takes.
func (p Policy) ScheduleLength() time.Duration {
	var total time.Duration
	for n := 1; n < p.MaxAttempts; n++ {
		total += p.WaitAfter(n)
	}
	return total
}

// ValidateHeaderName checks that name is an HTTP header field name (RFC 9110
// token) that a delivery may set.
func ValidateHeaderName(name string) error {
	if name == "" {
		return errors.New("header name is empty")
	}
	for i := 0; i < len(name); i++ {
		if !isTokenChar(name[i]) {
			return fmt.Errorf("header name %q contains %q, which is not allowed in a header name", name, name[i])
		}
	}
	switch http.CanonicalHeaderKey(name) {
	case "Content-Length", "Host", "Transfer-Encoding", "Connection":
		return fmt.Errorf("header name %q is reserved for the transport", name)
	}
	return nil
}

func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
