package loadreport_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/hookcheck/hookcheck/features"
	"github.com/hookcheck/hookcheck/reports/loadreport"
	"github.com/hookcheck/hookcheck/simulator/load"
	"github.com/hookcheck/hookcheck/simulator/memnet"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// run loads the reference receiver called name at rate for 20 s in
// virtual time, diagnosed and with objectives judged.
func run(t *testing.T, name string, rate float64, objectives string) *load.Result {
	t.Helper()
	var res *load.Result
	synctest.Test(t, func(t *testing.T) {
		b, err := receiver.Lookup(name)
		require.NoError(t, err)
		net := memnet.New()
		srv, err := net.Serve("", b.New(receiver.Config{Inbox: receiver.NewBoundedInbox(receiver.InboxLimits{MaxRequests: 1, MaxIDs: 1})}, receiver.Params{}))
		require.NoError(t, err)
		defer srv.Close()
		res, err = load.Run(context.Background(), load.Config{Target: srv.URL + "/webhook", Policy: webhook.DefaultPolicy(),
			Plan: load.Plan{From: rate, To: rate, Duration: 20 * time.Second}, Drain: 5 * time.Minute, DialContext: net.DialContext})
		require.NoError(t, err)
		time.Sleep(time.Hour) // let the receiver finish what its clients left
	})
	os, err := load.ParseObjectives(objectives)
	require.NoError(t, err)
	res.Objectives = load.Check(os, res)
	require.NoError(t, loadreport.Diagnose(res))
	return res
}

func write(t *testing.T, res *load.Result) (doc map[string]any, page, summary string) {
	t.Helper()
	dir := t.TempDir()
	paths, err := loadreport.WriteAll(dir, "test", res)
	require.NoError(t, err)
	require.Len(t, paths, 3)
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		return string(b)
	}
	require.NoError(t, json.Unmarshal([]byte(read(loadreport.ResultsFile)), &doc))
	page = read(loadreport.HTMLFile)
	_, err = html.Parse(strings.NewReader(page))
	require.NoError(t, err)
	return doc, page, read(loadreport.SummaryFile)
}

func TestTheShedding429ReceiverReportNamesTheLostAndRC11sFix(t *testing.T) {
	res := run(t, "shed-429", 60, "lost=0,p95<2s")
	require.Positive(t, res.LostBy.TooMany)
	assert.False(t, res.Pass(), "lost=0 failed")
	doc, page, summary := write(t, res)

	section := doc["load"].(map[string]any)
	assert.EqualValues(t, res.Lost, section["lost"])
	assert.EqualValues(t, 0, section["held_rate"])
	assert.Equal(t, "load", doc["kind"])

	fixes, err := features.Remediations()
	require.NoError(t, err)
	fix := fixes["RC-11"]["429"]
	require.NotEmpty(t, fix)
	for name, text := range map[string]string{"report.html": page, "summary.md": summary} {
		assert.Contains(t, text, "RC-11", name)
		assert.Contains(t, text, fix[:60], name)
		assert.Contains(t, text, res.LostListed[0].TranscriptID, name+" names a lost notification")
		assert.Contains(t, text, "never retries a 4xx", name)
	}
	assert.Contains(t, page, "<svg")
	assert.Contains(t, page, `id="losses"`)
	assert.Contains(t, page, "✗ <code>lost=0</code>")
	assert.Contains(t, page, "✓ <code>p95&lt;2s</code>")
	assert.NotContains(t, page, "<script")
	assert.NotContains(t, page, "<link")
}

func TestAReceiverThatHoldsGetsNoFix(t *testing.T) {
	res := run(t, "queue-first", 60, "lost=0,p95<2s")
	assert.True(t, res.Pass())
	_, page, summary := write(t, res)
	for _, text := range []string{page, summary} {
		assert.NotContains(t, text, "RC-11")
		assert.Contains(t, text, "Held 60/s")
	}
	assert.NotContains(t, page, "Lost notifications")
}

func TestPoolReportShowsTheStorm(t *testing.T) {
	res := run(t, "pool-dry-500", 60, "lost=0")
	_, page, _ := write(t, res)
	assert.Contains(t, page, "Retries began to amplify the load")
	assert.Contains(t, page, `id="amplification"`)
}
