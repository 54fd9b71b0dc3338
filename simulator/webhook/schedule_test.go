package webhook_test

import (
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/profiles"
	"github.com/hookcheck/hookcheck/simulator/signing"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// swSecret is SW-7's published example secret.
const swSecret = webhook.Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")

// standardPolicy is the Standard Webhooks profile's policy, signed.
func standardPolicy(t *testing.T) webhook.Policy {
	t.Helper()
	p, err := webhook.PolicyFromProfile(profiles.StandardWebhooks())
	require.NoError(t, err)
	p.Signing, err = webhook.NewSigning(signing.StandardWebhooks, swSecret)
	require.NoError(t, err)
	return p
}

// TestScheduleWaitsGrow: a failing delivery under the Standard Webhooks
// profile waits SW-9's schedule between attempts, in virtual time, every
// attempt signed with the same webhook-id and its own timestamp (SW-1).
func TestScheduleWaitsGrow(t *testing.T) { // SW-9, SW-1
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, standardPolicy(t))
		url, rec := r.serve(t, status(http.StatusInternalServerError, 0))
		d := r.deliver(t, url, webhook.RawBody([]byte(`{"type":"a"}`), "application/json"))
		assert.Equal(t, webhook.Exhausted, d.Outcome)
		reqs := rec.requests()
		require.Len(t, reqs, 10)
		want := []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour,
			10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour}
		v, err := signing.NewStandardVerifier(signing.VerifyOptions{Secrets: []webhook.Secret{swSecret}})
		require.NoError(t, err)
		for i := 1; i < len(reqs); i++ {
			gap := reqs[i].At.Sub(reqs[i-1].At)
			assert.Equal(t, want[i-1], gap.Truncate(time.Second), "wait before attempt %d", i+1)
			assert.Equal(t, reqs[0].Header.Get("webhook-id"), reqs[i].Header.Get("webhook-id"), "one message id")
			assert.NotEqual(t, reqs[0].Header.Get("webhook-timestamp"), reqs[i].Header.Get("webhook-timestamp"), "the attempt's time")
		}
		for i, q := range reqs {
			assert.NoError(t, v.Verify(q.Header, []byte(q.Body), q.At), "attempt %d verifies", i+1)
		}
		assert.Equal(t, "standard-webhooks", d.Policy.Signature)
		assert.Len(t, d.Policy.ScheduleMS, 9)
		// Sent as spelled (SW-1), so recorded under the lower-case name.
		sig := d.Request.Headers[signing.HeaderWebhookSignature] //nolint:staticcheck // SA1008: stored as spelled on the wire (SW-1)
		require.Len(t, sig, 1, "the record shows the first attempt's signature")
		assert.Equal(t, reqs[0].Header.Get("webhook-signature"), sig[0])
		assert.NotContains(t, sig[0], swSecret.Reveal())
		assert.Equal(t, 75*time.Hour+35*time.Minute+5*time.Second, r.sender.Policy().ScheduleLength())
	})
}

// TestGoneStopsAndRetryAfterIsHonoured: 410 ends a delivery at once, and a
// 429's Retry-After sets the next wait (SW-10); another 4xx is retried.
func TestGoneStopsAndRetryAfterIsHonoured(t *testing.T) { // SW-10
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, standardPolicy(t))
		gone, rec := r.serve(t, status(http.StatusGone, 0))
		d := r.deliver(t, gone, webhook.RawBody([]byte(`{}`), "application/json"))
		assert.Equal(t, webhook.Rejected, d.Outcome)
		assert.Len(t, rec.requests(), 1)

		n := 0
		throttled, rec2 := r.serve(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			n++
			switch n {
			case 1:
				w.Header().Set("Retry-After", "42")
				w.WriteHeader(http.StatusTooManyRequests)
			case 2:
				w.WriteHeader(http.StatusBadRequest) // retried: any non-2xx is a failure (SW-8)
			default:
				w.WriteHeader(http.StatusOK)
			}
		}))
		d = r.deliver(t, throttled, webhook.RawBody([]byte(`{}`), "application/json"))
		assert.Equal(t, webhook.Delivered, d.Outcome)
		reqs := rec2.requests()
		require.Len(t, reqs, 3)
		assert.Equal(t, 42*time.Second, reqs[1].At.Sub(reqs[0].At).Truncate(time.Second), "Retry-After, not the schedule's 5 s")
		assert.Equal(t, 5*time.Minute, reqs[2].At.Sub(reqs[1].At).Truncate(time.Second), "the schedule's second wait")
	})
}

// TestAcceleratedScheduleIsCompressed: --fast divides every wait.
func TestAcceleratedScheduleIsCompressed(t *testing.T) {
	p := standardPolicy(t)
	p.Pace = webhook.Accelerated
	assert.Equal(t, 50*time.Millisecond, p.WaitAfter(1))
	assert.Equal(t, 24*time.Hour/webhook.AcceleratedFactor, p.WaitAfter(9))
	assert.Equal(t, (75*time.Hour+35*time.Minute+5*time.Second)/webhook.AcceleratedFactor, p.ScheduleLength())
}
