package features_test

import (
	"encoding/json"
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/features"
)

// TestEveryRuleIsInTheSpec: every rule a requirement cites, in
// AssemblyAI's words or another provider's, is a row of docs/spec.md.
func TestEveryRuleIsInTheSpec(t *testing.T) {
	spec, err := os.ReadFile("../docs/spec.md")
	require.NoError(t, err)
	rows := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\| ([A-Z]{1,2}-\d+) \|`).FindAllStringSubmatch(string(spec), -1) {
		rows[m[1]] = true
	}
	for _, provider := range []string{"assemblyai", "standard-webhooks"} {
		qs, err := features.AllRequirementsFor(provider)
		require.NoError(t, err)
		for _, q := range qs {
			require.NotEmpty(t, q.Rules, q.ID)
			for _, r := range q.Rules {
				assert.True(t, rows[r], "%s (%s) cites %s, which docs/spec.md has no row for", q.ID, provider, r)
			}
		}
	}
}

// TestOtherProvidersSpeakTheirRules: a shared requirement keeps
// AssemblyAI's words in an AssemblyAI run and takes its
// "other_providers" words in another provider's run, fixes included; no
// text of another provider's catalogue names AssemblyAI or its
// transcript_id.
func TestOtherProvidersSpeakTheirRules(t *testing.T) {
	aai, err := features.AllRequirementsFor("assemblyai")
	require.NoError(t, err)
	sw, err := features.AllRequirementsFor("stripe")
	require.NoError(t, err)
	require.Len(t, sw, len(aai))
	for i := range aai {
		if aai[i].ID != "RC-11" {
			continue
		}
		assert.Contains(t, aai[i].Why, "never retried (P-6)")
		assert.NotContains(t, sw[i].Why, "never retried (P-6)", "a 429 is retried by Stripe (ST-6)")
		assert.Equal(t, "Acknowledges a burst of concurrent events in full within the deadline", sw[i].Title)
	}
	fixes, err := features.RemediationsFor("github")
	require.NoError(t, err)
	assert.Contains(t, fixes["RC-11"]["429"], "GitHub never delivers it again (GH-4)")
	aaiFixes, err := features.RemediationsFor("assemblyai")
	require.NoError(t, err)
	assert.Contains(t, aaiFixes["RC-11"]["429"], "a 429 is never retried (P-6)")

	// The shared requirements a provider's features check.
	shared := map[string]bool{"RC-08": true, "RC-11": true, "RC-12": true, "RC-13": true}
	for _, q := range sw {
		if !shared[q.ID] {
			continue
		}
		text, _ := json.Marshal(struct{ T, W, R string }{q.Title, q.Why, q.Remediation})
		assert.NotRegexp(t, `AssemblyAI|transcript_id|notification`, string(text), q.ID)
		for mode, fix := range fixes[q.ID] {
			assert.NotRegexp(t, `AssemblyAI|transcript_id|notification`, fix, q.ID+"/"+mode)
		}
	}
}
