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
	res := fixture.Default(t, fixture.Options{})
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
	res := fixture.Default(t, fixture.Options{})
	features := cucumber.Build(res)
	require.Len(t, features, len(res.Features()))
	elements := 0
	for _, f := range features {
		assert.Equal(t, "Feature", f.Keyword)
		elements += len(f.Elements)
	}
	assert.Equal(t, len(res.Scenarios), elements)

	var hang cucumber.Element
	for _, f := range features {
		for _, e := range f.Elements {
			if e.Name == "Answers within 10 s while it fetches the transcript" {
				hang = e
			}
		}
	}
	require.Len(t, hang.Steps, 3)
	when, then := hang.Steps[1], hang.Steps[2]
	assert.Equal(t, "passed", when.Result.Status)
	assert.Equal(t, int64(190e9), when.Result.Duration, "nanoseconds")
	assert.Equal(t, "failed", then.Result.Status)
	assert.Contains(t, then.Result.ErrorMessage, "exhausted")
	assert.Contains(t, hang.Tags, cucumber.Tag{Name: "@RC-03", Line: hang.Line - 1})

	for _, f := range features {
		for _, e := range f.Elements {
			if e.Name == "Serves the webhook over HTTPS" {
				assert.Equal(t, "skipped", e.Steps[0].Result.Status, "not_applicable is a skip")
				assert.Contains(t, e.Description, reports.NotApplicable.Label())
			}
		}
	}
}
