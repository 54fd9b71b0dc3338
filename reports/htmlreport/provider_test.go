package htmlreport_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports/htmlreport"
)

// TestReportNamesTheProvider: another provider's report names it, with
// its profile's date and sources; AssemblyAI's has no such row.
func TestReportNamesTheProvider(t *testing.T) {
	var sw, aai bytes.Buffer
	require.NoError(t, htmlreport.Write(&sw, fixture.Run(t, "sw-compliant", fixture.Options{Provider: "standard-webhooks"})))
	assert.Contains(t, sw.String(), "standard-webhooks (profile of 2026-12-06; docs/spec.md ")
	require.NoError(t, htmlreport.Write(&aai, fixture.Run(t, "compliant", fixture.Options{})))
	assert.NotContains(t, aai.String(), "(profile of ")
}
