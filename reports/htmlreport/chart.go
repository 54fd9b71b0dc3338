package htmlreport

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/hookcheck/hookcheck/internal/stats"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Chart geometry, in SVG user units.
const (
	chWidth  = 760
	chHeight = 240
	chLeft   = 52
	chRight  = 132
	chTop    = 12
	chBottom = 34
)

// chart is the response-time chart of a latency or burst scenario: every
// delivery's first attempt's time to status line and headers, sorted,
// against the deadline, with p50, p95 and max marked. The checks read
// first attempts only (RC-03's p95, RC-11's acknowledgements), so the
// chart states their figures; retries, which exist with --full-schedules
// or when a first attempt failed, are summarised apart (Retries) and never
// mixed into the p50 and p95 beside a failure line about first attempts.
type chart struct {
	Title          string
	Width, Height  int
	Bars           []chartBar
	Marks          []mark
	YTicks         []tick // X holds the y coordinate
	Left, Right    string
	Top, Bottom    string
	XLabel, XMid   string
	N              int
	P50, P95, Max  string
	Over           int
	Timeout        string
	Reduced        bool
	Kind           string
	PlotW, PlotMid string
	// Retries summarises the attempts after the first, nil when none
	// was made.
	Retries *retryStats
}

// retryStats is what the chart says of the retries it does not draw.
type retryStats struct {
	N        int
	P50, Max string
	Over     int
	Text     string // one sentence, for the caption and the title
}

type chartBar struct{ X, Y, W, H, Class, Title string }

type mark struct {
	y                       float64
	Y, LabelY, Label, Class string
	Off                     bool // beyond the axis: a label without a line
}

func newChart(sc *reports.Scenario, timeout time.Duration, maxBars int) *chart {
	var samples, retries []webhook.Attempt
	for _, d := range sc.Deliveries {
		if len(d.Attempts) == 0 {
			continue
		}
		samples = append(samples, d.Attempts[0])
		retries = append(retries, d.Attempts[1:]...)
	}
	c := &chart{Width: chWidth, Height: chHeight, N: len(samples), Timeout: reports.FormatDuration(timeout), Kind: sc.Chart,
		Left: num(chLeft), Right: num(chWidth - chRight), Top: num(chTop), Bottom: num(chHeight - chBottom)}
	if len(samples) == 0 {
		c.Title = "No response times to chart."
		return c
	}
	sort.SliceStable(samples, func(i, j int) bool { return samples[i].Duration < samples[j].Duration })
	// The step library's p95 check uses the same nearest-rank definition,
	// so a failure message and this chart state the same p95.
	p50, p95 := samples[stats.NearestRank(len(samples), 50)].Duration, samples[stats.NearestRank(len(samples), 95)].Duration
	top := samples[len(samples)-1].Duration
	c.P50, c.P95, c.Max = reports.FormatDuration(p50), reports.FormatDuration(p95), reports.FormatDuration(top)
	for _, a := range samples {
		if a.Duration >= timeout || a.Failure == webhook.ErrTimeout {
			c.Over++
		}
	}
	c.Title = fmt.Sprintf("Response times of %d first attempts, sorted: p50 %s, p95 %s, max %s; %d reached the %s deadline.",
		c.N, c.P50, c.P95, c.Max, c.Over, c.Timeout)
	if c.Retries = newRetryStats(retries, timeout); c.Retries != nil {
		c.Title += " " + c.Retries.Text
	}

	// The y axis reaches the deadline when the slowest attempt comes
	// within half of it; a faster run is drawn to its own scale (the
	// deadline is then labelled off scale), or every bar would be a
	// sliver at the bottom of a 10 s axis.
	ymax := max(timeout, top) * 108 / 100
	onScale := top*2 >= timeout
	if !onScale {
		ymax = roundUp(top * 115 / 100)
	}
	plotH := float64(chHeight - chTop - chBottom)
	plotW := float64(chWidth - chLeft - chRight)
	y := func(d time.Duration) float64 { return float64(chHeight-chBottom) - float64(d)/float64(ymax)*plotH }

	bars := samples
	if maxBars > 0 && len(samples) > maxBars {
		c.Reduced = true
		bars = make([]webhook.Attempt, maxBars)
		for i := range bars {
			bars[i] = samples[(len(samples)-1)*i/(maxBars-1)]
		}
	}
	bw := plotW / float64(len(bars))
	for i, a := range bars {
		bottom := float64(chHeight - chBottom)
		top := min(y(a.Duration), bottom-minBarH) // grows up from the axis
		c.Bars = append(c.Bars, chartBar{X: num(chLeft + float64(i)*bw), W: num(max(bw-1, 0.6)), Y: num(top),
			H: num(bottom - top), Class: attemptClass(a),
			Title: fmt.Sprintf("%s: %s", result(a), reports.FormatDuration(a.Duration))})
	}
	deadline := mark{y: y(timeout), Label: "deadline " + c.Timeout, Class: "deadline"}
	if !onScale {
		deadline = mark{y: chTop, Label: "deadline " + c.Timeout + " ↑", Class: "deadline", Off: true}
	}
	marks := []mark{
		deadline,
		{y: y(top), Label: "max " + c.Max, Class: "mark"},
		{y: y(p95), Label: "p95 " + c.P95, Class: "mark"},
		{y: y(p50), Label: "p50 " + c.P50, Class: "mark"},
	}
	spread(marks)
	c.Marks = marks
	for _, off := range ticks(ymax) {
		c.YTicks = append(c.YTicks, tick{X: num(y(off)), Label: axisLabel(off)})
	}
	c.XLabel = fmt.Sprintf("%d first attempts, fastest to slowest", c.N)
	if c.Reduced {
		c.XLabel += fmt.Sprintf(" (%d quantiles shown)", len(bars))
	}
	c.XMid = num(chLeft + plotW/2)
	return c
}

