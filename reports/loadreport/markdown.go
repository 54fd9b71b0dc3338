package loadreport

import (
	"bufio"
	"fmt"
	"io"

	"github.com/hookcheck/hookcheck/simulator/load"
)

// summaryLost is how many lost notifications summary.md names.
const summaryLost = 20

// WriteSummary renders a short Markdown summary of r, for
// $GITHUB_STEP_SUMMARY or a pull-request comment.
func WriteSummary(w io.Writer, r *load.Result) error {
	b := bufio.NewWriter(w)
	mark := "✅"
	if !r.Pass() || r.Lost > 0 || r.Knee != nil {
		mark = "❌"
	}
	fmt.Fprintf(b, "## %s hookcheck load: %s\n\n", mark, Headline(r))
	rates := num(r.FromRate)
	if r.FromRate != r.ToRate {
		rates += "→" + num(r.ToRate)
	}
	fmt.Fprintf(b, "Target `%s`, %s %s/s over %s s; deadline %s, %d attempts, wait %s.\n\n",
		r.Target, r.Mode, rates, num(r.DurationS), msText(r.Policy.TimeoutMS), r.Policy.MaxAttempts, msText(r.Policy.RetryIntervalMS))
	fmt.Fprintln(b, "| held | offered | attempts | first try | after retry | lost (429 / 4xx / exhausted) | pending at end | p50 / p95 / p99 | generator lag p99 |")
	fmt.Fprintln(b, "|---|---|---|---|---|---|---|---|---|")
	fmt.Fprintf(b, "| %s/s | %d | %d | %d | %d | %d (%d / %d / %d) | %d | %s / %s / %s | %s |\n\n",
		num(r.HeldRate), r.Offered, r.AttemptsSent, r.AckFirst, r.AckRetry, r.Lost, r.LostBy.TooMany, r.LostBy.Other4xx,
		r.LostBy.Exhausted, r.PendingAtEnd, msText(r.Answer.P50MS), msText(r.Answer.P95MS), msText(r.Answer.P99MS), msText(r.Lag.P99MS))
	if len(r.Objectives) > 0 {
		fmt.Fprintln(b, "### Objectives")
		fmt.Fprintln(b)
		for _, v := range r.Objectives {
			m := "✅"
			if !v.Pass {
				m = "❌"
			}
			fmt.Fprintf(b, "- %s `%s`: got %s\n", m, v.Text, v.Shown())
		}
		fmt.Fprintln(b)
	}
	fmt.Fprintln(b, "### What to read")
	fmt.Fprintln(b)
	for _, f := range r.Findings {
		fmt.Fprintf(b, "- %s\n", f.Text)
		if f.Fix != "" {
			fmt.Fprintf(b, "  **Fix (%s):** %s\n", f.Requirement, f.Fix)
		}
	}
	fmt.Fprintln(b)
	if len(r.LostListed) > 0 {
		shown := r.LostListed[:min(len(r.LostListed), summaryLost)]
		fmt.Fprintf(b, "### Lost notifications (%d of %d)\n\n", len(shown), r.Lost)
		fmt.Fprintln(b, "| transcript_id | why | last status | attempts |")
		fmt.Fprintln(b, "|---|---|---|---|")
		for _, l := range shown {
			fmt.Fprintf(b, "| `%s` | %s | %d | %d |\n", l.TranscriptID, l.Reason, l.Status, l.Attempts)
		}
		fmt.Fprintln(b)
	}
	fmt.Fprintln(b, "Charts and every window: `report.html`; machine-readable: `load-results.json`.")
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}
