package webhook_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/profiles"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// TestDefaultPolicyIsTheBuiltinProfile: the embedded profile gives exactly
// the policy hookcheck had before profiles existed, and the constants name
// the same values.
func TestDefaultPolicyIsTheBuiltinProfile(t *testing.T) {
	want := webhook.Policy{
		Method:        http.MethodPost,
		Timeout:       10 * time.Second,
		MaxAttempts:   10,
		RetryInterval: 10 * time.Second,
		Pace:          webhook.RealTime,
		MaxRedirects:  10,
		UserAgent:     "python-requests/2.25.1",
		Region:        webhook.RegionUS,
		Source:        webhook.SourceAddress{Mode: webhook.SourceHeader},
		MaxBodyBytes:  64 << 10,
	}
	assert.Equal(t, want, webhook.DefaultPolicy())
	assert.Equal(t, webhook.DefaultTimeout, want.Timeout)
	assert.Equal(t, webhook.DefaultMaxAttempts, want.MaxAttempts)
	assert.Equal(t, webhook.DefaultRetryInterval, want.RetryInterval)
	assert.Equal(t, webhook.DefaultUserAgent, want.UserAgent)
	assert.EqualValues(t, webhook.DefaultMaxBodyBytes, want.MaxBodyBytes)
	assert.Equal(t, "44.238.19.20", webhook.RegionUS.Address())
	assert.Equal(t, "54.220.25.36", webhook.RegionEU.Address())
}

func TestProfileRoundTrip(t *testing.T) {
	p := webhook.DefaultPolicy()
	p.UserAgent = "AssemblyAI-Webhooks/2.0"
	p.RetryInterval = 7 * time.Second
	p.MaxAttempts = 4
	p.RetryOn4xx = true
	p.ExtraHeaders = http.Header{"Accept": {"application/json"}}
	pr := webhook.ProfileFromPolicy(p, "observed", "2026-12-02", "capture.jsonl")
	b, err := pr.Marshal()
	require.NoError(t, err)
	parsed, err := profiles.Parse("observed.json", b)
	require.NoError(t, err)
	got, err := webhook.PolicyFromProfile(parsed)
	require.NoError(t, err)
	assert.Equal(t, p, got)
}

func TestProfileWithOtherSourceAddress(t *testing.T) {
	pr := profiles.AssemblyAI()
	pr.SourceAddresses.Value = map[string]string{"us": "44.238.19.21", "eu": "54.220.25.36"}
	p, err := webhook.PolicyFromProfile(pr)
	require.NoError(t, err)
	assert.Equal(t, "44.238.19.21", p.ExtraHeaders.Get("X-Forwarded-For"))
	assert.Equal(t, webhook.SourceNone, p.Source.Mode, "the address travels as an extra header")
}
