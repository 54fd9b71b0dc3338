package htmlreport

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Timeline geometry, in SVG user units. Lane A holds each attempt's
// deadline window and bar, lane B the waits between attempts, then the
// time axis.
const (
	tlWidth  = 760
	tlLeft   = 12
	tlRight  = 16
	tlHeight = 86
	charW    = 6.2 // average width of an 11px label character
)

// timeline is the SVG timeline of one delivery: time runs from the first
// attempt's start, one bar per attempt coloured by its result, the
// deadline window of each attempt drawn behind it, the waits below.
type timeline struct {
	Title  string
	Width  int
	Height int
	Bars   []bar
	Waits  []gap
	Calls  []callMark // the receiver's calls to the emulated API
	Ticks  []tick
	AxisX2 string
	AxisY  int // lower when there are no waits to draw
	TickY  int
}

type bar struct {
	Title                 string
	Class                 string
	X, W                  string // the attempt's duration
	WinX, WinW, DeadlineX string // its deadline window
	Label, LabelX         string
}

type gap struct{ X1, X2, Mid, Label, Title string }

// callMark is one call the receiver made to the emulated API about the
// delivery's transcript, on the attempts' time axis: a line from the
// request to its answer, ending in a dot coloured by the answer. A call
// still in flight when the scenario ended (InFlight) is a dashed line to
// the end of its wait, ending in an open ring: no answer to colour.
type callMark struct {
	X1, X2, Class, Title string
	InFlight             bool
}

type tick struct{ X, Label string }

func newTimeline(d *webhook.Delivery, timeout time.Duration, calls []api.Call) timeline {
	t := timeline{Width: tlWidth, Height: tlHeight, AxisX2: num(tlWidth - tlRight)}
	t.Title = fmt.Sprintf("Timeline of delivery %s: %s", d.ID, outcomeSentence(d))
	if len(d.Attempts) == 0 {
		return t
	}
	origin := d.Attempts[0].StartedAt
	var span time.Duration
	for _, a := range d.Attempts {
		end := a.StartedAt.Sub(origin) + max(a.Duration, timeout)
		span = max(span, end)
	}
	for _, c := range calls {
		span = max(span, c.At.Sub(origin)+callDuration(c))
	}
	span = max(span, time.Millisecond)
	plot := float64(tlWidth - tlLeft - tlRight)
	x := func(off time.Duration) float64 { return tlLeft + float64(off)/float64(span)*plot }

	for i, a := range d.Attempts {
		start := a.StartedAt.Sub(origin)
		next := span
		if i+1 < len(d.Attempts) {
			next = d.Attempts[i+1].StartedAt.Sub(origin)
		}
		room := x(next) - x(start) - 4
		b := bar{Class: attemptClass(a), X: num(x(start)), W: num(max(x(start+a.Duration)-x(start), 2.5)),
			WinX: num(x(start)), WinW: num(x(start+timeout) - x(start)), DeadlineX: num(x(start + timeout)),
			LabelX: num(x(start))}
		b.Title = fmt.Sprintf("Attempt %d at +%s: %s after %s (deadline %s)", a.Number,
			reports.FormatDuration(start), result(a), reports.FormatDuration(a.Duration), reports.FormatDuration(timeout))
		if a.Detail != "" && !a.Answered() {
			b.Title += "; " + a.Detail
		}
		b.Label = fit(room, fmt.Sprintf("#%d %s", a.Number, shortResult(a)), fmt.Sprintf("#%d", a.Number), strconv.Itoa(a.Number))
		t.Bars = append(t.Bars, b)
		if a.WaitAfter > 0 && i+1 < len(d.Attempts) {
			from, to := x(start+a.Duration), x(next)
			w := reports.FormatDuration(a.WaitAfter)
			t.Waits = append(t.Waits, gap{X1: num(from), X2: num(to), Mid: num((from + to) / 2),
				Label: fit(to-from-4, "wait "+w, w), Title: fmt.Sprintf("Wait of %s before attempt %d", w, a.Number+1)})
		}
	}
	for _, c := range calls {
		off := c.At.Sub(origin)
		class := "cok"
		switch {
		case c.InFlight:
			class = "cwait"
		case c.Status < 200 || c.Status > 299 || !c.Authorized:
			class = "cbad"
		}
		t.Calls = append(t.Calls, callMark{X1: num(x(off)), X2: num(max(x(off+callDuration(c)), x(off)+1)), Class: class,
			Title:    fmt.Sprintf("API call at +%s: %s", reports.FormatDuration(off), reports.DescribeCall(c)),
			InFlight: c.InFlight})
	}
	t.AxisY, t.TickY = 70, 84
	if len(t.Waits) == 0 {
		t.AxisY, t.TickY, t.Height = 52, 66, tlHeight-18
	}
	for _, off := range ticks(span) {
		t.Ticks = append(t.Ticks, tick{X: num(x(off)), Label: axisLabel(off)})
	}
	return t
}

// callDuration is how long a call took, or for one in flight how long it
// had waited when its scenario ended.
func callDuration(c api.Call) time.Duration {
	if c.InFlight {
		return time.Duration(c.WaitedMS * float64(time.Millisecond))
	}
	return time.Duration(c.DurationMS * float64(time.Millisecond))
}

// fit returns the first label that fits in room units, or "".
func fit(room float64, labels ...string) string {
	for _, l := range labels {
		if float64(len([]rune(l)))*charW <= room {
			return l
		}
	}
	return ""
}

// ticks returns round offsets for an axis of span: 4 to 10 of them.
func ticks(span time.Duration) []time.Duration {
	steps := []time.Duration{time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond,
		20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
		time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 20 * time.Second, 30 * time.Second,
		time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour}
	step := steps[len(steps)-1]
	for _, s := range steps {
		if span/s <= 10 {
			step = s
			break
		}
	}
	// A span beyond the table (a hand-edited results.json) still gets at
	// most 11 ticks; counting them, not adding to an offset, cannot
	// overflow near the largest Duration.
	if span/step > 10 {
		step = span / 10
	}
	if span < 0 || step <= 0 {
		return []time.Duration{0}
	}
	n := int(span / step)
	out := make([]time.Duration, 0, n+1)
	for i := range n + 1 {
		out = append(out, step*time.Duration(i))
	}
	return out
}

func axisLabel(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < 5*time.Minute || d%time.Minute != 0:
		return strings.TrimSuffix(strconv.FormatFloat(d.Seconds(), 'f', 1, 64), ".0") + " s"
	}
	return fmt.Sprintf("%d min", d/time.Minute)
}

// num formats an SVG coordinate with one decimal at most.
func num(f float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(f, 'f', 1, 64), ".0")
}
