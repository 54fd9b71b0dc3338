package htmlreport_test

import (
	"html"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/htmlreport"
)

// TestFailuresCarryReproductions: each failed scenario shows the commands
// of its first failed request; passed scenarios show none.
func TestFailuresCarryReproductions(t *testing.T) {
	res := fixture.Default(t)
	page, _ := render(t, res, htmlreport.DefaultOptions())
	text := html.UnescapeString(page)
	failed := 0
	for _, s := range res.Scenarios {
		if s.Status != reports.Failed {
			assert.Empty(t, s.Reproductions)
			continue
		}
		failed++
		rp, ok := s.FirstReproduction()
		require.True(t, ok, s.Name)
		assert.Contains(t, text, rp.Curl, "the curl command of %q", s.Name)
		if rp.Send != "" {
			assert.Contains(t, text, rp.Send)
		}
	}
	require.Positive(t, failed)
	assert.Equal(t, failed, strings.Count(page, `<div class="repro">`))
}
