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

// stable removes what differs between machines: the target's port and
// the Go version do not appear in the summary, so only the target is set.
func stable(r *reports.Result) *reports.Result {
	r.Environment.Target = "http://127.0.0.1:8080/webhook"
	return r
}

func TestNotConformantSummary(t *testing.T) {
	res := stable(fixture.Default(t, fixture.Options{}))
	got := summary(t, res)
	golden(t, "not_conformant", got)
	for _, q := range res.FailedMust() {
		assert.Contains(t, string(got), q.ID)
	}
	assert.NotContains(t, string(got), "](", "link-free")
}

func TestConformantSummary(t *testing.T) {
	res := stable(fixture.Default(t, fixture.Options{}))
	for i := range res.Requirements {
		if res.Requirements[i].Status == reports.Failed {
			res.Requirements[i].Status, res.Requirements[i].Reason = reports.Passed, ""
		}
	}
	res.Tally(false, false)
	golden(t, "conformant", summary(t, res))
}

func TestIncompleteSummary(t *testing.T) {
	res := stable(fixture.Default(t, fixture.Options{}))
	res.Tally(false, true)
	res.Reason = "interrupted (SIGINT) after 12 of 39 scenarios."
	golden(t, "incomplete", summary(t, res))
}

func TestHostileTextIsInert(t *testing.T) {
	res := stable(fixture.Default(t, fixture.Options{}))
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
