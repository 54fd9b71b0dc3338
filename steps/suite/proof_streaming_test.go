package suite_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/steps/suite"
)

// streamingAcknowledging are the streaming requirements whose scenarios
// expect a session webhook to be acknowledged with a 2xx.
var streamingAcknowledging = []string{"RC-05", "RC-09", "RC-10", "RC-11", "RC-20", "RC-21", "RC-22", "RC-23"}

// streamingMatrix is the proof matrix of `run --product streaming`: each
// receiver fails exactly what it violates of the streaming suite. A
// receiver that refuses the longest session (413) fails RC-23 as well as
// RC-21: a refused webhook is not acknowledged at all, let alone fast.
var streamingMatrix = []struct {
	behaviour  string
	fails      []string
	conformant bool
}{
	{"compliant", nil, true},
	{"body-limit-100kb", ids([]string{"RC-21", "RC-23"}), false},
	{"body-limit-1mb", ids([]string{"RC-21", "RC-23"}), false},
	{"requires-transcript-id", ids(streamingAcknowledging), false},
	{"conflict-on-redelivery", ids([]string{"RC-22"}), false},
	{"slow-parse", ids([]string{"RC-23"}), true},
	{"rejects-query-params", ids([]string{"RC-05"}), false},
	{"accepts-malformed", ids([]string{"RC-08"}), true},
	{"crash-on-malformed", ids([]string{"RC-08"}), false},
	{"accepts-forged-auth", ids([]string{"RC-09"}), false},
	{"no-allowlist", ids([]string{"RC-10"}), false},
	{"rate-limited", ids([]string{"RC-11"}), false},
	{"accepts-any-method", ids([]string{"RC-13"}), true},
	{"redirects", ids(streamingAcknowledging, []string{"RC-12"}), false},
	{"status", ids(streamingAcknowledging, []string{"RC-08", "RC-13"}), false},
	// A session webhook has no transcript_id: a KeyError, uvicorn's
	// generic 500, like the malformed bodies' JSON errors.
	{"generic-500", ids(streamingAcknowledging, []string{"RC-08"}), false},
	// A transcript-only flaw does not touch the session webhook.
	{"error-500-on-error-status", nil, true},
}

func TestProofMatrixStreaming(t *testing.T) {
	covered := map[string]bool{}
	for _, row := range streamingMatrix {
		t.Run(row.behaviour, func(t *testing.T) {
			t.Parallel() // each run is its own synctest bubble
			o := fixture.Conformant
			o.Concurrency, o.Product = suite.DefaultConcurrency, reports.Streaming
			res := fixture.Run(t, row.behaviour, o)
			assert.Equal(t, row.fails, failedIDs(res))
			assertTrueWords(t, res)
			for _, q := range res.Requirements {
				switch {
				case q.ID == "RC-14":
					assert.Equal(t, reports.NotApplicable, q.Status, "RC-14 needs an https target")
				case slices.Contains(row.fails, q.ID):
					assert.NotEmpty(t, q.Reason, "a failure says why")
				default:
					assert.Equal(t, reports.Passed, q.Status, "%s: %s", q.ID, q.Reason)
				}
				assert.Equal(t, []reports.Product{reports.Streaming}, q.Products, q.ID)
			}
			want := reports.NotConformant
			if row.conformant {
				want = reports.Conformant
			}
			assert.Equal(t, want, res.Verdict)
		})
		for _, id := range row.fails {
			covered[id] = true
		}
	}
	for _, id := range []string{"RC-20", "RC-21", "RC-22", "RC-23"} {
		assert.True(t, covered[id], "no receiver in the streaming matrix fails %s", id)
	}
}

// TestStreamingRunListsOnlyItsRequirements: a streaming run reports the
// requirements its scenarios check, not the transcript-only ones as
// skipped; a pre-recorded run does not list RC-20..RC-23.
func TestStreamingRunListsOnlyItsRequirements(t *testing.T) {
	o := fixture.Conformant
	o.Product = reports.Streaming
	var got []string
	for _, q := range fixture.Run(t, "compliant", o).Requirements {
		got = append(got, q.ID)
	}
	assert.Equal(t, []string{"RC-05", "RC-08", "RC-09", "RC-10", "RC-11", "RC-12", "RC-13", "RC-14",
		"RC-20", "RC-21", "RC-22", "RC-23"}, got)

	got = nil
	for _, q := range fixture.Run(t, "compliant", fixture.Conformant).Requirements {
		got = append(got, q.ID)
	}
	assert.NotContains(t, got, "RC-20")
	assert.Contains(t, got, "RC-17")
}

