package webhook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/hookcheck/hookcheck/simulator/clock"
	"github.com/hookcheck/hookcheck/simulator/memnet"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// jumpClock is a compressed clock for benchmarks: every wait returns at
// once and moves the time forward by its length, so a full schedule (90 s
// of AssemblyAI time against an always-500 receiver, P-2) costs only the
// work of its ten attempts. Deadlines never fire: the receivers used with
// it answer at once.
type jumpClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *jumpClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *jumpClock) NewTimer(d time.Duration) clock.Timer {
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- now
	return firedTimer(ch)
}

func (c *jumpClock) AfterFunc(time.Duration, func()) clock.Timer { return firedTimer(nil) }

type firedTimer chan time.Time

func (t firedTimer) C() <-chan time.Time      { return t }
func (t firedTimer) Stop() bool               { return false }
func (t firedTimer) Reset(time.Duration) bool { return false }

// BenchmarkScheduleAlways500 runs one delivery's full ten-attempt schedule
// per op on the compressed clock: through httpmock (the sender's own cost)
// and through real net/http on both ends over memnet.
func BenchmarkScheduleAlways500(b *testing.B) {
	n, err := webhook.TranscriptReady("", webhook.StatusCompleted)
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, s *webhook.Sender, target string) {
		b.ReportAllocs()
		for b.Loop() {
			d, err := s.Deliver(context.Background(), target, n, webhook.Observer{})
			if err != nil || d.Outcome != webhook.Exhausted || len(d.Attempts) != 10 {
				b.Fatalf("delivery: %v %s %d", err, d.Outcome, len(d.Attempts))
			}
		}
	}
	b.Run("httpmock", func(b *testing.B) {
		mt := httpmock.NewMockTransport()
		mt.RegisterResponder(http.MethodPost, mockTarget, httpmock.NewStringResponder(500, ""))
		s, err := webhook.NewSender(webhook.DefaultPolicy(), webhook.Options{Transport: mt, Clock: &jumpClock{}})
		if err != nil {
			b.Fatal(err)
		}
		run(b, s, mockTarget)
	})
	b.Run("memnet", func(b *testing.B) {
		net := memnet.New()
		srv, err := net.Serve("", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }))
		if err != nil {
			b.Fatal(err)
		}
		defer srv.Close()
		s, err := webhook.NewSender(webhook.DefaultPolicy(), webhook.Options{DialContext: net.DialContext, Clock: &jumpClock{}})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		run(b, s, srv.URL)
	})
}

// BenchmarkLoopbackConcurrent submits many deliveries at once to an
// always-500 receiver on real loopback TCP (in this process, so it counts
// toward the memory figures) with a compressed schedule: 10 attempts,
// RetryInterval 100 ms at Pace Accelerated (1 ms waits), KeepAlive on. One
// op is the whole batch; run with -benchtime 1x. The 100k case runs only
// with HOOKCHECK_BENCH_LARGE=1; the figures in BENCHMARKS.md come from the
// loadtest program, which can keep the receiver in another process.
func BenchmarkLoopbackConcurrent(b *testing.B) {
	for _, tc := range []struct {
		name  string
		n     int
		large bool
	}{{"10k", 10_000, false}, {"100k", 100_000, true}} {
		b.Run(tc.name, func(b *testing.B) {
			if tc.large && os.Getenv("HOOKCHECK_BENCH_LARGE") == "" {
				b.Skip("set HOOKCHECK_BENCH_LARGE=1 to run")
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }))
			defer srv.Close()
			p := webhook.DefaultPolicy()
			p.RetryInterval, p.Pace, p.KeepAlive = 100*time.Millisecond, webhook.Accelerated, true
			s, err := webhook.NewSender(p, webhook.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			n, _ := webhook.TranscriptReady("", webhook.StatusCompleted)
			var peak atomic.Int64
			for b.Loop() {
				e := webhook.NewEngine(s, 0)
				stop := sampleGoroutines(&peak)
				ran := make(chan error, 1)
				go func() { ran <- e.Run(context.Background()) }()
				tickets := make([]*webhook.Ticket, 0, tc.n)
				for range tc.n {
					tk, err := e.Submit(srv.URL, n, webhook.DeliveryOptions{}, webhook.Observer{})
					if err != nil {
						b.Fatal(err)
					}
					tickets = append(tickets, tk)
				}
				e.Close()
				if err := <-ran; err != nil {
					b.Fatal(err)
				}
				stop()
				for _, tk := range tickets {
					if d := tk.Delivery(); d.Outcome != webhook.Exhausted || len(d.Attempts) != 10 {
						b.Fatalf("delivery ended %s after %d attempts", d.Outcome, len(d.Attempts))
					}
				}
			}
			b.ReportMetric(float64(peak.Load()), "peak-goroutines")
			b.ReportMetric(float64(tc.n*10)/b.Elapsed().Seconds()*float64(b.N), "attempts/s")
		})
	}
}

// sampleGoroutines records the peak goroutine count every 5 ms until the
// returned stop is called.
func sampleGoroutines(peak *atomic.Int64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			if g := int64(runtime.NumGoroutine()); g > peak.Load() {
				peak.Store(g)
			}
			select {
			case <-t.C:
			case <-done:
				return
			}
		}
	}()
	return func() { close(done); <-finished }
}
