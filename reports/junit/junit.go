// Package junit renders a hookcheck run as JUnit XML, the format CI systems
// (GitHub Actions reporters, GitLab, Jenkins) show as test results: one
// test suite per feature, one test case per scenario, named after the
// requirements it checks.
package junit

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Suites is the <testsuites> document.
type Suites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Time     string   `xml:"time,attr"`
	Suites   []Suite  `xml:"testsuite"`
}

// Suite is one feature.
type Suite struct {
	Name       string     `xml:"name,attr"`
	Tests      int        `xml:"tests,attr"`
	Failures   int        `xml:"failures,attr"`
	Errors     int        `xml:"errors,attr"`
	Skipped    int        `xml:"skipped,attr"`
	Time       string     `xml:"time,attr"`
	Timestamp  string     `xml:"timestamp,attr,omitempty"`
	Properties []Property `xml:"properties>property,omitempty"`
	Cases      []Case     `xml:"testcase"`
}

// Property is one name/value pair of the run's environment.
type Property struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// Case is one scenario.
type Case struct {
	Name      string   `xml:"name,attr"`
	Classname string   `xml:"classname,attr"`
	File      string   `xml:"file,attr,omitempty"`
	Line      int      `xml:"line,attr,omitempty"`
	Time      string   `xml:"time,attr"`
	Failure   *Failure `xml:"failure,omitempty"`
	Skipped   *Skipped `xml:"skipped,omitempty"`
	SystemOut string   `xml:"system-out,omitempty"`
}

// Failure says why a scenario failed.
type Failure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

// Skipped says why a scenario did not run.
type Skipped struct {
	Message string `xml:"message,attr"`
}

// Write renders r as JUnit XML.
func Write(w io.Writer, r *reports.Result) error {
	doc := Build(r)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}

// Build returns the JUnit document for r.
func Build(r *reports.Result) Suites {
	doc := Suites{Name: "hookcheck " + r.Verdict.Title(), Time: seconds(r.Environment.DurationMS)}
	index := map[string]int{}
	for _, feature := range r.Features() {
		index[feature] = len(doc.Suites)
		doc.Suites = append(doc.Suites, Suite{Name: feature, Properties: properties(r)})
	}
	total := map[string]float64{}
	for _, sc := range r.Scenarios {
		s := &doc.Suites[index[sc.Feature]]
		c := testCase(r, sc)
		s.Cases = append(s.Cases, c)
		s.Tests++
		total[sc.Feature] += sc.DurationMS
		if s.Timestamp == "" && !sc.StartedAt.IsZero() {
			s.Timestamp = sc.StartedAt.UTC().Format(time.RFC3339)
		}
		switch {
		case c.Failure != nil:
			s.Failures++
		case c.Skipped != nil:
			s.Skipped++
		}
	}
	for i := range doc.Suites {
		s := &doc.Suites[i]
		s.Time = seconds(total[s.Name])
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
	}
	return doc
}

func testCase(r *reports.Result, sc reports.Scenario) Case {
	name := sc.Name
	if len(sc.Requirements) > 0 {
		name = strings.Join(sc.Requirements, " ") + " " + sc.Name
	}
	c := Case{Name: name, Classname: sc.Feature, File: sc.URI, Line: sc.Line, Time: seconds(sc.DurationMS)}
	switch sc.Status {
	case reports.Failed:
		msg := failureMessage(sc)
		if d := r.Diagnosis(sc); d != "" {
			msg = "[" + d + "] " + msg
		}
		c.Failure = &Failure{Message: msg, Type: failureType(r, sc), Body: failureBody(r, sc)}
	case reports.Skipped, reports.NotApplicable:
		msg := sc.Status.Label()
		if sc.Reason != "" {
			msg += ": " + sc.Reason
		}
		c.Skipped = &Skipped{Message: msg}
	}
	return c
}

// failureType is the level of the most binding requirement the scenario
// checks, so CI can tell a blocking failure from advice.
func failureType(r *reports.Result, sc reports.Scenario) string {
	level := sc.Level
	for _, id := range sc.Requirements {
		if q, ok := r.Requirement(id); ok && (level == "" || q.Level == reports.Must) {
			level = q.Level
		}
	}
	if level == "" {
		return "failure"
	}
	return string(level)
}

