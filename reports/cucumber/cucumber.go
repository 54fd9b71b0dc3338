// Package cucumber renders a hookcheck run in the Cucumber JSON format
// (features → elements → steps), which cucumber-html-reporter, Jenkins'
// Cucumber plugin and many dashboards read.
package cucumber

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/hookcheck/hookcheck/reports"
)

// Feature is one feature file.
type Feature struct {
	URI         string    `json:"uri"`
	ID          string    `json:"id"`
	Keyword     string    `json:"keyword"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Line        int       `json:"line"`
	Tags        []Tag     `json:"tags,omitempty"`
	Elements    []Element `json:"elements"`
}

// Element is one scenario.
type Element struct {
	ID          string `json:"id"`
	Keyword     string `json:"keyword"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Line        int    `json:"line"`
	Type        string `json:"type"`
	Tags        []Tag  `json:"tags,omitempty"`
	Steps       []Step `json:"steps"`
}

// Tag is a Gherkin tag such as "@RC-04" or "@D-5".
type Tag struct {
	Name string `json:"name"`
	Line int    `json:"line"`
}

// Step is one step with its result.
type Step struct {
	Keyword string `json:"keyword"`
	Name    string `json:"name"`
	Line    int    `json:"line"`
	Result  Result `json:"result"`
}

// Result is a step's status; Duration is in nanoseconds.
type Result struct {
	Status       string `json:"status"`
	Duration     int64  `json:"duration,omitempty"`
	ErrorMessage string `json:"error_message,omitempty"`
}

// Write renders r as Cucumber JSON.
func Write(w io.Writer, r *reports.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(Build(r)); err != nil {
		return fmt.Errorf("encode cucumber json: %w", err)
	}
	return nil
}

// Build returns the Cucumber features of r, in the order scenarios ran.
func Build(r *reports.Result) []Feature {
	features := []Feature{}
	index := map[string]int{}
	for _, sc := range r.Scenarios {
		i, ok := index[sc.Feature]
		if !ok {
			i = len(features)
			index[sc.Feature] = i
			features = append(features, Feature{URI: sc.URI, ID: slug(sc.Feature), Keyword: "Feature",
				Name: sc.Feature, Line: 1, Elements: []Element{}})
		}
		features[i].Elements = append(features[i].Elements, element(r, sc))
	}
	return features
}

func element(r *reports.Result, sc reports.Scenario) Element {
	e := Element{ID: slug(sc.Feature) + ";" + slug(sc.Name), Keyword: "Scenario", Name: sc.Name,
		Line: sc.Line, Type: "scenario", Steps: []Step{}}
	if sc.Reason != "" {
		e.Description = sc.Status.Label() + ": " + sc.Reason
	}
	diag := ""
	if sc.Status == reports.Failed {
		diag = r.Diagnosis(sc)
	}
	for _, t := range sc.Tags {
		e.Tags = append(e.Tags, Tag{Name: "@" + strings.TrimPrefix(t, "@"), Line: sc.Line - 1})
	}
	for _, st := range sc.Steps {
		msg := st.Error
		if msg != "" && diag != "" {
			msg = "[" + diag + "] " + msg
		}
		e.Steps = append(e.Steps, Step{Keyword: st.Keyword, Name: st.Text, Line: st.Line, Result: Result{
			Status: status(st.Status), Duration: int64(st.DurationMS * 1e6), ErrorMessage: msg}})
	}
	return e
}

// status maps hookcheck's statuses to Cucumber's: not_applicable is a skip.
func status(s reports.Status) string {
	switch s {
	case reports.Passed:
		return "passed"
	case reports.Failed:
		return "failed"
	case reports.Skipped, reports.NotApplicable:
		return "skipped"
	}
	return "undefined"
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
