package receiver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/simulator/signing"
)

// stripeBehaviours are the Stripe receivers (ST-1..ST-5): the compliant
// one verifies with simulator/signing (as stripe-go's
// webhook.ConstructEvent does: the raw body, every v1, 300 s into the
// past), the others each get one thing wrong. They serve Config.Path,
// answer 405 to other methods, 400 to a request that does not verify or
// does not parse, 200 to the rest, and need Config.SigningSecret.
func stripeBehaviours() []Behaviour {
	b := func(name, description, violates string, f signedFlaw) Behaviour {
		return Behaviour{Name: name, Description: description, Violates: violates,
			New: func(c Config, p Params) http.Handler { return newSigned(c, signing.Stripe, f, p) }}
	}
	return []Behaviour{
		b("stripe-compliant", "Stripe: verifies every request on the raw body, every v1 signature, events up to 5 minutes old (simulator/signing, as constructEvent)", "", signedCompliant),
		b("stripe-parsed-body", "Stripe: verifies JSON.stringify of the parsed body, as constructEvent behind express.json() does", "SIG-07 (ST-1)", signedReserialized),
		b("stripe-no-tolerance", "Stripe: checks the v1 signature but not the event's age", "SIG-04 (ST-5)", signedNoTolerance),
		b("stripe-no-check", "Stripe: never verifies Stripe-Signature", "SIG-02, SIG-03, SIG-04, SIG-06 (ST-1, ST-3, ST-5)", signedNoCheck),
		b("stripe-first-signature-only", "Stripe: compares only the first v1 of Stripe-Signature, so while the endpoint secret is rolled (one v1 per secret) it refuses every event whose first v1 is the other secret's", "SIG-05 (ST-4)", signedFirstOnly),
		b("stripe-any-scheme", "Stripe: takes a valid MAC under any scheme (v0 too), not only v1", "SIG-06 (ST-3)", signedAnyScheme),
		b("stripe-shed-429", "Stripe: verifies as stripe-compliant, but answers 429 with Retry-After: 1 when more than Params.Limit (default 10) requests are in progress, as a rate limiter in front of the handler does", "RC-11 (ST-6, ST-7: a 429 is a failure Stripe retries with back-off, hours later)", signedShed429),
		b("stripe-no-dedup", "Stripe: verifies as stripe-compliant, but processes every delivery it acknowledges, a second delivery of the same event id too", "SIG-09 (ST-9: the same event can arrive more than once; dedupe on its id)", signedNoDedup),
		b("stripe-duplicate-409", "Stripe: verifies and processes each event id once, but answers a second delivery 409 Conflict, which Stripe retries as any non-2xx (ST-6, ST-7)", "SIG-09 (ST-7, ST-9)", signedDuplicate409),
		b("stripe-equals-compare", "Stripe: compares each v1 with an early-exit ==, spending 1 ms per matching byte (the leak amplified so that it shows over a network)", "SIG-08 (ST-1: constant-time comparison)", signedEquals),
	}
}

// stripeHeader splits a Stripe-Signature header (ST-1) into its t and its
// other pairs, in order.
func stripeHeader(h http.Header) (ts string, pairs [][2]string, err error) {
	for pair := range strings.SplitSeq(h.Get(signing.HeaderStripeSignature), ",") {
		k, v, ok := strings.Cut(pair, "=")
		switch {
		case !ok:
			return "", nil, errors.New("malformed Stripe-Signature")
		case k == "t":
			ts = v
		default:
			pairs = append(pairs, [2]string{k, v})
		}
	}
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
		return "", nil, errors.New("no timestamp")
	}
	return ts, pairs, nil
}

// stripeExpected is the lower-case hex v1 MAC of "t.body" keyed with the
// secret as written (ST-1, ST-2), and the timestamp's age check (ST-5).
func (s *signedReceiver) stripeExpected(ts string, body []byte, now time.Time) (string, error) {
	t, _ := strconv.ParseInt(ts, 10, 64)
	if now.Unix()-t > 300 {
		return "", errors.New("timestamp too old")
	}
	mac := hmac.New(sha256.New, []byte(s.cfg.SigningSecret.Reveal()))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil)), nil
}

// stripeEquals verifies as a hand-written Stripe check with == does:
// every v1 tried, each compared byte by byte, returning at the first
// difference (1 ms per matching byte: the leak amplified).
func (s *signedReceiver) stripeEquals(h http.Header, body []byte, now time.Time) error {
	pairs, want, err := s.stripeParts(h, body, now)
	if err != nil {
		return err
	}
	for _, p := range pairs {
		if p[0] == "v1" && s.slowEqual(p[1], want) {
			return nil
		}
	}
	return errors.New("no v1 matches")
}

// anyScheme accepts a matching MAC under any scheme: a valid MAC relabelled
// v0 passes, which ST-3 forbids (no downgrade).
func (s *signedReceiver) anyScheme(h http.Header, body []byte, now time.Time) error {
	if s.provider != signing.Stripe {
		return s.verifier.Verify(h, body, now)
	}
	pairs, want, err := s.stripeParts(h, body, now)
	if err != nil {
		return err
	}
	for _, p := range pairs {
		if hmac.Equal([]byte(p[1]), []byte(want)) {
			return nil
		}
	}
	return errors.New("no signature matches")
}

// stripeFirstOnly verifies only the first v1 of Stripe-Signature, as a
// hand-written check that reads one signature does: during a roll (ST-4)
// the first may be the other secret's.
func (s *signedReceiver) stripeFirstOnly(h http.Header, body []byte, now time.Time) error {
	pairs, want, err := s.stripeParts(h, body, now)
	if err != nil {
		return err
	}
	for _, p := range pairs {
		if p[0] == "v1" {
			if hmac.Equal([]byte(p[1]), []byte(want)) {
				return nil
			}
			return errors.New("the first v1 does not match")
		}
	}
	return errors.New("no v1")
}

// stripeParts splits Stripe-Signature into its signature pairs and
// computes the v1 the request must carry, refusing an old timestamp.
func (s *signedReceiver) stripeParts(h http.Header, body []byte, now time.Time) (pairs [][2]string, want string, err error) {
	ts, pairs, err := stripeHeader(h)
	if err != nil {
		return nil, "", err
	}
	want, err = s.stripeExpected(ts, body, now)
	return pairs, want, err
}
