package steps

import (
	"context"
	"sync"
)

// Gate gives the isolated scenarios of a run (RC-15, RC-16, RC-19) the
// receiver to themselves without making the run wait for the scenarios
// that idle by design: a redelivery one retry interval later (RC-04,
// RC-22) sends nothing for 10 s, and an isolated scenario may run in that
// window, as long as no other request is in flight meanwhile.
//
// The other scenarios of the concurrent pass hold the receiver shared:
// from their start (Enter) to their end (Leave), except while they idle
// (Idle, then Resume before their next request). An isolated scenario
// holds it alone (Exclusive, then Release): it waits until every shared
// scenario has started and none holds the receiver, and while it holds
// it, a shared scenario that wants to resume waits. So an isolated
// scenario never overlaps another scenario's traffic, and a redelivery
// may come later than one interval after the first delivery (never
// earlier), which is still a redelivery.
//
// A nil *Gate does nothing: every method returns at once.
type Gate struct {
	mu      sync.Mutex
	pending int  // shared scenarios that have not started yet
	shared  int  // shared scenarios holding the receiver now
	alone   bool // an isolated scenario holds it
	// changed is closed, and replaced, whenever the state changes. A
	// channel, not a sync.Cond: a waiter is durably blocked in a synctest
	// bubble, so virtual time moves on.
	changed chan struct{}
}

// NewGate returns the gate of a run whose concurrent pass has shared
// scenarios.
func NewGate(shared int) *Gate { return &Gate{pending: shared, changed: make(chan struct{})} }

// Enter starts a shared scenario: it waits while an isolated one holds
// the receiver.
func (g *Gate) Enter(ctx context.Context) error {
	return g.wait(ctx, func() bool { return !g.alone }, func() { g.pending--; g.shared++ })
}

// Resume ends a shared scenario's idle wait: it waits while an isolated
// one holds the receiver.
func (g *Gate) Resume(ctx context.Context) error {
	return g.wait(ctx, func() bool { return !g.alone }, func() { g.shared++ })
}

// Idle says a shared scenario sends nothing for a while.
func (g *Gate) Idle() { g.update(func() { g.shared-- }) }

// Leave ends a shared scenario.
func (g *Gate) Leave() { g.update(func() { g.shared-- }) }

// Exclusive starts an isolated scenario: it waits until every shared
// scenario has started and none holds the receiver.
func (g *Gate) Exclusive(ctx context.Context) error {
	return g.wait(ctx, func() bool { return g.pending <= 0 && g.shared == 0 && !g.alone }, func() { g.alone = true })
}

// Release ends an isolated scenario.
func (g *Gate) Release() { g.update(func() { g.alone = false }) }

// wait waits until ok holds, then applies take, both under the lock.
func (g *Gate) wait(ctx context.Context, ok func() bool, take func()) error {
	if g == nil {
		return nil
	}
	for {
		g.mu.Lock()
		if ok() {
			take()
			g.signal()
			g.mu.Unlock()
			return nil
		}
		ch := g.changed
		g.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

func (g *Gate) update(f func()) {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	f()
	g.signal()
}

// signal wakes every waiter; the caller holds mu.
func (g *Gate) signal() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// hold is what a scenario holds of the gate.
type hold int

const (
	holdNone   hold = iota
	holdShared      // Enter or Resume, until Idle or Leave
	holdAlone       // Exclusive, until Release
)

// EnterGate makes the scenario in ctx hold the run's gate: alone for an
// isolated scenario (it waits until the others idle or end), shared for
// any other (it waits while an isolated one runs). The suite calls it as
// each scenario of its concurrent or isolated pass starts, and LeaveGate
// as it ends.
func EnterGate(ctx context.Context, isolated bool) error {
	st, err := stateFrom[conformanceScenario](ctx)
	if err != nil || st.cfg.Gate == nil {
		return nil //nolint:nilerr // no scenario state: no gate to hold
	}
	if isolated {
		if err := st.cfg.Gate.Exclusive(ctx); err != nil {
			return err
		}
		st.holds = holdAlone
		return nil
	}
	if err := st.cfg.Gate.Enter(ctx); err != nil {
		return err
	}
	st.holds = holdShared
	return nil
}

// LeaveGate lets go of what the scenario in ctx holds of the gate.
func LeaveGate(ctx context.Context) {
	st, err := stateFrom[conformanceScenario](ctx)
	if err != nil {
		return
	}
	switch st.holds {
	case holdShared:
		st.cfg.Gate.Leave()
	case holdAlone:
		st.cfg.Gate.Release()
	}
	st.holds = holdNone
}

// idle lets go of a shared hold while the scenario sends nothing.
func (st *conformanceScenario) idle() {
	if st.holds == holdShared {
		st.cfg.Gate.Idle()
		st.holds = holdNone
	}
}

// resume takes the shared hold back before the scenario sends again.
func (st *conformanceScenario) resume(ctx context.Context) error {
	if st.cfg.Gate == nil || st.holds != holdNone {
		return nil
	}
	if err := st.cfg.Gate.Resume(ctx); err != nil {
		return err
	}
	st.holds = holdShared
	return nil
}