func failureMessage(sc reports.Scenario) string {
	for _, st := range sc.Steps {
		if st.Status == reports.Failed {
			msg := strings.TrimSpace(st.Keyword) + " " + st.Text
			if st.Error != "" {
				msg += ": " + firstLine(st.Error)
			}
			return msg
		}
	}
	if sc.Reason != "" {
		return sc.Reason
	}
	return "scenario failed"
}

// failureBody lists the steps and every delivery in a few lines each.
func failureBody(r *reports.Result, sc reports.Scenario) string {
	var b strings.Builder
	for _, st := range sc.Steps {
		fmt.Fprintf(&b, "%-8s %s%s (%s)\n", st.Status, st.Keyword, st.Text, reports.FormatMS(st.DurationMS))
		if st.Error != "" {
			fmt.Fprintf(&b, "         %s\n", strings.ReplaceAll(st.Error, "\n", "\n         "))
		}
	}
	for _, id := range sc.Requirements {
		q, ok := r.Requirement(id)
		switch {
		case !ok || q.Status != reports.Failed:
		case q.Blocker() != "":
			fmt.Fprintf(&b, "\n%s %s (%s): %s\n%s: fix %s first\n", q.ID, q.Level, strings.Join(q.Rules, ", "), q.Title, q.Reason, q.Blocker())
		case q.SameCause() != "":
			fmt.Fprintf(&b, "\n%s %s (%s): %s\nNote: %s\nImpact: %s\nFix: %s\n", q.ID, q.Level, strings.Join(q.Rules, ", "), q.Title, q.SameCauseNote(), q.EffectiveImpact(), q.Remediation)
		default:
			fmt.Fprintf(&b, "\n%s %s (%s): %s\nImpact: %s\nFix: %s\n", q.ID, q.Level, strings.Join(q.Rules, ", "), q.Title, q.EffectiveImpact(), q.Remediation)
		}
	}
	const most = 10
	for i, d := range sc.Deliveries {
		if i == most {
			fmt.Fprintf(&b, "… and %d more deliveries (see report.html)\n", len(sc.Deliveries)-most)
			break
		}
		if i == 0 {
			b.WriteString("\nDeliveries:\n")
		}
		fmt.Fprintf(&b, "  %s %s after %d attempt(s) in %s: %s\n", d.ID, d.Outcome, len(d.Attempts),
			reports.FormatDuration(d.EndedAt.Sub(d.StartedAt)), attempts(d))
		// The receiver's calls to the emulated API about this delivery's
		// transcript, timed from its first attempt.
		for _, c := range sc.CallsFor(d) {
			off := time.Duration(0)
			if len(d.Attempts) > 0 {
				off = c.At.Sub(d.Attempts[0].StartedAt)
			}
			fmt.Fprintf(&b, "    API call at +%s: %s\n", reports.FormatDuration(off), reports.DescribeCall(c))
		}
	}
	return b.String()
}

// attempts lists each attempt's result: "500, 500, timeout, 200".
func attempts(d *webhook.Delivery) string {
	parts := make([]string, 0, len(d.Attempts))
	for _, a := range d.Attempts {
		if a.Answered() {
			parts = append(parts, fmt.Sprint(a.StatusCode))
		} else {
			parts = append(parts, string(a.Failure))
		}
	}
	return strings.Join(parts, ", ")
}

func properties(r *reports.Result) []Property {
	e := r.Environment
	props := []Property{
		{"hookcheck.version", e.HookcheckVersion}, {"go.version", e.GoVersion}, {"profile", e.Profile},
		{"target", e.Target}, {"timeout_ms", fmt.Sprint(e.TimeoutMS)}, {"max_attempts", fmt.Sprint(e.MaxAttempts)},
		{"wait_ms", fmt.Sprint(e.WaitMS)}, {"regions", strings.Join(e.Regions, ",")},
		{"source_address", e.SourceAddress}, {"seed", fmt.Sprint(e.Seed)}, {"verdict", string(r.Verdict)},
		{"checked", joinJobs(r.Jobs())},
	}
	if e.SessionTarget != "" {
		props = append(props, Property{"session_target", e.SessionTarget})
	}
	return props
}

// joinJobs is "delivery,fetch": the jobs the verdict speaks for.
func joinJobs(js []reports.Job) string {
	s := make([]string, len(js))
	for i, j := range js {
		s[i] = string(j)
	}
	return strings.Join(s, ",")
}

func seconds(ms float64) string { return fmt.Sprintf("%.3f", ms/1000) }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
