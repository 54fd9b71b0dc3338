package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Engine tests: many deliveries at once over memnet inside synctest
// bubbles, so the full real-time policy (10 s waits, D-4, P-2) runs in
// virtual time.

// startEngine runs e in the background and returns a channel with Run's
// result.
func startEngine(ctx context.Context, e *webhook.Engine) <-chan error {
	ran := make(chan error, 1)
	go func() { ran <- e.Run(ctx) }()
	return ran
}

func submitN(t *testing.T, e *webhook.Engine, target string, n int) []*webhook.Ticket {
	t.Helper()
	out := make([]*webhook.Ticket, 0, n)
	for range n {
		tk, err := e.Submit(target, completed(t), webhook.DeliveryOptions{}, webhook.Observer{})
		require.NoError(t, err)
		out = append(out, tk)
	}
	return out
}

// concurrency counts requests a handler is serving at once.
type concurrency struct {
	now, peak atomic.Int64
	next      http.Handler
}

func (c *concurrency) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := c.now.Add(1)
	for {
		p := c.peak.Load()
		if n <= p || c.peak.CompareAndSwap(p, n) {
			break
		}
	}
	defer c.now.Add(-1)
	c.next.ServeHTTP(w, r)
}

func TestEngineThousandAlways500WithBoundedInFlight(t *testing.T) { // D-4, D-6, P-2
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		conc := &concurrency{next: status(500, time.Second)} // each answer takes 1 s
		url, _ := r.serve(t, conc)
		e := webhook.NewEngine(r.sender, 50)
		ran := startEngine(context.Background(), e)
		tickets := submitN(t, e, url, 1000)
		e.Close()
		require.NoError(t, <-ran)

		assert.LessOrEqual(t, conc.peak.Load(), int64(50), "MaxInFlight bounds attempts at once")
		assert.Equal(t, int64(50), conc.peak.Load(), "and the engine uses every slot")
		for _, tk := range tickets {
			d := tk.Delivery()
			require.Equal(t, webhook.Exhausted, d.Outcome)
			require.Len(t, d.Attempts, 10)
			require.Equal(t, 500, *d.WebhookStatusCode)
			for i := 1; i < len(d.Attempts); i++ {
				prev, cur := d.Attempts[i-1], d.Attempts[i]
				gap := cur.StartedAt.Sub(prev.StartedAt.Add(prev.Duration))
				require.GreaterOrEqual(t, gap, 10*time.Second, "P-2: 10 s from the end of one attempt to the next")
			}
		}
	})
}

// submitKeyed submits n deliveries to base, each with its own key in the
// query string (which arrives unchanged, D-9).
func submitKeyed(t *testing.T, e *webhook.Engine, base string, n int) []*webhook.Ticket {
	t.Helper()
	out := make([]*webhook.Ticket, 0, n)
	for i := range n {
		tk, err := e.Submit(fmt.Sprintf("%s&key=%d", base, i), completed(t), webhook.DeliveryOptions{}, webhook.Observer{})
		require.NoError(t, err)
		out = append(out, tk)
	}
	return out
}

// perDelivery answers by the mode in the query: 200 (ok), 404 (missing),
// or 500 to the first three attempts of each delivery and then 200
// (flaky). A delivery is told apart by its whole query string.
func perDelivery() http.Handler {
	var mu sync.Mutex
	seen := map[string]int{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.RawQuery]++
		n := seen[r.URL.RawQuery]
		mu.Unlock()
		switch {
		case r.URL.Query().Get("mode") == "ok":
			w.WriteHeader(http.StatusOK)
		case r.URL.Query().Get("mode") == "missing":
			w.WriteHeader(http.StatusNotFound)
		case n <= 3:
			w.WriteHeader(http.StatusInternalServerError)
		default:
			w.WriteHeader(http.StatusOK)
		}
	})
}

