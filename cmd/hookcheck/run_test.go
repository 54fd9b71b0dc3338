package main

import (
	"context"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/receiver"
)

func TestRunBuiltInWritesTheReport(t *testing.T) {
	t.Parallel() // mostly real-time waits: overlap them with the other tests' waits
	out := t.TempDir()
	r := hookcheck(t, nil, "run", "--fast", "--out", out)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "built-in compliant receiver")
	assert.Contains(t, r.stdout, "CONFORMANT")
	res, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	assert.Equal(t, reports.Conformant, res.Verdict)
	assert.True(t, res.Environment.BuiltInReceiver)
	assert.Len(t, res.Requirements, 19)
	assert.Contains(t, r.stdout, "Emulated AssemblyAI API at http://127.0.0.1:")
	assert.NotEmpty(t, res.Environment.API, "the built-in run serves the API")
	for _, q := range res.Requirements {
		if q.ID != "RC-14" { // https
			assert.Equal(t, reports.Passed, q.Status, "%s: %s", q.ID, q.Reason)
		}
	}
	// RC-18 by --verify api-fetch: the built-in receiver fetched every
	// transcript it acknowledged from the API the run served.
	assert.Contains(t, r.stdout, "PASS  RC-18")
	for _, f := range []string{"results.json", "junit.xml", "cucumber.json", "report.html", "summary.md"} {
		assert.FileExists(t, filepath.Join(out, f))
	}
}

func TestRunReportsABrokenReceiver(t *testing.T) {
	srv, _ := serveBehaviour(t, "crash-on-redacted-audio", receiver.Params{}, receiver.Config{})
	out := t.TempDir()
	r := hookcheck(t, nil, "run", "--target", srv.URL+"/webhook", "--fast", "--out", out)
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stdout, "FAIL  RC-07")
	assert.Contains(t, r.stdout, "NOT CONFORMANT")
	res, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	failed := res.FailedMust()
	require.Len(t, failed, 1)
	assert.Equal(t, "RC-07", failed[0].ID)
}

// TestRunSubsetIsPartial: a selection is no conformance verdict, but a
// subset in CI that passes still exits 0.
func TestRunSubsetIsPartial(t *testing.T) {
	out := t.TempDir()
	r := hookcheck(t, nil, "run", "--fast", "--tags", "@RC-11", "--out", out)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "PARTIAL: 1 of 14 requirements checked; not a conformance verdict")
	assert.NotContains(t, r.stdout, "CONFORMANT")
	res, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	assert.Equal(t, reports.Partial, res.Verdict)
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	require.NoError(t, err)
	assert.Contains(t, string(html), "Partial run: 1 of 14 requirements checked")
	md, err := os.ReadFile(filepath.Join(out, "summary.md"))
	require.NoError(t, err)
	assert.Contains(t, strings.SplitN(string(md), "\n", 2)[0], "PARTIAL")
}

// TestRunNamesOneRootCause: a receiver that answers 500 to every POST has
// one bug as far as its notifications show: the console names RC-01 and
// its fix, the requirements that failed only on notifications blocked by
// it. The redacted-audio notification and the malformed bodies got the
// same 500, but they are other kinds of request: possibly the same cause,
// each fix after RC-01's.
func TestRunNamesOneRootCause(t *testing.T) {
	srv, _ := serveBehaviour(t, "status", receiver.Params{Status: 500}, receiver.Config{})
	out := t.TempDir()
	r := hookcheck(t, nil, "run", "--target", srv.URL+"/webhook", "--fast", "--out", out)
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stdout, "NOT CONFORMANT: notifications would be lost (RC-01, RC-07)")
	assert.Contains(t, r.stdout, "FAILED (blocked by RC-01 (same answer: 500 Internal Server Error))")
	assert.Contains(t, r.stdout, "FAILED (possibly the same cause as RC-01)")
	assert.Equal(t, 3, strings.Count(r.stdout, "Fix RC-"), "RC-01's fix, then RC-07's and RC-08's:\n%s", r.stdout)
	fix01 := strings.Index(r.stdout, "Fix RC-01: ")
	fix07 := strings.Index(r.stdout, "Fix RC-07 (possibly the same cause as RC-01: if it still fails once RC-01 is fixed): ")
	assert.True(t, fix01 >= 0 && fix07 > fix01, "RC-07's own fix after RC-01's:\n%s", r.stdout)
	res, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	q, _ := res.Requirement("RC-11")
	assert.Equal(t, "RC-01", q.Blocker())
	q, _ = res.Requirement("RC-07")
	assert.Equal(t, "RC-01", q.SameCause())
	for _, f := range []string{"junit.xml", "cucumber.json"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		require.NoError(t, err)
		assert.Contains(t, string(b), "blocked by RC-01", f)
		assert.Contains(t, string(b), "possibly the same cause as RC-01", f)
		assert.Contains(t, string(b), "loses_notifications", f)
	}
}

