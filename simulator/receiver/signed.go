package receiver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hookcheck/hookcheck/simulator/signing"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// The Standard Webhooks receivers (SW-1..SW-6): one that verifies as it
// must, with simulator/signing on the raw body, and one for each way real
// receivers get it wrong. Each serves Config.Path, answers 405 to other
// methods, 400 to a request that does not verify or does not parse, and
// 200 to the rest. They need Config.SigningSecret.

// signedFlaw is how a Standard Webhooks receiver verifies.
type signedFlaw int

const (
	signedCompliant    signedFlaw = iota // the raw body, every signature, the tolerance
	signedNoCheck                        // no verification at all
	signedReserialized                   // verifies json.Marshal of the parsed body
	signedNoTolerance                    // ignores the timestamp's age
	signedFirstOnly                      // reads only the first signature of the header
	signedEquals                         // compares with an early-exit ==
	signedRawSecret                      // keys the HMAC with the secret's text, not its base64 bytes
	signedAnyScheme                      // Stripe: takes a MAC under any scheme, not only v1
	signedShed429                        // verifies, but answers 429 past Params.Limit in flight
	signedNoDedup                        // verifies, but processes a redelivered event again
	signedDuplicate409                   // verifies and processes once, but refuses a redelivery with 409
)

// ProcessedPath is where a receiver of a signing provider answers how many
// times it processed an event: GET ProcessedPath + event id gives 200 and
// {"processed": N} once it did (N > 1 for a receiver that does not
// deduplicate), 404 and {"processed": 0} before (SIG-09). The id is the
// one signing.EventID names. It is hookcheck's verify URL protocol, as a
// team's application would serve it: --verify-url http://host/processed/{id}.
const ProcessedPath = "/processed/"

// ProviderBehaviours returns the reference receivers of provider (e.g.
// "standard-webhooks"; empty means every provider but AssemblyAI, whose
// receivers are Behaviours): the compliant one first, then one per flaw.
// The slice is new on each call.
func ProviderBehaviours(provider string) []Behaviour {
	switch provider {
	case "":
		return slices.Concat(standardWebhooksBehaviours(), stripeBehaviours(), githubBehaviours())
	case "standard-webhooks":
		return standardWebhooksBehaviours()
	case "stripe":
		return stripeBehaviours()
	case "github":
		return githubBehaviours()
	}
	return nil
}

// standardWebhooksBehaviours are the Standard Webhooks receivers.
func standardWebhooksBehaviours() []Behaviour {
	b := func(name, description, violates string, f signedFlaw) Behaviour {
		return Behaviour{Name: name, Description: description, Violates: violates,
			New: func(c Config, p Params) http.Handler { return newSigned(c, signing.StandardWebhooks, f, p) }}
	}
	return []Behaviour{
		b("sw-compliant", "Standard Webhooks: verifies every request on the raw body, every signature, a 5-minute tolerance (simulator/signing)", "", signedCompliant),
		b("sw-no-check", "Standard Webhooks: never verifies the signature", "SIG-02, SIG-03, SIG-04, SIG-06 (SW-2, SW-3, SW-5, SW-6)", signedNoCheck),
		b("sw-reserialized", "Standard Webhooks: verifies JSON.stringify of the parsed body, as Express with express.json() does", "SIG-07 (SW-2)", signedReserialized),
		b("sw-no-tolerance", "Standard Webhooks: checks the MAC but not the timestamp's age", "SIG-04 (SW-6)", signedNoTolerance),
		b("sw-first-signature-only", "Standard Webhooks: checks only the first signature of the header, so one secret", "SIG-05, SIG-06 (SW-5)", signedFirstOnly),
		b("sw-secret-as-text", "Standard Webhooks: keys the HMAC with the secret as written (whsec_… as text) instead of the bytes its base64 decodes to, so no genuine event verifies (the key is the decoded bytes: SW-3; Stripe keys with the text, ST-2, a common mix-up)", "SIG-01 (SW-3)", signedRawSecret),
		b("sw-shed-429", "Standard Webhooks: verifies as sw-compliant, but answers 429 with Retry-After: 1 when more than Params.Limit (default 10) requests are in progress, as a rate limiter in front of the handler does", "RC-11 (SW-10: a 429 throttles the sender; the event arrives late)", signedShed429),
		b("sw-no-dedup", "Standard Webhooks: verifies as sw-compliant, but processes every delivery it acknowledges, a redelivery of the same webhook-id too", "SIG-09 (SW-1: webhook-id is the idempotency key)", signedNoDedup),
		b("sw-duplicate-409", "Standard Webhooks: verifies and processes each webhook-id once, but answers a redelivery 409 Conflict, which the sender retries as any non-2xx (SW-8)", "SIG-09 (SW-1, SW-8)", signedDuplicate409),
		b("sw-equals-compare", "Standard Webhooks: compares each signature with an early-exit ==, spending 1 ms per matching byte (the leak amplified so that it shows over a network)", "SIG-08 (SW-6: constant-time comparison)", signedEquals),
	}
}

// signedReceiver is a receiver of a signing provider (Standard Webhooks,
// or Stripe for the flaws that are not Standard Webhooks' own) with one
// flaw (or none).
type signedReceiver struct {
	cfg      Config
	provider signing.Provider
	flaw     signedFlaw
	verifier signing.Verifier
	err      error // a configuration without a usable secret
	limit    int64 // signedShed429: the requests allowed in progress
	inFlight atomic.Int64
}

