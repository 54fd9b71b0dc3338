package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// TestReplaySessionTargetRoutesByKind: replay --session-target sends each
// captured session webhook there and every other delivery to --target;
// without it, all go to --target.
func TestReplaySessionTargetRoutesByKind(t *testing.T) {
	bodies := []string{
		`{"transcript_id":"t-1","status":"completed"}`,
		`{"session_id":"s-1","messages":[{"type":"Turn","transcript":"hi"}]}`,
		`{"status":"redacted_audio_ready","redacted_audio_url":"https://x/y.wav"}`,
	}
	file := filepath.Join(t.TempDir(), "capture.jsonl")
	f, err := os.Create(file)
	require.NoError(t, err)
	enc := json.NewEncoder(f)
	for i, b := range bodies {
		require.NoError(t, enc.Encode(capture.Record{Seq: int64(i + 1), Time: time.Unix(0, 0), Method: "POST", Path: "/aai",
			Header: map[string][]string{"Content-Type": {"application/json"}}, Body: b, Key: capture.Key([]byte(b)), Attempt: 1, Status: 200}))
	}
	require.NoError(t, f.Close())

	srv, inbox := serveBehaviour(t, "status", receiver.Params{Status: 200}, receiver.Config{})
	r := hookcheck(t, nil, "replay", file, "--target", srv.URL+"/webhooks/transcript", "--session-target", srv.URL+"/webhooks/session", "--fast")
	require.Equal(t, exitOK, r.code, "%s %s", r.stdout, r.stderr)
	got := inbox.Requests()
	require.Len(t, got, 3)
	paths := map[string]string{}
	for _, g := range got {
		paths[string(g.Body)] = g.Path
	}
	assert.Equal(t, map[string]string{bodies[0]: "/webhooks/transcript", bodies[1]: "/webhooks/session", bodies[2]: "/webhooks/transcript"}, paths)

	requireOneLine(t, hookcheck(t, nil, "replay", file, "--target", srv.URL, "--session-target", "ftp://x/s"), "--session-target: ")
}

func TestIsSessionWebhook(t *testing.T) {
	for body, want := range map[string]bool{
		`{"session_id":"s","messages":[]}`:                     true,
		`{"session_id":"s","messages":[],"transcript_id":"t"}`: false,
		`{"session_id":"s"}`:                                   false,
		`{"messages":[]}`:                                      false,
		`{"transcript_id":"t","status":"completed"}`:           false,
		`{"session_id":`:                                       false,
		``:                                                     false,
	} {
		assert.Equal(t, want, isSessionWebhook([]byte(body)), body)
	}
}
