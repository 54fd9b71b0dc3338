package node_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/receiver/node"
	"github.com/hookcheck/hookcheck/simulator/webhook"
	"github.com/hookcheck/hookcheck/steps"
)

// TestProviderSuiteAgainstExpress: the provider suite, run as
// `hookcheck run --provider standard-webhooks --fast --verify-url
// <route>/processed/{id}` runs it, finds the Express receiver built on npm
// standardwebhooks conformant, and the same receiver verifying
// JSON.stringify(req.body) not conformant on exactly the raw-body
// requirement, with that diagnosis and its fix; the same for Stripe
// (stripe.webhooks.constructEvent on the raw body, and on a parsed body)
// and GitHub (@octokit/webhooks-methods). Every route is given its verify
// URL, so SIG-09 runs: the compliant routes process a redelivered event
// once; the route that processes every delivery fails SIG-09 alone as
// "reprocessed", and the one that refuses the repeat with 409 fails it
// alone on that 409. SIG-08 (SHOULD, timing over loopback) is left out:
// real-time noise on a shared machine is no verdict a test can pin.
func TestProviderSuiteAgainstExpress(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	base := node.StartT(t, node.Config{Secret: webhook.Secret(secret)})
	check := func(t *testing.T, provider, route string) *reports.Result {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		res, err := hookcheck.Check(ctx, hookcheck.Target{URL: base + route, Provider: provider,
			SigningSecret: secret, Fast: true, Tags: "~@SIG-08", VerifyURL: node.VerifyURL(base, route)})
		require.NoError(t, err)
		return res
	}
	failedIDs := func(res *reports.Result) []string {
		var failed []string
		for _, q := range res.Requirements {
			if q.Status == reports.Failed {
				failed = append(failed, q.ID)
			}
		}
		return failed
	}

	for _, tc := range []struct{ provider, route string }{
		{"standard-webhooks", "/standard-webhooks"},
		{"stripe", "/stripe"},
		{"github", "/github"},
	} {
		t.Run(tc.route, func(t *testing.T) {
			res := check(t, tc.provider, tc.route)
			assert.Empty(t, failedIDs(res))
			for _, q := range res.Requirements {
				assert.NotEqual(t, reports.Failed, q.Status, "%s: %s", q.ID, q.Reason)
			}
			q, ok := res.Requirement("SIG-09")
			require.True(t, ok, "SIG-09 in the run")
			assert.Equal(t, reports.Passed, q.Status, "a redelivery acknowledged and processed once: %s", q.Reason)
			assert.Contains(t, []reports.Verdict{reports.Conformant, reports.Partial}, res.Verdict)
			assert.Empty(t, res.RootCauses(), "the library on the raw body, deduplicated, has nothing to fix")
		})
	}

	for _, tc := range []struct {
		provider, route string
		fails           string   // the one requirement the route fails
		says            []string // in its reason
		modes           []string // its failure modes, when pinned
		fix             string   // in its remediation
	}{
		{provider: "standard-webhooks", route: "/standard-webhooks/reserialized", fails: "SIG-07", fix: "express.raw"},
		// stripe.webhooks.constructEvent on JSON.stringify of the body
		// express.json() parsed.
		{provider: "stripe", route: "/stripe/parsed", fails: "SIG-07", fix: "express.raw"},
		// @octokit/webhooks-methods verify on a re-serialized body.
		{provider: "github", route: "/github/reserialized", fails: "SIG-07", fix: "express.raw"},
		// The tutorial code the Done-when names: == against an HMAC of
		// JSON.stringify(req.body), not of the bytes received.
		{provider: "github", route: "/github/eq-reserialized", fails: "SIG-07", fix: "express.raw"},
		// The official library on the raw body, but the work done on every
		// delivery: the verify URL counts two.
		{provider: "standard-webhooks", route: "/standard-webhooks/no-dedup", fails: "SIG-09",
			says: []string{"2 times, as its verify URL says"}, modes: []string{steps.ModeReprocessed}, fix: "unique constraint"},
		{provider: "stripe", route: "/stripe/no-dedup", fails: "SIG-09",
			says: []string{"2 times, as its verify URL says"}, modes: []string{steps.ModeReprocessed}, fix: "unique constraint"},
		{provider: "github", route: "/github/no-dedup", fails: "SIG-09",
			says: []string{"2 times, as its verify URL says"}, modes: []string{steps.ModeReprocessed}, fix: "unique constraint"},
		// Processed once, but the repeat refused with 409 Conflict.
		{provider: "standard-webhooks", route: "/standard-webhooks/duplicate-409", fails: "SIG-09",
			says: []string{"409 Conflict", "sends it again"}, fix: "answer 2xx (200 or 204)"},
		{provider: "stripe", route: "/stripe/duplicate-409", fails: "SIG-09",
			says: []string{"409 Conflict", "sends it again"}, fix: "answer 2xx (200 or 204)"},
		{provider: "github", route: "/github/duplicate-409", fails: "SIG-09",
			says: []string{"409 Conflict", "records this delivery as failed"}, fix: "answer 2xx (200 or 204)"},
	} {
		t.Run(tc.route, func(t *testing.T) {
			res := check(t, tc.provider, tc.route)
			assert.Equal(t, []string{tc.fails}, failedIDs(res), "one finding: the route's flaw")
			roots := res.RootCauses()
			require.Len(t, roots, 1)
			q := roots[0]
			assert.Equal(t, tc.fails, q.ID)
			for _, s := range tc.says {
				assert.Contains(t, q.Reason, s)
			}
			if tc.modes != nil {
				assert.Equal(t, tc.modes, q.FailureModes)
			}
			assert.Contains(t, q.Remediation, tc.fix)
			if tc.fails != "SIG-09" {
				sig09, ok := res.Requirement("SIG-09")
				require.True(t, ok, "SIG-09 in the run")
				assert.Equal(t, reports.Passed, sig09.Status, "the route dedupes: %s", sig09.Reason)
			}
		})
	}
}
