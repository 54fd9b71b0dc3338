package profiles_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
		{"zero attempts", `"max_attempts": {"value": 10,`, `"max_attempts": {"value": 0,`, "my.json:7: field max_attempts: must be 1–100, got 0"},
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

// TestProfileBounds: every numeric value has a documented range; a value
// outside it is refused naming file, line and field, one just inside is
// accepted.
func TestProfileBounds(t *testing.T) {
	good := string(profiles.AssemblyAIJSON())
	cases := []struct {
		name, from, to, want string
	}{
		{"10⁹ attempts", `"max_attempts": {"value": 10,`, `"max_attempts": {"value": 1000000000,`, "my.json:7: field max_attempts: must be 1–100, got 1000000000"},
		{"101 attempts", `"max_attempts": {"value": 10,`, `"max_attempts": {"value": 101,`, "my.json:7: field max_attempts: must be 1–100"},
		{"100 attempts", `"max_attempts": {"value": 10,`, `"max_attempts": {"value": 100,`, ""},
		{"zero interval", `"retry_interval": {"value": "10s"`, `"retry_interval": {"value": "0s"`, ""},
		{"24h interval", `"retry_interval": {"value": "10s"`, `"retry_interval": {"value": "24h"`, ""},
		{"2562047h interval", `"retry_interval": {"value": "10s"`, `"retry_interval": {"value": "2562047h"`, "my.json:8: field retry_interval: must be 0s–24h0m0s, got 2562047h"},
		{"negative interval", `"retry_interval": {"value": "10s"`, `"retry_interval": {"value": "-1s"`, "my.json:8: field retry_interval: must be 0s–24h0m0s"},
		{"1ns timeout", `"timeout": {"value": "10s"`, `"timeout": {"value": "1ns"`, "my.json:6: field timeout: must be 100ms–5m0s, got 1ns"},
		{"100ms timeout", `"timeout": {"value": "10s"`, `"timeout": {"value": "100ms"`, ""},
		{"5m timeout", `"timeout": {"value": "10s"`, `"timeout": {"value": "5m"`, ""},
		{"6m timeout", `"timeout": {"value": "10s"`, `"timeout": {"value": "6m"`, "my.json:6: field timeout: must be 100ms–5m0s"},
		{"64 MiB body", `"max_body_bytes": {"value": 65536,`, `"max_body_bytes": {"value": 67108864,`, ""},
		{"64 MiB + 1 body", `"max_body_bytes": {"value": 65536,`, `"max_body_bytes": {"value": 67108865,`, "my.json:30: field max_body_bytes: must be 0–67108864 (64 MiB), got 67108865"},
		{"negative body", `"max_body_bytes": {"value": 65536,`, `"max_body_bytes": {"value": -1,`, "my.json:30: field max_body_bytes: must be 0–67108864"},
		{"21 redirects", `"max_redirects": {"value": 10,`, `"max_redirects": {"value": 21,`, "my.json:11: field max_redirects: must be 0–20, got 21"},
		{"CR/LF in a header", `"python-requests/2.25.1"`, `"python-requests/2.25.1\r\nX-Evil: 1"`, "field headers: header User-Agent: value has control byte 0x0d"},
		{"ESC in a header", `"python-requests/2.25.1"`, `"python\u001b[2J"`, "field headers: header User-Agent: value has control byte 0x1b"},
		{"tab in a header", `"python-requests/2.25.1"`, `"python\trequests"`, ""},
		{"long header", `"python-requests/2.25.1"`, `"` + strings.Repeat("a", 8<<10+1) + `"`, "field headers: header User-Agent: value is 8193 bytes, over 8192"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, 1, strings.Count(good, c.from), "mutation site")
			_, err := profiles.Parse("my.json", []byte(strings.Replace(good, c.from, c.to, 1)))
			if c.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			var pe *profiles.Error
			assert.ErrorAs(t, err, &pe)
		})
	}
}

