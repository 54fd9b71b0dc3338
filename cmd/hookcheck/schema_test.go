package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hookcheck/hookcheck/internal/resultschema"
)

// checkResultsSchema validates the results.json a `hookcheck run` invocation
// wrote, if it wrote one, against docs/results.schema.json: every run the
// CLI tests make is a schema test too.
func checkResultsSchema(t *testing.T, args []string) {
	t.Helper()
	if len(args) == 0 || args[0] != "run" {
		return
	}
	out := "hookcheck-report"
	for i, a := range args {
		switch {
		case a == "--out" && i+1 < len(args):
			out = args[i+1]
		case len(a) > len("--out=") && a[:len("--out=")] == "--out=":
			out = a[len("--out="):]
		}
	}
	data, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		return // a usage error, or an unwritable --out, writes nothing
	}
	resultschema.Check(t, data)
}
