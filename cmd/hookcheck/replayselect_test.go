package main

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// selectCapture is a capture of two deliveries: #1 and #2 are the first
// attempt and the retry of transcript t-1 (the retry's query and headers
// differ), #3 a session webhook.
func selectCapture(t *testing.T) (string, []capture.Record) {
	t.Helper()
	first := replayRecord(1, "t-1")
	first.Status = 500
	retry := replayRecord(2, "t-1")
	retry.Attempt, retry.RawQuery = 2, "customer=12%7e34&try=2"
	retry.Header = http.Header{"User-Agent": {"python-requests/2.31.0"}, "Content-Type": {"application/json"},
		"Accept": {"*/*"}, "Accept-Encoding": {"gzip, deflate"}, "X-Attempt": {"2"}, "X-Trace": {"a", "b"}}
	retry.Body = `{"transcript_id": "t-1",  "status": "completed"}`
	session := replayRecord(3, "s-9")
	session.Body, session.Key = `{"session_id":"s-9","turns":[]}`, "session_id:s-9"
	recs := []capture.Record{first, retry, session}
	return writeCapture(t, recs...), recs
}

// TestReplaySelectBySequence: --select 2 sends exactly one request, the
// capture's #2 (a retry) byte for byte: method, query, every header, body.
func TestReplaySelectBySequence(t *testing.T) {
	file, recs := selectCapture(t)
	srv, inbox := serveBehaviour(t, "status", receiver.Params{Status: 200}, receiver.Config{})
	r := hookcheck(t, nil, "replay", file, "--target", srv.URL+"/hook", "--fast", "--select", "2")
	require.Equal(t, exitOK, r.code, "%s %s", r.stdout, r.stderr)
	got := inbox.Requests()
	require.Len(t, got, 1, "exactly the selected request")
	want := recs[1]
	assert.Contains(t, r.stdout, fmt.Sprintf("Replaying #%d, delivery ", want.Seq), "the live line names the capture's #N")
	assert.Equal(t, want.Method, got[0].Method)
	assert.Equal(t, "/hook?"+want.RawQuery, got[0].RequestURI, "path and query byte for byte")
	assert.Equal(t, want.Body, string(got[0].Body))
	sent := got[0].Header.Clone()
	for k := range transportHeaders {
		sent.Del(k)
	}
	assert.Equal(t, want.Header, sent, "every captured header, no other")
}

// TestReplaySelectByID: an id selects its delivery's first attempt only;
// several --select values add up; one matching nothing is a usage error
// before anything is sent.
func TestReplaySelectByID(t *testing.T) {
	file, recs := selectCapture(t)
	srv, inbox := serveBehaviour(t, "status", receiver.Params{Status: 200}, receiver.Config{})
	r := hookcheck(t, nil, "replay", file, "--target", srv.URL, "--fast", "--select", "t-1")
	require.Equal(t, exitOK, r.code, "%s %s", r.stdout, r.stderr)
	require.Len(t, inbox.Requests(), 1, "the delivery's first attempt, not its retry")
	assert.Equal(t, recs[0].Body, string(inbox.Requests()[0].Body))

	r = hookcheck(t, nil, "replay", file, "--target", srv.URL, "--fast", "--select", "session_id:s-9", "--select", "1")
	require.Equal(t, exitOK, r.code, "%s %s", r.stdout, r.stderr)
	got := inbox.Requests()[1:]
	require.Len(t, got, 2)
	assert.Equal(t, recs[0].Body, string(got[0].Body), "in capture order")
	assert.Equal(t, recs[2].Body, string(got[1].Body))

	for _, bad := range []string{"4", "t-2", "0", "session_id:t-1"} {
		r = hookcheck(t, nil, "replay", file, "--target", srv.URL, "--fast", "--select", "1", "--select", bad)
		assert.Equal(t, exitUsage, r.code, "--select %s: %s", bad, r.stderr)
		assert.Contains(t, r.stderr, "--select")
	}
	assert.Len(t, inbox.Requests(), 3, "nothing sent after a usage error")
}

// TestReplayDryRun: --dry-run sends nothing and prints the request, with
// masked and secret headers masked and control bytes removed.
func TestReplayDryRun(t *testing.T) {
	rec := replayRecord(1, "t-\x1b[2J1")
	rec.Key = "transcript_id:t-\x1b[2J1"
	rec.RawQuery = "a=1"
	rec.Header.Set("X-Webhook-Secret", webhook.Mask)
	rec.Header.Set("Authorization", "Bearer hunter2")
	rec.Masked = []string{"X-Webhook-Secret"}
	rec.Body = `{"transcript_id":"t-` + "\x1b[2J" + `1","status":"completed","pad":"` + strings.Repeat("x", 300) + `"}`
	file := writeCapture(t, rec)
	srv, inbox := serveBehaviour(t, "status", receiver.Params{Status: 200}, receiver.Config{})
	r := hookcheck(t, nil, "replay", file, "--target", srv.URL+"/hook", "--dry-run")
	require.Equal(t, exitOK, r.code, "%s %s", r.stdout, r.stderr)
	assert.Empty(t, inbox.Requests(), "a dry run sends nothing")
	assert.Contains(t, r.stdout, "#1 delivery transcript_id:t-[2J1: would send POST "+srv.URL+"/hook?a=1")
	assert.Contains(t, r.stdout, "  X-Webhook-Secret: ******** (value from "+envAuthHeaderValue+")")
	assert.Contains(t, r.stdout, "  Authorization: ********\n")
	assert.Contains(t, r.stdout, "  Accept-Encoding: gzip, deflate\n", "the D-12 header the sender adds")
	assert.NotContains(t, r.stdout, "hunter2")
	assert.NotContains(t, r.stdout, "\x1b")
	assert.Contains(t, r.stdout, "  body: "+itoa(len(rec.Body))+" bytes: {\"transcript_id\":\"t-[2J1\"")
	assert.Contains(t, r.stdout, "...\n", "a long body is cut")
	assert.Less(t, len(r.stdout), 900, "only a preview of the body")
}

func itoa(n int) string { return strconv.Itoa(n) }