// streamingRoots are the streaming receivers that fail the plain session
// webhook (RC-20): the session requirements that failed with its answer
// are blocked by RC-20, as transcript ones are by RC-01; those whose
// failing requests include probes (malformed bodies, other methods,
// forgeries) that got the same answer are possibly the same cause.
var streamingRoots = []struct {
	behaviour, root string
	possibly        []string
}{
	{"requires-transcript-id", "RC-20", nil},
	{"generic-500", "RC-20", []string{"RC-08"}},
	{"status", "RC-20", []string{"RC-08", "RC-09", "RC-10", "RC-13"}},
	{"redirects", "RC-12", nil},
}

func TestRootCauseStreaming(t *testing.T) {
	for _, row := range streamingRoots {
		t.Run(row.behaviour, func(t *testing.T) {
			t.Parallel()
			o := fixture.Conformant
			o.Concurrency, o.Product = suite.DefaultConcurrency, reports.Streaming
			res := fixture.Run(t, row.behaviour, o)
			for _, q := range res.Requirements {
				switch {
				case q.Status != reports.Failed || q.ID == row.root:
					assert.Nil(t, q.BlockedBy, q.ID)
					assert.Nil(t, q.PossiblySameAs, q.ID)
				case slices.Contains(row.possibly, q.ID):
					assert.Nil(t, q.BlockedBy, q.ID)
					assert.Equal(t, row.root, q.SameCause(), q.ID)
				default:
					assert.Equal(t, row.root, q.Blocker(), q.ID)
					assert.Contains(t, q.Reason, "blocked by "+row.root+" (same answer: ", q.ID)
				}
			}
			causes := res.RootCauses()
			if assert.NotEmpty(t, causes) {
				assert.Equal(t, row.root, causes[0].ID)
			}
			assert.Empty(t, res.SessionRouteHint(), "a streaming run has no transcript notification to compare with")
		})
	}
}

// TestSessionWebhooksOnTheWrongRoute: in a run of both products, a
// receiver whose session webhooks reach its transcript handler (it reads
// transcript_id and answers 500) acknowledges every transcript
// notification and fails every session one. RC-20 is the root: the other
// session requirements are blocked by it, with no fix of their own; the
// redacted-audio notification, which also lacks transcript_id, got the very
// same answer and is possibly the same cause; and the report says the
// session webhooks probably reach the wrong route. RC-09 failed on the
// right secret answered 500: notifications lost, not 5xx on malformed
// bodies.
func TestSessionWebhooksOnTheWrongRoute(t *testing.T) {
	o := fixture.Conformant
	o.Concurrency, o.Product = suite.DefaultConcurrency, reports.BothProducts
	res := fixture.Run(t, "requires-transcript-id", o)
	assert.Equal(t, ids(streamingAcknowledging, []string{"RC-07"}), failedIDs(res))
	q01, _ := res.Requirement("RC-01")
	assert.Equal(t, reports.Passed, q01.Status)
	for _, id := range []string{"RC-05", "RC-09", "RC-10", "RC-11", "RC-21", "RC-22", "RC-23"} {
		q, _ := res.Requirement(id)
		assert.Equal(t, "RC-20", q.Blocker(), id)
		assert.Equal(t, "blocked by RC-20 (same answer: 500 Internal Server Error)", q.Reason, id)
	}
	q07, _ := res.Requirement("RC-07")
	assert.Nil(t, q07.BlockedBy)
	assert.Equal(t, "RC-20", q07.SameCause())
	var causes []string
	for _, q := range res.RootCauses() {
		causes = append(causes, q.ID)
	}
	assert.Equal(t, []string{"RC-20", "RC-07"}, causes, "RC-07's own fix after RC-20's")

	q09, _ := res.Requirement("RC-09")
	assert.Equal(t, reports.LosesNotifications, q09.Impact, "the right secret got a 500")
	assert.NotContains(t, q09.ImpactWords(), "malformed")

	hint := res.SessionRouteHint()
	assert.Contains(t, hint, "session webhooks probably reach the wrong route")
	assert.Contains(t, hint, "The receiver may serve session webhooks on another path: give it with --session-target (Target.SessionURL in Go).")
	advice := res.Advice()
	assert.Contains(t, advice, hint)
	assert.Contains(t, advice, "notifications would be lost (RC-20, RC-07)")
	assert.NotContains(t, advice, "malformed")

	// Both products broken alike: RC-01 failed too, so no route is to
	// blame; RC-20 got RC-01's very answer to another kind of request.
	res = fixture.Run(t, "status", o)
	assert.Empty(t, res.SessionRouteHint())
	q20, _ := res.Requirement("RC-20")
	assert.Equal(t, "RC-01", q20.SameCause())
	q21, _ := res.Requirement("RC-21")
	assert.Equal(t, "RC-20", q21.Blocker())

	// Everything acknowledged: nothing to say.
	assert.Empty(t, fixture.Run(t, "compliant", o).SessionRouteHint())
}
