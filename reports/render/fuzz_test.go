package render_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/cucumber"
	"github.com/hookcheck/hookcheck/reports/htmlreport"
	"github.com/hookcheck/hookcheck/reports/junit"
	"github.com/hookcheck/hookcheck/reports/markdown"
)

// FuzzReadAndRender loads arbitrary bytes as a results.json: either Read
// refuses them, or every renderer renders the result without panicking
// (the renderers are called directly, not through WriteFile, which would
// turn a panic into an error). Seeds: testdata/results-small.json and the
// corpus in testdata/fuzz/FuzzReadAndRender.
func FuzzReadAndRender(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "results-small.json"))
	require.NoError(f, err)
	f.Add(seed)
	f.Add(bytes.Replace(seed, []byte(`"deliveries": [`), []byte(`"deliveries": [null, `), 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := reports.Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		r = r.Masked()
		for _, write := range []func(io.Writer, *reports.Result) error{
			func(w io.Writer, r *reports.Result) error { return r.Write(w) },
			htmlreport.Write, markdown.Write, junit.Write, cucumber.Write,
		} {
			_ = write(io.Discard, r)
		}
	})
}

// TestReadRefusesANullDelivery is the issue 11 repro: a null delivery
// crashed the HTML renderer; now Read refuses it and names its path.
func TestReadRefusesANullDelivery(t *testing.T) {
	seed, err := os.ReadFile(filepath.Join("testdata", "results-small.json"))
	require.NoError(t, err)
	_, err = reports.Read(bytes.NewReader(seed))
	require.NoError(t, err, "the seed is valid")
	bad := bytes.Replace(seed, []byte(`"deliveries": [`), []byte(`"deliveries": [null, `), 1)
	_, err = reports.Read(bytes.NewReader(bad))
	var ve *reports.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "scenarios[0].deliveries[0]", ve.Path)
	assert.EqualError(t, err, "invalid results: scenarios[0].deliveries[0] is null")
}
