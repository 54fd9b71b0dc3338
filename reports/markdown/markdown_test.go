package markdown_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/markdown"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// golden compares got with testdata/name.golden, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), string(got))
}

func summary(t *testing.T, r *reports.Result) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, markdown.Write(&b, r))
	return b.Bytes()
}

// stable is a fixture run normalised: its ids are numbered, its clock is
// virtual, so its summary is the same on every machine and every run.
func stable(t *testing.T, behaviour string, o fixture.Options) *reports.Result {
	t.Helper()
	return fixture.Normalize(t, fixture.Run(t, behaviour, o))
}

func TestNotConformantSummary(t *testing.T) {
	res := stable(t, fixture.Typical, fixture.Options{})
	got := summary(t, res)
	golden(t, "not_conformant", got)
	require.Len(t, res.FailedMust(), 4)
	for _, q := range res.FailedMust() {
		assert.Contains(t, string(got), q.ID)
	}
	assert.NotContains(t, string(got), "](", "link-free")
}

func TestConformantSummary(t *testing.T) {
	res := stable(t, "compliant", fixture.Conformant)
	require.Equal(t, reports.Conformant, res.Verdict)
	golden(t, "conformant", summary(t, res))
}

func TestIncompleteSummary(t *testing.T) {
	res := stable(t, fixture.Typical, fixture.Options{StopAfter: 6})
	require.Equal(t, reports.Incomplete, res.Verdict)
	golden(t, "incomplete", summary(t, res))
}

func TestHostileTextIsInert(t *testing.T) {
	res := fixture.Default(t)
	for i := range res.Requirements {
		if res.Requirements[i].Status == reports.Failed {
			res.Requirements[i].Reason = "receiver said <script>alert(1)</script> | [x](javascript:alert(1)) `code`"
		}
	}
	res.Environment.Target = "http://h/`x`"
	got := string(summary(t, res))
	assert.NotContains(t, got, "<script>")
	assert.NotRegexp(t, `[^\\]\]\(`, got, "no live link")
	assert.Contains(t, got, "``")
}
