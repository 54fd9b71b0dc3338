// Package truewords rejects sentences that are false for the run they
// describe (issue 17, "Words that are true"): a reader acts on every word
// of a report, so each renderer's text is checked against what the run
// actually did. The tests of the suite (steps/suite) run every reference
// receiver through every renderer and call Check; the CLI's tests check
// its console the same way (Text).
//
// Each ban is a phrase and the runs in which it is false: "safe to
// register" in a run that did not check processing, "strict mode" in a
// run that was not strict, a lost notification on a probe, which
// announces none, and RC-13's old claim that a GET "can trigger
// processing". Check also holds summary.md's impact of each requirement
// to the one results.json writes.
package truewords

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/cucumber"
	"github.com/hookcheck/hookcheck/reports/htmlreport"
	"github.com/hookcheck/hookcheck/reports/junit"
	"github.com/hookcheck/hookcheck/reports/markdown"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// ban is a phrase (lower case) that is false in the runs where falseIn
// says so.
type ban struct {
	phrase  string
	why     string
	falseIn func(*reports.Result) bool
}

// bans returns the run-level bans: phrases false anywhere in a run's text.
func bans() []ban {
	always := func(*reports.Result) bool { return true }
	return []ban{
		{"safe to register", "processing was not checked (no --api fetch proof, no --verify-url)",
			func(r *reports.Result) bool { return !r.Checks(reports.JobProcessing) }},
		{"strict mode", "the run was not strict",
			func(r *reports.Result) bool { return !r.Environment.Strict }},
		{"assemblyai", "the run imitated another provider, whose rules are not AssemblyAI's",
			func(r *reports.Result) bool { return r.Environment.Provider != nil }},
		{"can trigger processing", "RC-13 cannot know that the route processes anything", always},
		{"the handler runs for requests", "RC-13 cannot know that the handler does anything", always},
	}
}

// lossPhrases say that a notification or transcript was lost: false for
// a probe, which announces none.
var lossPhrases = []string{"notification is lost", "transcript is lost", "would be lost", "must poll",
	"loses this notification", "would lose this"}

// Text returns one line per banned phrase that text (from where: "headline",
// "summary.md", "console") contains although it is false for res.
func Text(res *reports.Result, where, text string) []string {
	low := strings.ToLower(text)
	var out []string
	for _, b := range bans() {
		if b.falseIn(res) && strings.Contains(low, b.phrase) {
			out = append(out, fmt.Sprintf("%s says %q, but %s: …%s…", where, b.phrase, b.why, around(low, b.phrase)))
		}
	}
	return out
}

// ProbeOutcome returns one line per loss phrase in the outcome text of a
// probe delivery: a probe announces no transcript, so it loses none.
func ProbeOutcome(d *webhook.Delivery, where, text string) []string {
	if d.Lost() != "" {
		return nil
	}
	low := strings.ToLower(text)
	var out []string
	for _, p := range lossPhrases {
		if strings.Contains(low, p) {
			out = append(out, fmt.Sprintf("%s: probe %s says %q, but it announces no transcript: …%s…", where, d.ID, p, around(low, p)))
		}
	}
	return out
}

// summaryImpact matches a failed requirement's heading and its impact
// line in summary.md.
var summaryImpact = regexp.MustCompile(`(?m)^\d+\. \*\*(RC-\d+) [^\n]*\n   Impact: ([^\n]*?)  $`)

// Impacts returns one line per requirement whose impact in summary.md is
// not the words of the impact results.json (the decoded written file)
// gives it.
func Impacts(fromJSON *reports.Result, summary string) []string {
	var out []string
	for _, m := range summaryImpact.FindAllStringSubmatch(summary, -1) {
		q, ok := fromJSON.Requirement(m[1])
		got := strings.ReplaceAll(m[2], `\`, "")
		if want := fromJSON.ImpactWordsOf(q); !ok || got != want {
			out = append(out, fmt.Sprintf("summary.md gives %s the impact %q, results.json %q (%q)", m[1], got, q.Impact, want))
		}
	}
	return out
}

// deliveryHead matches a delivery's heading in report.html: its id and
// the outcome sentence.
var deliveryHead = regexp.MustCompile(`<b>([^<]+)</b> · ([^<]*) <span class="muted">webhook_status_code`)

// Timelines returns the outcome sentence of each delivery report.html
// shows in full, by delivery id.
func Timelines(html string) map[string]string {
	out := map[string]string{}
	for _, m := range deliveryHead.FindAllStringSubmatch(html, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// Check renders res with every renderer (headline, advice, summary.md,
// report.html, junit.xml, cucumber.json) and returns every false phrase
// found, with the summary's impacts checked against results.json's and
// each probe's outcome sentence in report.html checked for a loss.
func Check(res *reports.Result) ([]string, error) {
	var js bytes.Buffer
	if err := res.Write(&js); err != nil {
		return nil, err
	}
	fromJSON, err := reports.Read(&js)
	if err != nil {
		return nil, fmt.Errorf("read results.json back: %w", err)
	}
	texts := map[string]string{"headline": res.Headline(), "advice": res.Advice()}
	for name, write := range map[string]func(*bytes.Buffer) error{
		"summary.md":    func(b *bytes.Buffer) error { return markdown.Write(b, res) },
		"report.html":   func(b *bytes.Buffer) error { return htmlreport.Write(b, res) },
		"junit.xml":     func(b *bytes.Buffer) error { return junit.Write(b, res) },
		"cucumber.json": func(b *bytes.Buffer) error { return cucumber.Write(b, res) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			return nil, fmt.Errorf("render %s: %w", name, err)
		}
		texts[name] = b.String()
	}
	var out []string
	for _, name := range []string{"headline", "advice", "summary.md", "report.html", "junit.xml", "cucumber.json"} {
		out = append(out, Text(res, name, texts[name])...)
	}
	out = append(out, Impacts(fromJSON, texts["summary.md"])...)
	for _, q := range fromJSON.Requirements {
		if q.Status == reports.Failed && q.Impact != q.EffectiveImpact() {
			out = append(out, fmt.Sprintf("results.json gives %s the impact %q, its failed part %q", q.ID, q.Impact, q.EffectiveImpact()))
		}
	}
	byID := map[string]*webhook.Delivery{}
	for _, sc := range res.Scenarios {
		for _, d := range sc.Deliveries {
			byID[d.ID] = d
		}
	}
	for id, sentence := range Timelines(texts["report.html"]) {
		if d, ok := byID[id]; ok {
			out = append(out, ProbeOutcome(d, "report.html timeline", sentence)...)
		}
	}
	// A scenario of probes alone: its failure message speaks of probes.
	for _, sc := range res.Scenarios {
		if len(sc.Deliveries) == 0 || sc.Reason == "" {
			continue
		}
		probes := true
		for _, d := range sc.Deliveries {
			probes = probes && d.Lost() == ""
		}
		if probes {
			out = append(out, ProbeOutcome(sc.Deliveries[0], "the reason of "+sc.Name, sc.Reason)...)
		}
	}
	return out, nil
}

// around is the text near phrase in s, for a message.
func around(s, phrase string) string {
	i := strings.Index(s, phrase)
	lo, hi := max(i-60, 0), min(i+len(phrase)+60, len(s))
	return s[lo:hi]
}