// TestRunMaxDurationCutsTheRun: past --max-duration the run stops, writes
// every file with verdict incomplete and names the scenarios cut.
func TestRunMaxDurationCutsTheRun(t *testing.T) {
	t.Parallel() // mostly real-time waits: overlap them with the other tests' waits
	srv, _ := serveBehaviour(t, "hang", receiver.Params{}, receiver.Config{})
	out := t.TempDir()
	r := hookcheck(t, nil, "run", "--target", srv.URL+"/webhook", "--fast", "--max-duration", "1500ms", "--out", out)
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stdout, "INCOMPLETE: the run was interrupted before every scenario ended: the run reached its maximum duration of 1.5 s (--max-duration)")
	assert.Contains(t, r.stdout, "Cut: RC-01 A completed notification")
	res, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	assert.Equal(t, reports.Incomplete, res.Verdict)
	assert.NotEmpty(t, res.Cut)
	for _, f := range []string{"junit.xml", "cucumber.json", "report.html", "summary.md"} {
		assert.FileExists(t, filepath.Join(out, f))
	}
	r = hookcheck(t, nil, "run", "--target", srv.URL+"/webhook", "--max-duration", "-1s", "--out", out)
	assert.Equal(t, exitUsage, r.code)
}

func TestRunStrictFailsOnShould(t *testing.T) {
	srv, _ := serveBehaviour(t, "accepts-any-method", receiver.Params{}, receiver.Config{})
	r := hookcheck(t, nil, "run", "--target", srv.URL+"/webhook", "--fast", "--out", t.TempDir(), "--tags", "@RC-13")
	assert.Equal(t, exitOK, r.code, "a SHOULD failure alone passes")
	r = hookcheck(t, nil, "run", "--target", srv.URL+"/webhook", "--fast", "--out", t.TempDir(), "--tags", "@RC-13", "--strict")
	assert.Equal(t, exitFailed, r.code, "with --strict it fails")
}

func TestRunInterruptedWritesIncompleteResults(t *testing.T) {
	srv, _ := serveBehaviour(t, "hang", receiver.Params{}, receiver.Config{})
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var stdout, stderr strings.Builder
	start := time.Now()
	code := run(ctx, []string{"run", "--target", srv.URL + "/webhook", "--out", out},
		streams{in: strings.NewReader(""), out: &stdout, err: &stderr}, func(string) string { return "" })
	assert.Less(t, time.Since(start), 5*time.Second, "stops promptly")
	assert.Equal(t, exitFailed, code)
	res, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err, stderr.String())
	assert.Equal(t, reports.Incomplete, res.Verdict)
	assert.Contains(t, stdout.String(), "INCOMPLETE")
}

