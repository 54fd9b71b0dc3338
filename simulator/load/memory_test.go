package load

import (
	"context"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/memnet"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// TestSilentReceiverMemory is the memory figure of BENCHMARKS.md: an hour
// at 200 notifications a second against a receiver that never answers,
// every notification retried 10 times (D-4). It runs the first minutes
// of that hour in virtual time, long past the 190 s a schedule lasts
// (P-2), and samples the heap every 30 s: once every schedule is under
// way the pending deliveries stop growing (rate × 190 s) and so does the
// heap, apart from one 170-byte record a second. About a minute of CPU:
// `make load-memory`, not part of go test ./....
func TestSilentReceiverMemory(t *testing.T) {
	if os.Getenv("HOOKCHECK_LOAD_MEMORY") == "" {
		t.Skip("set HOOKCHECK_LOAD_MEMORY=1 (make load-memory) to measure; about a minute of CPU")
	}
	const (
		rate = 200
		run  = 5*time.Minute + 15*time.Second // the last sample, at 300 s, before the cancellation
	)
	synctest.Test(t, func(t *testing.T) {
		hang := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		})
		net := memnet.New()
		srv, err := net.Serve("", hang)
		require.NoError(t, err)
		defer srv.Close()
		ctx, cancel := context.WithTimeout(t.Context(), run)
		defer cancel()
		var heaps []uint64
		res, err := Run(ctx, Config{Target: srv.URL + "/webhook", Policy: webhook.DefaultPolicy(), DialContext: net.DialContext,
			Plan: Plan{From: rate, To: rate, Duration: time.Hour},
			OnSecond: func(s Second) {
				if s.T%30 != 0 {
					return
				}
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				heaps = append(heaps, m.HeapInuse)
				if p := os.Getenv("HOOKCHECK_LOAD_MEMPROFILE"); p != "" && s.T == 240 {
					f, err := os.Create(p)
					require.NoError(t, err)
					require.NoError(t, pprof.WriteHeapProfile(f))
					require.NoError(t, f.Close())
				}
				t.Logf("%4d s  pending %6d  in flight %6d  heap in use %5.1f MiB  stacks %5.1f MiB  goroutines %6d  sys %6.1f MiB",
					s.T, s.Pending, s.InFlight, float64(m.HeapInuse)/(1<<20), float64(m.StackInuse)/(1<<20), runtime.NumGoroutine(), float64(m.Sys)/(1<<20))
			}})
		require.NoError(t, err)
		t.Logf("offered %d, attempts %d, lost %d (exhausted), peak pending %d", res.Offered, res.AttemptsSent, res.Lost, res.PeakPending)
		// Steady from 210 s on: within 10 % of the first steady sample.
		require.GreaterOrEqual(t, len(heaps), 9)
		steady := heaps[6]
		for _, h := range heaps[7:] {
			assert.InDelta(t, float64(steady), float64(h), float64(steady)/10, "the heap stops growing once every schedule is under way")
		}
	})
}