func TestEngineMixedReceivers(t *testing.T) { // D-3, D-4, D-5
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		url, _ := r.serve(t, perDelivery())
		e := webhook.NewEngine(r.sender, 8)
		ran := startEngine(context.Background(), e)
		ok := submitKeyed(t, e, url+"?mode=ok", 100)
		missing := submitKeyed(t, e, url+"?mode=missing", 100)
		flaky := submitKeyed(t, e, url+"?mode=flaky", 100)
		e.Close()
		require.NoError(t, <-ran)
		for _, tk := range ok {
			d := tk.Delivery()
			assert.Equal(t, webhook.Delivered, d.Outcome)
			assert.Len(t, d.Attempts, 1)
		}
		for _, tk := range missing {
			d := tk.Delivery()
			assert.Equal(t, webhook.Rejected, d.Outcome, "D-5: a 4xx is never retried")
			assert.Len(t, d.Attempts, 1)
			assert.Equal(t, 404, *d.WebhookStatusCode)
		}
		for _, tk := range flaky {
			d := tk.Delivery()
			assert.Equal(t, webhook.Delivered, d.Outcome)
			require.Len(t, d.Attempts, 4)
			assert.Equal(t, seconds(0, 10, 20, 30), starts(d))
			assert.Equal(t, 200, *d.WebhookStatusCode)
		}
	})
}

func TestEngineCancelRecordsCancelledPromptly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		failing, _ := r.serve(t, status(500, 0))
		hanging, _ := r.serve(t, status(0, 0))
		// Slots for all: no delivery waits for one, so the schedule is exact.
		e := webhook.NewEngine(r.sender, 200)
		ctx, cancel := context.WithCancel(context.Background())
		ran := startEngine(ctx, e)
		begin := time.Now()
		waiting := submitN(t, e, failing, 100) // attempts at 0, 10, 20 s; waiting at 25 s
		inFlight := submitN(t, e, hanging, 20) // attempts at 0 and 20 s; in flight at 25 s

		time.Sleep(25 * time.Second)
		cancel()
		require.ErrorIs(t, <-ran, context.Canceled)
		assert.Equal(t, 25*time.Second, time.Since(begin), "Run returns at once")
		requireAllCancelledAt(t, begin.Add(25*time.Second), waiting, inFlight)
		assert.Len(t, waiting[0].Delivery().Attempts, 3, "attempts at 0, 10, 20 s")
		last := inFlight[0].Delivery().LastAttempt()
		assert.Equal(t, 2, last.Number)
		assert.Equal(t, webhook.ErrAttemptStopped, last.Failure, "the attempt in flight is stopped")
		assert.Equal(t, 5*time.Second, last.Duration)

		_, err := e.Submit(failing, completed(t), webhook.DeliveryOptions{}, webhook.Observer{})
		assert.ErrorIs(t, err, webhook.ErrEngineClosed)
	})
}

func TestEngineCancelRecordsQueuedDeliveriesToo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		hanging, _ := r.serve(t, status(0, 0))
		e := webhook.NewEngine(r.sender, 1)
		ctx, cancel := context.WithCancel(context.Background())
		ran := startEngine(ctx, e)
		begin := time.Now()
		tickets := submitN(t, e, hanging, 6) // one slot: five never start
		time.Sleep(5 * time.Second)
		cancel()
		require.ErrorIs(t, <-ran, context.Canceled)
		requireAllCancelledAt(t, begin.Add(5*time.Second), tickets)
		assert.Len(t, tickets[0].Delivery().Attempts, 1)
		for _, tk := range tickets[1:] {
			assert.Empty(t, tk.Delivery().Attempts)
			assert.Nil(t, tk.Delivery().WebhookStatusCode)
		}
		_, err := e.Submit(hanging, completed(t), webhook.DeliveryOptions{}, webhook.Observer{})
		assert.ErrorIs(t, err, webhook.ErrEngineClosed)
	})
}

