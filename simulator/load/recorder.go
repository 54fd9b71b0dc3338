package load

import (
	"fmt"
	"sync"
	"time"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/clock"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// note is what a run keeps of one notification beside the engine's
// journal: when it was planned, and its window.
type note struct {
	planned time.Duration // from the start
	window  int32
}

// acc accumulates one second.
type acc struct {
	offered, ackFirst, ackRetry, retries, timeouts int64
	lost                                           Lost
	answer, lag                                    Histogram
}

// windowAcc accumulates the notifications planned in one window.
type windowAcc struct {
	offered, firstDone, ackFirst int64
	lost                         Lost
	first                        Histogram    // first-attempt answer times
	halves                       [2]Histogram // the same, by half of the window
	lag                          Histogram    // first-attempt lag
	judged                       bool
	verdict                      Window
}

// recorder turns attempts and deliveries into per-second and per-window
// figures. Every method is safe for concurrent use.
type recorder struct {
	plan    Plan
	clock   clock.Clock
	start   time.Time
	timeout time.Duration
	tr      *transport
	maxLost int

	mu                   sync.Mutex
	cur                  acc
	second               int // seconds closed
	lastSent             int64
	seconds              []Second
	windows              []windowAcc
	offeredAt            []int64 // by the second of their planned time
	answer, first, lag   Histogram
	offered              int64
	ackFirst, ackRetry   int64
	lost                 Lost
	cancelled            int64
	pending, peakPending int64
	lostList             []LostNotification
	lostNotListed        int64
	stoppedAt            *float64
}

func newRecorder(p Plan, clk clock.Clock, timeout time.Duration, tr *transport, maxLost int) *recorder {
	return &recorder{plan: p, clock: clk, start: clk.Now(), timeout: timeout, tr: tr, maxLost: maxLost,
		windows: make([]windowAcc, p.Windows()), offeredAt: make([]int64, int(p.Duration/time.Second)+1)}
}

// offer counts a notification planned at t.
func (r *recorder) offer(t time.Duration) *note {
	n := &note{planned: t, window: int32(r.plan.window(t))} //nolint:gosec // windows ≤ maxWindows
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cur.offered++
	r.offered++
	r.offeredAt[int(t/time.Second)]++
	r.windows[n.window].offered++
	r.pending++
	r.peakPending = max(r.peakPending, r.pending)
	return n
}

// withdraw uncounts a notification the engine refused.
func (r *recorder) withdraw(n *note) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cur.offered--
	r.offered--
	r.offeredAt[int(n.planned/time.Second)]--
	r.windows[n.window].offered--
	r.pending--
}

// attempt counts an attempt of n's delivery that has ended.
func (r *recorder) attempt(n *note, d *webhook.Delivery, a webhook.Attempt) {
	if a.Failure == webhook.ErrAttemptStopped {
		return // the run was cancelled: not an answer time
	}
	// The lag: how much later than planned the attempt started. The first
	// is planned by the plan; a retry, a wait after the end of the one
	// before (P-2).
	planned := r.start.Add(n.planned)
	if a.Number > 1 && a.Number-2 < len(d.Attempts) {
		prev := d.Attempts[a.Number-2]
		planned = prev.StartedAt.Add(prev.Duration + prev.WaitAfter)
	}
	lag := max(a.StartedAt.Sub(planned), 0)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cur.answer.Add(a.Duration)
	r.answer.Add(a.Duration)
	r.cur.lag.Add(lag)
	r.lag.Add(lag)
	if a.Failure == webhook.ErrTimeout {
		r.cur.timeouts++
	}
	if a.Number > 1 {
		r.cur.retries++
		return
	}
	w := &r.windows[n.window]
	w.firstDone++
	w.first.Add(a.Duration)
	w.lag.Add(lag)
	start := time.Duration(n.window) * r.plan.step()
	half := 0
	if n.planned-start >= r.plan.step()/2 {
		half = 1
	}
	w.halves[half].Add(a.Duration)
	r.first.Add(a.Duration)
	if a.Succeeded() {
		w.ackFirst++
	}
}

// done counts how n's delivery ended.
func (r *recorder) done(n *note, d *webhook.Delivery) {
	var lost Lost
	reason := ""
	switch d.Outcome {
	case webhook.Rejected:
		if last := lastStatus(d); last == 429 {
			lost.TooMany, reason = 1, "status_429"
		} else {
			lost.Other4xx, reason = 1, "other_4xx"
		}
	case webhook.Exhausted:
		lost.Exhausted, reason = 1, "exhausted"
	}
	at := r.clock.Now().Sub(r.start)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending--
	switch d.Outcome {
	case webhook.Delivered:
		if len(d.Attempts) == 1 {
			r.cur.ackFirst++
			r.ackFirst++
		} else {
			r.cur.ackRetry++
			r.ackRetry++
		}
		return
	case webhook.Cancelled, webhook.Stopped:
		r.cancelled++
		return
	}
	r.cur.lost.add(lost)
	r.lost.add(lost)
	r.windows[n.window].lost.add(lost)
	if len(r.lostList) >= r.maxLost {
		r.lostNotListed++
		return
	}
	r.lostList = append(r.lostList, LostNotification{TranscriptID: d.Notification.TranscriptID, SessionID: d.Notification.SessionID, DeliveryID: d.ID,
		Reason: reason, Status: lastStatus(d), Attempts: len(d.Attempts), AtS: at.Seconds()})
}

