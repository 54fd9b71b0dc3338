// Package signing signs webhook deliveries the way other providers do and
// verifies them the way their receivers must: Standard Webhooks v1
// (SW-1..SW-7 of docs/spec.md), Stripe (ST-1..ST-5) and GitHub (GH-1..GH-3).
//
// Each provider has a Signer (message id, timestamp and body, signed with
// one or more secrets, give the headers as sent) and a Verifier (headers,
// raw body and the time of receipt give nil or a *VerifyError saying why).
// Verifiers compare in constant time, accept several secrets (rotation)
// and several signatures in one header, and read untrusted input in time
// and memory linear in its size. Secrets are secret.Secret (webhook.Secret):
// no value of this package prints one.
//
// Written from the providers' documents; the official libraries are used
// only in tests, to check that they agree (see package vectors).
package signing

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/hookcheck/hookcheck/internal/secret"
)

// Provider names a signing scheme.
type Provider string

// The providers this package signs for.
const (
	StandardWebhooks Provider = "standard-webhooks" // SW-1..SW-7
	Stripe           Provider = "stripe"            // ST-1..ST-5
	GitHub           Provider = "github"            // GH-1..GH-3
)

// Providers lists every provider, in a stable order.
func Providers() []Provider { return []Provider{StandardWebhooks, Stripe, GitHub} }

// ParseProvider returns the provider named s, or an error listing the names.
func ParseProvider(s string) (Provider, error) {
	if p := Provider(s); slices.Contains(Providers(), p) {
		return p, nil
	}
	return "", fmt.Errorf("unknown provider %q (want standard-webhooks, stripe or github)", s)
}

// DefaultTolerance is how far a timestamp may be from the time of receipt:
// five minutes, the official libraries' value (SW-6, ST-5).
const DefaultTolerance = 5 * time.Minute

// Message is what a provider signs: the message id (webhook-id, unused by
// Stripe and GitHub), the time of the attempt and the exact body bytes.
type Message struct {
	ID        string
	Timestamp time.Time
	Body      []byte
}

// Field is one header as sent: its name spelled as the provider spells it.
type Field struct {
	Name, Value string
}

// Headers are the signature headers of one request, in the order sent.
type Headers []Field

// Apply sets every field on h under the name as spelled (HTTP/1.1 writes
// header names as stored; they are case-insensitive to the receiver).
func (hs Headers) Apply(h http.Header) {
	for _, f := range hs {
		for k := range h {
			if http.CanonicalHeaderKey(k) == http.CanonicalHeaderKey(f.Name) {
				delete(h, k)
			}
		}
		h[f.Name] = []string{f.Value}
	}
}

// Header returns the fields as an http.Header, as a receiver sees them.
func (hs Headers) Header() http.Header {
	h := make(http.Header, len(hs))
	for _, f := range hs {
		h.Add(f.Name, f.Value)
	}
	return h
}

// A Signer signs one message with its secrets and returns the headers as
// sent: with several secrets (rotation), one signature per secret.
type Signer interface {
	Sign(m Message) (Headers, error)
}

// A Verifier checks one request: its headers, its raw body and the time it
// was received. It returns nil or a *VerifyError.
type Verifier interface {
	Verify(h http.Header, body []byte, now time.Time) error
}

// VerifyOptions configure a Verifier.
type VerifyOptions struct {
	// Secrets are every secret the receiver accepts (during a rotation,
	// the old and the new one); at least one.
	Secrets []secret.Secret
	// Tolerance is how far the timestamp may be from now; zero means
	// DefaultTolerance. GitHub signs no timestamp (GH-3) and ignores it.
	Tolerance time.Duration
}

func (o VerifyOptions) tolerance() time.Duration {
	if o.Tolerance <= 0 {
		return DefaultTolerance
	}
	return o.Tolerance
}

// NewSigner returns p's Signer for secrets (several during a rotation).
func NewSigner(p Provider, secrets ...secret.Secret) (Signer, error) {
	switch p {
	case StandardWebhooks:
		return NewStandardSigner(secrets...)
	case Stripe:
		return NewStripeSigner(secrets...)
	case GitHub:
		return NewGitHubSigner(secrets...)
	}
	_, err := ParseProvider(string(p))
	return nil, err
}

// NewVerifier returns p's Verifier.
func NewVerifier(p Provider, o VerifyOptions) (Verifier, error) {
	switch p {
	case StandardWebhooks:
		return NewStandardVerifier(o)
	case Stripe:
		return NewStripeVerifier(o)
	case GitHub:
		return NewGitHubVerifier(o)
	}
	_, err := ParseProvider(string(p))
	return nil, err
}

