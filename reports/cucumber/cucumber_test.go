package cucumber_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/cucumber"
)

func TestCucumberJSONRoundTrips(t *testing.T) {
	res := fixture.Default(t)
	var b bytes.Buffer
	require.NoError(t, cucumber.Write(&b, res))
	var got []cucumber.Feature
	require.NoError(t, json.Unmarshal(b.Bytes(), &got))
	assert.Equal(t, cucumber.Build(res), got)

	// The generic shape other tools read.
	var generic []map[string]any
	require.NoError(t, json.Unmarshal(b.Bytes(), &generic))
	require.NotEmpty(t, generic)
	el := generic[0]["elements"].([]any)[0].(map[string]any)
	assert.Equal(t, "scenario", el["type"])
	step := el["steps"].([]any)[0].(map[string]any)
	assert.Contains(t, step["result"], "status")
}

func TestCucumberStatusesDurationsAndTags(t *testing.T) {
	res := fixture.Default(t)
	features := cucumber.Build(res)
	require.Len(t, features, len(res.Features()))
	elements := 0
	for _, f := range features {
		assert.Equal(t, "Feature", f.Keyword)
		elements += len(f.Elements)
	}
	assert.Equal(t, len(res.Scenarios), elements)

	// RC-02: the typical receiver hangs on an "error" notification.
	var hang cucumber.Element
	for _, f := range features {
		for _, e := range f.Elements {
			if e.Name == "An error notification is acknowledged with a 2xx within the deadline" {
				hang = e
			}
		}
	}
	require.Len(t, hang.Steps, 2)
	when, then := hang.Steps[0], hang.Steps[1]
	assert.Equal(t, "passed", when.Result.Status)
	assert.Equal(t, int64(190e9), when.Result.Duration, "nanoseconds: ten 10 s timeouts and nine 10 s waits")
	assert.Equal(t, "failed", then.Result.Status)
	assert.Contains(t, then.Result.ErrorMessage, "no answer within 10 s (timeout)")
	assert.Contains(t, hang.Tags, cucumber.Tag{Name: "@RC-02", Line: hang.Line - 1})

	tls := 0
	for _, f := range features {
		for _, e := range f.Elements {
			if e.Name == "The TLS handshake verifies with TLS 1.2 or later" {
				tls++
				assert.Equal(t, "skipped", e.Steps[0].Result.Status, "not_applicable is a skip")
				assert.Contains(t, e.Description, reports.NotApplicable.Label())
			}
		}
	}
	assert.Equal(t, 1, tls)
}
