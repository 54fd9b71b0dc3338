package resultschema_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/internal/resultschema"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/render"
	"github.com/hookcheck/hookcheck/simulator/receiver"
)

func compile(t *testing.T) *resultschema.Schema {
	t.Helper()
	s, err := resultschema.Compile()
	require.NoError(t, err)
	return s
}

// TestSchemaVersionIsTheOneHookcheckWrites: the schema's $id and its
// "schema" constant are reports.Schema, so a format bump cannot leave the
// published schema behind.
func TestSchemaVersionIsTheOneHookcheckWrites(t *testing.T) {
	s := compile(t)
	require.NoError(t, s.CheckVersion())
	assert.Equal(t, reports.Schema, s.ID)
}

// TestEveryReferenceReceiverRunMatches validates the results of the
// built-in suite against every reference receiver (the proof matrix's
// inputs: each failure path of the model is exercised), a conformant run,
// a strict one, an interrupted one and a selection. fixture.Run checks each
// too; here the file render.WriteAll writes is checked byte for byte.
func TestEveryReferenceReceiverRunMatches(t *testing.T) {
	s := compile(t)
	type run struct {
		behaviour string
		opts      fixture.Options
	}
	runs := []run{
		{fixture.Typical, fixture.Options{}},
		{"compliant", fixture.Conformant},
		{"compliant", fixture.Options{Strict: true, Tags: "@RC-13,@RC-03"}},
		{"compliant", fixture.Options{StopAfter: 3}},
		{"compliant", fixture.Options{Query: "?customer_id=1234", Burst: 5}},
	}
	// The serial scenarios (burst, latency) are left out for the broken
	// receivers: the runs above cover their records, and each behaviour's
	// own failure shows in the others.
	for _, b := range receiver.Behaviours() {
		runs = append(runs, run{b.Name, fixture.Options{Auth: true, Allowlist: true, Tags: "~@serial"}})
	}
	for _, r := range runs {
		t.Run(r.behaviour, func(t *testing.T) {
			t.Parallel()
			res := fixture.Run(t, r.behaviour, r.opts)
			dir := t.TempDir()
			_, err := render.WriteAll(dir, res)
			require.NoError(t, err)
			data, err := os.ReadFile(filepath.Join(dir, "results.json"))
			require.NoError(t, err)
			require.NoError(t, s.Validate(data))
		})
	}
}

// TestViolationsNameTheirPath: each kind of mismatch is refused, and the
// message says exactly where, so that a field added to the model without
// the schema is found in one read.
func TestViolationsNameTheirPath(t *testing.T) {
	s := compile(t)
	var b bytes.Buffer
	require.NoError(t, fixture.Default(t).Write(&b))
	require.NoError(t, s.Validate(b.Bytes()), "the unchanged document matches")

	tests := []struct {
		name   string
		change func(doc map[string]any)
		want   string
	}{
		{"unknown field in a delivery", func(doc map[string]any) {
			delivery(doc)["blocked_by"] = "RC-09"
		}, "/scenarios/0/deliveries/0: additional properties 'blocked_by' not allowed"},
		{"unknown top-level field", func(doc map[string]any) { doc["api_calls"] = []any{} },
			"/: additional properties 'api_calls' not allowed"},
		{"verdict outside the enumeration", func(doc map[string]any) { doc["verdict"] = "conformant-ish" },
			"/verdict: value must be one of"},
		{"another format version", func(doc map[string]any) { doc["schema"] = "https://hookcheck.dev/schemas/results/v1" },
			"/schema: value must be"},
		{"missing required field", func(doc map[string]any) { delete(doc["environment"].(map[string]any), "seed") },
			"/environment: missing property 'seed'"},
		{"time that is not RFC 3339", func(doc map[string]any) { delivery(doc)["started_at"] = "yesterday" },
			"/scenarios/0/deliveries/0/started_at: 'yesterday' is not valid date-time"},
		{"status code of the wrong type", func(doc map[string]any) {
			delivery(doc)["attempts"].([]any)[0].(map[string]any)["status_code"] = "200"
		}, "/scenarios/0/deliveries/0/attempts/0/status_code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]any
			require.NoError(t, json.Unmarshal(b.Bytes(), &doc))
			tt.change(doc)
			data, err := json.Marshal(doc)
			require.NoError(t, err)
			err = s.Validate(data)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "results.json does not match docs/results.schema.json"), err.Error())
		})
	}
}

// delivery returns the first delivery of the first scenario that has one,
// moved to scenario 0 so paths in the expectations are fixed.
func delivery(doc map[string]any) map[string]any {
	scs := doc["scenarios"].([]any)
	for i, sc := range scs {
		if ds, _ := sc.(map[string]any)["deliveries"].([]any); len(ds) > 0 {
			scs[0], scs[i] = scs[i], scs[0]
			return ds[0].(map[string]any)
		}
	}
	panic("no delivery in the fixture")
}
