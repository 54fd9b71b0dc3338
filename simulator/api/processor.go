package api

import (
	"container/heap"
	"context"
	"sync"
	"time"

	"github.com/hookcheck/hookcheck/simulator/clock"
)

// processor ends each transcript's processing when its delay has passed.
// One goroutine (Run) holds every transcript in processing in a heap
// ordered by due time, with a single clock timer for the earliest, so a
// thousand transcripts in processing cost no goroutine or timer each.
type processor struct {
	clock  clock.Clock
	finish func(id string)

	mu      sync.Mutex
	pending []job // added, not yet taken by Run
	wake    chan struct{}
}

type job struct {
	id  string
	due time.Time
	seq uint64 // keeps submission order among equal due times
}

// newProcessor returns a processor that calls finish(id) from Run's
// goroutine when a transcript is due.
func newProcessor(c clock.Clock, finish func(id string)) *processor {
	return &processor{clock: c, finish: finish, wake: make(chan struct{}, 1)}
}

// add schedules id to finish at due.
func (p *processor) add(id string, due time.Time) {
	p.mu.Lock()
	p.pending = append(p.pending, job{id: id, due: due})
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *processor) take() []job {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.pending
	p.pending = nil
	return q
}

// run finishes transcripts as they fall due, until ctx ends.
func (p *processor) run(ctx context.Context) {
	var (
		h        jobHeap
		seq      uint64
		timer    = p.clock.NewTimer(time.Hour)
		armedFor time.Time
	)
	timer.Stop()
	defer timer.Stop()
	for {
		for _, j := range p.take() {
			seq++
			j.seq = seq
			heap.Push(&h, j)
		}
		now := p.clock.Now()
		for h.Len() > 0 && !h[0].due.After(now) {
			p.finish(heap.Pop(&h).(job).id)
		}
		if h.Len() > 0 && !h[0].due.Equal(armedFor) {
			timer.Stop()
			armedFor = h[0].due
			timer.Reset(armedFor.Sub(now))
		}
		select {
		case <-p.wake:
		case <-timer.C():
			armedFor = time.Time{}
		case <-ctx.Done():
			return
		}
	}
}

// jobHeap orders jobs by due time, then by submission.
type jobHeap []job

func (h jobHeap) Len() int { return len(h) }
func (h jobHeap) Less(i, j int) bool {
	if h[i].due.Equal(h[j].due) {
		return h[i].seq < h[j].seq
	}
	return h[i].due.Before(h[j].due)
}
func (h jobHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *jobHeap) Push(x any)   { *h = append(*h, x.(job)) }
func (h *jobHeap) Pop() any {
	old := *h
	j := old[len(old)-1]
	*h = old[:len(old)-1]
	return j
}
