package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/internal/truewords"
)

// TestConsoleWordsAreTrue: the console's lines (each scenario's progress
// line with its reason and reproduction, the summary table, the verdict
// and the fixes) hold none of the phrases that are false for the run
// (internal/truewords), for receivers run without the API: delivery alone
// was checked, and their probes are answered 500, 200 or not at all.
func TestConsoleWordsAreTrue(t *testing.T) {
	for _, b := range []string{"compliant", "crash-on-malformed", "accepts-malformed", "accepts-any-method", "hang"} {
		res := fixture.Run(t, b, fixture.Options{Auth: true})
		var out bytes.Buffer
		for _, sc := range res.Scenarios {
			printScenario(&out, sc)
		}
		printSummary(&out, res)
		assert.Empty(t, truewords.Text(res, "console", out.String()), b)
		assert.Contains(t, out.String(), "processing not checked (run with --api or --verify-url)", b)
	}
}
