// Package resultschema validates results.json documents against the
// published JSON Schema (docs/results.schema.json) with a kept draft
// 2020-12 validator (santhosh-tekuri/jsonschema). Tests use it to check
// every results.json the suite produces; its messages name the JSON path
// that is wrong, so a field added to the model without the schema is found
// at once.
package resultschema

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/hookcheck/hookcheck/docs"
	"github.com/hookcheck/hookcheck/reports"
)

// Schema is the compiled schema with its declared version.
type Schema struct {
	// ID is the schema's $id: the results format version it describes.
	ID string
	// Const is the value the schema requires of the document's "schema"
	// field ($defs.version.const).
	Const  string
	schema *jsonschema.Schema
}

// Compile compiles docs/results.schema.json, asserting formats
// (date-time) rather than only annotating them.
func Compile() (*Schema, error) {
	raw := docs.ResultsSchema()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", docs.ResultsSchemaFile, err)
	}
	top, _ := doc.(map[string]any)
	id, _ := top["$id"].(string)
	var cnst string
	if defs, ok := top["$defs"].(map[string]any); ok {
		if v, ok := defs["version"].(map[string]any); ok {
			cnst, _ = v["const"].(string)
		}
	}
	if id == "" {
		return nil, fmt.Errorf("%s: no $id", docs.ResultsSchemaFile)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(id, doc); err != nil {
		return nil, fmt.Errorf("%s: %w", docs.ResultsSchemaFile, err)
	}
	s, err := c.Compile(id)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", docs.ResultsSchemaFile, err)
	}
	return &Schema{ID: id, Const: cnst, schema: s}, nil
}

// CheckVersion reports whether the schema describes the format this
// hookcheck writes (reports.Schema), in $id and in the "schema" constant.
func (s *Schema) CheckVersion() error {
	if s.ID != reports.Schema || s.Const != reports.Schema {
		return fmt.Errorf("%s describes %q (\"$id\") with \"schema\" const %q, but hookcheck writes %q (reports.Schema): update both to match",
			docs.ResultsSchemaFile, s.ID, s.Const, reports.Schema)
	}
	return nil
}

// Validate checks one results.json document. The error lists every
// violation on its own line as "JSON-pointer: what is wrong", e.g.
// "/scenarios/3/deliveries/0: additional properties 'blocked_by' not
// allowed".
func (s *Schema) Validate(data []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("results.json is not JSON: %w", err)
	}
	err = s.schema.Validate(inst)
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	p := message.NewPrinter(language.English)
	var lines []string
	for _, leaf := range leaves(ve) {
		lines = append(lines, "/"+strings.Join(leaf.InstanceLocation, "/")+": "+leaf.ErrorKind.LocalizedString(p))
	}
	slices.Sort(lines)
	lines = slices.Compact(lines)
	return fmt.Errorf("results.json does not match %s (%s):\n  %s", docs.ResultsSchemaFile, s.ID, strings.Join(lines, "\n  "))
}

// leaves returns the innermost errors: the ones that say what is wrong,
// rather than "doesn't validate with #/$defs/…".
func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// compiled caches the schema for Check: compiling it once per test binary
// keeps validating hundreds of results cheap. It is set once and never
// changed.
var compiled = sync.OnceValues(Compile)

// Check fails t unless data, a results.json document, matches the schema
// and the schema's version is the one hookcheck writes.
func Check(t testing.TB, data []byte) {
	t.Helper()
	s, err := compiled()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckVersion(); err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(data); err != nil {
		t.Fatal(err)
	}
}

// CheckResult encodes r the way results.json is written and checks it.
func CheckResult(t testing.TB, r *reports.Result) {
	t.Helper()
	var b bytes.Buffer
	if err := r.Write(&b); err != nil {
		t.Fatal(err)
	}
	Check(t, b.Bytes())
}
