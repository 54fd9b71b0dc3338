package loadreport_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// schemaFile is the published schema of load-results.json.
const schemaFile = "../../docs/load-results.schema.json"

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	raw, err := os.ReadFile(schemaFile)
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	require.NoError(t, c.AddResource("load-results.schema.json", doc))
	s, err := c.Compile("load-results.schema.json")
	require.NoError(t, err)
	return s
}

// validate checks a load-results.json document against the schema.
func validate(t *testing.T, s *jsonschema.Schema, doc map[string]any) error {
	t.Helper()
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	return s.Validate(v)
}

func TestEveryLoadResultMatchesThePublishedSchema(t *testing.T) {
	s := compileSchema(t)
	for _, c := range []struct {
		behaviour  string
		objectives string
	}{{"shed-429", "lost=0,p95<2s"}, {"queue-first", "held_rate>=60"}, {"pool-dry-500", "amplification<1.5"}} {
		doc, _, _ := write(t, run(t, c.behaviour, 60, c.objectives))
		require.NoError(t, validate(t, s, doc), c.behaviour)
	}
}

func TestTheSchemaRefusesWhatItDoesNotDescribe(t *testing.T) {
	s := compileSchema(t)
	doc, _, _ := write(t, run(t, "shed-429", 20, "lost=0"))
	require.NoError(t, validate(t, s, doc))

	section := doc["load"].(map[string]any)
	held := section["held_rate"]
	delete(section, "held_rate")
	assert.Error(t, validate(t, s, doc), "held_rate is required")
	section["held_rate"] = held

	section["surprise"] = 1
	assert.Error(t, validate(t, s, doc), "a field the schema does not describe")
	delete(section, "surprise")

	section["lost"] = -1
	assert.Error(t, validate(t, s, doc), "a count is never negative")
}
