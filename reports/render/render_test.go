package render_test

import (
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-faker/faker/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/render"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

func TestWriteAllWritesEveryFileAndResultsRoundTrip(t *testing.T) {
	res := fixture.Default(t)
	dir := filepath.Join(t.TempDir(), "new", "report")
	paths, err := render.WriteAll(dir, res)
	require.NoError(t, err)
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
		st, err := os.Stat(p)
		require.NoError(t, err)
		assert.Positive(t, st.Size(), p)
	}
	assert.Equal(t, []string{"results.json", "junit.xml", "cucumber.json", "report.html", "summary.md"}, names)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 5, "no temporary file left behind")

	back, err := reports.ReadFile(filepath.Join(dir, render.ResultsFile))
	require.NoError(t, err)
	assert.Equal(t, res.Verdict, back.Verdict)
	assert.Equal(t, res.DeliveryCount(), back.DeliveryCount())

	// Re-rendering from results.json gives the same report.
	html, summary := filepath.Join(dir, "again.html"), filepath.Join(dir, "again.md")
	require.NoError(t, render.Render(back, html, summary))
	for _, pair := range [][2]string{{"report.html", html}, {"summary.md", summary}} {
		want, err := os.ReadFile(filepath.Join(dir, pair[0]))
		require.NoError(t, err)
		got, err := os.ReadFile(pair[1])
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), pair[0])
	}
}

func TestCanarySecretAppearsInNoOutputFile(t *testing.T) {
	canary := "canary-" + faker.Password()
	// A careless receiver: the typical one, echoing the auth header into
	// every answer it gives.
	echo := func(cfg receiver.Config) http.Handler {
		h := fixture.NewTypical(cfg)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(fixture.AuthHeaderName, r.Header.Get(fixture.AuthHeaderName))
			h.ServeHTTP(w, r)
		})
	}
	res := fixture.RunHandler(t, echo, fixture.Options{Auth: true, AuthValue: webhook.Secret(canary)})
	// Where a careless renderer might print it: the receiver echoes the
	// header, a record left it unmasked under another spelling, and a
	// password stayed in the target URL.
	d := res.Scenarios[0].Deliveries[0]
	d.Request.Headers["x-webhook-secret"] = []string{canary}
	d.Target = "http://hook:" + canary + "@127.0.0.1:8080/webhook"
	res.Environment.Target = d.Target
	echoed := false
	for _, sc := range res.Scenarios {
		for _, d := range sc.Deliveries {
			for _, a := range d.Attempts {
				require.NotEqual(t, canary, a.ResponseHeaders.Get("X-Webhook-Secret"), "the engine masks an echo by value")
				echoed = echoed || a.ResponseHeaders.Get("X-Webhook-Secret") == webhook.Mask
			}
		}
	}
	require.True(t, echoed, "the fixture's careless receiver echoes the secret")
	// A record that failed to mask an echo (one written by an older
	// hookcheck): the renderers still mask the header by name.
	a := &d.Attempts[0]
	a.ResponseHeaders = a.ResponseHeaders.Clone()
	a.ResponseHeaders.Set("X-Webhook-Secret", canary)

	dir := t.TempDir()
	paths, err := render.WriteAll(dir, res)
	require.NoError(t, err)
	require.NoError(t, render.Render(res, filepath.Join(dir, "r.html"), filepath.Join(dir, "s.md")))
	paths = append(paths, filepath.Join(dir, "r.html"), filepath.Join(dir, "s.md"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		assert.NotContains(t, string(b), canary, p)
	}
}

func TestWriteFileKeepsTheOldFileOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))
	err := render.WriteFile(path, &reports.Result{}, func(w io.Writer, _ *reports.Result) error {
		_, _ = io.WriteString(w, "half")
		return errors.New("boom")
	})
	require.ErrorContains(t, err, "boom")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "old", string(b))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1)
}

func TestRenderSkipsEmptyPaths(t *testing.T) {
	res := fixture.Default(t)
	dir := t.TempDir()
	require.NoError(t, render.Render(res, "", filepath.Join(dir, "s.md")))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1)
	assert.Error(t, render.Render(nil, "x", "y"))
}
