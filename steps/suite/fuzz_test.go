package suite_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/hookcheck/hookcheck/steps/suite"
)

// FuzzPrepare feeds arbitrary feature file content and tag expressions
// (the --features and --tags input) to Prepare: it never panics, and every
// error it returns is a *SetupError, so the CLI refuses the input with
// exit 2 rather than crashing or blaming the receiver. Corpus:
// testdata/fuzz/FuzzPrepare.
func FuzzPrepare(f *testing.F) {
	real, err := os.ReadFile(filepath.Join("..", "..", "features", "receiver", "rc01_acknowledges_completed.feature"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(real), "")
	f.Add(string(real), "@RC-01")
	f.Add(string(real), "@must && ~@serial,@RC-02")
	f.Add("Feature: x\n  Scenario Outline: o <a>\n    Given <a>\n    Examples:\n      | a |\n      | 1 |\n", "~@x")
	f.Add("Feature:\n  Background:\n    Given x\n  Rule: r\n    Scenario: s\n", ",,")
	f.Fuzz(func(t *testing.T, content, tags string) {
		fsys := fstest.MapFS{"a.feature": &fstest.MapFile{Data: []byte(content)}}
		p, err := suite.Prepare(suite.Config{Features: fsys, FeaturesName: "fuzz", Tags: tags})
		if err != nil {
			var se *suite.SetupError
			if !errors.As(err, &se) {
				t.Fatalf("Prepare(%q, %q): error %v is not a *SetupError", content, tags, err)
			}
			return
		}
		if p.Selected() < 1 {
			t.Fatalf("Prepare succeeded with nothing selected")
		}
	})
}
