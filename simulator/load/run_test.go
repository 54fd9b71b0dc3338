package load

import (
	"context"
	"io"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/memnet"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// runAgainst runs c against h on an in-memory network; call it inside a
// synctest bubble.
func runAgainst(t *testing.T, ctx context.Context, h http.Handler, c Config) *Result {
	t.Helper()
	net := memnet.New()
	srv, err := net.Serve("", h)
	require.NoError(t, err)
	defer srv.Close()
	if c.Policy.Method == "" {
		c.Policy = webhook.DefaultPolicy()
	}
	c.Target, c.DialContext = srv.URL+"/webhook", net.DialContext
	res, err := Run(ctx, c)
	require.NoError(t, err)
	// A receiver may still work through requests whose clients left
	// (pool-queue's workers do): an hour of virtual time lets it finish.
	time.Sleep(time.Hour)
	return res
}

func status(code int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) })
}

func TestConstantRateAgainstAReceiverThatKeepsUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var lines []Second
		res := runAgainst(t, t.Context(), status(http.StatusOK), Config{
			Plan: Plan{From: 50, To: 50, Duration: 10 * time.Second}, Drain: time.Minute,
			OnSecond: func(s Second) { lines = append(lines, s) }})
		assert.EqualValues(t, 500, res.Offered)
		assert.EqualValues(t, 500, res.AttemptsSent)
		assert.EqualValues(t, 500, res.AckFirst)
		assert.Zero(t, res.Lost)
		assert.Zero(t, res.PendingAtEnd)
		assert.InDelta(t, 50, res.HeldRate, 1e-9)
		assert.Nil(t, res.Knee)
		assert.InDelta(t, 1, res.Amplification.Overall, 1e-9)
		assert.Nil(t, res.Amplification.StartS)
		assert.Zero(t, res.Lag.MaxMS, "virtual time: the generator is never late")
		require.GreaterOrEqual(t, len(lines), 10, "a live line every second")
		assert.InDelta(t, 50, lines[3].Sent, 1, "an attempt on a second's boundary counts in either")
		assert.InDelta(t, 50, lines[3].AckFirst, 1)
		assert.EqualValues(t, 50, res.Seconds[3].Offered, "the record counts by planned time")
		assert.Len(t, res.Windows, 2)
	})
}

func TestA429LosesTheNotificationForGood(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		res := runAgainst(t, t.Context(), status(http.StatusTooManyRequests), Config{
			Plan: Plan{From: 10, To: 10, Duration: 5 * time.Second}, Drain: time.Minute, MaxLost: 20})
		assert.EqualValues(t, 50, res.Offered)
		assert.EqualValues(t, 50, res.AttemptsSent, "no retry after a 4xx (D-5, P-6)")
		assert.EqualValues(t, 50, res.LostBy.TooMany)
		assert.EqualValues(t, 50, res.Lost)
		assert.Len(t, res.LostListed, 20, "the list is bounded")
		assert.EqualValues(t, 30, res.LostNotListed)
		assert.Equal(t, "status_429", res.LostListed[0].Reason)
		assert.NotEmpty(t, res.LostListed[0].TranscriptID)
		assert.Zero(t, res.HeldRate)
		require.NotNil(t, res.Knee)
		assert.Contains(t, res.Knee.Why, "50 lost (50 by 429")
	})
}

func TestASilentReceiverGetsTheWholeSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hang := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // then net/http watches for the client leaving
			<-r.Context().Done()
		})
		res := runAgainst(t, t.Context(), hang, Config{
			Plan: Plan{From: 2, To: 2, Duration: 5 * time.Second}, Drain: 5 * time.Minute})
		assert.EqualValues(t, 10, res.Offered)
		assert.EqualValues(t, 100, res.AttemptsSent, "10 attempts each (D-4)")
		assert.EqualValues(t, 10, res.LostBy.Exhausted)
		assert.InDelta(t, 10, res.Amplification.Overall, 1e-9, "retries multiply the load")
		assert.InDelta(t, 10_000, res.Answer.P50MS, 1300, "every attempt waits out the deadline")
		// P-2: attempts at 0, 20, ... 180 s; the last ends at 190 s.
		assert.InDelta(t, 195, res.EndedAt.Sub(res.StartedAt).Seconds(), 2)
		// At 105 s every notification is in its sixth attempt, [100 s + its
		// planned time, 110 s + it).
		assert.EqualValues(t, 10, res.Seconds[104].InFlight, "every pending attempt waits for its deadline")
	})
}

func TestDrainCutsPendingDeliveries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		res := runAgainst(t, t.Context(), status(http.StatusInternalServerError), Config{
			Plan: Plan{From: 5, To: 5, Duration: 2 * time.Second}, Drain: 15 * time.Second})
		assert.EqualValues(t, 10, res.Offered)
		assert.EqualValues(t, 10, res.PendingAtEnd, "cut by the drain, not lost")
		assert.Zero(t, res.Lost)
	})
}

func TestInterruptedRunKeepsWhatItHas(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 3550*time.Millisecond)
		defer cancel()
		res := runAgainst(t, ctx, status(http.StatusOK), Config{
			Plan: Plan{From: 10, To: 10, Duration: time.Minute}, Drain: time.Minute})
		assert.True(t, res.Interrupted)
		assert.EqualValues(t, 36, res.Offered, "planned at 0, 0.1 s, ... 3.5 s")
		assert.GreaterOrEqual(t, len(res.Seconds), 3)
	})
}

func TestTheGeneratorReportsWhenItIsTheLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			time.Sleep(100 * time.Millisecond)
			w.WriteHeader(http.StatusOK)
		})
		// One attempt at a time, 20 planned a second, 10 a second possible:
		// the attempts queue in the generator, not in the receiver.
		res := runAgainst(t, t.Context(), slow, Config{
			Plan: Plan{From: 20, To: 20, Duration: 10 * time.Second}, Drain: time.Minute, MaxInFlight: 1})
		assert.True(t, res.GeneratorLimited)
		assert.Greater(t, res.Lag.P99MS, 1000.0)
		require.NotEmpty(t, res.Windows)
		assert.True(t, res.Windows[len(res.Windows)-1].GeneratorLimited)
		assert.Equal(t, float64(0), res.Answer.P99MS-res.Answer.P50MS, "the receiver itself answered in constant time")
	})
}

// TestAWindowCutByTheEndIsNotJudgedFailed: first attempts still waiting
// for an answer when the run stops (no drain) do not make a receiver that
// answers every one of them in 50 ms "not hold": the window says it was
// not judged, and why.
func TestAWindowCutByTheEndIsNotJudgedFailed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			time.Sleep(50 * time.Millisecond)
			w.WriteHeader(http.StatusOK)
		})
		res := runAgainst(t, t.Context(), slow, Config{Plan: Plan{From: 10, To: 10, Duration: 995 * time.Millisecond}})
		require.NotEmpty(t, res.Windows)
		last := res.Windows[len(res.Windows)-1]
		assert.False(t, last.Held)
		assert.Contains(t, last.Why, "not judged: 1 of 10 first attempts had not ended when the run stopped")
		assert.NotContains(t, last.Why, "acknowledged at the first attempt")
		assert.Equal(t, last.Index, res.Knee.Index, "the run's knee is the window it could not judge")
	})
}
