package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

func TestRunProductFlagsAreChecked(t *testing.T) {
	for _, args := range [][]string{
		{"--product", "live"},
		{"--product", "streaming", "--max-session-duration", "-1h"},
		{"--product", "streaming", "--max-session-duration", "25h"},
	} {
		r := hookcheck(t, nil, append([]string{"run", "--fast", "--out", t.TempDir()}, args...)...)
		assert.Equal(t, exitUsage, r.code, "%v", args)
		assert.Equal(t, 1, strings.Count(strings.TrimSpace(r.stderr), "\n")+1, "one line: %q", r.stderr)
	}
}

// TestRunStreamingFindsTheFirstSessionLost: behind Express's default body
// limit, RC-21 fails and says which session length is the first one lost;
// the report keeps a summary of each session webhook, not its megabytes.
func TestRunStreamingFindsTheFirstSessionLost(t *testing.T) {
	srv, _ := serveBehaviour(t, "body-limit-100kb", receiver.Params{}, receiver.Config{})
	out := t.TempDir()
	r := hookcheck(t, nil, "run", "--target", srv.URL+"/webhook", "--fast", "--out", out, "--product", "streaming")
	assert.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "FAIL  RC-21")
	assert.Contains(t, r.stdout, "the transcript of every session longer than 1 min is lost")
	res, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	assert.Equal(t, reports.Streaming, res.Environment.Product)
	sessions := 0
	for _, sc := range res.Scenarios {
		for _, d := range sc.Deliveries {
			if d.Notification.Kind != webhook.KindStreamingSession {
				continue
			}
			sessions++
			require.NotNil(t, d.Payload)
			assert.LessOrEqual(t, len(d.Request.Body), webhook.DefaultKeptBodyBytes)
			assert.Positive(t, d.Payload.Turns)
		}
	}
	assert.Positive(t, sessions)
	for _, f := range []string{"results.json", "report.html", "cucumber.json"} {
		st, err := os.Stat(filepath.Join(out, f))
		require.NoError(t, err)
		assert.Less(t, st.Size(), int64(2<<20), "%s holds no session body in full", f)
	}
}

func TestRunBothProductsInOneReport(t *testing.T) {
	t.Parallel() // mostly real-time waits: overlap them with the other tests' waits
	out := t.TempDir()
	// --verify none: RC-18's api-fetch would wait for RC-15's slow fetch
	// (15 s), and this test is about products.
	r := hookcheck(t, nil, "run", "--fast", "--out", out, "--product", "both", "--max-session-duration", "1h", "--verify", "none")
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	res, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	rc05, _ := res.Requirement("RC-05")
	assert.Equal(t, []reports.Product{reports.PreRecorded, reports.Streaming}, rc05.Products)
	rc01, _ := res.Requirement("RC-01")
	assert.Equal(t, []reports.Product{reports.PreRecorded}, rc01.Products)
	rc21, _ := res.Requirement("RC-21")
	assert.Equal(t, []reports.Product{reports.Streaming}, rc21.Products)
	assert.Equal(t, reports.Passed, rc21.Status, rc21.Reason)
	page, err := os.ReadFile(filepath.Join(out, "report.html"))
	require.NoError(t, err)
	assert.Contains(t, string(page), `<span class="cond"> (pre-recorded and streaming)</span>`)
	assert.Contains(t, r.stdout, "[pre-recorded, streaming]")
}
