// Package docs holds hookcheck's published documentation files that
// programs read too: the JSON Schema of results.json. It is a package only
// so that the schema the docs publish is the very file the tests validate
// against, with no copy to drift.
package docs

import _ "embed" // the schema is embedded from this directory

//go:embed results.schema.json
var resultsSchema []byte

// ResultsSchemaFile is the schema's path in the repository, for messages.
const ResultsSchemaFile = "docs/results.schema.json"

// ResultsSchema returns the JSON Schema (draft 2020-12) of results.json,
// docs/results.schema.json. Each call returns a fresh copy, so no caller
// can change what another reads.
func ResultsSchema() []byte { return append([]byte(nil), resultsSchema...) }
