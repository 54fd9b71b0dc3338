package webhook_test

import (
	"net/http"
	"os"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/provider"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// TestStripeThousandFailingDeliveries is BENCHMARKS.md's Stripe figure:
// 1,000 events delivered at once to a receiver that always answers 500,
// each retried on the Stripe profile's whole schedule (ST-6: 7 attempts
// over 55 h), in virtual time; it logs the wall time and the memory held
// while every delivery waits for its next attempt. It is a measurement,
// not part of `go test ./...`: set HOOKCHECK_BENCH_STRIPE=1.
func TestStripeThousandFailingDeliveries(t *testing.T) {
	if os.Getenv("HOOKCHECK_BENCH_STRIPE") == "" {
		t.Skip("a measurement for BENCHMARKS.md: set HOOKCHECK_BENCH_STRIPE=1")
	}
	const n = 1000
	p, err := provider.Lookup(provider.Stripe)
	require.NoError(t, err)
	pol, err := p.Policy(webhook.Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
	require.NoError(t, err)

	var before, waiting, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	wall := time.Now()
	var virtual time.Duration
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, pol)
		url, rec := r.serve(t, status(http.StatusInternalServerError, 0))
		start := time.Now()
		out := make([]*webhook.Delivery, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				out[i] = r.deliver(t, url, webhook.RawBody(provider.StripeEvent(webhook.NewUUID()), "application/json"))
			})
		}
		time.Sleep(30 * time.Minute) // every first attempt failed; every delivery waits 1 h
		synctest.Wait()
		runtime.GC()
		runtime.ReadMemStats(&waiting)
		wg.Wait()
		virtual = time.Since(start)
		assert.Len(t, rec.requests(), 7*n, "7 attempts each")
		for _, d := range out {
			require.Len(t, d.Attempts, 7)
			assert.Equal(t, webhook.Exhausted, d.Outcome)
			assert.Equal(t, 55*time.Hour, d.Attempts[6].StartedAt.Sub(d.Attempts[0].StartedAt).Truncate(time.Minute))
		}
	})
	elapsed := time.Since(wall)
	runtime.ReadMemStats(&after)
	t.Logf("%d failing deliveries, %s of virtual time, in %s of wall time", n, virtual.Truncate(time.Minute), elapsed.Round(time.Millisecond))
	t.Logf("while every delivery waits: heap in use %.1f MiB, stacks %.1f MiB (before: %.1f MiB heap); allocated over the run %.1f MiB; from the OS %.1f MiB",
		mib(waiting.HeapInuse), mib(waiting.StackInuse), mib(before.HeapInuse), mib(after.TotalAlloc-before.TotalAlloc), mib(after.Sys))
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
