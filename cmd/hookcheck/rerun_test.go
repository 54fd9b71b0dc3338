package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// TestRunRerunFailed: --rerun-failed runs again only the scenarios that
// failed in the earlier run's results.json (by default --out's), with a
// partial verdict that says so; once the receiver is fixed the rerun
// passes and exits 0, still partial.
func TestRunRerunFailed(t *testing.T) {
	broken, _ := serveBehaviour(t, "crash-on-redacted-audio", receiver.Params{}, receiver.Config{})
	out := t.TempDir()
	r := hookcheck(t, nil, "run", "--target", broken.URL+"/webhook", "--fast", "--out", out)
	require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	first, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	failed := first.FailedScenarios()
	require.NotEmpty(t, failed)
	require.Less(t, len(failed), len(first.Scenarios), "the rerun must be a subset")
	prev := filepath.Join(out, "results.json")

	// Against the same broken receiver: only those scenarios, still failing.
	r = hookcheck(t, nil, "run", "--target", broken.URL+"/webhook", "--fast", "--out", out, "--rerun-failed")
	require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "PARTIAL: "+reports.RerunReason(len(failed), prev))
	again, err := reports.ReadFile(prev)
	require.NoError(t, err)
	assert.Equal(t, reports.Partial, again.Verdict)
	assert.Equal(t, reports.RerunReason(len(failed), prev), again.Reason)
	require.Len(t, again.Scenarios, len(failed))
	for i, s := range again.Scenarios {
		assert.Equal(t, failed[i], s.Ref())
		assert.Equal(t, reports.Failed, s.Status, s.Name)
	}

	// Fixed: the rerun of the same scenarios passes, and stays partial.
	fixed, inbox := serveBehaviour(t, "compliant", receiver.Params{}, receiver.Config{})
	saved := filepath.Join(t.TempDir(), "before.json")
	data, err := os.ReadFile(prev)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(saved, data, 0o600))
	r = hookcheck(t, nil, "run", "--target", fixed.URL+"/webhook", "--fast", "--out", out, "--rerun-failed="+saved)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "PARTIAL: "+reports.RerunReason(len(failed), saved))
	passed, err := reports.ReadFile(prev)
	require.NoError(t, err)
	assert.Equal(t, reports.Partial, passed.Verdict)
	require.Len(t, passed.Scenarios, len(failed))
	attempts := 0
	for _, s := range passed.Scenarios {
		assert.Equal(t, reports.Passed, s.Status, s.Name)
		for _, d := range s.Deliveries {
			attempts += len(d.Attempts)
		}
	}
	// The receiver saw the rerun scenarios' requests and nothing else.
	assert.Equal(t, int64(attempts), inbox.Total())
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	require.NoError(t, err)
	assert.Contains(t, string(html), "Partial run: rerun of the ")

	// Now nothing failed: nothing to rerun, exit 0, nothing run.
	r = hookcheck(t, nil, "run", "--target", fixed.URL+"/webhook", "--fast", "--out", out, "--rerun-failed")
	require.Equal(t, exitOK, r.code, "stderr:\n%s", r.stderr)
	assert.Contains(t, r.stdout, "nothing failed in "+prev+": nothing to rerun")
	assert.NotContains(t, r.stdout, "Checking ")
}

// TestRunRerunFailedBadFile: a results file that is missing, not JSON,
// or names a scenario the features do not hold is a one-line usage error.
func TestRunRerunFailedBadFile(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.json")
	require.NoError(t, os.WriteFile(garbage, []byte("not json"), 0o600))
	requireOneLine(t, hookcheck(t, nil, "run", "--fast", "--out", t.TempDir(), "--rerun-failed="+garbage), "--rerun-failed: "+garbage)
	requireOneLine(t, hookcheck(t, nil, "run", "--fast", "--out", t.TempDir(), "--rerun-failed"), "--rerun-failed: ")

	// A failed scenario at a line no feature has.
	out := t.TempDir()
	broken, _ := serveBehaviour(t, "crash-on-redacted-audio", receiver.Params{}, receiver.Config{})
	r := hookcheck(t, nil, "run", "--target", broken.URL+"/webhook", "--fast", "--out", out, "--tags", "@RC-07")
	require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	res, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	for i := range res.Scenarios {
		res.Scenarios[i].Line += 10000
	}
	for i := range res.Requirements {
		for j := range res.Requirements[i].Scenarios {
			res.Requirements[i].Scenarios[j].Line += 10000
		}
	}
	moved := filepath.Join(dir, "moved.json")
	f, err := os.Create(moved)
	require.NoError(t, err)
	require.NoError(t, res.Write(f))
	require.NoError(t, f.Close())
	requireOneLine(t, hookcheck(t, nil, "run", "--target", broken.URL+"/webhook", "--fast", "--out", out, "--rerun-failed="+moved),
		"cannot rerun")
}

// TestRunRerunFailedRunsNothingElse: the rerun of an outline's failed
// rows sends nothing for the other scenarios of their feature file.
func TestRunRerunFailedRunsNothingElse(t *testing.T) {
	broken, _ := serveBehaviour(t, "accepts-malformed", receiver.Params{}, receiver.Config{})
	out := t.TempDir()
	r := hookcheck(t, nil, "run", "--target", broken.URL+"/webhook", "--fast", "--out", out, "--tags", "@RC-08")
	require.Equal(t, exitOK, r.code, "a failed SHOULD alone passes: stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	first, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	failed := first.FailedScenarios()
	require.Len(t, failed, 3, "the three @should rows")
	require.Len(t, first.Scenarios, 6)

	fixed, inbox := serveBehaviour(t, "compliant", receiver.Params{}, receiver.Config{})
	r = hookcheck(t, nil, "run", "--target", fixed.URL+"/webhook", "--fast", "--out", out, "--rerun-failed")
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	res, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	require.Len(t, res.Scenarios, 3)
	attempts := 0
	for i, s := range res.Scenarios {
		assert.Equal(t, failed[i], s.Ref())
		assert.Equal(t, reports.Passed, s.Status)
		for _, d := range s.Deliveries {
			attempts += len(d.Attempts)
		}
	}
	assert.Equal(t, int64(3), inbox.Total(), "one probe per rerun row")
	assert.Equal(t, 3, attempts, "one attempt per rerun row")
}
