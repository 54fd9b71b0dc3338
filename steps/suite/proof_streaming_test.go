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