func newSigned(c Config, p signing.Provider, f signedFlaw, params Params) http.Handler {
	o := signing.VerifyOptions{Secrets: []webhook.Secret{c.SigningSecret}}
	if f == signedNoTolerance {
		o.Tolerance = 100 * 365 * 24 * time.Hour
	}
	v, err := signing.NewVerifier(p, o)
	return &signedReceiver{cfg: c.withDefaults(), provider: p, flaw: f, verifier: v, err: err,
		limit: int64(orDefault(params.Limit, DefaultRateLimit))}
}

func (s *signedReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, ProcessedPath):
		s.serveProcessed(w, strings.TrimPrefix(r.URL.Path, ProcessedPath))
		return
	case s.cfg.Path != "" && r.URL.Path != s.cfg.Path:
		http.NotFound(w, r)
		return
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	case s.err != nil:
		http.Error(w, "no signing secret configured", http.StatusInternalServerError)
		return
	}
	if s.flaw == signedShed429 {
		n := s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		if n > s.limit {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "too many requests in progress", http.StatusTooManyRequests)
			return
		}
		// Hold each admitted request so that a concurrent burst overlaps.
		if s.cfg.Sleep(r.Context(), rateLimitHold) != nil {
			return
		}
	}
	limit := s.cfg.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err := s.verify(r.Header, body); err != nil {
		http.Error(w, "signature does not verify", http.StatusBadRequest)
		return
	}
	if !json.Valid(body) {
		http.Error(w, "invalid JSON", http.StatusBadRequest)
		return
	}
	// The event is recorded before the answer (a durable record, in a
	// real receiver), once per event id unless the flaw says otherwise.
	if id := signing.EventID(s.provider, r.Header, body); id != "" {
		switch s.flaw {
		case signedNoDedup:
			s.cfg.Inbox.processAgain(id)
		case signedDuplicate409:
			if !s.cfg.Inbox.processOnce(id) {
				http.Error(w, "event already processed", http.StatusConflict)
				return
			}
		default:
			s.cfg.Inbox.processOnce(id)
		}
	}
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "ok")
}

// serveProcessed answers how many times the event id was processed
// (ProcessedPath).
func (s *signedReceiver) serveProcessed(w http.ResponseWriter, id string) {
	n := s.cfg.Inbox.Processed(id)
	w.Header().Set("Content-Type", "application/json")
	if n == 0 {
		w.WriteHeader(http.StatusNotFound)
	}
	_, _ = fmt.Fprintf(w, `{"processed":%d}`, n)
}

// verify checks the request as the receiver's flaw has it.
func (s *signedReceiver) verify(h http.Header, body []byte) error {
	now := time.Now()
	switch s.flaw {
	case signedNoCheck:
		return nil
	case signedReserialized:
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return err
		}
		again, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return s.verifier.Verify(h, again, now)
	case signedFirstOnly:
		if s.provider == signing.Stripe {
			return s.stripeFirstOnly(h, body, now)
		}
		first, _, _ := strings.Cut(h.Get(signing.HeaderWebhookSignature), " ")
		h = h.Clone()
		h.Set(signing.HeaderWebhookSignature, first)
	case signedEquals:
		switch s.provider {
		case signing.Stripe:
			return s.stripeEquals(h, body, now)
		case signing.GitHub:
			return s.githubEquals(h, body)
		}
		return s.equals(h, body, now)
	case signedAnyScheme:
		return s.anyScheme(h, body, now)
	case signedRawSecret:
		return s.rawSecret(h, body)
	}
	return s.verifier.Verify(h, body, now)
}

// equals verifies as a hand-written receiver with == does: the timestamp
// and the raw body right, every signature tried, but each compared byte
// by byte, returning at the first difference. The time it spends per
// matching byte stands for the comparison's cost, amplified: it makes the
// leak measurable where a real == leaks nanoseconds.
func (s *signedReceiver) equals(h http.Header, body []byte, now time.Time) error {
	id, ts := h.Get(signing.HeaderWebhookID), h.Get(signing.HeaderWebhookTimestamp)
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || id == "" {
		return errors.New("malformed headers")
	}
	if age := now.Unix() - t; age > 300 || age < -300 {
		return errors.New("timestamp outside the tolerance")
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s.cfg.SigningSecret.Reveal(), signing.PrefixSymmetric))
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, got := range strings.Fields(h.Get(signing.HeaderWebhookSignature)) {
		if s.slowEqual(got, want) {
			return nil
		}
	}
	return errors.New("no signature matches")
}

// rawSecret verifies with the secret's text as the HMAC key, as code that
// treats it as Stripe's (ST-2) does (SW-3): every genuine signature
// differs from what it computes.
func (s *signedReceiver) rawSecret(h http.Header, body []byte) error {
	mac := hmac.New(sha256.New, []byte(s.cfg.SigningSecret.Reveal()))
	mac.Write([]byte(h.Get(signing.HeaderWebhookID) + "." + h.Get(signing.HeaderWebhookTimestamp) + "."))
	mac.Write(body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, got := range strings.Fields(h.Get(signing.HeaderWebhookSignature)) {
		if hmac.Equal([]byte(got), []byte(want)) {
			return nil
		}
	}
	return errors.New("no signature matches")
}

// slowEqual is an early-exit comparison spending 1 ms per matching byte.
func (s *signedReceiver) slowEqual(a, b string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return len(a) == len(b)
}
