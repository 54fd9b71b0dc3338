package steps_test

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports"
)

// guardFeature is a user's own feature file written with the guard text
// given, before or after the guard steps were renamed.
func guardFeature(guard string) fstest.MapFS {
	return fstest.MapFS{"own.feature": {Data: []byte(`@RC-09 @must
Feature: Our receiver checks the auth header

  Scenario: A delivery with the auth header is acknowledged
    Given ` + guard + `
    When AssemblyAI delivers a "completed" transcript notification
    Then the receiver acknowledges it with a 2xx within the deadline
`)}}
}

// TestOldGuardTextsStillRun: a feature file that uses an old phrasing of
// a guard gets the same verdict as one that uses the new text, whether
// the run is configured so (passed) or not (not applicable).
func TestOldGuardTextsStillRun(t *testing.T) {
	for _, guard := range []string{
		"an auth header is configured",
		"the run is configured with an auth header (otherwise not applicable)",
	} {
		for auth, want := range map[bool]reports.Status{false: reports.NotApplicable, true: reports.Passed} {
			res := fixture.Run(t, "compliant", fixture.Options{Auth: auth, Features: guardFeature(guard)})
			require.Len(t, res.Scenarios, 1, guard)
			assert.Equal(t, want, res.Scenarios[0].Status, "%q with auth=%v", guard, auth)
		}
	}
}