// TestProfileDuplicateKeys: a key given twice in any object is refused at
// the second one's line, also when only its case differs (decoding and
// HTTP header names ignore case).
func TestProfileDuplicateKeys(t *testing.T) {
	good := string(profiles.AssemblyAIJSON())
	cases := []struct {
		name, from, to, want string
	}{
		{"top level", `"region": {"value": "us"`, `"max_attempts": {"value": 1, "source": "x"},` + "\n" + `  "region": {"value": "us"`, "my.json:21: field max_attempts: key given twice"},
		{"top level, other case", `"region": {"value": "us"`, `"MAX_ATTEMPTS": {"value": 1, "source": "x"},` + "\n" + `  "region": {"value": "us"`, "my.json:21: field MAX_ATTEMPTS: key given twice"},
		{"inside a field", `"max_attempts": {"value": 10,`, `"max_attempts": {"value": 10, "value": 1000000000,`, "my.json:7: field max_attempts.value: key given twice"},
		{"header", `"Accept": "*/*",`, `"Accept": "*/*", "user-agent": "evil",`, "my.json:15: field headers.value.user-agent: key given twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, 1, strings.Count(good, c.from), "mutation site")
			_, err := profiles.Parse("my.json", []byte(strings.Replace(good, c.from, c.to, 1)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// TestProfileFileSize: a file over 1 MiB is refused, by ReadFile without
// reading it whole; one at the limit is read.
func TestProfileFileSize(t *testing.T) {
	good := profiles.AssemblyAIJSON()
	dir := t.TempDir()
	at := filepath.Join(dir, "at.json")
	pad := profiles.MaxFileBytes - len(good)
	require.NoError(t, os.WriteFile(at, append(good, []byte(strings.Repeat(" ", pad))...), 0o600))
	_, err := profiles.ReadFile(at)
	require.NoError(t, err, "a profile of exactly 1 MiB is read")

	over := filepath.Join(dir, "over.json")
	require.NoError(t, os.WriteFile(over, append(good, []byte(strings.Repeat(" ", pad+1))...), 0o600))
	_, err = profiles.ReadFile(over)
	require.Error(t, err)
	assert.Equal(t, over+": larger than 1048576 bytes (1 MiB): not a profile", err.Error())

	// A 300 MB file: ReadFile stops at the limit (the file is sparse, so
	// the test writes nothing).
	huge := filepath.Join(dir, "huge.json")
	f, err := os.Create(huge)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(300<<20))
	require.NoError(t, f.Close())
	_, err = profiles.ReadFile(huge)
	assert.ErrorContains(t, err, "larger than 1048576 bytes")
}

// TestProfileCheck: Check names the field without a file, for a profile
// built in memory (diff --update-profile).
func TestProfileCheck(t *testing.T) {
	p := profiles.AssemblyAI()
	require.NoError(t, p.Check())
	p.MaxAttempts.Value = 200000
	assert.EqualError(t, p.Check(), "field max_attempts: must be 1–100, got 200000")
}

// TestStripeProfile: the Stripe profile's values each cite a Stripe fact
// (ST-*), and its schedule doubles from 1 h, capped at 24 h (a profile's
// longest wait), and ends within 3 days (ST-6).
func TestStripeProfile(t *testing.T) {
	p := profiles.Stripe()
	assert.Equal(t, "stripe", p.Profile)
	assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, p.Date)
	for _, s := range []string{p.Method.Source, p.Timeout.Source, p.MaxAttempts.Source, p.RetryInterval.Source,
		p.RetryOn4xx.Source, p.FollowRedirects.Source, p.MaxRedirects.Source, p.Headers.Source, p.Region.Source,
		p.SourceAddresses.Source, p.SourceMode.Source, p.Schedule.Source, p.Signature.Source} {
		assert.Regexp(t, `^docs/spec\.md ST-\d+`, s, "every Stripe value cites its docs/spec.md rule")
	}
	require.NotNil(t, p.Schedule)
	require.Len(t, p.Schedule.Value, p.MaxAttempts.Value-1)
	var total time.Duration
	prev := time.Duration(0)
	for _, w := range p.Schedule.Value {
		d, err := time.ParseDuration(w)
		require.NoError(t, err)
		if prev > 0 {
			assert.Equal(t, min(2*prev, 24*time.Hour), d, "exponential back-off: each wait doubles the last, up to 24 h")
		}
		prev = d
		total += d
	}
	assert.LessOrEqual(t, total, 72*time.Hour, "up to 3 days")
	assert.Equal(t, 55*time.Hour, total)
	assert.Greater(t, total+24*time.Hour, 72*time.Hour, "one more wait would pass 3 days")
}

// TestGitHubProfile: one attempt within 10 s (GH-4), a push event's
// headers (GH-8), every value citing a GitHub fact.
func TestGitHubProfile(t *testing.T) {
	p := profiles.GitHub()
	assert.Equal(t, "github", p.Profile)
	for _, s := range []string{p.Method.Source, p.Timeout.Source, p.MaxAttempts.Source, p.RetryInterval.Source,
		p.RetryOn4xx.Source, p.FollowRedirects.Source, p.MaxRedirects.Source, p.Headers.Source, p.Region.Source,
		p.SourceAddresses.Source, p.SourceMode.Source, p.Signature.Source} {
		assert.Regexp(t, `^docs/spec\.md GH-\d+`, s, "every GitHub value cites its docs/spec.md rule")
	}
	assert.Equal(t, 1, p.MaxAttempts.Value, "no automatic redelivery")
	assert.Equal(t, "10s", p.Timeout.Value)
	assert.Nil(t, p.Schedule)
	assert.Equal(t, "push", p.Headers.Value["X-GitHub-Event"])
}
