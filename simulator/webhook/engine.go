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

// EngineOptions tune an Engine.
type EngineOptions struct {
	// MaxInFlight bounds the attempts running at once; deliveries waiting
	// between attempts cost no goroutine. Zero means DefaultMaxInFlight.
	MaxInFlight int
}

// Engine runs many deliveries at once, each on its own schedule. One
// scheduler goroutine holds every delivery that waits for its next attempt
// in a heap ordered by due time, with a single timer for the earliest; an
// attempt runs in a goroutine only while it is in flight, at most
// MaxInFlight at a time. Memory therefore grows with the records, not with
// goroutines or timers.
type Engine struct {
	sender      *Sender
	maxInFlight int

	mu      sync.Mutex
	closed  bool
	started bool
	queue   []*ticketState // submitted, not yet taken by Run
	wake    chan struct{}  // a token when queue has grown
	stop    chan struct{}  // closed by Close
}

// Ticket follows one delivery submitted to an Engine.
type Ticket struct {
	done chan struct{}
	pd   *prepared
}

// Done is closed when the delivery has ended.
func (t *Ticket) Done() <-chan struct{} { return t.done }

// Delivery returns the record; call it only after Done is closed.
func (t *Ticket) Delivery() *Delivery { return t.pd.record }

type ticketState struct {
	ticket *Ticket
	due    time.Time
	index  int
}

// NewEngine returns an engine that sends with s. Call Run to start it.
func NewEngine(s *Sender, o EngineOptions) *Engine {
	n := o.MaxInFlight
	if n <= 0 {
		n = DefaultMaxInFlight
	}
	return &Engine{sender: s, maxInFlight: n, wake: make(chan struct{}, 1), stop: make(chan struct{})}
}

// Submit queues a delivery of n to target; its first attempt starts as soon
// as a slot is free. It fails for a bad target or after Close.
func (e *Engine) Submit(target string, n Notification, observe Observer) (*Ticket, error) {
	return e.SubmitWith(target, n, DeliveryOptions{}, observe)
}

// DeliveryOptions are the settings of one delivery that override the
// engine's policy, for callers such as the emulated API whose transcripts
// each carry their own webhook settings.
type DeliveryOptions struct {
	// Auth replaces the policy's auth header for this delivery (D-8); nil
	// keeps the policy's.
	Auth *AuthHeader
}

// SubmitWith is Submit with per-delivery settings.
func (e *Engine) SubmitWith(target string, n Notification, o DeliveryOptions, observe Observer) (*Ticket, error) {
	pd, err := e.sender.prepareWith(target, n, o, observe)
	if err != nil {
		return nil, err
	}
	t := &Ticket{done: make(chan struct{}), pd: pd}
	pd.record.StartedAt = e.sender.clock.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, ErrEngineClosed
	}
	e.queue = append(e.queue, &ticketState{ticket: t, due: pd.record.StartedAt})
	select {
	case e.wake <- struct{}{}:
	default:
	}
	return t, nil
}

// take returns the submitted deliveries not yet taken; with last, it also
// closes the engine so that none can follow.
func (e *Engine) take(last bool) []*ticketState {
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
		waiting  dueHeap                   // deliveries between attempts
		ready    []*ticketState            // due, waiting for a slot
		inFlight int                       // attempts running
		results  = make(chan *ticketState) // attempts that ended and need another
		finished = make(chan struct{})     // attempts that ended their delivery
		timer    = s.clock.NewTimer(time.Hour)
		stop     = e.stop
	)
	defer timer.Stop()
	timer.Stop()
	var armedFor time.Time

	launch := func(ts *ticketState) {
		inFlight++
		go func() {
			wait, done := s.step(ctx, ts.ticket.pd)
			if done {
				close(ts.ticket.done)
				finished <- struct{}{}
				return
			}
			ts.due = s.clock.Now().Add(wait) // P-2: from the end of the attempt
			results <- ts
		}()
	}
	for {
		// Move what is due into the ready queue, then fill free slots.
		now := s.clock.Now()
		for waiting.Len() > 0 && !waiting[0].due.After(now) {
			ready = append(ready, heap.Pop(&waiting).(*ticketState))
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
		if waiting.Len() > 0 && !waiting[0].due.Equal(armedFor) {
			timer.Stop()
			armedFor = waiting[0].due
			timer.Reset(armedFor.Sub(now))
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
			armedFor = time.Time{}
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
func (e *Engine) cancelAll(waiting dueHeap, ready []*ticketState, inFlight int, results chan *ticketState, finished chan struct{}) {
	cancel := func(ts *ticketState) {
		e.sender.finish(ts.ticket.pd, Cancelled)
		close(ts.ticket.done)
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
type dueHeap []*ticketState

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *dueHeap) Push(x any) {
	ts := x.(*ticketState)
	ts.index = len(*h)
	*h = append(*h, ts)
}
func (h *dueHeap) Pop() any {
	old := *h
	n := len(old)
	ts := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	return ts
}
