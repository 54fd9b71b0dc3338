package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/receiver"
)

func TestReplayIsByteForByte(t *testing.T) {
	// A capture as a real sender might make it: Python's JSON spacing, a
	// query whose encoding a URL library would change, a masked header.
	recs := []capture.Record{
		{Seq: 1, Time: time.Unix(0, 0), Method: "POST", Path: "/aai", RawQuery: "customer_id=12%7e34&q=a+b&empty=&x=%2F",
			Header: map[string][]string{"User-Agent": {"python-requests/2.31.0"}, "Content-Type": {"application/json"},
				"Accept": {"*/*"}, "Accept-Encoding": {"gzip, deflate"}, "X-Secret": {"********"}, "X-Forwarded-For": {"44.238.19.20"}},
			Masked: []string{"X-Secret"}, Body: `{"transcript_id": "t-1", "status": "completed"}`, Key: "transcript_id:t-1", Attempt: 1, Status: 500},
		{Seq: 2, Time: time.Unix(0, 0), Method: "POST", Path: "/aai", RawQuery: "",
			Header: map[string][]string{"User-Agent": {"python-requests/2.31.0"}, "Content-Type": {"application/json"}},
			Body:   `{"status":"redacted_audio_ready","redacted_audio_url":"https://x/y.wav?sig=a%2Bb"}`, Key: "redacted_audio_url:https://x/y.wav?sig=a%2Bb", Attempt: 1, Status: 200},
	}
	file := filepath.Join(t.TempDir(), "capture.jsonl")
	f, err := os.Create(file)
	require.NoError(t, err)
	enc := json.NewEncoder(f)
	for _, r := range recs {
		require.NoError(t, enc.Encode(r))
	}
	require.NoError(t, f.Close())

	srv, inbox := serveBehaviour(t, "status", receiver.Params{Status: 200}, receiver.Config{})
	r := hookcheck(t, map[string]string{envAuthHeaderValue: "hunter2"}, "replay", file, "--target", srv.URL+"/local/hook", "--fast")
	require.Equal(t, exitOK, r.code, "%s %s", r.stdout, r.stderr)
	assert.NotContains(t, r.stdout, "hunter2")
	got := inbox.Requests()
	require.Len(t, got, 2)
	for i, g := range got {
		assert.Equal(t, recs[i].RawQuery, g.RawQuery, "the query byte for byte (D-9)")
		assert.Equal(t, recs[i].Body, string(g.Body), "the body byte for byte")
		assert.Equal(t, "/local/hook", g.Path)
		assert.Equal(t, "python-requests/2.31.0", g.Header.Get("User-Agent"))
	}
	assert.Equal(t, "hunter2", got[0].Header.Get("X-Secret"), "the auth value comes from the environment")
	assert.Equal(t, "44.238.19.20", got[0].Header.Get("X-Forwarded-For"))

	// Without the value, replay refuses rather than send the mask.
	requireOneLine(t, hookcheck(t, nil, "replay", file, "--target", srv.URL), envAuthHeaderValue)
}

func TestReplayOfACapturedSend(t *testing.T) {
	capFile := captureSend(t, "--retry-interval", "1ms")
	ds, err := readCapture(io.Discard, capFile)
	require.NoError(t, err)
	srv, inbox := serveBehaviour(t, "fail-first", receiver.Params{FailFirst: 1}, receiver.Config{})
	r := hookcheck(t, map[string]string{envAuthHeaderValue: "hunter2"}, "replay", capFile, "--target", srv.URL+"/hook", "--retry-interval", "1ms")
	require.Equal(t, exitOK, r.code, "%s %s", r.stdout, r.stderr)
	got := inbox.Requests()
	require.Len(t, got, 2, "the profile's schedule: a retry after the 500")
	for _, g := range got {
		assert.Equal(t, ds[0].Attempts[0].RawQuery, g.RawQuery)
		assert.Equal(t, ds[0].Attempts[0].Body, string(g.Body))
	}
}

// writeCapture writes recs as a capture file and returns its path.
func writeCapture(t *testing.T, recs ...capture.Record) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "capture.jsonl")
	f, err := os.Create(file)
	require.NoError(t, err)
	enc := json.NewEncoder(f)
	for _, r := range recs {
		require.NoError(t, enc.Encode(r))
	}
	require.NoError(t, f.Close())
	return file
}

func replayRecord(seq int64, id string) capture.Record {
	return capture.Record{Seq: seq, Time: time.Unix(0, 0), Method: "POST", Path: "/",
		Header: map[string][]string{"User-Agent": {"python-requests/2.31.0"}, "Content-Type": {"application/json"}},
		Body:   `{"transcript_id":"` + id + `","status":"completed"}`, Key: "transcript_id:" + id, Attempt: 1, Status: 200}
}

// TestReplaySkipsIncomplete: a request whose body was cut short is not
// replayed (a warning says so) unless --include-incomplete.
func TestReplaySkipsIncomplete(t *testing.T) {
	cut := replayRecord(2, "cut")
	cut.Body, cut.BodyBytes, cut.Incomplete, cut.Status, cut.Key, cut.Attempt = `{"transcript_id":"cu`, 20, true, 400, "", 0
	file := writeCapture(t, replayRecord(1, "whole"), cut)

	srv, inbox := serveBehaviour(t, "status", receiver.Params{Status: 200}, receiver.Config{})
	r := hookcheck(t, nil, "replay", file, "--target", srv.URL, "--fast")
	require.Equal(t, exitOK, r.code, "%s %s", r.stdout, r.stderr)
	require.Len(t, inbox.Requests(), 1, "only the whole request")
	assert.Contains(t, r.stderr, "line 2: request #2's body was cut short (20 bytes, incomplete): skipped")

	r = hookcheck(t, nil, "replay", file, "--target", srv.URL, "--fast", "--include-incomplete")
	require.Len(t, inbox.Requests(), 3, "asked: the cut one too, as captured")
	assert.Equal(t, `{"transcript_id":"cu`, string(inbox.Requests()[2].Body))
}

// TestReplayRefusesInvalidCapture: control bytes in the method, a header
// name or a header value refuse the file (exit 2, one line naming the
// record's line) before anything is sent.
func TestReplayRefusesInvalidCapture(t *testing.T) {
	srv, inbox := serveBehaviour(t, "status", receiver.Params{Status: 200}, receiver.Config{})
	for name, spoil := range map[string]func(*capture.Record){
		"method":       func(r *capture.Record) { r.Method = "POST\r\nX-Forged: 1" },
		"header name":  func(r *capture.Record) { r.Header["X-Bad\x01Name"] = []string{"v"} },
		"header value": func(r *capture.Record) { r.Header["X-Note"] = []string{"a\r\nX-Forged: 1"} },
	} {
		t.Run(name, func(t *testing.T) {
			bad := replayRecord(3, "bad")
			spoil(&bad)
			file := writeCapture(t, replayRecord(1, "a"), replayRecord(2, "b"), bad)
			r := hookcheck(t, nil, "replay", file, "--target", srv.URL, "--fast")
			requireOneLine(t, r, "line 3: ")
			assert.Contains(t, r.stderr, "the capture cannot be replayed")
			assert.NotContains(t, r.stderr, "\r")
			assert.Empty(t, inbox.Requests(), "nothing sent")
		})
	}
}
