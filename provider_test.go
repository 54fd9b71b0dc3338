package hookcheck_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/steps"
)

// TestTargetProvider: Validate checks the provider, its signing secret and
// how long its schedule takes in real time, naming each setting as the
// vocabulary does and never quoting the secret.
func TestTargetProvider(t *testing.T) {
	const url = "http://127.0.0.1:9/webhook"
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	for _, c := range []struct {
		name    string
		target  hookcheck.Target
		wantErr string
	}{
		{"default", hookcheck.Target{URL: url}, ""},
		{"assemblyai by name", hookcheck.Target{URL: url, Provider: "assemblyai"}, ""},
		{"unknown", hookcheck.Target{URL: url, Provider: "acme"}, `Target.Provider: unknown provider "acme" (want assemblyai or standard-webhooks or stripe or github)`},
		{"unknown, CLI", hookcheck.Target{URL: url, Provider: "acme", Vocabulary: steps.CLIFlags}, `--provider: unknown provider "acme"`},
		{"no secret", hookcheck.Target{URL: url, Provider: "standard-webhooks", Fast: true}, "it needs a signing secret, whsec_"},
		{"secret for assemblyai", hookcheck.Target{URL: url, SigningSecret: secret}, "assemblyai does not sign its deliveries"},
		{"bad secret", hookcheck.Target{URL: url, Provider: "standard-webhooks", Fast: true, SigningSecret: "whsec_c2hvcnQ="}, "key bytes"},
		{"days in real time", hookcheck.Target{URL: url, Provider: "standard-webhooks", SigningSecret: secret, Vocabulary: steps.CLIFlags},
			"standard-webhooks's retry schedule takes 75h35m5s in real time: set --fast (its waits divided by 100: 45m21.05s), or --full-schedules to run it as it is"},
		{"fast", hookcheck.Target{URL: url, Provider: "standard-webhooks", SigningSecret: secret, Fast: true}, ""},
		{"full schedules", hookcheck.Target{URL: url, Provider: "standard-webhooks", SigningSecret: secret, FullSchedules: true}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.target.Validate()
			if c.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.wantErr)
			assert.NotContains(t, err.Error(), "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "the secret is never quoted")
			assert.NotContains(t, err.Error(), "c2hvcnQ=", "the secret is never quoted")
		})
	}
}

// TestGoAPIStandardWebhooks: hookcheck.Test checks an in-process Standard
// Webhooks receiver in virtual time, where the 75-hour schedule costs
// nothing; each SIG requirement is a subtest. The receiver counts each
// event's processing at a path of the Handler, which SIG-09 asks.
func TestGoAPIStandardWebhooks(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	b, err := receiver.Lookup("sw-compliant")
	require.NoError(t, err)
	h := b.New(receiver.Config{Path: "/webhook", SigningSecret: secret}, receiver.Params{})
	res := hookcheck.Test(t, hookcheck.Target{Handler: h, Provider: "standard-webhooks", SigningSecret: secret,
		VerifyURL: receiver.ProcessedPath + "{id}"})
	require.Equal(t, reports.Conformant, res.Verdict)
	require.NotNil(t, res.Environment.Provider)
	var sig int
	for _, q := range res.Requirements {
		if strings.HasPrefix(q.ID, "SIG-") {
			sig++
			assert.Equal(t, reports.Passed, q.Status, q.ID)
		}
	}
	assert.Equal(t, 9, sig, "SIG-01..SIG-09")
}
