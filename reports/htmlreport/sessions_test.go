package htmlreport_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/htmlreport"
)

// TestSessionSweepOfARealRun: RC-21's sweep against a receiver with a 1 MB
// limit shows each session's length, size and answer, the first lost one
// in the 4xx colour, and summarises the bodies instead of copying them.
func TestSessionSweepOfARealRun(t *testing.T) {
	res := fixture.Run(t, "body-limit-1mb", fixture.Options{Product: reports.Streaming, Tags: "@RC-21"})
	page, _ := render(t, res, everything())
	i := strings.Index(page, `<table class="sessions">`)
	require.Positive(t, i, "the sweep is shown")
	sweep := page[i : i+strings.Index(page[i:], "</table>")]
	for _, want := range []string{"1 min", "10 min", "1 h", "3 h", " MiB</td>", "200 OK", "413 Request Entity Too Large", `sbar s4`, "turns"} {
		assert.Contains(t, sweep, want)
	}
	assert.Contains(t, page, "Streaming session webhook: 2.")
	assert.Contains(t, page, "the body is generated again, byte for byte")

	var b bytes.Buffer
	require.NoError(t, htmlreport.Write(&b, res))
	assert.Less(t, b.Len(), 200<<10, "four session webhooks, 3.5 MiB of bodies, make a small page")
}
