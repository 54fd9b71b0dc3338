package suite

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hookcheck/hookcheck/reports"
)

// TestChooseFixes: a failed requirement gets the fix of each way it
// failed, the failed level's first and each text once; a mode without a
// fix of its own takes the default; a passed one keeps the default.
func TestChooseFixes(t *testing.T) {
	fixes := map[string]map[string]string{"RC-08": {"2xx": "answer 400, not 2xx"}}
	sc := func(level reports.Level, status reports.Status, mode string) reports.Scenario {
		return reports.Scenario{Requirements: []string{"RC-08"}, Level: level, Status: status, FailureMode: mode}
	}
	reqs := []reports.Requirement{
		{ID: "RC-08", Status: reports.Failed, FailedLevel: reports.Must, Remediation: "catch parse errors"},
		{ID: "RC-09", Status: reports.Passed, Remediation: "check the header"},
	}
	chooseFixes(reqs, []reports.Scenario{
		sc(reports.Should, reports.Failed, "2xx"),
		sc(reports.Must, reports.Failed, "5xx"),
		sc(reports.Must, reports.Failed, "timeout"),
		sc(reports.Must, reports.Passed, ""),
	}, fixes)
	assert.Equal(t, []string{"5xx", "timeout", "2xx"}, reqs[0].FailureModes)
	assert.Equal(t, "catch parse errors answer 400, not 2xx", reqs[0].Remediation)
	assert.Empty(t, reqs[1].FailureModes)
	assert.Equal(t, "check the header", reqs[1].Remediation)
}
