package receiver

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of the load behaviours' Params: a pool of 4 workers, each
// request 100 ms of work, so a capacity of 40 requests a second.
const (
	// DefaultPoolSize is the workers (or database connections) of the
	// load behaviours.
	DefaultPoolSize = 4
	// DefaultPoolWork is the work each request takes.
	DefaultPoolWork = 100 * time.Millisecond
	// PoolCheckoutTimeout is how long pool-dry-500 waits for a database
	// connection before it gives up with a 500, as a connection pool's
	// checkout timeout does.
	PoolCheckoutTimeout = time.Second
	// QueueDepth is how many notifications queue-first's queue holds
	// before it answers 503.
	QueueDepth = 1_000_000
)

// poolParams returns the pool size and the work per request of p.
func poolParams(p Params) (int, time.Duration) {
	return orDefault(p.Limit, DefaultPoolSize), orDefault(p.Delay, DefaultPoolWork)
}

// newPoolQueue is a fixed pool of workers in front of an unbounded queue,
// as a server with a few synchronous workers has (gunicorn's sync
// workers, a thread pool with a backlog): past its capacity every request
// waits longer than the one before, and a worker still does the work of a
// request whose client has left, because it does not look before it
// works. The latency climbs, then every answer misses the deadline and
// AssemblyAI sends it again (D-3, D-4): the retry storm.
func newPoolQueue(cfg Config, p Params) http.Handler {
	b := newBase(cfg)
	size, work := poolParams(p)
	workers := make(chan struct{}, size) // a channel: waiting is durable in a synctest bubble
	return b.handler(func(w http.ResponseWriter, r *http.Request, _ payload) {
		workers <- struct{}{}
		_ = b.cfg.Sleep(context.WithoutCancel(r.Context()), work)
		<-workers
		w.WriteHeader(http.StatusOK)
	})
}

// newShed429 admits as many requests at once as it has workers and
// answers 429 to the rest at once, as a rate limiter or a load-shedding
// middleware does. AssemblyAI never retries a 4xx (D-5, P-6): every 429
// is a notification lost.
func newShed429(cfg Config, p Params) http.Handler {
	b := newBase(cfg)
	size, work := poolParams(p)
	var busy atomic.Int64
	return b.handler(func(w http.ResponseWriter, r *http.Request, _ payload) {
		if busy.Add(1) > int64(size) {
			busy.Add(-1)
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		defer busy.Add(-1)
		if b.wait(r, work) != nil {
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// newPoolDry500 is a handler that needs a database connection from a
// fixed pool for each request: past the pool's capacity a request waits
// PoolCheckoutTimeout for one, then fails with a 500 (SQLAlchemy's
// "QueuePool limit reached", HikariCP's "Connection is not available").
// AssemblyAI retries a 5xx 10 s later (D-4), so each failure comes back
// on top of the new load: the retries amplify it.
func newPoolDry500(cfg Config, p Params) http.Handler {
	b := newBase(cfg)
	size, work := poolParams(p)
	conns := make(chan struct{}, size)
	return b.handler(func(w http.ResponseWriter, r *http.Request, _ payload) {
		t := time.NewTimer(PoolCheckoutTimeout)
		defer t.Stop()
		select {
		case conns <- struct{}{}:
		case <-t.C:
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte("connection pool exhausted: no connection within " + PoolCheckoutTimeout.String() + "\n"))
			return
		case <-r.Context().Done():
			return
		}
		defer func() { <-conns }()
		if b.wait(r, work) != nil {
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// newQueueFirst records each notification in a queue and answers 200 at
// once; p.Limit workers take p.Delay each over the queue, off the request
// path. Past the workers' capacity its backlog grows, not its answer time:
// it holds (RC-11's remediation). The queue is modelled by its length
// alone, drained as time passes, so it holds no goroutine; when it holds
// QueueDepth notifications it answers 503, which AssemblyAI retries.
func newQueueFirst(cfg Config, p Params) http.Handler {
	b := newBase(cfg)
	size, work := poolParams(p)
	perSecond := float64(size) * float64(time.Second) / float64(work)
	var (
		mu      sync.Mutex
		backlog float64
		last    time.Time
	)
	return b.handler(func(w http.ResponseWriter, r *http.Request, _ payload) {
		now := time.Now()
		mu.Lock()
		if !last.IsZero() {
			backlog = max(0, backlog-now.Sub(last).Seconds()*perSecond)
		}
		last = now
		full := backlog >= QueueDepth
		if !full {
			backlog++
		}
		depth := int64(backlog)
		mu.Unlock()
		w.Header().Set("X-Queue-Depth", strconv.FormatInt(depth, 10))
		if full {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
