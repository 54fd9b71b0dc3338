package loadreport

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/hookcheck/hookcheck/simulator/load"
)

// Chart geometry, in SVG user units (as reports/htmlreport draws).
const (
	chWidth  = 760
	chHeight = 220
	chLeft   = 56
	chRight  = 16
	chTop    = 14
	chBottom = 30
	// maxPoints bounds the points of a line: a longer run is drawn from
	// the mean (or, for answer times, the max) of consecutive seconds.
	maxPoints = 600
)

// chart is one time-series chart: lines, stacked bars, horizontal marks
// (the deadline) and vertical ones (the knee), over the run's seconds.
type chart struct {
	ID, Title, Caption string
	Width, Height      int
	Left, Right        float64
	Top, Bottom        float64
	Lines              []line
	Bars               []bar
	YTicks, XTicks     []tick
	HMarks, VMarks     []mark
	Legend             []legend
}

type line struct{ Class, D, Name string }

type bar struct {
	X, Y, W, H, Class, Title string
}

type tick struct {
	At    string
	Label string
}

type mark struct {
	At, LabelAt, Label, Class string
}

type legend struct{ Class, Name string }

// frame maps seconds and values to the plot.
type frame struct {
	n    int // seconds
	ymax float64
}

func (f frame) x(t float64) float64 {
	return chLeft + t/float64(max(f.n, 1))*(chWidth-chLeft-chRight)
}

func (f frame) y(v float64) float64 {
	return chHeight - chBottom - min(max(v, 0), f.ymax)/f.ymax*(chHeight-chTop-chBottom)
}

func fmtNum(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// newChart returns an empty chart over n seconds up to ymax, with value
// labels made by label.
func newChart(id, title string, n int, ymax float64, label func(float64) string) (*chart, frame) {
	ymax = nice(ymax)
	f := frame{n: n, ymax: ymax}
	c := &chart{ID: id, Title: title, Width: chWidth, Height: chHeight, Left: chLeft, Right: chWidth - chRight,
		Top: chTop, Bottom: chHeight - chBottom}
	for i := 0; i <= 4; i++ {
		v := ymax * float64(i) / 4
		c.YTicks = append(c.YTicks, tick{At: fmtNum(f.y(v)), Label: label(v)})
	}
	step := xStep(n)
	for t := 0; t <= n; t += step {
		c.XTicks = append(c.XTicks, tick{At: fmtNum(f.x(float64(t))), Label: clockLabel(t)})
	}
	return c, f
}

// addLine draws values (one per second, the value of second i at its end).
func (c *chart) addLine(f frame, class, name string, values []float64) {
	var b strings.Builder
	stride := (len(values) + maxPoints - 1) / maxPoints
	stride = max(stride, 1)
	gap := true // a NaN leaves a gap: the line starts again after it
	for i := 0; i < len(values); i += stride {
		end := min(i+stride, len(values))
		v, n := 0.0, 0
		for _, x := range values[i:end] {
			if !math.IsNaN(x) {
				v += x
				n++
			}
		}
		if n == 0 {
			gap = true
			continue
		}
		v /= float64(n)
		cmd := "L"
		if gap {
			cmd, gap = "M", false
		}
		fmt.Fprintf(&b, "%s%s %s", cmd, fmtNum(f.x(float64(end))), fmtNum(f.y(v)))
	}
	c.Lines = append(c.Lines, line{Class: class, D: b.String(), Name: name})
	c.Legend = append(c.Legend, legend{Class: class, Name: name})
}

// addHMark draws a horizontal line at v (the deadline).
func (c *chart) addHMark(f frame, v float64, label, class string) {
	y := f.y(v)
	c.HMarks = append(c.HMarks, mark{At: fmtNum(y), LabelAt: fmtNum(y - 4), Label: label, Class: class})
}

// addVMark draws a vertical line at second t (the knee).
func (c *chart) addVMark(f frame, t float64, label, class string) {
	c.VMarks = append(c.VMarks, mark{At: fmtNum(f.x(t)), LabelAt: fmtNum(f.x(t) + 4), Label: label, Class: class})
}

// nice rounds v up to 1, 2 or 5 times a power of ten (at least 1).
func nice(v float64) float64 {
	if !(v > 1) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// xStep returns a tick interval, in seconds, that gives at most 8 ticks.
func xStep(n int) int {
	for _, s := range []int{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200} {
		if n/s <= 8 {
			return s
		}
	}
	return 14400
}

func clockLabel(t int) string {
	if t < 60 {
		return fmt.Sprintf("%ds", t)
	}
	if t%60 == 0 {
		return fmt.Sprintf("%dm", t/60)
	}
	return fmt.Sprintf("%dm%02ds", t/60, t%60)
}

// series reads one figure of every second.
func series(secs []load.Second, f func(load.Second) float64) []float64 {
	out := make([]float64, len(secs))
	for i, s := range secs {
		out[i] = f(s)
	}
	return out
}

func maxOf(vs ...[]float64) float64 {
	m := 0.0
	for _, v := range vs {
		for _, x := range v {
			if !math.IsNaN(x) {
				m = max(m, x)
			}
		}
	}
	return m
}
