package suite_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// signedMatrix is the proof matrix of the Standard Webhooks suite: each
// reference receiver fails exactly the SIG requirements its flaw violates
// and passes every other; the compliant one passes everything. Each row
// runs the whole features/standard-webhooks suite in virtual time.
var signedMatrix = []providerRow{
	{"sw-compliant", nil},
	{"sw-no-check", ids([]string{"SIG-02", "SIG-03", "SIG-04", "SIG-06"})},
	{"sw-reserialized", ids([]string{"SIG-07"})},
	{"sw-no-tolerance", ids([]string{"SIG-04"})},
	{"sw-first-signature-only", ids([]string{"SIG-05", "SIG-06"})},
	{"sw-equals-compare", ids([]string{"SIG-08"})},
	{"sw-shed-429", ids([]string{"RC-11"})},
	// Refuses every genuine event: one finding, SIG-01; the others that
	// send genuine events fail the same way, blocked by it
	// (TestSignedRootCause).
	{"sw-secret-as-text", ids([]string{"RC-11", "SIG-01", "SIG-05", "SIG-06", "SIG-07"})},
}

// signedRequirements are the requirements a standard-webhooks run holds:
// SIG-01..SIG-07 and the shared ones its features check.
var signedRequirements = []string{"RC-08", "RC-11", "RC-12", "RC-13", "SIG-01", "SIG-02", "SIG-03", "SIG-04", "SIG-05", "SIG-06", "SIG-07", "SIG-08"}

func TestSignedProofMatrix(t *testing.T) {
	proveProvider(t, "standard-webhooks", "SW-9", signedMatrix, signedRequirements)
}

// providerRow is one row of a provider's proof matrix: a reference
// receiver and the requirements it fails.
type providerRow = struct {
	behaviour string
	fails     []string
}

// proveProvider runs a provider's whole suite in virtual time against
// each receiver of its matrix: each fails exactly its row's requirements
// and passes every other; the run holds exactly the requirements listed,
// and its report names the provider and a source of its profile.
func proveProvider(t *testing.T, provider, source string, matrix []providerRow, requirements []string) {
	t.Helper()
	for _, row := range matrix {
		t.Run(row.behaviour, func(t *testing.T) {
			res := fixture.Run(t, row.behaviour, fixture.Options{Provider: provider, Concurrency: 8})
			assert.Equal(t, row.fails, failedIDs(res), "failed requirements")
			var held []string
			for _, q := range res.Requirements {
				held = append(held, q.ID)
				if q.Status != reports.Failed {
					assert.Equal(t, reports.Passed, q.Status, "%s: %s", q.ID, q.Reason)
				}
			}
			assert.ElementsMatch(t, requirements, held, "the catalogue of a %s run", provider)
			require.NotNil(t, res.Environment.Provider, "the report names the provider")
			assert.Equal(t, provider, res.Environment.Provider.Name)
			assert.Contains(t, res.Environment.Provider.Sources, source)
		})
	}
}

// TestSignedFullScheduleInVirtualTime: with whole schedules, a genuine
// event the receiver refuses is retried on Standard Webhooks' schedule,
// 75 h 35 min of waits (SW-9), in milliseconds of wall time: a 400 is a
// failure like any other non-2xx (SW-8), not the end of the delivery.
func TestSignedFullScheduleInVirtualTime(t *testing.T) {
	start := time.Now()
	// The re-serializing receiver refuses a body no re-serialization
	// gives back (SIG-07) with a 400, on every attempt.
	res := fixture.Run(t, "sw-reserialized", fixture.Options{Provider: "standard-webhooks", Tags: "@SIG-07", FullSchedules: true})
	require.NotEmpty(t, res.Scenarios)
	var d *webhook.Delivery
	for _, s := range res.Scenarios {
		if s.Status == reports.Failed && len(s.Deliveries) > 0 && d == nil {
			d = s.Deliveries[0]
		}
	}
	require.NotNil(t, d, "a SIG-07 scenario failed")
	require.Len(t, d.Attempts, 10)
	assert.Equal(t, webhook.Exhausted, d.Outcome)
	last := d.Attempts[9].StartedAt.Sub(d.Attempts[0].StartedAt)
	assert.Equal(t, 75*time.Hour+35*time.Minute+5*time.Second, last.Truncate(time.Second))
	assert.Less(t, time.Since(start), 10*time.Second, "virtual time")
}

// TestSignedRootCause: a receiver that refuses every genuine event has one
// bug: SIG-01 carries the finding and its fix, and each requirement that
// failed with the same answer to a genuine event is blocked by it, its own
// fix (a rate limit for RC-11, a raw-body check for SIG-07) not offered.
func TestSignedRootCause(t *testing.T) {
	res := fixture.Run(t, "sw-secret-as-text", fixture.Options{Provider: "standard-webhooks", Concurrency: 8})
	for _, q := range res.Requirements {
		if q.Status != reports.Failed {
			continue
		}
		if q.ID == "SIG-01" {
			assert.Empty(t, q.Blocker(), "SIG-01 is the finding")
			continue
		}
		assert.Equal(t, "SIG-01", q.Blocker(), "%s: %s", q.ID, q.Reason)
	}
	roots := res.RootCauses()
	require.Len(t, roots, 1)
	assert.Equal(t, "SIG-01", roots[0].ID)
}

// TestShed429ConsequencePerProvider: a receiver that sheds a burst with
// 429s fails RC-11 with what its provider's sender does with a 429:
// Standard Webhooks throttles and waits the Retry-After (SW-10), Stripe
// retries it on its back-off (ST-6, ST-7), GitHub never redelivers (GH-4).
func TestShed429ConsequencePerProvider(t *testing.T) {
	for _, c := range []struct{ provider, behaviour, says string }{
		{"standard-webhooks", "sw-shed-429", "A standard-webhooks sender throttles on a 429: it retries after the Retry-After it names (1 s), up to 10 attempts: the event arrives late, and if each gets the same answer, is lost"},
		{"stripe", "stripe-shed-429", "A stripe sender retries it, up to 7 attempts over 55 h 0 min: the event arrives late, and if each gets the same answer, is lost"},
		{"github", "github-shed-429", "A github sender never retries a 4xx: the event is lost"},
	} {
		t.Run(c.provider, func(t *testing.T) {
			res := fixture.Run(t, c.behaviour, fixture.Options{Provider: c.provider, Tags: "@RC-11"})
			var reason string
			for _, q := range res.Requirements {
				if q.ID == "RC-11" {
					require.Equal(t, reports.Failed, q.Status)
					reason = q.Reason
				}
			}
			assert.Contains(t, reason, "got 429 Too Many Requests")
			assert.True(t, strings.HasSuffix(reason, c.says), "%s", reason)
		})
	}
}
