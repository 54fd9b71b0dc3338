package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// serveTwoRoutes is an app with a transcript route that reads
// transcript_id and fails on a session webhook (the requires-transcript-id
// receiver) and a compliant session route, on different paths.
func serveTwoRoutes(t *testing.T) *httptest.Server {
	t.Helper()
	tb, err := receiver.Lookup("requires-transcript-id")
	require.NoError(t, err)
	tr := tb.New(receiver.Config{Path: "/webhooks/transcript", Inbox: receiver.NewInbox()}, receiver.Params{})
	se := receiver.NewCompliant(receiver.Config{Path: "/webhooks/session", Inbox: receiver.NewInbox()})
	t.Cleanup(func() { _ = se.Close() })
	mux := http.NewServeMux()
	mux.Handle("/webhooks/transcript", tr)
	mux.Handle("/webhooks/session", se)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestRunSessionTargetTestsBothRoutes: issue 19's "Done when": run
// --product both with --target …/transcript --session-target …/session
// tests both routes; without --session-target the header line says both
// kinds go to one URL and the session scenarios fail on the transcript
// route.
func TestRunSessionTargetTestsBothRoutes(t *testing.T) {
	srv := serveTwoRoutes(t)
	base := []string{"run", "--fast", "--product", "both", "--tags", "@RC-01,@RC-20", "--target", srv.URL + "/webhooks/transcript"}

	out := t.TempDir()
	r := hookcheck(t, nil, append(base, "--out", out)...)
	assert.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "Session webhooks and transcript notifications both go to "+srv.URL+"/webhooks/transcript: set --session-target if your app serves sessions on another route")
	assert.Contains(t, r.stdout, "FAIL  RC-20")
	res, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	assert.Empty(t, res.Environment.SessionTarget)

	out = t.TempDir()
	r = hookcheck(t, nil, append(base, "--out", out, "--session-target", srv.URL+"/webhooks/session")...)
	assert.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.NotContains(t, r.stdout, "both go to")
	assert.Contains(t, r.stdout, "Transcript notifications go to "+srv.URL+"/webhooks/transcript, session webhooks to "+srv.URL+"/webhooks/session")
	res, err = reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	assert.Equal(t, srv.URL+"/webhooks/session", res.Environment.SessionTarget)
	assert.Equal(t, srv.URL+"/webhooks/transcript", res.Environment.Target)
	for _, id := range []string{"RC-01", "RC-20"} {
		q, ok := res.Requirement(id)
		require.True(t, ok)
		assert.Equal(t, reports.Passed, q.Status, id)
	}
	// The console's table and the report name each route under its
	// requirements.
	assert.Regexp(t, `RC-01 .*\[pre-recorded at /webhooks/transcript\]`, r.stdout)
	assert.Regexp(t, `RC-20 .*\[streaming at /webhooks/session\]`, r.stdout)
	html := readSessionReport(t, filepath.Join(out, "report.html"))
	assert.Contains(t, html, "Route: session webhooks to "+srv.URL+"/webhooks/session")
	assert.Contains(t, html, "Route: transcript notifications to "+srv.URL+"/webhooks/transcript")
	assert.Contains(t, readSessionReport(t, filepath.Join(out, "summary.md")), "session target ` "+srv.URL+"/webhooks/session ` (session webhooks)")
	assert.Contains(t, readSessionReport(t, filepath.Join(out, "junit.xml")), `name="session_target" value="`+srv.URL+`/webhooks/session"`)

	// A session route that is a transcript handler: the failure names it.
	out = t.TempDir()
	r = hookcheck(t, nil, append(base, "--out", out, "--session-target", srv.URL+"/webhooks/transcript?route=sessions")...)
	assert.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, readSessionReport(t, filepath.Join(out, "summary.md")), "Route: session webhooks to "+srv.URL+"/webhooks/transcript?route=sessions")
}

func readSessionReport(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// TestRunSessionTargetAlone: with --product streaming, --session-target
// is the target; --session-target is checked like --target and refused
// where it would do nothing.
func TestRunSessionTargetAlone(t *testing.T) {
	srv := serveTwoRoutes(t)
	out := t.TempDir()
	r := hookcheck(t, nil, "run", "--fast", "--product", "streaming", "--tags", "@RC-20", "--out", out,
		"--session-target", srv.URL+"/webhooks/session")
	assert.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	res, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	assert.Equal(t, srv.URL+"/webhooks/session", res.Environment.Target)

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--product", "both", "--target", srv.URL + "/t", "--session-target", "ftp://x/s"}, "--session-target: "},
		{[]string{"--target", srv.URL + "/t", "--session-target", srv.URL + "/s"}, "needs --product streaming or both"},
		{[]string{"--product", "both", "--session-target", srv.URL + "/s"}, "--session-target needs --target with both products"},
	} {
		requireOneLine(t, hookcheck(t, nil, append([]string{"run", "--fast", "--out", t.TempDir()}, c.args...)...), c.want)
	}
}

// TestRunSessionTargetIsRedacted: a password in --session-target is
// masked in results.json, the reports and the console, as --target's.
func TestRunSessionTargetIsRedacted(t *testing.T) {
	srv := serveTwoRoutes(t)
	session := strings.Replace(srv.URL, "http://", "http://user:pa55word@", 1) + "/webhooks/session"
	out := t.TempDir()
	r := hookcheck(t, nil, "run", "--fast", "--product", "both", "--tags", "@RC-20", "--out", out,
		"--target", srv.URL+"/webhooks/transcript", "--session-target", session)
	assert.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.NotContains(t, r.stdout, "pa55word")
	for _, name := range []string{"results.json", "report.html", "summary.md", "junit.xml", "cucumber.json"} {
		assert.NotContains(t, readSessionReport(t, filepath.Join(out, name)), "pa55word", name)
	}
	res, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	assert.Contains(t, res.Environment.SessionTarget, "/webhooks/session")
}