// newRetryStats summarises retries apart from the first attempts: how
// many, their p50 and max, and how many reached the deadline; nil when
// there is none.
func newRetryStats(retries []webhook.Attempt, timeout time.Duration) *retryStats {
	if len(retries) == 0 {
		return nil
	}
	times := make([]time.Duration, len(retries))
	r := &retryStats{N: len(retries)}
	for i, a := range retries {
		times[i] = a.Duration
		if a.Duration >= timeout || a.Failure == webhook.ErrTimeout {
			r.Over++
		}
	}
	slices.Sort(times)
	r.P50, r.Max = reports.FormatDuration(stats.Percentile(times, 50)), reports.FormatDuration(times[len(times)-1])
	r.Text = fmt.Sprintf("Apart: %d retries (not drawn, not read by the checks): p50 %s, max %s; %d reached the deadline.",
		r.N, r.P50, r.Max, r.Over)
	return r
}

// minBarH is the height of a bar for an instant answer: a 0 ms 429 is
// still an attempt, and its colour must show.
const minBarH = 2.5

// roundUp returns the smallest round value (1, 2 or 5 times a power of
// ten, in milliseconds or more) not below d, and at least 10 ms.
func roundUp(d time.Duration) time.Duration {
	for _, base := range []time.Duration{time.Millisecond, 10 * time.Millisecond, 100 * time.Millisecond,
		time.Second, 10 * time.Second, 100 * time.Second} {
		for _, m := range []time.Duration{1, 2, 5} {
			if v := base * m; v >= d && v >= 10*time.Millisecond {
				return v
			}
		}
	}
	return d
}

// spread places the marks' labels at least 13 units apart, top to bottom.
func spread(ms []mark) {
	order := make([]int, len(ms))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(ms[a].y, ms[b].y) })
	prev := -100.0
	for _, i := range order {
		ly := max(ms[i].y+4, prev+13)
		ms[i].Y, ms[i].LabelY = num(ms[i].y), num(ly)
		prev = ly
	}
}
