package truewords_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/internal/truewords"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/htmlreport"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// TestBansCatchTheOldWording: each ban rejects the sentence hookcheck
// used to print (issue 17), in a run where it is false, and the run's own
// renderings pass. The run: a receiver that answers 500 to malformed
// bodies, without the API or a verify URL, not strict.
func TestBansCatchTheOldWording(t *testing.T) {
	res := fixture.Run(t, "crash-on-malformed", fixture.Options{Auth: true})
	require.Equal(t, reports.NotConformant, res.Verdict)
	found, err := truewords.Check(res)
	require.NoError(t, err)
	assert.Empty(t, found, "the current wording is true for this run")

	for _, old := range []struct{ where, text string }{
		{"headline", "CONFORMANT: safe to register with AssemblyAI"},
		{"advice", "Safe to register with AssemblyAI: every MUST requirement passed."},
		{"summary.md", "   Impact: SHOULD requirements failed in strict mode  "},
		{"failure message", "A 2xx to GET means the handler runs for requests AssemblyAI never sends (D-1): crawlers, link previews and health checks can trigger processing. Answer 405 with Allow: POST"},
	} {
		assert.NotEmpty(t, truewords.Text(res, old.where, old.text), "%s: %q", old.where, old.text)
	}

	// The old outcome sentence of a probe that got a 500.
	var probe *webhook.Delivery
	for _, sc := range res.Scenarios {
		if i := slices.IndexFunc(sc.Deliveries, func(d *webhook.Delivery) bool { return d.Probe != "" }); i >= 0 && slices.Contains(sc.Requirements, "RC-08") {
			probe = sc.Deliveries[i]
			break
		}
	}
	require.NotNil(t, probe, "RC-08's malformed probes are marked")
	var html bytes.Buffer
	require.NoError(t, htmlreport.Write(&html, res))
	assert.Contains(t, truewords.Timelines(html.String())[probe.ID], "nothing is lost", "the check reads the probe's timeline")
	assert.NotEmpty(t, truewords.ProbeOutcome(probe, "timeline",
		"Exhausted: all 1 attempt failed over 5 ms; the notification is lost and the app must poll GET /v2/transcript/{id} (D-4, D-6)."))
	assert.Empty(t, truewords.ProbeOutcome(probe, "timeline",
		"Failed: 1 attempt over 5 ms. This request is not a notification AssemblyAI sends, so nothing is lost; AssemblyAI retries such an answer (D-4)."))

	// summary.md naming another impact than results.json's.
	q, ok := res.Requirement("RC-08")
	require.True(t, ok)
	require.Equal(t, reports.WastesRetries, q.Impact)
	bad := "1. **RC-08 Rejects malformed deliveries** (D-2)  \n   Impact: SHOULD requirements failed in strict mode  \n"
	assert.NotEmpty(t, truewords.Impacts(res, bad))
	good := "1. **RC-08 Rejects malformed deliveries** (D-2)  \n   Impact: " + reports.WastesRetries.Words() + "  \n"
	assert.Empty(t, truewords.Impacts(res, good))
}

// TestStrictWordsInAStrictRun: "strict mode" is allowed, and said, when
// the run is strict; "safe to register" is allowed once processing was
// checked.
func TestStrictWordsInAStrictRun(t *testing.T) {
	res := fixture.Run(t, "accepts-any-method", fixture.Options{Strict: true, API: true, VerifyAPIFetch: true, Tags: "@RC-13,@RC-18,@RC-01"})
	assert.Empty(t, truewords.Text(res, "headline", "SHOULD requirements failed in strict mode; safe to register"))
	assert.Contains(t, res.Headline(), "strict mode")
}
