package webhook

import (
	"container/heap"
	"context"
	"errors"
	"sync"
	"time"
)

// DefaultMaxInFlight bounds the attempts an Engine runs at once.
const DefaultMaxInFlight = 512

// ErrEngineClosed is returned by Submit after Close or once Run has ended.
var ErrEngineClosed = errors.New("delivery engine is closed")

// Engine runs many deliveries at once, each on its own schedule. One
// scheduler goroutine holds every delivery that waits for its next attempt
// in a heap ordered by due time, with a single timer for the earliest; it
// hands due attempts to a pool of worker goroutines, started as needed and
// never more than maxInFlight, which live until Run returns. Memory
// therefore grows with the records, not with goroutines or timers.
type Engine struct {
	sender      *Sender
	maxInFlight int
	epoch       time.Time // Tickets' due times count from it

	mu      sync.Mutex
	closed  bool
	started bool
	queue   []*Ticket     // submitted, not yet taken by Run
	wake    chan struct{} // a token when queue has grown
	stop    chan struct{} // closed by Close
}

// Ticket follows one delivery submitted to an Engine. It keeps the
// delivery's record in compact form (a journal) for as long as the
// caller holds the Ticket; Delivery builds the plain record from it.
type Ticket struct {
	rec journal
	pd  prepared // dropped when the delivery ends
	due int64    // of the next attempt, while the delivery waits: ns since Engine.epoch

	mu    sync.Mutex
	done  chan struct{} // made by the first call of Done
	ended bool
}

// closedChan is the Done channel of tickets whose delivery ended before anyone
// asked for one.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// Done is closed when the delivery has ended.
func (t *Ticket) Done() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done == nil {
		if t.ended {
			return closedChan
		}
		t.done = make(chan struct{})
	}
	return t.done
}

// Delivery returns the record of the delivery: once Done is closed, the
// final one; before, the record so far. Each call builds a new *Delivery
// that the caller owns (the Ticket keeps only a compact form), so keep the
// result rather than call Delivery again for each field. It is safe to
// call from any goroutine at any time.
func (t *Ticket) Delivery() *Delivery { return t.rec.delivery() }

// end marks the delivery ended, dropping what only its attempts needed.
func (t *Ticket) end() {
	t.pd = prepared{}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ended = true
	if t.done != nil {
		close(t.done)
	}
}

// NewEngine returns an engine that sends with s, running at most
// maxInFlight attempts at once; deliveries waiting between attempts cost
// no goroutine. maxInFlight <= 0 means DefaultMaxInFlight. Call Run to
// start it.
func NewEngine(s *Sender, maxInFlight int) *Engine {
	if maxInFlight <= 0 {
		maxInFlight = DefaultMaxInFlight
	}
	return &Engine{sender: s, maxInFlight: maxInFlight, epoch: s.clock.Now(),
		wake: make(chan struct{}, 1), stop: make(chan struct{})}
}

// DeliveryOptions are the settings of one delivery that override the
// sender's policy, for callers such as the emulated API whose transcripts
// each carry their own webhook settings. The zero value keeps the policy.
type DeliveryOptions struct {
	// Auth replaces the policy's auth header for this delivery (D-8); nil
	// keeps the policy's.
	Auth *AuthHeader
	// Decided, when set, is asked after each attempt the policy would
	// retry: true ends the delivery there as Stopped, recording the
	// attempts not made. A checker whose verdict reads the first attempt
	// uses it not to wait through a schedule whose end it does not need.
	Decided func(Attempt) bool
	// MessageID, for a signed delivery, is the message id its attempts
	// carry (webhook-id, SW-1), e.g. a captured one replayed; empty
	// makes one from the delivery's id.
	MessageID string
}

// Submit queues a delivery of n to target under the sender's policy, as
// overridden by o; its first attempt starts as soon as a slot is free.
// observe is told about the delivery as it runs. Submit fails for a bad
// target or auth header, or after Close.
func (e *Engine) Submit(target string, n Notification, o DeliveryOptions, observe Observer) (*Ticket, error) {
	t := &Ticket{}
	pd, err := e.sender.prepare(&t.rec, target, n, o, observe)
	if err != nil {
		return nil, err
	}
	t.pd = pd
	t.rec.head.StartedAt = e.sender.clock.Now()
	t.due = e.since(t.rec.head.StartedAt)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, ErrEngineClosed
	}
	e.queue = append(e.queue, t)
	select {
	case e.wake <- struct{}{}:
	default:
	}
	return t, nil
}

// since returns t as a Ticket's due time: an int64 rather than a
// time.Time saves 16 bytes per pending delivery, and durations since epoch
// keep the monotonic clock's ordering.
func (e *Engine) since(t time.Time) int64 { return int64(t.Sub(e.epoch)) }

