package load

import (
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// reference returns the reference receiver called name with its default
// pool (4 workers, 100 ms each: 40 a second) and a bounded inbox.
func reference(t *testing.T, name string) http.Handler {
	t.Helper()
	return referenceWith(t, name, receiver.Params{})
}

// referenceWith is reference with other Params.
func referenceWith(t *testing.T, name string, p receiver.Params) http.Handler {
	t.Helper()
	b, err := receiver.Lookup(name)
	require.NoError(t, err)
	return b.New(receiver.Config{Inbox: receiver.NewBoundedInbox(receiver.InboxLimits{MaxRequests: 10, MaxIDs: 10})}, p)
}

func constant(rate float64, d time.Duration) Config {
	return Config{Plan: Plan{From: rate, To: rate, Duration: d}, Drain: 5 * time.Minute}
}

func TestPoolQueueHoldsBelowItsCapacity(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		res := runAgainst(t, t.Context(), reference(t, "pool-queue"), constant(30, 30*time.Second))
		assert.InDelta(t, 30, res.HeldRate, 1e-9)
		assert.EqualValues(t, res.Offered, res.AckFirst)
		assert.InDelta(t, 100, res.Answer.P99MS, 1, "no queue below 40 a second")
	})
}

func TestPoolQueuePastItsCapacityQueuesThenTimesOutThenStorms(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Two workers (20 a second) at 30 a second: the queue grows by 10 a
		// second, the answer time by half a second a second.
		res := runAgainst(t, t.Context(), referenceWith(t, "pool-queue", receiver.Params{Limit: 2}), constant(30, 45*time.Second))
		assert.Zero(t, res.HeldRate)
		require.NotNil(t, res.Knee)
		assert.Contains(t, res.Knee.Why, "grew", "the queue shows before any deadline is missed")
		// The answer time climbs second by second, then reaches the deadline.
		assert.Less(t, res.Seconds[2].P50MS, res.Seconds[8].P50MS)
		assert.Less(t, res.Seconds[8].P50MS, res.Seconds[15].P50MS)
		assert.InDelta(t, 10_000, res.Answer.P99MS, 1300)
		assert.Positive(t, res.Seconds[35].Timeouts)
		// Every timed-out notification comes back 10 s later on top of the
		// new ones: more attempts than notifications.
		assert.Greater(t, res.Amplification.Peak, 1.3)
		require.NotNil(t, res.Amplification.StartS)
		assert.Less(t, *res.Amplification.StartS, 45)
		assert.Positive(t, res.Lost, "a queue that never drains in time loses notifications")
	})
}

func TestShed429LosesWhatItSheds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		res := runAgainst(t, t.Context(), reference(t, "shed-429"), constant(60, 20*time.Second))
		assert.Zero(t, res.HeldRate)
		assert.Positive(t, res.LostBy.TooMany)
		assert.Equal(t, res.LostBy.TooMany, res.Lost, "only 429s")
		assert.EqualValues(t, res.Offered, res.AttemptsSent, "a 429 is never retried (D-5, P-6)")
		assert.InDelta(t, 1, res.Amplification.Overall, 1e-9)
		assert.LessOrEqual(t, res.Answer.P99MS, 101.0, "it answers fast: the loss is silent")
		assert.EqualValues(t, res.Offered, res.AckFirst+res.Lost)
	})
}

func TestPoolDry500RetriesAmplify(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		res := runAgainst(t, t.Context(), reference(t, "pool-dry-500"), constant(60, 20*time.Second))
		assert.Zero(t, res.HeldRate)
		assert.Positive(t, res.AckRetry, "a 500 is retried (D-4) and some retries get through")
		assert.Greater(t, res.Amplification.Peak, 1.2)
		assert.InDelta(t, 1000, res.Answer.P99MS, 130, "the checkout timeout bounds the answer time")
		assert.Zero(t, res.LostBy.TooMany+res.LostBy.Other4xx)
	})
}

func TestQueueFirstHolds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		res := runAgainst(t, t.Context(), reference(t, "queue-first"), constant(200, 20*time.Second))
		assert.InDelta(t, 200, res.HeldRate, 1e-9, "five times the workers' capacity")
		assert.Zero(t, res.Lost)
		assert.EqualValues(t, res.Offered, res.AckFirst)
		assert.InDelta(t, 1, res.Amplification.Overall, 1e-9)
	})
}

// The pool of 4 at 100 ms a request holds 40 a second: a ramp from 10 to
// 80 over two minutes shows the knee there and the amplification after
// it, and a climb finds it within 10 %.
func TestRampShowsThePoolsKnee(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		res := runAgainst(t, t.Context(), reference(t, "pool-queue"), Config{Plan: Plan{From: 10, To: 80, Duration: 2 * time.Minute}})
		require.NotNil(t, res.Knee)
		t.Logf("held %.1f/s; knee %.1f/s: %s", res.HeldRate, res.Knee.Rate, res.Knee.Why)
		assert.InDelta(t, 40, res.Knee.Rate, 4, "the first window past the capacity fails: %s", res.Knee.Why)
		assert.InDelta(t, 40, res.HeldRate, 4)
		require.NotNil(t, res.Amplification.StartS)
		assert.Greater(t, res.Amplification.StartRate, 40.0, "retries amplify past the knee")
		assert.Greater(t, res.Amplification.Peak, 1.5)
	})
}

func TestFindLimitFindsThePoolsCapacity(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		res := runAgainst(t, t.Context(), reference(t, "pool-queue"), Config{
			Plan: Plan{From: 10, To: 80, Duration: 2 * time.Minute, Steps: true}, FindLimit: true, Drain: time.Minute})
		assert.InDelta(t, 40, res.HeldRate, 4, "within 10 %% of the capacity")
		require.NotNil(t, res.StoppedAtS, "the climb stops at the first step that fails")
		assert.Less(t, *res.StoppedAtS, 80.0)
		require.NotNil(t, res.Knee)
		t.Logf("held %.1f/s; knee %.1f/s: %s", res.HeldRate, res.Knee.Rate, res.Knee.Why)
		assert.Greater(t, res.Knee.Rate, 40.0)
		assert.False(t, res.Knee.GeneratorLimited)
		for _, w := range res.Windows {
			if w.Rate < 40 {
				assert.True(t, w.Held, "%.1f/s: %s", w.Rate, w.Why)
			}
		}
	})
}

func TestFindLimitAgainstAReceiverThatHoldsClimbsToTheTop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		res := runAgainst(t, t.Context(), reference(t, "queue-first"), Config{
			Plan: Plan{From: 10, To: 80, Duration: time.Minute, Steps: true}, FindLimit: true, Drain: time.Minute})
		assert.InDelta(t, 80, res.HeldRate, 1e-9)
		assert.Nil(t, res.StoppedAtS)
		assert.Nil(t, res.Knee)
	})
}
