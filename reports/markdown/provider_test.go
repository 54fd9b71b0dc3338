package markdown_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports/markdown"
)

// TestSummaryNamesTheProvider: another provider's summary says whose
// rules it checked, with the profile's date and sources; AssemblyAI's
// says nothing new (its goldens are unchanged).
func TestSummaryNamesTheProvider(t *testing.T) {
	var sw, aai bytes.Buffer
	require.NoError(t, markdown.Write(&sw, fixture.Run(t, "sw-compliant", fixture.Options{Provider: "standard-webhooks"})))
	assert.Contains(t, sw.String(), "Provider **standard-webhooks** · profile of 2026-12-06 · docs/spec.md ")
	require.NoError(t, markdown.Write(&aai, fixture.Run(t, "compliant", fixture.Options{})))
	assert.NotContains(t, aai.String(), "Provider **")
}
