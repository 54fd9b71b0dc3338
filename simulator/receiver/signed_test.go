package receiver_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/signing"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// swSecret is SW-7's published example secret.
const swSecret = webhook.Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")

// signedRequest is a POST of body signed with secrets at ts.
func signedRequest(t *testing.T, body string, ts time.Time, secrets ...webhook.Secret) *http.Request {
	t.Helper()
	s, err := signing.NewStandardSigner(secrets...)
	require.NoError(t, err)
	hs, err := s.Sign(signing.Message{ID: "msg_1", Timestamp: ts, Body: []byte(body)})
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(body))
	for k, vs := range hs.Header() { // canonical names, as a server reads them
		r.Header[k] = vs
	}
	return r
}

func status(h http.Handler, r *http.Request) int {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

// TestStandardWebhooksReceivers shows what each Standard Webhooks
// reference receiver answers, beside the compliant one: each differs only
// where its description says.
func TestStandardWebhooksReceivers(t *testing.T) {
	other := webhook.Secret("whsec_" + strings.Repeat("QUFB", 8))
	now := time.Now()
	spaced := "{\"a\": 1,  \"b\": \"Zo\\u00eb\"}"
	requests := map[string]func() *http.Request{
		"valid":         func() *http.Request { return signedRequest(t, spaced, now, swSecret) },
		"wrong secret":  func() *http.Request { return signedRequest(t, spaced, now, other) },
		"old timestamp": func() *http.Request { return signedRequest(t, spaced, now.Add(-10*time.Minute), swSecret) },
		"rotation":      func() *http.Request { return signedRequest(t, spaced, now, other, swSecret) },
		"GET":           func() *http.Request { return httptest.NewRequest(http.MethodGet, "/webhook", nil) },
	}
	// A body changed after signing: the header of one body, another body.
	requests["changed body"] = func() *http.Request {
		r := signedRequest(t, spaced, now, swSecret)
		c := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(strings.Replace(spaced, "1", "2", 1)))
		c.Header = r.Header
		return c
	}
	ok, bad := http.StatusOK, http.StatusBadRequest
	want := map[string]map[string]int{
		"sw-compliant":            {"valid": ok, "changed body": bad, "wrong secret": bad, "old timestamp": bad, "rotation": ok, "GET": 405},
		"sw-no-check":             {"valid": ok, "changed body": ok, "wrong secret": ok, "old timestamp": ok, "rotation": ok, "GET": 405},
		"sw-reserialized":         {"valid": bad, "changed body": bad, "wrong secret": bad, "old timestamp": bad, "rotation": bad, "GET": 405},
		"sw-no-tolerance":         {"valid": ok, "changed body": bad, "wrong secret": bad, "old timestamp": ok, "rotation": ok, "GET": 405},
		"sw-first-signature-only": {"valid": ok, "changed body": bad, "wrong secret": bad, "old timestamp": bad, "rotation": bad, "GET": 405},
		"sw-secret-as-text":       {"valid": bad, "changed body": bad, "wrong secret": bad, "old timestamp": bad, "rotation": bad, "GET": 405},
		// Right in every answer; only the time it takes differs (SIG-08).
		"sw-equals-compare": {"valid": ok, "changed body": bad, "wrong secret": bad, "old timestamp": bad, "rotation": ok, "GET": 405},
		// Right one at a time; past Params.Limit in flight, a 429 (RC-11).
		"sw-shed-429": {"valid": ok, "changed body": bad, "wrong secret": bad, "old timestamp": bad, "rotation": ok, "GET": 405},
		// Right for one delivery of an event; a repeat is SIG-09's
		// (TestSignedDedup).
		"sw-no-dedup":      {"valid": ok, "changed body": bad, "wrong secret": bad, "old timestamp": bad, "rotation": ok, "GET": 405},
		"sw-duplicate-409": {"valid": ok, "changed body": bad, "wrong secret": bad, "old timestamp": bad, "rotation": ok, "GET": 405},
	}
	bs := receiver.ProviderBehaviours("standard-webhooks")
	require.Len(t, bs, len(want))
	for _, b := range bs {
		t.Run(b.Name, func(t *testing.T) {
			assert.NotEmpty(t, b.Description)
			assert.Equal(t, b.Name == "sw-compliant", b.Violates == "", "only the compliant one violates nothing")
			found, err := receiver.Lookup(b.Name)
			require.NoError(t, err)
			assert.Equal(t, b.Name, found.Name)
			for name, code := range want[b.Name] {
				// A receiver each: every request carries one message id.
				h := b.New(receiver.Config{Path: "/webhook", SigningSecret: swSecret}, receiver.Params{})
				assert.Equal(t, code, status(h, requests[name]()), name)
			}
		})
	}
	// Without a secret a receiver cannot verify: it says so with a 500.
	h := bs[0].New(receiver.Config{}, receiver.Params{})
	assert.Equal(t, http.StatusInternalServerError, status(h, requests["valid"]()))
}