// Why a request does not verify. A *VerifyError wraps exactly one of them:
// test with errors.Is.
var (
	// ErrMalformedHeader: a signature header is missing, repeated or
	// cannot be parsed (a timestamp that is not a number, no version).
	ErrMalformedHeader = errors.New("malformed signature header")
	// ErrUnknownVersion: every signature is of a version or scheme this
	// verifier does not check (v2, Stripe's v0, GitHub's sha1=); none of
	// them may count (SW-5, ST-3, GH-3).
	ErrUnknownVersion = errors.New("no signature of a known version")
	// ErrNoValidSignature: the signatures of a known version are all
	// unreadable (not base64 or hex, wrong length), so none can match.
	ErrNoValidSignature = errors.New("no valid signature")
	// ErrBadSignature: well-formed signatures, none matches the body with
	// any secret (body changed, wrong secret, signed for other metadata).
	ErrBadSignature = errors.New("signature does not match")
	// ErrTimestampTooOld: the timestamp is further in the past than the
	// tolerance (SW-6, ST-5): a replay or a clock far behind.
	ErrTimestampTooOld = errors.New("timestamp too old")
	// ErrTimestampTooNew: the timestamp is further in the future than the
	// tolerance (SW-6).
	ErrTimestampTooNew = errors.New("timestamp too new")
)

// VerifyError says why a request does not verify. Detail never holds a
// secret, a signature or the body.
type VerifyError struct {
	Provider Provider
	Reason   error // one of the Err* values of this package
	Detail   string
}

// Error reads "stripe: timestamp too old: 301s before now (tolerance 300s)".
func (e *VerifyError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("%s: %v", e.Provider, e.Reason)
	}
	return fmt.Sprintf("%s: %v: %s", e.Provider, e.Reason, e.Detail)
}

// Unwrap returns the reason, for errors.Is.
func (e *VerifyError) Unwrap() error { return e.Reason }

func verifyErr(p Provider, reason error, format string, args ...any) *VerifyError {
	return &VerifyError{Provider: p, Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// maxHeaderBytes bounds what a verifier reads from one header value: far
// above any real header (Go's server allows 1 MiB for all of them).
const maxHeaderBytes = 64 << 10

// single returns the only value of header name, or a malformed error when
// it is missing, empty, repeated or too long.
func single(p Provider, h http.Header, name string) (string, error) {
	vs := h.Values(name)
	switch {
	case len(vs) == 0 || (len(vs) == 1 && vs[0] == ""):
		return "", verifyErr(p, ErrMalformedHeader, "no %s header", name)
	case len(vs) > 1:
		return "", verifyErr(p, ErrMalformedHeader, "%d %s headers, want one", len(vs), name)
	case len(vs[0]) > maxHeaderBytes:
		return "", verifyErr(p, ErrMalformedHeader, "%s header longer than %d bytes", name, maxHeaderBytes)
	}
	return vs[0], nil
}

// checkAge applies a tolerance in whole seconds, as the libraries do
// (SW-6, ST-5): valid while |now - ts| <= tolerance; future only when
// future is true.
func checkAge(p Provider, ts, now time.Time, tol time.Duration, future bool) error {
	age := now.Unix() - ts.Unix()
	limit := int64(tol / time.Second)
	if age > limit {
		return verifyErr(p, ErrTimestampTooOld, "%ds before now (tolerance %ds)", age, limit)
	}
	if future && -age > limit {
		return verifyErr(p, ErrTimestampTooNew, "%ds after now (tolerance %ds)", -age, limit)
	}
	return nil
}

// parseUnix reads a Unix time in seconds: ASCII digits only, at most 12
// (beyond the year 33000), no leading zero, so no sign, space or fraction
// slips through and the text signed is the number's only spelling.
func parseUnix(s string) (time.Time, bool) {
	if s == "" || len(s) > 12 || (len(s) > 1 && s[0] == '0') {
		return time.Time{}, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
		n = n*10 + int64(c-'0')
	}
	return time.Unix(n, 0), true
}

func needSecrets(p Provider, secrets []secret.Secret) error {
	if len(secrets) == 0 {
		return fmt.Errorf("%s: no signing secret", p)
	}
	for i, s := range secrets {
		if s.Reveal() == "" {
			return fmt.Errorf("%s: secret %d is empty", p, i+1)
		}
	}
	return nil
}
