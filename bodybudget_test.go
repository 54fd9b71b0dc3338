package hookcheck_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/hostile"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// TestMemoryGuardEndsTheRunIncomplete is issue 18's reproduction, scaled
// down to run in virtual time: a receiver that answers every attempt with
// an endless body, read up to a large max_body_bytes each time, made a run
// keep gigabytes until it was killed. The memory guard stops the run when
// the bodies it read reach the budget: the result is incomplete and names
// the guard (the CLI then writes every file, as for any incomplete run).
func TestMemoryGuardEndsTheRunIncomplete(t *testing.T) {
	h, err := hostile.Handler(hostile.EndlessBody, hostile.Options{})
	require.NoError(t, err)
	p := webhook.DefaultPolicy()
	p.MaxBodyBytes = 1 << 20
	res := hookcheck.Test(t, hookcheck.Target{Handler: h, Policy: &p, BodyBudget: 4 << 20})
	assert.Equal(t, reports.Incomplete, res.Verdict)
	assert.Contains(t, res.Reason, "memory guard: the receiver's answer bodies reached the budget of 4 MiB")

	// The same receiver within the budget: the scenarios are judged.
	h, err = hostile.Handler(hostile.EndlessBody, hostile.Options{})
	require.NoError(t, err)
	res = hookcheck.Test(t, hookcheck.Target{Handler: h, Policy: &p, Tags: "@RC-01"})
	assert.NotEqual(t, reports.Incomplete, res.Verdict, res.Reason)
	assert.NotContains(t, res.Reason, "memory guard")
}

// TestBodyLimitIsBounded: a policy that would keep more than 64 MiB of an
// answer is refused before anything is sent.
func TestBodyLimitIsBounded(t *testing.T) {
	p := webhook.DefaultPolicy()
	p.MaxBodyBytes = 64<<20 + 1
	_, err := hookcheck.Prepare(hookcheck.Target{URL: "http://127.0.0.1:1/x", Policy: &p})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "max body bytes must be 0–67108864 (64 MiB)")
}
