// Package sample writes a sample report directory from fixture runs, for
// `make report-check` and for looking at the design:
//
//	go test ./reports/internal/sample -run TestWriteSample -sample=DIR
package sample

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports/render"
)

var out = flag.String("sample", "", "write sample report directories under this directory")

// TestWriteSample writes DIR/default and DIR/burst1000: real runs of the
// built-in suite against the fixture's typical receiver (conflict on a
// redelivery, a crash on the redacted-audio notification, a hang on an
// "error" notification, a rate limiter), the second with a burst of 1,000
// deliveries (fixture.Default and fixture.Large).
func TestWriteSample(t *testing.T) {
	if *out == "" {
		t.Skip("no -sample=DIR given")
	}
	res := fixture.Default(t)
	paths, err := render.WriteAll(filepath.Join(*out, "default"), res)
	require.NoError(t, err)
	t.Log(paths)
	big := fixture.Large(t)
	paths, err = render.WriteAll(filepath.Join(*out, "burst1000"), big)
	require.NoError(t, err)
	t.Log(paths)
}
