package suite_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports"
)

// githubMatrix is the proof matrix of the GitHub suite: each reference
// receiver fails exactly the SIG requirements its flaw violates and passes
// every other; the compliant one passes everything. Each row runs the
// whole features/github suite in virtual time.
var githubMatrix = []providerRow{
	{"github-compliant", nil},
	{"github-no-check", ids([]string{"SIG-02", "SIG-03"})},
	{"github-reserialized", ids([]string{"SIG-07"})},
	{"github-equals-compare", ids([]string{"SIG-08"})},
	{"github-shed-429", ids([]string{"RC-11"})},
	{"github-no-dedup", ids([]string{"SIG-09"})},
	{"github-duplicate-409", ids([]string{"SIG-09"})},
}

// githubRequirements are the requirements a github run holds: GitHub
// signs no timestamp and with one secret (GH-3), so neither SIG-04 nor
// SIG-05 applies; nor SIG-06, its header having one scheme.
var githubRequirements = []string{"RC-08", "RC-11", "RC-12", "RC-13", "SIG-01", "SIG-02", "SIG-03", "SIG-07", "SIG-08", "SIG-09"}

func TestGitHubProofMatrix(t *testing.T) {
	proveProvider(t, "github", "GH-4", githubMatrix, githubRequirements)
}

// TestGitHubNoRedelivery: with whole schedules, an event the receiver
// refuses is sent once: GitHub does not redeliver on its own (GH-4).
func TestGitHubNoRedelivery(t *testing.T) {
	res := fixture.Run(t, "github-reserialized", fixture.Options{Provider: "github", Tags: "@SIG-07", FullSchedules: true})
	n := 0
	for _, s := range res.Scenarios {
		if s.Status != reports.Failed {
			continue
		}
		for _, d := range s.Deliveries {
			n++
			assert.Len(t, d.Attempts, 1, "one attempt")
			assert.Equal(t, "ping", d.Request.Headers["X-Github-Event"][0], "the ping event (GH-5)")
		}
	}
	assert.Positive(t, n, "a SIG-07 scenario failed")
}
