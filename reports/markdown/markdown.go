// Package markdown renders a short Markdown summary of a hookcheck run, for
// $GITHUB_STEP_SUMMARY or a pull-request comment: the verdict, the counts
// and every failed requirement with what to change. It holds no links, so
// it reads the same wherever it is pasted.
package markdown

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hookcheck/hookcheck/reports"
)

// Write renders r's summary to w.
func Write(w io.Writer, r *reports.Result) error {
	b := bufio.NewWriter(w)
	writeHeader(b, r)
	writeFailures(b, r, "MUST fix", r.FailedMust())
	writeFailures(b, r, "SHOULD fix", r.FailedShould())
	writeNotChecked(b, r)
	writeReproductions(b, r)
	fmt.Fprintln(b, "Full evidence (timelines, requests and answers): `report.html`; machine-readable: `results.json`, `junit.xml`, `cucumber.json`.")
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}

func writeHeader(b *bufio.Writer, r *reports.Result) {
	mark := map[reports.Verdict]string{reports.Conformant: "✅", reports.NotConformant: "❌", reports.Incomplete: "⚠️", reports.Partial: "⚠️"}[r.Verdict]
	fmt.Fprintf(b, "## %s hookcheck: %s\n\n", mark, escape(r.Headline()))
	fmt.Fprintf(b, "**%s**\n\n", escape(r.Advice()))
	e := r.Environment
	target := code(e.Target)
	if e.SessionTarget != "" {
		target += " (transcript notifications) · session target " + code(e.SessionTarget) + " (session webhooks)"
	}
	fmt.Fprintf(b, "Target %s · profile %s · started %s · took %s\n\n", target, escape(e.Profile),
		e.StartedAt.UTC().Format(time.DateTime+" UTC"), reports.FormatMS(e.DurationMS))
	if pr := e.Provider; pr != nil {
		fmt.Fprintf(b, "Provider **%s** · profile of %s · docs/spec.md %s\n\n", escape(pr.Name), escape(pr.ProfileDate),
			escape(strings.Join(pr.Sources, ", ")))
	}
	if e.API != "" {
		// Calls made after a scenario ended are not its evidence, so a
		// count would vary from run to run; the failures that calls
		// explain are in the requirements below.
		fmt.Fprintf(b, "Emulated AssemblyAI API %s · the receiver's calls to it are on each delivery's timeline in `report.html` and in `junit.xml`, `results.json`\n\n",
			code(e.API))
	}
	c := r.Counts
	fmt.Fprintln(b, "| Level | Passed | Failed |")
	fmt.Fprintln(b, "|---|---:|---:|")
	fmt.Fprintf(b, "| MUST | %d | %d |\n", c.MustPassed, c.MustFailed)
	fmt.Fprintf(b, "| SHOULD | %d | %d |\n\n", c.ShouldPassed, c.ShouldFailed)
	sc := r.ScenarioCounts()
	fmt.Fprintf(b, "Not applicable: %d · skipped: %d · scenarios: %d passed, %d failed, %d not applicable, %d skipped · deliveries: %d\n\n",
		c.NotApplicable, c.Skipped, sc[reports.Passed], sc[reports.Failed], sc[reports.NotApplicable], sc[reports.Skipped],
		r.DeliveryCount())
}

func writeFailures(b *bufio.Writer, r *reports.Result, heading string, qs []reports.Requirement) {
	if len(qs) == 0 {
		return
	}
	fmt.Fprintf(b, "### %s (%d)\n\n", heading, len(qs))
	for i, q := range qs {
		fmt.Fprintf(b, "%d. **%s %s**%s (%s)  \n", i+1, escape(q.ID), escape(q.Title), escape(q.ProductNote()), escape(strings.Join(q.Rules, ", ")))
		if route := r.Route(q); route != "" {
			fmt.Fprintf(b, "   Route: %s  \n", escape(route))
		}
		if by := q.Blocker(); by != "" {
			// The same failure as by: its fix is by's, listed there.
			fmt.Fprintf(b, "   Failed: %s; fix %s first\n", escape(q.Reason), escape(by))
			continue
		}
		if note := q.SameCauseNote(); note != "" {
			// Not blocked: the same answer, but to another kind of
			// request, so its own fix follows the root's.
			fmt.Fprintf(b, "   %s  \n", escape(upperFirst(note)))
		}
		if w := r.ImpactWordsOf(q); w != "" {
			fmt.Fprintf(b, "   Impact: %s  \n", escape(w))
		}
		if q.Reason != "" {
			fmt.Fprintf(b, "   Failed: %s  \n", escape(oneLine(q.Reason)))
		}
		fmt.Fprintf(b, "   Why it matters: %s  \n", escape(q.Why))
		fmt.Fprintf(b, "   **Fix:** %s\n", escape(q.Remediation))
	}
	fmt.Fprintln(b)
}

func writeNotChecked(b *bufio.Writer, r *reports.Result) {
	var lines []string
	for _, q := range r.Requirements {
		if q.Status == reports.NotApplicable || q.Status == reports.Skipped {
			line := fmt.Sprintf("- %s %s%s: %s. %s", escape(q.ID), escape(q.Title), escape(q.ProductNote()), q.Status.Label(), escape(sentence(q.Reason)))
			if route := r.Route(q); route != "" {
				line += " Route: " + escape(route) + "."
			}
			lines = append(lines, line)
		}
	}
	for _, name := range r.Cut {
		lines = append(lines, "- cut: "+escape(name))
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(b, "<details><summary>Not checked (%d)</summary>\n\n%s\n\n</details>\n\n", len(lines), strings.Join(lines, "\n"))
}

// escape makes text inert in Markdown and in the HTML GitHub allows in it.
var escaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", `\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`,
	"[", `\[`, "]", `\]`, "|", `\|`, "#", `\#`, "~", `\~`, "\n", " ", "\r", " ")

func escape(s string) string { return escaper.Replace(s) }

// code renders s as an inline code span that s cannot close.
func code(s string) string {
	if s == "" {
		return "(none)"
	}
	s = oneLine(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	return fence + " " + s + " " + fence
}

// upperFirst capitalises an ASCII first letter: a note as a sentence.
func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// sentence is s on one line, starting with a capital and ending with a
// full stop: the suite's reasons are clauses ("no auth header configured").
func sentence(s string) string {
	s = oneLine(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.ContainsAny(s[len(s)-1:], ".!?") {
		s += "."
	}
	return s
}