func TestRunUsageErrors(t *testing.T) {
	features := func(content string) string {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "mine.feature"), []byte(content), 0o644))
		return dir
	}
	syntax := features("Feature: broken\n  Scenario: one\n    Given a step\n  Examples without outline\n")
	undefined := features("Feature: mine\n  Scenario: one\n    When AssemblyAI delivers a completed notifcation\n")
	aFile := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(aFile, nil, 0o644))
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"bad URL", []string{"--target", "http://[::1"}, nil, "--target"},
		{"unsupported scheme", []string{"--target", "ws://127.0.0.1:9/x"}, nil, "scheme must be http or https"},
		{"invalid header name", []string{"--auth-header-name", "X:Bad", "--auth-header-value", "v"}, nil, "not allowed in a header name"},
		{"header name without value", []string{"--auth-header-name", "X-Secret"}, nil, "needs a value"},
		{"header value without name", []string{"--auth-header-value", "v"}, nil, "needs --auth-header-name"},
		{"malformed tag expression", []string{"--tags", "@must &&"}, nil, "is not a tag"},
		{"tags matching nothing", []string{"--tags", "@RC-99"}, nil, "no scenario matches --tags"},
		{"verify URL not a URL", []string{"--verify-url", "not a url {transcript_id}"}, nil, "--verify-url"},
		{"verify URL without placeholder", []string{"--verify-url", "http://127.0.0.1:3000/x"}, nil, "no {transcript_id} (or {id}) placeholder"},
		{"unknown verify", []string{"--verify", "inbox"}, nil, `--verify "inbox": want api-fetch or none`},
		{"api-fetch without the API", []string{"--target", "http://127.0.0.1:9/webhook", "--verify", "api-fetch"}, nil,
			"--verify api-fetch needs the emulated AssemblyAI API: set --api ADDR"},
		{"missing features dir", []string{"--features", "/nonexistent/features"}, nil, "not a directory"},
		{"gherkin syntax error", []string{"--features", syntax}, nil, "mine.feature:4"},
		{"undefined step", []string{"--features", undefined}, nil, `closest known steps: "AssemblyAI delivers a "completed" transcript notification"`},
		{"unknown flag", []string{"--colour"}, nil, "unknown flag"},
		{"unwritable out dir", []string{"--out", filepath.Join(aFile, "sub")}, nil, "--out"},
		{"negative timeout", []string{"--timeout", "-5s"}, nil, "--timeout must be 100ms–5m0s, got -5s"},
		{"zero attempts", []string{"--max-attempts", "0"}, nil, "--max-attempts must be 1–100, got 0"},
		{"101 attempts", []string{"--max-attempts", "101"}, nil, "--max-attempts must be 1–100, got 101"},
		{"25h retry interval", []string{"--retry-interval", "25h"}, nil, "--retry-interval must be 0s–24h0m0s, got 25h0m0s"},
		{"unknown region", []string{"--region", "apac"}, nil, "unknown region"},
		{"unknown allowlist", []string{"--allowlist", "dns"}, nil, "--allowlist"},
		{"negative burst", []string{"--burst", "-1"}, nil, "--burst must be between 1 and 1000 (0: the default, 50), got -1"},
		{"burst past the bound", []string{"--burst", "1001"}, nil, "--burst must be between 1 and 1000"},
		{"negative latency budget", []string{"--latency-budget", "-1s"}, nil, "--latency-budget must not be negative (0: the default, 2s), got -1s"},
		{"negative concurrency", []string{"--concurrency", "-2"}, nil, "--concurrency must not be negative"},
		{"verify header without verify url", []string{"--verify-header", "X-Key"}, nil, "--verify-header authenticates the requests to --verify-url"},
		{"api key without api", []string{"--target", "http://127.0.0.1:9/webhook", "--api-key", "k"}, nil, "--api-key is the emulated API's key: it needs --api ADDR"},
		{"unreachable target", []string{"--target", "http://127.0.0.1:9/webhook"}, nil, "unreachable"},
		{"negative retry interval", []string{"--retry-interval", "-1s"}, nil, "--retry-interval"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"run", "--out", t.TempDir()}, c.args...)
			requireOneLine(t, hookcheck(t, c.env, args...), c.want)
		})
	}
}

func TestRunTLSRequirement(t *testing.T) {
	b, err := receiver.Lookup("compliant")
	require.NoError(t, err)
	srv := httptest.NewTLSServer(b.New(receiver.Config{}, receiver.Params{}))
	defer srv.Close()
	out := t.TempDir()
	r := hookcheck(t, nil, "run", "--target", srv.URL+"/webhook", "--tags", "@RC-14", "--out", out)
	assert.Equal(t, exitFailed, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "FAIL  RC-14")
	assert.Contains(t, r.stdout, "certificate")

	// With --insecure RC-14 is not applicable; alone, it leaves nothing
	// checked, which is incomplete rather than a pass.
	r = hookcheck(t, nil, "run", "--target", srv.URL+"/webhook", "--tags", "@RC-14", "--insecure", "--out", out)
	assert.Equal(t, exitFailed, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "--insecure: certificates are not verified")
	assert.Contains(t, r.stdout, "INCOMPLETE")
}

