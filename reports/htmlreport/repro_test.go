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
	"github.com/hookcheck/hookcheck/reports/markdown"
	"github.com/hookcheck/hookcheck/reports/repro"
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

// TestReproductionsNameTheirFaultAndBodyFile: an API-fault failure's
// reproduction shows how to recreate the fault, and a long session's
// says which file holds its body and where to run curl.
func TestReproductionsNameTheirFaultAndBodyFile(t *testing.T) {
	for _, c := range []struct {
		behaviour string
		o         fixture.Options
		want      func(rp repro.Reproduction) []string
	}{
		{"passes-api-status", fixture.Options{API: true, Tags: "@RC-16"}, func(rp repro.Reproduction) []string {
			return []string{"First recreate AssemblyAI's API fault", rp.API}
		}},
		{"body-limit-1mb", fixture.Options{Product: reports.Streaming, Tags: "@RC-21"}, func(rp repro.Reproduction) []string {
			return []string{rp.BodyFile, "run curl in this report's directory", rp.BodySHA256, "--data-binary @" + rp.BodyFile}
		}},
	} {
		t.Run(c.behaviour, func(t *testing.T) {
			res := fixture.Run(t, c.behaviour, c.o)
			page, _ := render(t, res, htmlreport.DefaultOptions())
			text := html.UnescapeString(page)
			var md strings.Builder
			require.NoError(t, markdown.Write(&md, res))
			shown := 0
			for _, s := range res.Scenarios {
				rp, ok := s.FirstReproduction()
				if !ok {
					continue
				}
				shown++
				for _, w := range c.want(rp) {
					require.NotEmpty(t, strings.TrimSpace(w))
					assert.True(t, strings.Contains(text, w), "report.html shows %q for %s", w, s.Name)
					assert.True(t, strings.Contains(md.String(), w), "summary.md shows %q for %s", w, s.Name)
				}
			}
			assert.Positive(t, shown)
		})
	}
}