// TestSignedShed429 shows the shedding receivers of every provider: with
// Params.Limit requests in progress, the next genuine event gets a 429
// with Retry-After, and once one ends, the next is verified and
// acknowledged.
func TestSignedShed429(t *testing.T) {
	for _, name := range []string{"sw-shed-429", "stripe-shed-429", "github-shed-429"} {
		t.Run(name, func(t *testing.T) {
			b, err := receiver.Lookup(name)
			require.NoError(t, err)
			assert.Contains(t, b.Violates, "RC-11")
			entered, release := make(chan struct{}), make(chan struct{})
			sleep := func(ctx context.Context, _ time.Duration) error {
				entered <- struct{}{}
				select {
				case <-release:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			h := b.New(receiver.Config{Path: "/webhook", SigningSecret: swSecret, Sleep: sleep}, receiver.Params{Limit: 1})
			provider := map[string]signing.Provider{"sw": signing.StandardWebhooks, "stripe": signing.Stripe, "github": signing.GitHub}[strings.SplitN(name, "-", 2)[0]]
			valid := func() *http.Request { return providerRequest(t, provider, "{\"a\": 1}") }
			first := make(chan int)
			go func() { first <- status(h, valid()) }()
			<-entered
			w := httptest.NewRecorder()
			h.ServeHTTP(w, valid())
			assert.Equal(t, http.StatusTooManyRequests, w.Code, "past the limit")
			assert.Equal(t, "1", w.Header().Get("Retry-After"))
			close(release)
			assert.Equal(t, http.StatusOK, <-first, "the admitted one verifies")
			go func() { <-entered }()
			assert.Equal(t, http.StatusOK, status(h, valid()), "below the limit again")
		})
	}
}

// providerRequest is a POST of body signed now with swSecret under p.
func providerRequest(t *testing.T, p signing.Provider, body string) *http.Request {
	t.Helper()
	s, err := signing.NewSigner(p, swSecret)
	require.NoError(t, err)
	hs, err := s.Sign(signing.Message{ID: "msg_1", Timestamp: time.Now(), Body: []byte(body)})
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(body))
	for k, vs := range hs.Header() {
		r.Header[k] = vs
	}
	return r
}

// TestSignedDedup shows how each provider's receivers treat the same
// event delivered twice (the same webhook-id, Stripe event id or
// X-GitHub-Delivery, a fresh signature), and what they say at
// ProcessedPath: the compliant one acknowledges both and counts one
// processing, the no-dedup one counts two, the duplicate-409 one counts
// one and refuses the repeat (SIG-09).
func TestSignedDedup(t *testing.T) {
	body := map[string]string{"sw": `{"type":"invoice.paid"}`, "stripe": `{"id":"evt_1","object":"event"}`, "github": `{"zen":"z"}`}
	id := map[string]string{"sw": "msg_1", "stripe": "evt_1", "github": "msg_1"}
	for _, prefix := range []string{"sw", "stripe", "github"} {
		provider := map[string]signing.Provider{"sw": signing.StandardWebhooks, "stripe": signing.Stripe, "github": signing.GitHub}[prefix]
		for _, c := range []struct {
			flaw   string
			second int
			count  string
		}{
			{"compliant", http.StatusOK, `{"processed":1}`},
			{"no-dedup", http.StatusOK, `{"processed":2}`},
			{"duplicate-409", http.StatusConflict, `{"processed":1}`},
		} {
			t.Run(prefix+"-"+c.flaw, func(t *testing.T) {
				b, err := receiver.Lookup(prefix + "-" + c.flaw)
				require.NoError(t, err)
				h := b.New(receiver.Config{Path: "/webhook", SigningSecret: swSecret}, receiver.Params{})
				ask := func(id string) *httptest.ResponseRecorder {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, receiver.ProcessedPath+id, nil))
					return w
				}
				w := ask(id[prefix])
				assert.Equal(t, http.StatusNotFound, w.Code, "not processed yet")
				assert.JSONEq(t, `{"processed":0}`, w.Body.String())
				assert.Equal(t, http.StatusOK, status(h, providerRequest(t, provider, body[prefix])), "the first delivery")
				assert.Equal(t, c.second, status(h, providerRequest(t, provider, body[prefix])), "the same event again")
				w = ask(id[prefix])
				assert.Equal(t, http.StatusOK, w.Code)
				assert.JSONEq(t, c.count, w.Body.String())
				assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
			})
		}
	}
}

// TestStripeFirstSignatureOnly: while an endpoint secret is rolled,
// Stripe-Signature carries one v1 per secret (ST-4). The compliant Stripe
// receiver accepts when any v1 verifies; the one that reads only the first
// refuses when the first is the other secret's, and accepts otherwise.
func TestStripeFirstSignatureOnly(t *testing.T) {
	other := webhook.Secret("whsec_other")
	body := `{"id":"evt_1","object":"event"}`
	req := func(secrets ...webhook.Secret) *http.Request {
		s, err := signing.NewSigner(signing.Stripe, secrets...)
		require.NoError(t, err)
		hs, err := s.Sign(signing.Message{Timestamp: time.Now(), Body: []byte(body)})
		require.NoError(t, err)
		r := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(body))
		for k, vs := range hs.Header() {
			r.Header[k] = vs
		}
		return r
	}
	for name, want := range map[string][2]int{
		"stripe-compliant":            {http.StatusOK, http.StatusOK},
		"stripe-first-signature-only": {http.StatusOK, http.StatusBadRequest},
	} {
		b, err := receiver.Lookup(name)
		require.NoError(t, err)
		h := b.New(receiver.Config{Path: "/webhook", SigningSecret: swSecret}, receiver.Params{})
		assert.Equal(t, want[0], status(h, req(swSecret, other)), "%s: its secret's v1 first", name)
		h = b.New(receiver.Config{Path: "/webhook", SigningSecret: swSecret}, receiver.Params{})
		assert.Equal(t, want[1], status(h, req(other, swSecret)), "%s: the other secret's v1 first", name)
	}
}