// TestRunNeverShowsTheSecret: the auth header value is sent to the
// receiver but appears in no output: stdout, stderr, or any report file.
func TestRunNeverShowsTheSecret(t *testing.T) {
	const canary = "canary-7f3a9c-secret-value"
	b, err := receiver.Lookup("compliant")
	require.NoError(t, err)
	inbox := receiver.NewInbox()
	srv := httptest.NewServer(b.New(receiver.Config{AuthHeaderName: "X-Webhook-Secret", AuthHeaderValue: canary, Inbox: inbox}, receiver.Params{}))
	defer srv.Close()
	out := t.TempDir()
	r := hookcheck(t, map[string]string{envAuthHeaderValue: canary}, "run", "--target", srv.URL+"/webhook?token=x",
		"--auth-header-name", "X-Webhook-Secret", "--fast", "--out", out, "-v")
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.NotContains(t, r.stdout+r.stderr, canary)
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(out, e.Name()))
		require.NoError(t, err)
		assert.NotContains(t, string(b), canary, e.Name())
	}
	// Which request came first depends on the run's seed (a forged probe
	// carries no secret); the real deliveries carried it.
	got := 0
	for _, req := range inbox.Requests() {
		if req.Header.Get("X-Webhook-Secret") == canary {
			got++
		}
	}
	assert.Positive(t, got, "the receiver did get it")
}

func TestRunThatChecksNothingIsIncomplete(t *testing.T) {
	srv, _ := serveBehaviour(t, "compliant", receiver.Params{}, receiver.Config{})
	out := t.TempDir()
	r := hookcheck(t, nil, "run", "--target", srv.URL+"/webhook", "--tags", "@RC-09", "--out", out)
	assert.Equal(t, exitFailed, r.code, "only not-applicable scenarios: nothing was checked")
	res, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	assert.Equal(t, reports.Incomplete, res.Verdict)
	assert.Contains(t, res.Reason, "no requirement was checked")
}

// freeLoopbackAddr returns a loopback address nothing listens on now.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func TestRunWithAPIChecksTheReceiversFetches(t *testing.T) {
	t.Parallel() // mostly real-time waits: overlap them with the other tests' waits
	const key = "cli-test-api-key"
	addr := freeLoopbackAddr(t)
	api := &receiver.API{BaseURL: "http://" + addr, Key: key}
	srv, _ := serveBehaviour(t, "compliant", receiver.Params{}, receiver.Config{API: api})
	out := t.TempDir()
	r := hookcheck(t, map[string]string{envAPIKey: key}, "run", "--target", srv.URL+"/webhook", "--api", addr,
		"--fast", "--tags", "@api", "--out", out)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "Emulated AssemblyAI API at http://"+addr)
	assert.Contains(t, r.stdout, `assemblyai.WithBaseURL("http://`+addr+`")`)
	assert.NotContains(t, r.stdout+r.stderr, key, "the API key is never printed")
	res, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	assert.Equal(t, "http://"+addr, res.Environment.API)
	calls := 0
	for _, q := range res.Requirements {
		switch q.ID {
		case "RC-15", "RC-16", "RC-17":
			assert.Equal(t, reports.Passed, q.Status, "%s: %s", q.ID, q.Reason)
		}
	}
	for _, s := range res.Scenarios {
		calls += len(s.APICalls)
	}
	assert.Positive(t, calls, "the receiver's calls are evidence")
	raw, err := os.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(raw), key)
}

func TestRunAPIBadInput(t *testing.T) {
	target := "http://127.0.0.1:9/webhook"
	r := hookcheck(t, nil, "run", "--target", target, "--api", "127.0.0.1:0", "--out", t.TempDir())
	requireOneLine(t, r, "HOOKCHECK_API_KEY")

	env := map[string]string{envAPIKey: "k"}
	r = hookcheck(t, env, "run", "--target", "http://localhost:18095/webhook", "--api", "127.0.0.1:18095", "--out", t.TempDir())
	requireOneLine(t, r, "is the receiver's own address")

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	r = hookcheck(t, env, "run", "--target", target, "--api", busy.Addr().String(), "--out", t.TempDir())
	requireOneLine(t, r, "address already in use")
}
