package loadreport

import (
	"fmt"
	"math"
	"time"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/load"
)

// charts draws the run: offered against sent against acknowledged, the
// answer-time percentiles against the deadline, attempts per
// notification, and the losses.
func charts(r *load.Result) []*chart {
	secs := r.Seconds
	n := len(secs)
	knee := func(c *chart, f frame) {
		if r.Knee != nil {
			c.addVMark(f, r.Knee.StartS, "knee "+num(r.Knee.Rate)+"/s", "knee")
		}
		if a := r.Amplification.StartS; a != nil {
			c.addVMark(f, float64(*a), "amplification", "amp")
		}
	}
	per := func(v float64) string { return num(v) + "/s" }

	planned := series(secs, func(s load.Second) float64 { return s.PlannedRate })
	offered := series(secs, func(s load.Second) float64 { return float64(s.Offered) })
	sent := series(secs, func(s load.Second) float64 { return float64(s.Sent) })
	acked := series(secs, func(s load.Second) float64 { return float64(s.AckFirst + s.AckRetry) })
	tp, f := newChart("throughput", "Offered, sent and acknowledged per second", n, maxOf(planned, offered, sent, acked)*1.05, per)
	tp.addLine(f, "planned", "planned rate", planned)
	tp.addLine(f, "offered", "notifications offered", offered)
	tp.addLine(f, "sent", "attempts sent (first and retries)", sent)
	tp.addLine(f, "acked", "acknowledged (2xx)", acked)
	knee(tp, f)
	tp.Caption = fmt.Sprintf("Open model: the plan offers notifications on the clock whatever the receiver does. %d offered, %d attempts sent, %d acknowledged at the first attempt, %d after a retry.",
		r.Offered, r.AttemptsSent, r.AckFirst, r.AckRetry)

	deadline := r.Policy.TimeoutMS
	p50 := series(secs, func(s load.Second) float64 { return s.P50MS })
	p95 := series(secs, func(s load.Second) float64 { return s.P95MS })
	p99 := series(secs, func(s load.Second) float64 { return s.P99MS })
	top := maxOf(p99)
	ymax := top * 1.1
	if top*2 >= deadline {
		ymax = max(deadline, top) * 1.05 // the deadline on scale once answers come near it
	}
	dur := func(v float64) string { return reports.FormatDuration(time.Duration(v * float64(time.Millisecond))) }
	lat, f := newChart("latency", "Answer time of the attempts that ended each second", n, ymax, dur)
	lat.addLine(f, "p50", "p50", p50)
	lat.addLine(f, "p95", "p95", p95)
	lat.addLine(f, "p99", "p99", p99)
	if deadline <= f.ymax {
		lat.addHMark(f, deadline, "deadline "+dur(deadline)+" (D-3)", "deadline")
	}
	knee(lat, f)
	lat.Caption = fmt.Sprintf("Time to the status line and headers, or to the deadline (P-1), of every attempt: p50 %s, p95 %s, p99 %s over the run.",
		dur(r.Answer.P50MS), dur(r.Answer.P95MS), dur(r.Answer.P99MS))

	amp := make([]float64, n)
	for i := range secs {
		var s, o int64
		for _, x := range secs[max(0, i-4) : i+1] {
			s += x.Sent
			o += x.Offered
		}
		amp[i] = math.NaN() // nothing offered to divide by: the drain
		if o >= 5 {
			amp[i] = float64(s) / float64(o)
		}
	}
	am, f := newChart("amplification", "Attempts per notification offered (5 s)", n, max(maxOf(amp), 2)*1.05, fmtNum)
	am.addLine(f, "sent", "attempts per notification", amp)
	am.addHMark(f, 1, "1: no retries", "one")
	knee(am, f)
	am.Caption = fmt.Sprintf("Retries feed back into the load: %.2f attempts per notification over the run, %.2f at the peak (over 5 s; the drain after the plan, with nothing offered, is left out).",
		r.Amplification.Overall, r.Amplification.Peak)

	lost := series(secs, func(s load.Second) float64 { return float64(s.Lost.Total()) })
	lo, f := newChart("losses", "Notifications lost per second, by why", n, maxOf(lost)*1.1, fmtNum)
	bw := (chWidth - chLeft - chRight) / float64(max(n, 1))
	for i, s := range secs {
		base := 0.0
		for _, part := range []struct {
			v     int64
			class string
			why   string
		}{{s.Lost.TooMany, "l429", "429 (never retried, P-6)"}, {s.Lost.Other4xx, "l4xx", "other 4xx (D-5)"}, {s.Lost.Exhausted, "lexh", "every attempt failed (D-6)"}} {
			if part.v == 0 {
				continue
			}
			y0, y1 := f.y(base), f.y(base+float64(part.v))
			lo.Bars = append(lo.Bars, bar{X: fmtNum(f.x(float64(i))), Y: fmtNum(y1), W: fmtNum(max(bw-0.5, 0.5)), H: fmtNum(y0 - y1),
				Class: part.class, Title: fmt.Sprintf("%d s: %d lost, %s", s.T, part.v, part.why)})
			base += float64(part.v)
		}
	}
	lo.Legend = []legend{{"l429", "429"}, {"l4xx", "other 4xx"}, {"lexh", "exhausted"}}
	knee(lo, f)
	lo.Caption = fmt.Sprintf("%d lost: %d to a 429, %d to another 4xx, %d after every attempt failed; %d still pending at the end (not counted as lost).",
		r.Lost, r.LostBy.TooMany, r.LostBy.Other4xx, r.LostBy.Exhausted, r.PendingAtEnd)
	return []*chart{tp, lat, am, lo}
}
