package suite_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/internal/truewords"
	"github.com/hookcheck/hookcheck/reports"
)

// assertTrueWords renders res with every renderer and fails t for each
// sentence that is false for this run (internal/truewords): the proof
// matrices call it on the run they already made, so every reference
// receiver's every message is checked at no extra run.
func assertTrueWords(t *testing.T, res *reports.Result) {
	t.Helper()
	found, err := truewords.Check(res)
	require.NoError(t, err)
	assert.Empty(t, found)
}

// withoutAPI is the proof matrix's configuration without the emulated API
// and without a verify URL: delivery alone is checked.
var withoutAPI = fixture.Options{Auth: true, Allowlist: true, BothRegions: true}

// TestWithoutAPIProcessingIsNotChecked: without --api and --verify-url a
// conformant run says it checked delivery only and how to check the rest,
// never "safe to register"; results.json lists what it checked.
func TestWithoutAPIProcessingIsNotChecked(t *testing.T) {
	res := fixture.Run(t, "compliant", withoutAPI)
	require.Equal(t, reports.Conformant, res.Verdict)
	assert.Equal(t, "CONFORMANT for delivery; processing not checked (run with --api or --verify-url)", res.Headline())
	assert.Contains(t, res.Advice(), "Processing was not checked")
	assert.Equal(t, []reports.Job{reports.JobDelivery}, res.Checked)
	assertTrueWords(t, res)

	// With the API the fetch is checked, processing still not.
	res = runAgainst(t, "compliant")
	assert.Equal(t, []reports.Job{reports.JobDelivery, reports.JobFetch}, res.Checked)
	assert.Equal(t, "CONFORMANT for delivery and fetching the transcript; processing not checked (run with --verify-url or --verify api-fetch)", res.Headline())

	// With the fetch taken as proof of processing (RC-18), all three.
	o := fixture.Conformant
	o.VerifyAPIFetch = true
	res = fixture.Run(t, "compliant", o)
	assert.Equal(t, []reports.Job{reports.JobDelivery, reports.JobFetch, reports.JobProcessing}, res.Checked)
	assert.Equal(t, "CONFORMANT for delivery, fetching and processing: safe to register with AssemblyAI", res.Headline())
	assertTrueWords(t, res)
}

// TestWithoutAPIFetchFirstHint: without the API, a 5xx or a timeout to a
// transcript notification says that a receiver that fetches before it
// answers needs --api; a 4xx, a probe, or a run with the API do not.
func TestWithoutAPIFetchFirstHint(t *testing.T) {
	const hint = "run with --api"
	for _, c := range []struct {
		behaviour string
		api, want bool
	}{
		{"status", false, true},                  // 500 to everything
		{"hang", false, true},                    // no answer: a fetch that never returns
		{"status", true, false},                  // the API was there: not the reason
		{"conflict-on-redelivery", false, false}, // a 4xx: no fetch explains it
	} {
		o := withoutAPI
		o.API = c.api
		o.Tags = "@RC-01,@RC-04"
		res := fixture.Run(t, c.behaviour, o)
		assertTrueWords(t, res)
		var reasons []string
		for _, q := range res.Requirements {
			if q.Status == reports.Failed && q.Blocker() == "" {
				reasons = append(reasons, q.Reason)
			}
		}
		require.NotEmpty(t, reasons, c.behaviour)
		assert.Equal(t, c.want, strings.Contains(strings.Join(reasons, "\n"), hint), "%s (api %v): %q", c.behaviour, c.api, reasons)
	}
}

// TestTrueWordsWithoutAPI: the receivers whose messages differ most, run
// without the API (the proof matrices run with it), checked by every ban;
// crash-on-malformed's and accepts-any-method's probes are answered 500
// and 200, so their timelines and messages are read as a probe's.
func TestTrueWordsWithoutAPI(t *testing.T) {
	for _, b := range []string{"accepts-malformed", "crash-on-malformed", "accepts-any-method", "crash-on-redacted-audio", "auth-500", "hang"} {
		res := fixture.Run(t, b, withoutAPI)
		assertTrueWords(t, res)
		assert.NotContains(t, strings.ToLower(res.Headline()), "safe to register", b)
		assert.NotContains(t, res.Checked, reports.JobProcessing, b)
	}
	// A malformed probe answered 500: its timeline says nothing is lost.
	res := fixture.Run(t, "status", fixture.Options{Tags: "@RC-08"})
	assertTrueWords(t, res)
	for _, sc := range res.Scenarios {
		for _, d := range sc.Deliveries {
			assert.NotEmpty(t, d.Probe, sc.Name)
			assert.Empty(t, d.Lost(), sc.Name)
		}
		assert.NotContains(t, sc.Reason, "poll", sc.Name)
	}
	// accepts-malformed fails RC-08's SHOULD part: hygiene in results.json
	// and summary.md alike, in words that do not speak of strict mode.
	res = fixture.Run(t, "accepts-malformed", withoutAPI)
	q, _ := res.Requirement("RC-08")
	assert.Equal(t, reports.Hygiene, q.Impact)
	assert.False(t, slices.Contains(strings.Fields(q.Impact.Words()), "strict"))
}
