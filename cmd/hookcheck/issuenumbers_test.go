package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/docs"
	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports/render"
)

// issueNumber is how the project's own tracker shows through: "issue 13",
// "(issue #17)". A user's help, profile or report has no use for it.
var issueNumber = regexp.MustCompile(`(?i)\bissues?\s*#?\d+`)

// TestNoIssueNumbersInWhatUsersSee: no help text (every command's, with
// its flags and examples), no receiver listing, no written profile, report
// or results schema names an issue of the project's tracker.
func TestNoIssueNumbersInWhatUsersSee(t *testing.T) {
	seen := map[string]string{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		r := hookcheck(t, nil, append(commandPath(c), "--help")...)
		require.Equal(t, exitOK, r.code, r.stderr)
		seen[c.CommandPath()+" --help"] = r.stdout
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(&app{getenv: func(string) string { return "" }}))
	seen["receiver --list"] = hookcheck(t, nil, "receiver", "--list").stdout

	profile := filepath.Join(t.TempDir(), "observed.json")
	file := writeCapture(t, replayRecord(1, "5a0e3e1c-0000-4000-8000-000000000001"))
	r := hookcheck(t, nil, "diff", file, "--update-profile", profile)
	require.NotEqual(t, exitUsage, r.code, r.stderr)
	seen["diff --update-profile"] = readFile(t, profile)

	dir := t.TempDir()
	paths, err := render.WriteAll(dir, fixture.Default(t))
	require.NoError(t, err)
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			seen[filepath.Base(p)] = readFile(t, p)
		}
	}
	seen[docs.ResultsSchemaFile] = string(docs.ResultsSchema())

	require.Contains(t, seen, "hookcheck diff --help")
	for what, text := range seen {
		assert.Empty(t, issueNumber.FindAllString(text, -1), "%s names an issue of the tracker", what)
	}
}

// commandPath is c's words after "hookcheck".
func commandPath(c *cobra.Command) []string {
	var words []string
	for ; c.HasParent(); c = c.Parent() {
		words = append([]string{c.Name()}, words...)
	}
	return words
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path) // #nosec G304 -- the test's own file
	require.NoError(t, err)
	return string(b)
}
