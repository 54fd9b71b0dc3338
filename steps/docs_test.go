package steps_test

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/steps"
)

var update = flag.Bool("update", false, "rewrite docs/steps.md")

// TestStepsDocIsCurrent keeps docs/steps.md in step with the library:
// `go test ./steps -run TestStepsDoc -update` rewrites it.
func TestStepsDocIsCurrent(t *testing.T) {
	got := stepsDoc((&steps.Conformance{}).Definitions(), steps.Simulator{}.Definitions())
	const path = "../docs/steps.md"
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), got, "docs/steps.md is stale: run go test ./steps -run TestStepsDoc -update")
}

func TestEveryExampleMatchesItsPattern(t *testing.T) {
	for _, d := range append((&steps.Conformance{}).Definitions(), steps.Simulator{}.Definitions()...) {
		assert.Regexp(t, d.Pattern, d.Example)
		assert.Contains(t, []string{"Given", "When", "Then"}, d.Kind, d.Pattern)
		assert.NotEmpty(t, d.Doc, d.Pattern)
	}
}

// TestDeprecatedTextsPointAtCurrentSteps: every old phrasing names a
// replacement that a current step matches, so the advice in
// docs/steps.md can be followed.
func TestDeprecatedTextsPointAtCurrentSteps(t *testing.T) {
	defs := append((&steps.Conformance{}).Definitions(), steps.Simulator{}.Definitions()...)
	n := 0
	for _, old := range defs {
		if old.Deprecated == "" {
			continue
		}
		n++
		var matched []string
		for _, cur := range defs {
			if cur.Deprecated == "" && cur.Kind == old.Kind && regexp.MustCompile(cur.Pattern).MatchString(old.Deprecated) {
				matched = append(matched, cur.Pattern)
			}
		}
		assert.Len(t, matched, 1, "replacement of %q", old.Example)
	}
	assert.Equal(t, 5, n, "the five guard steps were renamed")
}

func TestClosestNeverSuggestsADeprecatedText(t *testing.T) {
	defs := (&steps.Conformance{}).Definitions()
	got := steps.Closest("an auth header is configured", defs, 1)
	assert.Equal(t, []string{"the run is configured with an auth header (otherwise not applicable)"}, got)
}

func TestClosestSuggestsTheNearestSteps(t *testing.T) {
	defs := (&steps.Conformance{}).Definitions()
	got := steps.Closest("the receiver acknowledge it with 2xx", defs, 1)
	assert.Equal(t, []string{"the receiver acknowledges it with a 2xx within the deadline"}, got)
	assert.Empty(t, steps.Closest("zzz qqq", defs, 3))
}

func stepsDoc(defs, simulator []steps.Definition) string {
	var b strings.Builder
	b.WriteString(`# Step library

Write your own scenarios against your receiver with these steps and run them
with ` + "`hookcheck run --features DIR`" + ` (or ` + "`hookcheck.Target{Features: os.DirFS(DIR)}`" + `
from Go). Tag a scenario with the requirement it checks (` + "`@RC-01`" + `, or your own
` + "`@RC-xx`" + ` ids) and ` + "`@must`" + ` or ` + "`@should`" + `; tag burst-like scenarios ` + "`@serial`" + ` so
they run alone, scenarios that make AssemblyAI's API slow or failing, or
hold the receiver busy, ` + "`@isolated`" + ` so they run one at a time with nothing
else in flight (each one's API faults end and the receiver settles before the
next starts: no verdict depends on what ran beside it), and scenarios that
wait by design (a redelivery one retry interval later) ` + "`@long`" + ` so they
start first and the run lasts about as long as the longest of them. Preconditions that the user did not configure make a
scenario *not applicable*, never passed. Tag a scenario (or its feature)
` + "`@streaming`" + ` to check the webhook of a streaming session instead of the
transcript notification: its deliveries and probes then carry a session
webhook, sent to ` + "`--session-target`" + ` when set, and ` + "`hookcheck run --product streaming`" + ` (or ` + "`both`" + `) selects it.

This page is generated from the code (` + "`go test ./steps -run TestStepsDoc -update`" + `).

Example:

` + "```gherkin" + `
@RC-01 @must
Feature: Our receiver acknowledges notifications

  Scenario: A completed notification with our metadata is acknowledged
    When AssemblyAI delivers a "completed" transcript notification to the webhook URL with the query "tenant=acme"
    Then the receiver acknowledges it with a 2xx within the deadline
` + "```" + `
`)
	table(&b, "##", defs)
	b.WriteString(`
## Simulator fidelity steps

The steps of ` + "`features/simulator`" + ` (type ` + "`steps.Simulator`" + `), which check hookcheck's
own sender against the spec with reference receivers on an in-memory network.
They assert exact times, so they run inside a ` + "`testing/synctest`" + ` bubble
(see ` + "`features/simulator_test.go`" + `); they are not available to ` + "`hookcheck run`" + `.
`)
	table(&b, "###", simulator)
	b.WriteString(`
## Deprecated step texts

These older phrasings still run, with the same behaviour, so existing
feature files keep working; write the new text instead. They read as if
they configured something, but a guard only makes the scenario not
applicable when the run was not configured so.

| old step | write instead |
|---|---|
`)
	for _, d := range append(defs, simulator...) {
		if d.Deprecated != "" {
			fmt.Fprintf(&b, "| `%s %s` | `%s %s` |\n", d.Kind, d.Example, d.Kind, d.Deprecated)
		}
	}
	b.WriteString(`
## Patterns

Each step matches a regular expression; the quoted or numbered parts are
parameters.

`)
	for _, d := range append(defs, simulator...) {
		if d.Deprecated == "" {
			fmt.Fprintf(&b, "- `%s`\n", d.Pattern)
		}
	}
	return b.String()
}

func table(b *strings.Builder, heading string, defs []steps.Definition) {
	for _, kind := range []string{"Given", "When", "Then"} {
		fmt.Fprintf(b, "\n%s %s\n\n| step | what it does |\n|---|---|\n", heading, kind)
		for _, d := range defs {
			if d.Kind == kind && d.Deprecated == "" {
				fmt.Fprintf(b, "| `%s %s` | %s |\n", kind, d.Example, strings.ReplaceAll(d.Doc, "|", "\\|"))
			}
		}
	}
}