// lastStatus is the last HTTP status the delivery got; 0 when none.
func lastStatus(d *webhook.Delivery) int {
	for i := len(d.Attempts) - 1; i >= 0; i-- {
		if s := d.Attempts[i].StatusCode; s != 0 {
			return s
		}
	}
	return 0
}

// sample closes a second each second until done: it records the second,
// tells onSecond, and judges the windows whose notifications have all had
// their first attempt; with findLimit, the first window that does not
// hold closes stop.
func (r *recorder) sample(done <-chan struct{}, stop chan<- struct{}, findLimit bool, onSecond func(Second)) {
	timer := r.clock.NewTimer(time.Second)
	defer timer.Stop()
	stopped := false
	for {
		select {
		case <-timer.C():
		case <-done:
			r.closeSecond(onSecond)
			return
		}
		s := r.closeSecond(onSecond)
		timer.Reset(r.start.Add(time.Duration(s+1) * time.Second).Sub(r.clock.Now()))
		if failed := r.judgeReady(false); failed && findLimit && !stopped {
			stopped = true
			r.mu.Lock()
			at := r.clock.Now().Sub(r.start).Seconds()
			r.stoppedAt = &at
			r.mu.Unlock()
			close(stop)
		}
	}
}

// closeSecond records the second now ending and returns its number.
func (r *recorder) closeSecond(onSecond func(Second)) int {
	sent, inFlight := r.tr.sent.Load(), r.tr.inFlight.Load()
	r.mu.Lock()
	c := &r.cur
	r.second++
	s := Second{T: r.second, Offered: c.offered, Sent: sent - r.lastSent, InFlight: inFlight, Pending: r.pending,
		AckFirst: c.ackFirst, AckRetry: c.ackRetry, Retries: c.retries, Timeouts: c.timeouts, Lost: c.lost,
		P50MS: ms(c.answer.Percentile(50)), P95MS: ms(c.answer.Percentile(95)), P99MS: ms(c.answer.Percentile(99)),
		LagP99MS: ms(c.lag.Percentile(99))}
	if t := time.Duration(r.second-1) * time.Second; t < r.plan.Duration && r.stoppedAt == nil {
		s.PlannedRate = r.plan.RateAt(t)
	}
	r.lastSent = sent
	r.cur = acc{}
	r.seconds = append(r.seconds, s)
	r.mu.Unlock()
	if onSecond != nil {
		onSecond(s)
	}
	return s.T
}

// judgeReady judges every window not yet judged whose notifications have
// all had their first attempt, or whose last could have had it by now
// (the window's end plus the deadline); with final, every window. It
// reports whether one that it judged did not hold.
func (r *recorder) judgeReady(final bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.clock.Now().Sub(r.start)
	failed := false
	for i := range r.windows {
		w := &r.windows[i]
		end := time.Duration(i+1) * r.plan.step()
		if w.judged || (!final && (end > now || (w.firstDone < w.offered && now < end+r.timeout+time.Second))) {
			continue
		}
		if w.offered == 0 && !final {
			continue // not offered (yet)
		}
		w.judged = true
		w.verdict = r.judge(i, w)
		if w.offered > 0 && !w.verdict.Held {
			failed = true
		}
	}
	return failed
}

// NotJudged begins the Why of a window whose first attempts had not all
// ended when the run stopped: it is not counted as held, nor shown to
// have failed.
const NotJudged = "not judged"

