package webhook_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/hostile"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// TestBodyBudgetStopsReading: senders sharing a budget read no more answer
// body than it allows (plus one read), whatever the receiver sends; once
// it is spent the budget says so, once, and later bodies are not read.
func TestBodyBudgetStopsReading(t *testing.T) {
	srv, err := hostile.Start(t.Context(), hostile.EndlessBody, hostile.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv.Close()) })

	var causes []error
	budget := webhook.NewBodyBudget(5<<19, func(err error) { causes = append(causes, err) })
	p := webhook.DefaultPolicy()
	p.MaxBodyBytes = 1 << 20
	p.MaxAttempts = 1
	var kept []int
	for range 5 {
		s, err := webhook.NewSender(p, webhook.Options{BodyBudget: budget})
		require.NoError(t, err)
		d, err := s.Deliver(context.Background(), srv.URL+"/hook", completed(t), webhook.Observer{})
		s.Close()
		require.NoError(t, err)
		require.Len(t, d.Attempts, 1)
		a := d.Attempts[0]
		assert.True(t, a.BodyTruncated, "an endless body is cut")
		kept = append(kept, len(a.ResponseBody))
	}
	assert.Equal(t, []int{1 << 20, 1 << 20}, kept[:2], "within the budget, each answer up to MaxBodyBytes")
	assert.Less(t, kept[2], 1<<20, "the third answer spends the budget part way")
	assert.Equal(t, []int{0, 0}, kept[3:], "a spent budget reads nothing more")
	assert.LessOrEqual(t, budget.Used(), int64(5<<19+64<<10), "the bodies read stay within the budget and one read")
	require.Len(t, causes, 1, "the run is told once")
	var be *webhook.BodyBudgetError
	require.ErrorAs(t, causes[0], &be)
	assert.Equal(t, "memory guard: the receiver's answer bodies reached the budget of 2560 KiB kept in memory "+
		"(each answer is read up to the profile's max_body_bytes); the run stopped before it would run out of memory", causes[0].Error())
	assert.False(t, errors.Is(causes[0], context.Canceled))
}
