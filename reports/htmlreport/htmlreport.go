// Package htmlreport renders a hookcheck run as one self-contained HTML
// file: inline CSS, inline SVG, no script and no external fetch of any
// kind, readable with JavaScript off and printable. It answers, above the
// fold, whether the endpoint may be registered with AssemblyAI and what must
// change; below are the requirement matrix, every scenario with its steps,
// a timeline of every delivery and the request and response evidence.
package htmlreport

import (
	"bufio"
	"embed"
	"fmt"
	"html/template"
	"io"

	"github.com/hookcheck/hookcheck/reports"
)

//go:embed templates/*.gohtml templates/*.css
var files embed.FS

// Options bound the size of a report.
type Options struct {
	// FullPerScenario is how many deliveries of one scenario are shown in
	// full (timeline, attempts, evidence); the rest are summarised one row
	// each, so none is dropped.
	FullPerScenario int
	// FullTotal bounds the deliveries shown in full in the whole report.
	FullTotal int
	// BodyExcerpt is how many bytes of a request or response body are shown.
	BodyExcerpt int
	// ChartBars is the most bars a response-time chart draws; more samples
	// are reduced to that many quantiles.
	ChartBars int
}

// DefaultOptions keep a default run under 300 KB and a run with 1,000
// deliveries under 5 MB.
func DefaultOptions() Options {
	return Options{FullPerScenario: 10, FullTotal: 150, BodyExcerpt: 2048, ChartBars: 200}
}

// Write renders r with DefaultOptions.
func Write(w io.Writer, r *reports.Result) error { return WriteOptions(w, r, DefaultOptions()) }

// WriteOptions renders r as HTML within o's bounds.
func WriteOptions(w io.Writer, r *reports.Result, o Options) error {
	t, err := parse()
	if err != nil {
		return err
	}
	p, err := newPage(r, o)
	if err != nil {
		return err
	}
	b := bufio.NewWriterSize(w, 64<<10)
	if err := t.ExecuteTemplate(b, "report", p); err != nil {
		return fmt.Errorf("render html report: %w", err)
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	return nil
}

func parse() (*template.Template, error) {
	t, err := template.New("report").Funcs(funcs).ParseFS(files, "templates/*.gohtml")
	if err != nil {
		return nil, fmt.Errorf("parse report templates: %w", err)
	}
	return t, nil
}

var funcs = template.FuncMap{
	"ms":       reports.FormatMS,
	"duration": reports.FormatDuration,
	"label":    func(s reports.Status) string { return s.Label() },
	"symbol":   symbol,
}

// symbol is a status's text mark, so status never relies on colour alone.
func symbol(s reports.Status) string {
	switch s {
	case reports.Passed:
		return "✓"
	case reports.Failed:
		return "✗"
	case reports.NotApplicable:
		return "–"
	}
	return "○"
}