// judge says whether window i held: nothing lost, the first attempts
// acknowledged keep up with the notifications offered (99 %), their p95
// under the deadline (D-3), and their median not growing across the
// window (a queue building up is a receiver past its limit before it
// reaches the deadline).
func (r *recorder) judge(i int, w *windowAcc) Window {
	step := r.plan.step()
	v := Window{Index: i, StartS: (time.Duration(i) * step).Seconds(), EndS: min(time.Duration(i+1)*step, r.plan.Duration).Seconds(),
		Rate: r.plan.WindowRate(i), Offered: w.offered, AckFirst: w.ackFirst, Lost: w.lost,
		P95MS: ms(w.first.Percentile(95)), FirstHalfP50MS: ms(w.halves[0].Percentile(50)),
		LastHalfP50MS: ms(w.halves[1].Percentile(50)), LagP99MS: ms(w.lag.Percentile(99))}
	v.GeneratorLimited = w.lag.Percentile(99) > generatorLagLimit
	m0, m1 := w.halves[0].Percentile(50), w.halves[1].Percentile(50)
	switch {
	case w.offered == 0:
		v.Why = "nothing offered"
	case w.lost.Total() > 0:
		v.Why = fmt.Sprintf("%d lost (%d by 429, %d by another 4xx, %d exhausted)",
			w.lost.Total(), w.lost.TooMany, w.lost.Other4xx, w.lost.Exhausted)
	case w.firstDone < w.offered && w.ackFirst+(w.offered-w.firstDone) >= w.offered*99/100:
		// The run stopped (the drain ended, or Ctrl-C) before these first
		// attempts ended: nothing says the receiver failed them, nor that
		// it held, so the window is not counted as held.
		v.Why = fmt.Sprintf(NotJudged+": %d of %d first attempts had not ended when the run stopped (give them --drain)",
			w.offered-w.firstDone, w.offered)
	case float64(w.ackFirst) < 0.99*float64(w.offered):
		v.Why = fmt.Sprintf("only %d of %d acknowledged at the first attempt", w.ackFirst, w.offered)
	case w.first.Percentile(95) >= r.timeout:
		v.Why = fmt.Sprintf("first-try p95 %s reached the %s deadline", reports.FormatDuration(w.first.Percentile(95)), reports.FormatDuration(r.timeout))
	case w.halves[0].Count() > 0 && w.halves[1].Count() > 0 && m1 > m0+max(m0/4, 20*time.Millisecond):
		v.Why = fmt.Sprintf("answer time grew across the window (median %s, then %s): a queue building up",
			reports.FormatDuration(m0), reports.FormatDuration(m1))
	default:
		v.Held = true
	}
	return v
}

// result builds the run's result once every delivery has ended.
func (r *recorder) result(c Config) *Result {
	r.judgeReady(true)
	r.mu.Lock()
	defer r.mu.Unlock()
	// The live lines counted a notification planned on a second's
	// boundary in whichever second the sampler closed first: the record
	// counts each in the second of its planned time.
	for i := range r.seconds {
		r.seconds[i].Offered = 0
		if i < len(r.offeredAt) {
			r.seconds[i].Offered = r.offeredAt[i]
		}
	}
	mode := "constant"
	switch {
	case c.Plan.Steps:
		mode = "find-limit"
	case c.Plan.From != c.Plan.To:
		mode = "ramp"
	}
	res := &Result{Target: webhook.RedactTarget(c.Target), Mode: mode, FromRate: c.Plan.From, ToRate: c.Plan.To,
		DurationS: c.Plan.Duration.Seconds(), StepS: r.plan.step().Seconds(), Policy: c.Policy.Summary(),
		StartedAt: r.start, EndedAt: r.clock.Now(), StoppedAtS: r.stoppedAt,
		Offered: r.offered, AttemptsSent: r.tr.sent.Load(), AckFirst: r.ackFirst, AckRetry: r.ackRetry,
		LostBy: r.lost, Lost: r.lost.Total(), PendingAtEnd: r.cancelled, LostListed: r.lostList, LostNotListed: r.lostNotListed,
		Answer: percentiles(&r.answer), FirstTry: percentiles(&r.first), Lag: percentiles(&r.lag),
		PeakPending: r.peakPending, Seconds: r.seconds}
	if res.LostListed == nil {
		res.LostListed = []LostNotification{}
	}
	for i := range r.windows {
		if r.windows[i].offered > 0 {
			res.Windows = append(res.Windows, r.windows[i].verdict)
		}
	}
	if res.Windows == nil {
		res.Windows = []Window{}
	}
	if res.Seconds == nil {
		res.Seconds = []Second{}
	}
	res.HeldRate, res.Knee = heldRate(res.Windows)
	for _, w := range res.Windows {
		res.GeneratorLimited = res.GeneratorLimited || w.GeneratorLimited
	}
	res.Amplification = amplification(r.seconds, res)
	return res
}

// heldRate returns the highest rate of a window that held before the
// first that did not, below that one's rate (a constant rate that failed
// later was not held), and the first that did not.
func heldRate(ws []Window) (float64, *Window) {
	held := 0.0
	for i, w := range ws {
		if !w.Held {
			knee := ws[i]
			best := 0.0
			for _, h := range ws[:i] {
				if h.Rate < knee.Rate {
					best = max(best, h.Rate)
				}
			}
			return best, &knee
		}
		held = max(held, w.Rate)
	}
	return held, nil
}

// amplification reads attempts per notification over 5-second spans.
func amplification(secs []Second, res *Result) Amplification {
	a := Amplification{}
	if res.Offered > 0 {
		a.Overall = float64(res.AttemptsSent) / float64(res.Offered)
	}
	const span = 5
	for i := span - 1; i < len(secs); i++ {
		var sent, offered int64
		for _, s := range secs[i-span+1 : i+1] {
			sent += s.Sent
			offered += s.Offered
		}
		if offered < span { // too little offered to divide by (the drain)
			continue
		}
		f := float64(sent) / float64(offered)
		a.Peak = max(a.Peak, f)
		if f > 1.1 && a.StartS == nil {
			t := secs[i].T
			a.StartS = &t
			a.StartRate = secs[i].PlannedRate
		}
	}
	return a
}
