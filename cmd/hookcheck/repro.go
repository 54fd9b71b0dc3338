package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/repro"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// maxConsoleReason keeps a failure's line readable; the whole reason is in
// every report file.
const maxConsoleReason = 400

// printFailures is the console's account of what failed, after the
// summary table (issue 17): for each failed requirement that is not
// blocked by another (a blocked one failed the same way as its blocker,
// whose reproduction shows it), the reason of its first failed scenario
// and one reproduction, on a line each: the hookcheck send command when
// send can make the request, else the curl command on one line, after the
// commands that recreate an API fault. Every other failed scenario's
// reproduction is in the report files in dir, which the last line names.
// The not-applicable reasons follow, one line per distinct reason.
func printFailures(w io.Writer, r *reports.Result, dir string) {
	byRef := make(map[reports.ScenarioRef]reports.Scenario, len(r.Scenarios))
	for _, s := range r.Scenarios {
		byRef[s.Ref()] = s
	}
	printed, failedScenarios := 0, 0
	for _, s := range r.Scenarios {
		if s.Status == reports.Failed {
			failedScenarios++
		}
	}
	for _, q := range r.Requirements {
		if q.Status != reports.Failed || q.Blocker() != "" {
			continue
		}
		first := firstFailed(q, byRef)
		if first.Name == "" {
			continue
		}
		if printed == 0 {
			line := "\nFailures: one reproduction per failed requirement not blocked by another"
			if r.Environment.AuthHeaderName != "" {
				line += " (auth value from $" + envAuthHeaderValue + ")"
			}
			fmt.Fprintln(w, line)
		}
		printed++
		rp, ok := first.FirstReproduction()
		if c := q.SameCause(); c != "" && ok && rp.API == "" {
			// Its reason is its root's answer again (summary.md has
			// it): the request that makes it a finding of its own is
			// what to reproduce, on one line.
			fmt.Fprintf(w, "%s (possibly the same cause as %s) %s", q.ID, c, strings.TrimPrefix(reproductionLine(rp, dir), "  "))
			continue
		}
		fmt.Fprintf(w, "%s %s: %s\n", q.ID, first.Name, clip(first.Reason, maxConsoleReason))
		if ok {
			printReproduction(w, rp, dir)
		}
	}
	if printed > 0 {
		fmt.Fprintf(w, "The reproductions of all %d failed scenario(s): %s (and report.html, results.json)\n",
			failedScenarios, filepath.Join(dir, "summary.md"))
	}
	printNotApplicable(w, r)
}

// firstFailed is the failed scenario of q whose reproduction the console
// shows: the first; for a requirement that is possibly the same cause as
// another, the first whose request was of another kind than a plain
// notification (a probe, the redacted-audio notification), since that
// request is what makes it a finding of its own.
func firstFailed(q reports.Requirement, byRef map[reports.ScenarioRef]reports.Scenario) reports.Scenario {
	var first reports.Scenario
	for _, ref := range q.Scenarios {
		s, ok := byRef[ref]
		if !ok || s.Status != reports.Failed {
			continue
		}
		if first.Name == "" {
			first = s
		}
		if q.SameCause() == "" {
			break
		}
		for _, d := range s.Deliveries {
			if d.Probe != "" || d.Notification.Kind != webhook.KindTranscript {
				return s
			}
		}
	}
	return first
}

// printReproduction prints one reproduction: the API fault's commands,
// then send, or curl on one line.
func printReproduction(w io.Writer, rp repro.Reproduction, dir string) {
	for line := range strings.Lines(rp.API) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			fmt.Fprintf(w, "  recreate the API fault: %s\n", line)
		}
	}
	if rp.API != "" {
		fmt.Fprintln(w, "  (the receiver's AssemblyAI base URL at that address, as in the run)")
	}
	fmt.Fprint(w, reproductionLine(rp, dir))
}

// reproductionLine is the line that makes the request again: send, or
// curl on one line.
func reproductionLine(rp repro.Reproduction, dir string) string {
	switch {
	case rp.Send != "":
		return fmt.Sprintf("  reproduce: %s\n", rp.Send)
	case rp.BodyFile != "":
		// The curl command reads its body relative to the report directory.
		return fmt.Sprintf("  reproduce: (cd %s && %s)\n", repro.Quote(dir), oneLine(rp.Curl))
	}
	return fmt.Sprintf("  reproduce: %s\n", oneLine(rp.Curl))
}

// printNotApplicable says once why each group of requirements did not
// apply: "Not applicable: RC-15, RC-16, RC-17: the run does not serve …".
func printNotApplicable(w io.Writer, r *reports.Result) {
	var reasons []string
	ids := map[string][]string{}
	for _, q := range r.Requirements {
		if q.Status != reports.NotApplicable || q.Reason == "" {
			continue
		}
		if _, ok := ids[q.Reason]; !ok {
			reasons = append(reasons, q.Reason)
		}
		ids[q.Reason] = append(ids[q.Reason], q.ID)
	}
	for _, reason := range reasons {
		fmt.Fprintf(w, "Not applicable: %s: %s\n", strings.Join(ids[reason], ", "), clip(reason, maxConsoleReason))
	}
}

// oneLine joins a generated command's continuation lines; a command whose
// inline body has line breaks of its own keeps its lines.
func oneLine(cmd string) string {
	joined := strings.ReplaceAll(cmd, " \\\n  -", " -")
	if strings.Contains(joined, "\n") {
		return cmd
	}
	return joined
}

// clip cuts s to at most n bytes (at a character boundary) with a mark.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
