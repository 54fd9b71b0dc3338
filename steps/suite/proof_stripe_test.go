package suite_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// stripeMatrix is the proof matrix of the Stripe suite: each reference
// receiver fails exactly the SIG requirements its flaw violates and passes
// every other; the compliant one passes everything. Each row runs the
// whole features/stripe suite in virtual time.
var stripeMatrix = []providerRow{
	{"stripe-compliant", nil},
	{"stripe-no-check", ids([]string{"SIG-02", "SIG-03", "SIG-04", "SIG-06"})},
	{"stripe-parsed-body", ids([]string{"SIG-07"})},
	{"stripe-no-tolerance", ids([]string{"SIG-04"})},
	{"stripe-first-signature-only", ids([]string{"SIG-05"})},
	{"stripe-any-scheme", ids([]string{"SIG-06"})},
	{"stripe-equals-compare", ids([]string{"SIG-08"})},
	{"stripe-shed-429", ids([]string{"RC-11"})},
	{"stripe-no-dedup", ids([]string{"SIG-09"})},
	{"stripe-duplicate-409", ids([]string{"SIG-09"})},
}

// stripeRequirements are the requirements a stripe run holds: the SIG
// requirements, every one applying to Stripe's scheme (SIG-04 checks
// the past only, ST-5) and the shared ones its features check.
var stripeRequirements = []string{"RC-08", "RC-11", "RC-12", "RC-13", "SIG-01", "SIG-02", "SIG-03", "SIG-04", "SIG-05", "SIG-06", "SIG-07", "SIG-08", "SIG-09"}

func TestStripeProofMatrix(t *testing.T) {
	proveProvider(t, "stripe", "ST-6", stripeMatrix, stripeRequirements)
}

// TestStripeFullScheduleInVirtualTime: a genuine event the receiver
// refuses is retried on the Stripe profile's schedule, 55 h of waits
// doubling from 1 h (ST-6), in milliseconds of wall time.
func TestStripeFullScheduleInVirtualTime(t *testing.T) {
	start := time.Now()
	res := fixture.Run(t, "stripe-parsed-body", fixture.Options{Provider: "stripe", Tags: "@SIG-07", FullSchedules: true})
	var d *webhook.Delivery
	for _, s := range res.Scenarios {
		if s.Status == reports.Failed && len(s.Deliveries) > 0 && d == nil {
			d = s.Deliveries[0]
		}
	}
	require.NotNil(t, d, "a SIG-07 scenario failed")
	require.Len(t, d.Attempts, 7)
	assert.Equal(t, webhook.Exhausted, d.Outcome)
	var waits []time.Duration
	for i := 1; i < len(d.Attempts); i++ {
		waits = append(waits, d.Attempts[i].StartedAt.Sub(d.Attempts[i-1].StartedAt).Truncate(time.Minute))
	}
	assert.Equal(t, []time.Duration{time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 16 * time.Hour, 24 * time.Hour}, waits)
	assert.Less(t, time.Since(start), 10*time.Second, "virtual time")
}
