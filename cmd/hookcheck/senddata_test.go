package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// TestSendData: --data is sent byte for byte with the headers of a
// generated send and the same schedule (a retry after each 500).
func TestSendData(t *testing.T) {
	srv, inbox := serveBehaviour(t, "status", receiver.Params{Status: 200}, receiver.Config{})
	r := hookcheck(t, nil, append([]string{"send", "--target", srv.URL + "/hook?customer=1"}, fastSchedule...)...)
	require.Equal(t, exitOK, r.code, "%s %s", r.stdout, r.stderr)
	body := `{"transcript_id": "mine", "status": "error", "extra": [1, 2]}`
	r = hookcheck(t, nil, append([]string{"send", "--target", srv.URL + "/hook?customer=1", "--data", body}, fastSchedule...)...)
	require.Equal(t, exitOK, r.code, "%s %s", r.stdout, r.stderr)
	assert.Empty(t, r.stderr, "valid JSON: no warning")
	assert.Contains(t, r.stdout, "Delivering a body of your own (")
	got := inbox.Requests()
	require.Len(t, got, 2)
	assert.Equal(t, body, string(got[1].Body), "the body byte for byte")
	assert.Equal(t, got[0].Method, got[1].Method)
	assert.Equal(t, got[0].RequestURI, got[1].RequestURI)
	generated, own := got[0].Header.Clone(), got[1].Header.Clone()
	generated.Del("Content-Length")
	own.Del("Content-Length")
	assert.Equal(t, generated, own, "the same headers as a generated send")

	failing, inbox2 := serveBehaviour(t, "fail-first", receiver.Params{FailFirst: 2}, receiver.Config{})
	r = hookcheck(t, nil, append([]string{"send", "--target", failing.URL, "--data", body}, fastSchedule...)...)
	require.Equal(t, exitOK, r.code, "%s %s", r.stdout, r.stderr)
	require.Len(t, inbox2.Requests(), 3, "the schedule: retried after each 500")
	for _, g := range inbox2.Requests() {
		assert.Equal(t, body, string(g.Body))
	}
}

// TestSendDataNotJSON: a body that is not JSON is sent as given, with a
// warning on stderr.
func TestSendDataNotJSON(t *testing.T) {
	srv, inbox := serveBehaviour(t, "status", receiver.Params{Status: 200}, receiver.Config{})
	body := "transcript_id=abc&status=completed"
	r := hookcheck(t, nil, append([]string{"send", "--target", srv.URL, "--data", body}, fastSchedule...)...)
	require.Equal(t, exitOK, r.code, "%s %s", r.stdout, r.stderr)
	assert.Equal(t, "hookcheck: warning: --data is not valid JSON: sent as given\n", r.stderr)
	require.Len(t, inbox.Requests(), 1)
	assert.Equal(t, body, string(inbox.Requests()[0].Body))
}

// TestSendDataFile: --data-file is sent byte for byte (bytes that are not
// UTF-8 too, with the warning); a file over 8 MiB, a missing file, both
// flags together or a flag shaping the generated body are usage errors.
func TestSendDataFile(t *testing.T) {
	srv, inbox := serveBehaviour(t, "status", receiver.Params{Status: 200}, receiver.Config{})
	dir := t.TempDir()
	file := filepath.Join(dir, "session.json")
	body := `{"session_id":"s-1","turns":[{"transcript":"hi"}]}` + "\n"
	require.NoError(t, os.WriteFile(file, []byte(body), 0o600))
	r := hookcheck(t, nil, append([]string{"send", "--target", srv.URL, "--data-file", file}, fastSchedule...)...)
	require.Equal(t, exitOK, r.code, "%s %s", r.stdout, r.stderr)
	assert.Empty(t, r.stderr)
	require.Len(t, inbox.Requests(), 1)
	assert.Equal(t, body, string(inbox.Requests()[0].Body))

	binary := filepath.Join(dir, "binary")
	require.NoError(t, os.WriteFile(binary, []byte{0xff, 0x00, '{'}, 0o600))
	r = hookcheck(t, nil, append([]string{"send", "--target", srv.URL, "--data-file", binary}, fastSchedule...)...)
	require.Equal(t, exitOK, r.code, "%s %s", r.stdout, r.stderr)
	assert.Contains(t, r.stderr, "--data-file is not valid JSON: sent as given")
	require.Len(t, inbox.Requests(), 2)
	assert.Equal(t, []byte{0xff, 0x00, '{'}, inbox.Requests()[1].Body)

	big := filepath.Join(dir, "big.json")
	require.NoError(t, os.WriteFile(big, []byte(`"`+strings.Repeat("x", maxDataBytes-1)+`"`), 0o600))
	requireOneLine(t, hookcheck(t, nil, "send", "--target", srv.URL, "--data-file", big), "--data-file: the body is over 8")

	requireOneLine(t, hookcheck(t, nil, "send", "--target", srv.URL, "--data-file", filepath.Join(dir, "missing")), "--data-file")
	requireOneLine(t, hookcheck(t, nil, "send", "--target", srv.URL, "--data", "{}", "--data-file", file), "mutually exclusive")
	for _, flag := range []string{"--status=error", "--payload=streaming-session", "--transcript-id=x", "--session-seed=2"} {
		requireOneLine(t, hookcheck(t, nil, "send", "--target", srv.URL, "--data", "{}", flag), "replaces the generated body")
	}
	assert.Len(t, inbox.Requests(), 2, "nothing sent after a usage error")
}
