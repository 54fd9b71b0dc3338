package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports/render"
)

func TestReportRerendersFromResultsJSON(t *testing.T) {
	dir := t.TempDir()
	_, err := render.WriteAll(dir, fixture.Default(t))
	require.NoError(t, err)
	out := filepath.Join(dir, "out")
	require.NoError(t, os.Mkdir(out, 0o755))
	html, md := filepath.Join(out, "r.html"), filepath.Join(out, "s.md")
	xml, cj := filepath.Join(out, "j.xml"), filepath.Join(out, "c.json")

	r := hookcheck(t, nil, "report", "--in", filepath.Join(dir, "results.json"),
		"--html", html, "--summary", md, "--junit", xml, "--cucumber", cj)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Not conformant")
	for _, pair := range [][2]string{{"report.html", html}, {"summary.md", md}, {"junit.xml", xml}, {"cucumber.json", cj}} {
		want, err := os.ReadFile(filepath.Join(dir, pair[0]))
		require.NoError(t, err)
		got, err := os.ReadFile(pair[1])
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "%s re-renders identically", pair[0])
	}
}

func TestReportUsageErrors(t *testing.T) {
	dir := t.TempDir()
	requireOneLine(t, hookcheck(t, nil, "report", "--html", "x.html"), "--in is required")
	requireOneLine(t, hookcheck(t, nil, "report", "--in", "results.json"), "nothing to write")
	requireOneLine(t, hookcheck(t, nil, "report", "--in", filepath.Join(dir, "missing.json"), "--html", "x"), "--in")
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"schema":"other"}`), 0o644))
	requireOneLine(t, hookcheck(t, nil, "report", "--in", bad, "--html", filepath.Join(dir, "x.html")), "schema")
	v1 := filepath.Join(dir, "v1.json")
	require.NoError(t, os.WriteFile(v1, []byte(`{"schema":"https://hookcheck.dev/schemas/results/v1",`+
		`"requirements":[{"id":"RC-01","scenarios":["x.feature\u0000name\u0000step"]}]}`), 0o644))
	requireOneLine(t, hookcheck(t, nil, "report", "--in", v1, "--html", filepath.Join(dir, "x.html")),
		"results schema v1 is from an older hookcheck; re-run `hookcheck run` to write v2")
	requireOneLine(t, hookcheck(t, nil, "report", "--bogus"), "unknown flag")
}

// TestReportRefusesANullDelivery is issue 11's repro: a results.json with
// a null delivery crashed the HTML renderer and left a 0-byte temporary
// file. It is refused with one line naming the JSON path, exit 2, and
// nothing is left in the output directory.
func TestReportRefusesANullDelivery(t *testing.T) {
	dir := t.TempDir()
	_, err := render.WriteAll(dir, fixture.Default(t))
	require.NoError(t, err)
	data, err := os.ReadFile(filepath.Join(dir, "results.json"))
	require.NoError(t, err)
	bad := strings.Replace(string(data), `"deliveries": [`, `"deliveries": [null, `, 1)
	require.NotEqual(t, string(data), bad)
	in := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(in, []byte(bad), 0o644))
	out := t.TempDir()
	r := hookcheck(t, nil, "report", "--in", in, "--html", filepath.Join(out, "r.html"), "--summary", filepath.Join(out, "s.md"),
		"--junit", filepath.Join(out, "j.xml"), "--cucumber", filepath.Join(out, "c.json"))
	requireOneLine(t, r, "deliveries[0] is null")
	assert.Regexp(t, `scenarios\[\d+\]\.deliveries\[0\] is null`, r.stderr)
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	assert.Empty(t, entries, "no file, temporary or not, is left")
}
