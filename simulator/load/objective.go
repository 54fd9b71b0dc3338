package load

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/reports"
)

// Objective is one stated goal of a run, such as lost=0 or p95<2s.
type Objective struct {
	// Metric is one of Metrics' keys.
	Metric string `json:"metric"`
	// Op is =, <, <=, > or >=.
	Op string `json:"op"`
	// Want is the bound: a count, a rate, or a duration in milliseconds.
	Want float64 `json:"want"`
	// Text is the objective as written.
	Text string `json:"text"`
}

// Verdict is an objective checked against a result.
type Verdict struct {
	Objective
	Got  float64 `json:"got"`
	Pass bool    `json:"pass"`
}

// metric reads one figure of a result; duration says its unit is ms.
type metric struct {
	read     func(*Result) float64
	duration bool
	about    string
}

// Metrics names what an objective can bound.
var metrics = map[string]metric{
	"lost":           {func(r *Result) float64 { return float64(r.Lost) }, false, "notifications lost"},
	"lost_429":       {func(r *Result) float64 { return float64(r.LostBy.TooMany) }, false, "lost to a 429"},
	"lost_4xx":       {func(r *Result) float64 { return float64(r.LostBy.Other4xx) }, false, "lost to another 4xx"},
	"lost_exhausted": {func(r *Result) float64 { return float64(r.LostBy.Exhausted) }, false, "lost after every attempt failed"},
	"p50":            {func(r *Result) float64 { return r.Answer.P50MS }, true, "answer time of every attempt"},
	"p95":            {func(r *Result) float64 { return r.Answer.P95MS }, true, "answer time of every attempt"},
	"p99":            {func(r *Result) float64 { return r.Answer.P99MS }, true, "answer time of every attempt"},
	"held_rate":      {func(r *Result) float64 { return r.HeldRate }, false, "notifications per second held"},
	"amplification":  {func(r *Result) float64 { return r.Amplification.Overall }, false, "attempts per notification"},
	"lag_p99":        {func(r *Result) float64 { return r.Lag.P99MS }, true, "the generator's own lag"},
}

// MetricNames lists what an objective can bound, for a usage message.
func MetricNames() string {
	return "lost, lost_429, lost_4xx, lost_exhausted, p50, p95, p99, held_rate, amplification, lag_p99"
}

// ParseObjectives reads a comma-separated list such as "lost=0,p95<2s":
// a metric (MetricNames), an operator (=, <, <=, >, >=) and a number, a
// duration for the answer times and the lag.
func ParseObjectives(s string) ([]Objective, error) {
	var out []Objective
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		i := strings.IndexAny(part, "<>=")
		if i <= 0 {
			return nil, fmt.Errorf("objective %q: want METRIC OP VALUE, e.g. lost=0 or p95<2s", part)
		}
		name := strings.TrimSpace(part[:i])
		op := part[i : i+1]
		rest := part[i+1:]
		if strings.HasPrefix(rest, "=") && op != "=" {
			op += "="
			rest = rest[1:]
		}
		m, ok := metrics[name]
		if !ok {
			return nil, fmt.Errorf("objective %q: unknown metric %q (want one of %s)", part, name, MetricNames())
		}
		rest = strings.TrimSpace(rest)
		var want float64
		if m.duration {
			d, err := time.ParseDuration(rest)
			if err != nil {
				return nil, fmt.Errorf("objective %q: %s is a duration, such as 2s or 500ms", part, name)
			}
			want = ms(d)
		} else {
			v, err := strconv.ParseFloat(rest, 64)
			if err != nil {
				return nil, fmt.Errorf("objective %q: %s is a number", part, name)
			}
			want = v
		}
		out = append(out, Objective{Metric: name, Op: op, Want: want, Text: name + op + rest})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("objective %q: nothing to check", s)
	}
	return out, nil
}

// Check judges each objective against r.
func Check(os []Objective, r *Result) []Verdict {
	out := make([]Verdict, 0, len(os))
	for _, o := range os {
		got := metrics[o.Metric].read(r)
		var pass bool
		switch o.Op {
		case "=":
			pass = got == o.Want
		case "<":
			pass = got < o.Want
		case "<=":
			pass = got <= o.Want
		case ">":
			pass = got > o.Want
		case ">=":
			pass = got >= o.Want
		}
		out = append(out, Verdict{Objective: o, Got: got, Pass: pass})
	}
	return out
}

// Shown returns the figure an objective read, as the user wrote its bound.
func (v Verdict) Shown() string {
	if metrics[v.Metric].duration {
		return reports.FormatDuration(time.Duration(v.Got * float64(time.Millisecond)))
	}
	return strconv.FormatFloat(v.Got, 'f', -1, 64)
}