func requireAllCancelledAt(t *testing.T, at time.Time, groups ...[]*webhook.Ticket) {
	t.Helper()
	for _, group := range groups {
		for _, tk := range group {
			select {
			case <-tk.Done():
			default:
				t.Fatal("a delivery was left pending")
			}
			d := tk.Delivery()
			assert.Equal(t, webhook.Cancelled, d.Outcome)
			assert.Equal(t, at, d.EndedAt, "ended when the run was cancelled")
		}
	}
}

func TestEngineCloseThenRunReturnsWhenAllHaveEnded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		url, _ := r.serve(t, perDelivery())
		e := webhook.NewEngine(r.sender, 0)
		tickets := submitKeyed(t, e, url+"?mode=flaky", 50)
		e.Close() // before Run: what was submitted still runs to its end
		_, err := e.Submit(url, completed(t), webhook.DeliveryOptions{}, webhook.Observer{})
		assert.ErrorIs(t, err, webhook.ErrEngineClosed)

		begin := time.Now()
		require.NoError(t, e.Run(context.Background()))
		assert.Equal(t, 30*time.Second, time.Since(begin), "three 10 s waits, then done")
		for _, tk := range tickets {
			select {
			case <-tk.Done():
			default:
				t.Fatal("Run returned before a delivery ended")
			}
			assert.Equal(t, webhook.Delivered, tk.Delivery().Outcome)
		}
		assert.Error(t, e.Run(context.Background()), "Run may be called once")
	})
}

func TestEngineRunWithNothingSubmitted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		e := webhook.NewEngine(r.sender, 0)
		ran := startEngine(context.Background(), e)
		time.Sleep(time.Minute)
		e.Close()
		require.NoError(t, <-ran)
	})
}

// A pending delivery's record can be read at any time, from any goroutine
// (the emulated API reads it right after Submit), and observers get plain
// attempts and the record so far, although the engine keeps its records
// in a compact form.
func TestEngineRecordWhilePending(t *testing.T) { // P-2, P-5
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, webhook.DefaultPolicy())
		url, _ := r.serve(t, failFirst(2))
		e := webhook.NewEngine(r.sender, 4)
		ran := startEngine(context.Background(), e)
		var (
			mu    sync.Mutex
			seen  []webhook.Attempt
			sofar []int // len(d.Attempts) of each OnAttempt's record
			final *webhook.Delivery
		)
		tk, err := e.Submit(url, completed(t), webhook.DeliveryOptions{}, webhook.Observer{
			OnAttempt: func(d *webhook.Delivery, a webhook.Attempt) {
				mu.Lock()
				defer mu.Unlock()
				seen, sofar = append(seen, a), append(sofar, len(d.Attempts))
				assert.Equal(t, a, d.LastAttempt())
			},
			OnDone: func(d *webhook.Delivery) { final = d },
		})
		require.NoError(t, err)
		assert.Equal(t, webhook.Outcome(""), tk.Delivery().Outcome, "read at once, as simulator/api does")

		time.Sleep(15 * time.Second) // attempts at 0 and 10 s; the next at 20 s
		d := tk.Delivery()
		require.Len(t, d.Attempts, 2)
		assert.Equal(t, 500, *d.WebhookStatusCode)
		assert.Equal(t, 10*time.Second, d.Attempts[0].WaitAfter)
		d.Attempts[0].StatusCode = 999
		assert.Equal(t, 500, tk.Delivery().Attempts[0].StatusCode, "each record is the caller's own")

		e.Close()
		require.NoError(t, <-ran)
		<-tk.Done()
		d = tk.Delivery()
		assert.Equal(t, webhook.Delivered, d.Outcome)
		assert.Equal(t, seen, d.Attempts)
		assert.Equal(t, []int{1, 2, 3}, sofar)
		assert.Equal(t, d, final)
		assert.Equal(t, 200, *d.WebhookStatusCode)
	})
}
