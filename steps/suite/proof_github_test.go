package suite_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/receiver"
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
			assert.Equal(t, "push", d.Request.Headers["X-Github-Event"][0], "a push event (GH-8)")
		}
	}
	assert.Positive(t, n, "a SIG-07 scenario failed")
}

// TestGitHubPingFirst: SIG-01 also checks the ping a new webhook receives
// before any event (GH-5), sent as GitHub sends it, with X-GitHub-Event:
// ping over the profile's push, signed like any delivery; the run's
// other deliveries are push events (GH-8).
func TestGitHubPingFirst(t *testing.T) {
	res := fixture.Run(t, "github-compliant", fixture.Options{Provider: "github", Tags: "@SIG-01"})
	events := map[string]int{}
	for _, s := range res.Scenarios {
		assert.Equal(t, reports.Passed, s.Status, s.Name)
		for _, d := range s.Deliveries {
			events[d.Request.Headers["X-Github-Event"][0]]++
			assert.NotEmpty(t, d.Request.Headers["X-Hub-Signature-256"], "signed")
			if d.Request.Headers["X-Github-Event"][0] == "ping" {
				assert.Contains(t, d.Request.Body, `"zen":`)
			}
		}
	}
	assert.Equal(t, map[string]int{"ping": 1, "push": 1}, events)

	// A receiver that fails on the ping fails SIG-01 for it alone.
	b, err := receiver.Lookup("github-compliant")
	require.NoError(t, err)
	pingFails := func(cfg receiver.Config) http.Handler {
		inner := b.New(cfg, receiver.Params{})
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-GitHub-Event") == "ping" {
				http.Error(w, "unknown event", http.StatusBadRequest)
				return
			}
			inner.ServeHTTP(w, r)
		})
	}
	res = fixture.RunHandler(t, pingFails, fixture.Options{Provider: "github", Tags: "@SIG-01"})
	q, _ := res.Requirement("SIG-01")
	require.Equal(t, reports.Failed, q.Status)
	assert.Contains(t, q.Reason, "The ping a new webhook receives first")
	assert.NotContains(t, q.Reason, "A correctly signed event is acknowledged")
}