// take returns the submitted deliveries not yet taken; with last, it also
// closes the engine so that none can follow.
func (e *Engine) take(last bool) []*Ticket {
	e.mu.Lock()
	defer e.mu.Unlock()
	q := e.queue
	e.queue = nil
	if last && !e.closed {
		e.closed = true
		close(e.stop)
	}
	return q
}

// Close stops Submit; Run returns once every submitted delivery has ended.
func (e *Engine) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.closed {
		e.closed = true
		close(e.stop)
	}
}

// Run schedules deliveries until Close has been called and all have ended,
// or until ctx ends: then attempts in flight are cancelled and every
// delivery not yet ended is recorded as Cancelled. Run may be called once.
func (e *Engine) Run(ctx context.Context) error {
	e.mu.Lock()
	if e.started {
		e.mu.Unlock()
		return errors.New("delivery engine: Run called twice")
	}
	e.started = true
	e.mu.Unlock()

	s := e.sender
	var (
		waiting  dueHeap                              // deliveries between attempts
		ready    []*Ticket                            // due, waiting for a slot
		inFlight int                                  // attempts running
		results  = make(chan *Ticket, e.maxInFlight)  // attempts that ended and need another
		finished = make(chan struct{}, e.maxInFlight) // attempts that ended their delivery
		work     = make(chan *Ticket)                 // attempts for idle workers
		workers  int                                  // workers started
		wg       sync.WaitGroup                       // the workers
		timer    = s.clock.NewTimer(time.Hour)
		stop     = e.stop
	)
	defer timer.Stop()
	timer.Stop()
	var (
		armed    bool  // the timer runs
		armedFor int64 // for this due time
	)
	defer func() {
		close(work)
		wg.Wait()
	}()

	// A worker runs attempts until Run returns. results and finished hold
	// maxInFlight, so a worker never waits for the scheduler.
	worker := func(t *Ticket) {
		defer wg.Done()
		for ; t != nil; t = <-work {
			wait, done := s.step(ctx, &t.pd)
			if done {
				t.end()
				finished <- struct{}{}
				continue
			}
			t.due = e.since(s.clock.Now()) + int64(wait) // P-2: from the end of the attempt
			results <- t
		}
	}
	launch := func(t *Ticket) {
		inFlight++
		select {
		case work <- t:
		default:
			if workers < e.maxInFlight {
				workers++
				wg.Add(1)
				go worker(t)
				return
			}
			// Fewer than MaxInFlight attempts run, so a worker has handed
			// in its result and is on its way back.
			work <- t
		}
	}
	for {
		// Move what is due into the ready queue, then fill free slots.
		now := e.since(s.clock.Now())
		for waiting.Len() > 0 && waiting[0].due <= now {
			ready = append(ready, heap.Pop(&waiting).(*Ticket))
		}
		for len(ready) > 0 && inFlight < e.maxInFlight {
			launch(ready[0])
			ready[0] = nil
			ready = ready[1:]
		}
		if stop == nil && waiting.Len() == 0 && len(ready) == 0 && inFlight == 0 {
			if rest := e.take(true); len(rest) > 0 {
				ready = append(ready, rest...)
				continue
			}
			return nil
		}
		if waiting.Len() > 0 && (!armed || waiting[0].due != armedFor) {
			timer.Stop()
			armed, armedFor = true, waiting[0].due
			timer.Reset(time.Duration(armedFor - now))
		}
		select {
		case <-e.wake:
			ready = append(ready, e.take(false)...)
		case ts := <-results:
			inFlight--
			heap.Push(&waiting, ts)
		case <-finished:
			inFlight--
		case <-timer.C():
			armed = false
		case <-stop:
			stop = nil
			ready = append(ready, e.take(false)...)
		case <-ctx.Done():
			e.cancelAll(waiting, ready, inFlight, results, finished)
			return ctx.Err()
		}
	}
}

// cancelAll records every delivery not yet ended as Cancelled once the
// attempts in flight (whose context is already done) have returned.
func (e *Engine) cancelAll(waiting dueHeap, ready []*Ticket, inFlight int, results chan *Ticket, finished chan struct{}) {
	cancel := func(t *Ticket) {
		e.sender.finish(&t.pd, Cancelled)
		t.end()
	}
	for _, ts := range waiting {
		cancel(ts)
	}
	for _, ts := range ready {
		cancel(ts)
	}
	for ; inFlight > 0; inFlight-- {
		select {
		case ts := <-results:
			cancel(ts)
		case <-finished:
		}
	}
	for _, ts := range e.take(true) {
		cancel(ts)
	}
}

// dueHeap orders waiting deliveries by due time.
type dueHeap []*Ticket

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].due < h[j].due }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(*Ticket)) }
func (h *dueHeap) Pop() any {
	old := *h
	n := len(old)
	ts := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	return ts
}
