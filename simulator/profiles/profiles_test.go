package profiles_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/profiles"
)

func TestEmbeddedProfileIsDatedAndSourced(t *testing.T) {
	p := profiles.AssemblyAI()
	assert.Equal(t, "assemblyai", p.Profile)
	assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, p.Date)
	for _, s := range []string{p.Method.Source, p.Timeout.Source, p.MaxAttempts.Source, p.RetryInterval.Source,
		p.RetryOn4xx.Source, p.FollowRedirects.Source, p.MaxRedirects.Source, p.Headers.Source, p.Region.Source,
		p.SourceAddresses.Source, p.SourceMode.Source, p.MaxBodyBytes.Source} {
		assert.Regexp(t, `^docs/spec\.md [DP]-\d+`, s, "every value cites its docs/spec.md rule")
	}
	again, err := p.Marshal()
	require.NoError(t, err)
	q, err := profiles.Parse("x.json", again)
	require.NoError(t, err)
	assert.Equal(t, p, q, "a profile survives writing and reading")
}

// TestMalformedProfile: each error names the file, the line and the field.
func TestMalformedProfile(t *testing.T) {
	good := string(profiles.AssemblyAIJSON())
	cases := []struct {
		name, from, to, want string
	}{
		{"bad duration", `"timeout": {"value": "10s"`, `"timeout": {"value": "ten"`, `my.json:6: field timeout: "ten" is not a duration`},
		{"wrong type", `"max_attempts": {"value": 10,`, `"max_attempts": {"value": "10",`, "my.json:7: field max_attempts: want a int, got a JSON string"},
		{"zero attempts", `"max_attempts": {"value": 10,`, `"max_attempts": {"value": 0,`, "my.json:7: field max_attempts: must be at least 1"},
		{"unknown field", `"retry_on_4xx"`, `"retry_on_400"`, "my.json:9: field retry_on_400: unknown field"},
		{"no source", `"method": {"value": "POST", "source": "docs/spec.md D-1"}`, `"method": {"value": "POST"}`, "my.json:5: field method: missing, or without its source"},
		{"syntax", `"region": {`, `"region" {`, "my.json:21: not JSON"},
		{"bad address", `"54.220.25.36"`, `"54.220.25"`, `my.json:22: field source_addresses: eu: "54.220.25" is not an IP address`},
		{"unknown region", `"region": {"value": "us"`, `"region": {"value": "ap"`, `my.json:21: field region: "ap" has no address`},
		{"bad date", `"date": "2026-12-01"`, `"date": "yesterday"`, "my.json:3: field date:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, 1, strings.Count(good, c.from), "mutation site")
			_, err := profiles.Parse("my.json", []byte(strings.Replace(good, c.from, c.to, 1)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			var pe *profiles.Error
			assert.ErrorAs(t, err, &pe)
		})
	}
}
