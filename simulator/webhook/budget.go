package webhook

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
)

// DefaultBodyBudget is how many bytes of answer bodies a run keeps in all,
// across its senders: 256 MiB. The built-in suite with full schedules
// against a receiver that answers every attempt with the most the
// built-in profile keeps (64 KiB, P-1) keeps about 55 MiB; one that
// answers an endless body read up to 50 MiB per attempt would keep over
// 4 GiB, and the reports hold each body several times over while they
// are written (a 512 MiB budget measured 4.3 GB at its peak).
const DefaultBodyBudget = 256 << 20

// BodyBudget is a memory guard: it bounds the answer body bytes that the
// senders sharing it (Options.BodyBudget) read and keep, in all. Each
// answer is read up to Policy.MaxBodyBytes; the budget measures what was
// read. When it is spent, no more body is read (the attempt's body is
// marked truncated) and OnSpent is called once with a *BodyBudgetError,
// so that the run can end early, as incomplete, with its files written,
// rather than be killed for want of memory. It is safe for concurrent
// use.
type BodyBudget struct {
	limit   int64
	used    atomic.Int64
	once    sync.Once
	onSpent func(error)
}

// NewBodyBudget returns a budget of limit bytes (DefaultBodyBudget when
// limit is not positive); onSpent, which may be nil, is called once when
// it is spent.
func NewBodyBudget(limit int64, onSpent func(error)) *BodyBudget {
	if limit <= 0 {
		limit = DefaultBodyBudget
	}
	return &BodyBudget{limit: limit, onSpent: onSpent}
}

// Used returns the body bytes read so far.
func (b *BodyBudget) Used() int64 { return b.used.Load() }

// Spent reports whether the budget is spent.
func (b *BodyBudget) Spent() bool { return b.used.Load() >= b.limit }

// take charges n bytes; it reports false, and calls OnSpent once, when
// they reach the limit.
func (b *BodyBudget) take(n int64) bool {
	if b.used.Add(n) < b.limit {
		return true
	}
	b.once.Do(func() {
		if b.onSpent != nil {
			b.onSpent(&BodyBudgetError{Limit: b.limit})
		}
	})
	return false
}

// BodyBudgetError says the memory guard ended the run.
type BodyBudgetError struct {
	// Limit is the budget, in bytes.
	Limit int64
}

func (e *BodyBudgetError) Error() string {
	return fmt.Sprintf("memory guard: the receiver's answer bodies reached the budget of %s kept in memory "+
		"(each answer is read up to the profile's max_body_bytes); the run stopped before it would run out of memory",
		formatBytes(e.Limit))
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// errBodyBudget ends the reading of a body when the budget is spent.
var errBodyBudget = errors.New("body budget spent")

// budgetReader charges what it reads to a budget and stops reading once
// the budget is spent; it reads no more than the budget has left, so
// readers that share it overshoot it by at most what is in flight at once.
type budgetReader struct {
	r io.Reader
	b *BodyBudget
}

func (r budgetReader) Read(p []byte) (int, error) {
	rem := r.b.limit - r.b.used.Load()
	if rem <= 0 {
		return 0, errBodyBudget
	}
	// Never read past what is left: a reader's buffer grows (io.ReadAll
	// doubles it), and one read must not overshoot the budget by its size.
	if int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := r.r.Read(p)
	if !r.b.take(int64(n)) && err == nil {
		err = errBodyBudget
	}
	return n, err
}
