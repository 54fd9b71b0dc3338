package steps_test

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/internal/stats"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/htmlreport"
	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// burstLatencyFeature is RC-11's burst judged by RC-03's p95 check: 50
// samples, where a percentile definition that rounds the rank down (the
// chart's old (n-1)·p/100 took the 47th) and one that rounds it up
// (nearest rank, the 48th) disagree.
const burstLatencyFeature = `@RC-03 @should @serial
Feature: A burst is acknowledged fast

  Scenario: The p95 acknowledgement time of a burst is within the budget
    When AssemblyAI delivers a burst of concurrent "completed" transcript notifications
    Then the p95 acknowledgement time is within the latency budget
`

// TestFailureMessageAndChartStateTheSameP95 renders a burst of 50 whose
// p95 exceeds the budget and checks that the failure message and every
// p95 figure in the HTML chart beside it (caption, title, mark) agree.
func TestFailureMessageAndChartStateTheSameP95(t *testing.T) {
	// The n-th request is answered after n×100 ms of virtual time: 50
	// distinct times, 0.1 s to 5 s, so neighbouring ranks read differently.
	slow := func(receiver.Config) http.Handler {
		var n atomic.Int64
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			time.Sleep(time.Duration(n.Add(1)) * 100 * time.Millisecond)
			w.WriteHeader(http.StatusOK)
		})
	}
	res := fixture.RunHandler(t, slow, fixture.Options{
		Features: fstest.MapFS{"burst.feature": {Data: []byte(burstLatencyFeature)}},
	})
	require.Len(t, res.Scenarios, 1)
	sc := res.Scenarios[0]
	require.Equal(t, reports.Failed, sc.Status)
	require.Len(t, sc.Deliveries, 50)

	times := make([]time.Duration, len(sc.Deliveries))
	for i, d := range sc.Deliveries {
		times[i] = d.Attempts[0].Duration
	}
	slices.Sort(times)
	want := stats.FormatDuration(times[47]) // rank ⌈0.95×50⌉ = 48
	require.NotEqual(t, want, stats.FormatDuration(times[46]), "the samples must tell the two definitions apart")

	msg := regexp.MustCompile(`p95 acknowledgement time (\S+ \S+) exceeds`).FindStringSubmatch(sc.Steps[1].Error)
	require.NotNil(t, msg, sc.Steps[1].Error)
	assert.Equal(t, want, msg[1], "failure message")

	var out bytes.Buffer
	require.NoError(t, htmlreport.Write(&out, res))
	inChart := regexp.MustCompile(`p95 (?:<b>)?([0-9.]+ m?s)\b`).FindAllStringSubmatch(out.String(), -1)
	require.GreaterOrEqual(t, len(inChart), 3, "caption, title and mark")
	for _, m := range inChart {
		assert.Equal(t, msg[1], m[1], "chart: %s", m[0])
	}
}
