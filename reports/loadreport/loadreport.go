// Package loadreport writes what a load run (simulator/load) found: the
// machine-readable load-results.json, one self-contained HTML report whose
// time-series charts are inline SVG (no script, no external fetch), and a
// short summary.md. It also says what the team needs to read: the rate
// held, the knee, where retries began to amplify the load, what was lost
// and why, with the requirement catalogue's fix.
package loadreport

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hookcheck/hookcheck/features"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/load"
)

// Kind names a load-results.json among hookcheck's results files.
const Kind = "load"

// Document is load-results.json: the tool, and the run in its load section.
type Document struct {
	Tool    string       `json:"tool"`
	Version string       `json:"version"`
	Kind    string       `json:"kind"`
	Load    *load.Result `json:"load"`
}

// File names in the output directory.
const (
	ResultsFile = "load-results.json"
	HTMLFile    = "report.html"
	SummaryFile = "summary.md"
)

// WriteAll writes every file of r into dir and returns their paths.
func WriteAll(dir, version string, r *load.Result) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	var paths []string
	write := func(name string, f func(*os.File) error) error {
		p := filepath.Join(dir, name)
		out, err := os.Create(p)
		if err != nil {
			return fmt.Errorf("create %s: %w", p, err)
		}
		if err := f(out); err != nil {
			_ = out.Close()
			return fmt.Errorf("write %s: %w", p, err)
		}
		if err := out.Close(); err != nil {
			return fmt.Errorf("close %s: %w", p, err)
		}
		paths = append(paths, p)
		return nil
	}
	if err := write(ResultsFile, func(f *os.File) error {
		e := json.NewEncoder(f)
		e.SetIndent("", "  ")
		return e.Encode(Document{Tool: "hookcheck", Version: version, Kind: Kind, Load: r})
	}); err != nil {
		return paths, err
	}
	if err := write(HTMLFile, func(f *os.File) error { return WriteHTML(f, r) }); err != nil {
		return paths, err
	}
	if err := write(SummaryFile, func(f *os.File) error { return WriteSummary(f, r) }); err != nil {
		return paths, err
	}
	return paths, nil
}

// Diagnose fills r.Findings: the rate held, the knee, the amplification,
// the generator's own limit, and each kind of loss with RC-11's fix for it
// from the requirement catalogue (features/requirements.json).
func Diagnose(r *load.Result) error {
	fixes, err := features.Remediations()
	if err != nil {
		return err
	}
	reqs, err := features.Requirements()
	if err != nil {
		return err
	}
	general := ""
	for _, q := range reqs {
		if q.ID == "RC-11" {
			general = q.Remediation
		}
	}
	rc11 := func(mode string) string {
		if f := fixes["RC-11"][mode]; f != "" {
			return f
		}
		return general
	}
	var fs []load.Finding
	if r.Knee == nil {
		fs = append(fs, load.Finding{Kind: "held", Text: fmt.Sprintf("The receiver held every rate offered, up to %s/s: nothing lost, first attempts acknowledged, answer time steady.", rate(r.HeldRate))})
	} else {
		text := fmt.Sprintf("Highest rate held: %s/s. At %s/s (from %s s) it did not hold: %s.", rate(r.HeldRate), rate(r.Knee.Rate), num(r.Knee.StartS), r.Knee.Why)
		if r.Knee.GeneratorLimited {
			text += " The generator itself was late there (lag p99 " + msText(r.Knee.LagP99MS) + "): that rate may be this machine's limit, not the receiver's."
		}
		fs = append(fs, load.Finding{Kind: "knee", Text: text})
	}
	if a := r.Amplification; a.StartS != nil {
		fs = append(fs, load.Finding{Kind: "amplification", Text: fmt.Sprintf(
			"Retries began to amplify the load at %d s (planned rate %s/s): attempts per notification reached %.2f over 5 s (%.2f over the run). Each attempt that misses the 10 s deadline or gets a 5xx comes back 10 s later on top of the new notifications (D-3, D-4).",
			*a.StartS, rate(a.StartRate), a.Peak, a.Overall)})
	}
	if n := r.LostBy.TooMany; n > 0 {
		fs = append(fs, load.Finding{Kind: "lost_429", Requirement: "RC-11", Fix: rc11("429"), Text: fmt.Sprintf(
			"%d notifications were lost to a 429: AssemblyAI never retries a 4xx (D-5, P-6), so shedding load loses it for good.", n)})
	}
	if n := r.LostBy.Other4xx; n > 0 {
		fs = append(fs, load.Finding{Kind: "lost_4xx", Requirement: "RC-11", Fix: rc11("4xx"), Text: fmt.Sprintf(
			"%d notifications were lost to another 4xx, which is never retried (D-5).", n)})
	}
	if n := r.LostBy.Exhausted; n > 0 {
		fs = append(fs, load.Finding{Kind: "lost_exhausted", Requirement: "RC-11", Fix: rc11("timeout"), Text: fmt.Sprintf(
			"%d notifications were lost after all %d attempts failed (D-4, D-6): the receiver never answered 2xx within the deadline.", n, r.Policy.MaxAttempts)})
	}
	if r.GeneratorLimited && (r.Knee == nil || !r.Knee.GeneratorLimited) {
		fs = append(fs, load.Finding{Kind: "generator", Text: fmt.Sprintf(
			"The generator was late in some windows (lag p99 %s over the run): figures there measure this machine as much as the receiver.", msText(r.Lag.P99MS))})
	}
	r.Findings = fs
	return nil
}

func rate(v float64) string { return num(v) }

// num shows a figure with at most one decimal.
func num(v float64) string {
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.1f", v)
}

func msText(v float64) string {
	return reports.FormatDuration(time.Duration(v * float64(time.Millisecond)))
}
