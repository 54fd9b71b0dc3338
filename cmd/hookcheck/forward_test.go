package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// TestCaptureForwardFailFirst: hookcheck send → capture --forward-to → a
// receiver that answers 500 twice then 200: three attempts recorded with
// both sides, the sender saw exactly those answers, each live line says
// what AssemblyAI does next, and the file diffs as a plain capture does.
func TestCaptureForwardFailFirst(t *testing.T) {
	b, err := receiver.Lookup("fail-first")
	require.NoError(t, err)
	recv := httptest.NewServer(b.New(receiver.Config{Path: "/webhooks"}, receiver.Params{FailFirst: 2}))
	t.Cleanup(recv.Close)
	file := filepath.Join(t.TempDir(), "capture.jsonl")
	url, stop := startCapture(t, "--out", file, "--forward-to", strings.TrimPrefix(recv.URL, "http://")+"/webhooks")

	r := hookcheck(t, nil, "send", "--target", url+"/hook?customer_id=1234", "--timeout", "2s", "--retry-interval", "1ms", "--json")
	require.Equal(t, exitOK, r.code, "send: %s %s", r.stdout, r.stderr)
	code, live := stop()
	require.Equal(t, exitOK, code)
	assert.Contains(t, live, "forwarding to http://127.0.0.1")
	assert.Contains(t, live, "AssemblyAI retries in 10s, attempt 2 of 10")
	assert.Contains(t, live, "AssemblyAI retries in 10s, attempt 3 of 10")
	assert.Contains(t, live, ": acknowledged")

	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	ds, err := capture.Read(f)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	var recorded []int
	for _, a := range ds[0].Attempts {
		require.NotNil(t, a.Forwarded)
		assert.Equal(t, a.Status, a.Forwarded.Status, "answered what the receiver answered")
		assert.Contains(t, a.Forwarded.URL, "/webhooks?customer_id=1234")
		recorded = append(recorded, a.Forwarded.Status)
	}
	assert.Equal(t, []int{500, 500, 200}, recorded)
	assert.Regexp(t, `(?s)"status_code": ?500.*"status_code": ?500.*"status_code": ?200`, r.stdout, "the sender saw the receiver's answers")

	d := hookcheck(t, nil, "diff", file, "--retry-interval", "1ms", "--tolerance", "250ms",
		"--webhook-url", "http://example.com/hook?customer_id=1234")
	assert.Equal(t, exitOK, d.code, "a forwarded capture diffs as before: %s %s", d.stdout, d.stderr)

	compliant := httptest.NewServer(receiver.NewCompliant(receiver.Config{}))
	t.Cleanup(compliant.Close)
	rp := hookcheck(t, nil, "replay", file, "--target", compliant.URL+"/hook", "--retry-interval", "1ms")
	assert.Equal(t, exitOK, rp.code, "a forwarded capture replays as before: %s %s", rp.stdout, rp.stderr)
}

// TestCaptureForwardUsage: --forward-to leaves the answer to the receiver,
// and --profile acts only with it.
func TestCaptureForwardUsage(t *testing.T) {
	for _, args := range [][]string{
		{"capture", "--forward-to", "localhost:3000/webhooks", "--answer", "500"},
		{"capture", "--forward-to", "localhost:3000/webhooks", "--answer-after", "11s"},
		{"capture", "--forward-to", "ftp://localhost/x"},
		{"capture", "--profile", "p.json"},
	} {
		r := hookcheck(t, nil, args...)
		assert.Equal(t, exitUsage, r.code, "%v: %s", args, r.stderr)
	}
}

// TestCaptureForwardSlowReceiver: a receiver that would sleep 12 s is seen
// by the sender as a timeout (deadlines shortened: capture's 300 ms, the
// sender's 600 ms, so an answer from capture at its deadline would be seen).
func TestCaptureForwardSlowReceiver(t *testing.T) {
	t.Parallel() // mostly real-time waits: overlap them with the other tests' waits
	b, err := receiver.Lookup("delay")
	require.NoError(t, err)
	recv := httptest.NewServer(b.New(receiver.Config{}, receiver.Params{Delay: 12e9}))
	t.Cleanup(recv.Close)
	file := filepath.Join(t.TempDir(), "capture.jsonl")
	url, stop := startCapture(t, "--out", file, "--forward-to", recv.URL+"/webhooks", "--timeout", "300ms")
	r := hookcheck(t, nil, "send", "--target", url+"/hook", "--timeout", "600ms", "--retry-interval", "1ms", "--max-attempts", "2", "--json")
	assert.Contains(t, r.stdout, `"timeout"`, "the sender timed out: %s %s", r.stdout, r.stderr)
	assert.NotRegexp(t, `"status_code": ?5`, r.stdout, "capture gave the sender no answer")
	_, live := stop()
	assert.Regexp(t, `-> no answer  no answer in \d+ms.*: AssemblyAI retries in 10s, attempt 2 of 10`, live)
}
