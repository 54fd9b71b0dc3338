package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/profiles"
	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// writeProfileFile writes the built-in profile with one text replaced.
func writeProfileFile(t *testing.T, from, to string) string {
	t.Helper()
	src := string(profiles.AssemblyAIJSON())
	require.Equal(t, 1, strings.Count(src, from))
	path := filepath.Join(t.TempDir(), "profile.json")
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(src, from, to, 1)), 0o600))
	return path
}

func TestProfileFlagOnSend(t *testing.T) {
	path := writeProfileFile(t, `"User-Agent": "python-requests/2.25.1"`, `"User-Agent": "AssemblyAI/2026"`)
	srv, inbox := serveBehaviour(t, "status", receiver.Params{Status: 200}, receiver.Config{})
	r := hookcheck(t, nil, "send", "--target", srv.URL+"/hook", "--profile", path)
	require.Equal(t, exitOK, r.code, r.stderr)
	reqs := inbox.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "AssemblyAI/2026", reqs[0].Header.Get("User-Agent"))

	// A flag the user sets still wins over the profile.
	r = hookcheck(t, nil, "send", "--target", srv.URL+"/hook", "--profile", path, "--user-agent", "flag/1")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "flag/1", inbox.Requests()[1].Header.Get("User-Agent"))
}

func TestProfileMalformedIsUsageError(t *testing.T) {
	path := writeProfileFile(t, `"max_attempts": {"value": 10,`, `"max_attempts": {"value": -1,`)
	for _, cmd := range [][]string{
		{"send", "--target", "http://127.0.0.1:9/hook"},
		{"run", "--target", "http://127.0.0.1:9/hook"},
		{"serve-api", "--listen", "127.0.0.1:0"},
	} {
		t.Run(cmd[0], func(t *testing.T) {
			r := hookcheck(t, nil, append(cmd, "--profile", path)...)
			requireOneLine(t, r, path+":7: field max_attempts: must be 1–100, got -1")
		})
	}
}

// TestProfileOutOfBoundsIsUsageError is issue 18's reproduction: a
// profile with 10⁹ attempts and a 0 s wait made send spin; now every
// command that takes --profile refuses it in one line naming file, line
// and field, before any delivery (exit 2).
func TestProfileOutOfBoundsIsUsageError(t *testing.T) {
	src := string(profiles.AssemblyAIJSON())
	for _, mut := range [][2]string{
		{`"max_attempts": {"value": 10,`, `"max_attempts": {"value": 1000000000,`},
		{`"retry_interval": {"value": "10s"`, `"retry_interval": {"value": "0s"`},
	} {
		require.Equal(t, 1, strings.Count(src, mut[0]))
		src = strings.Replace(src, mut[0], mut[1], 1)
	}
	path := filepath.Join(t.TempDir(), "spin.json")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o600))
	srv, inbox := serveBehaviour(t, "status", receiver.Params{Status: 500}, receiver.Config{})
	for _, cmd := range [][]string{
		{"send", "--target", srv.URL + "/hook"},
		{"run", "--target", srv.URL + "/hook", "--out", t.TempDir()},
		{"serve-api", "--listen", "127.0.0.1:0"},
	} {
		t.Run(cmd[0], func(t *testing.T) {
			r := hookcheck(t, nil, append(cmd, "--profile", path)...)
			requireOneLine(t, r, path+":7: field max_attempts: must be 1–100, got 1000000000")
		})
	}
	assert.Equal(t, 0, inbox.Len(), "nothing is delivered")

	// A duplicate key and a file over 1 MiB are refused the same way.
	dup := writeProfileFile(t, `"max_attempts": {"value": 10,`, `"max_attempts": {"value": 10, "value": 1000000000,`)
	requireOneLine(t, hookcheck(t, nil, "send", "--target", srv.URL+"/hook", "--profile", dup),
		dup+":7: field max_attempts.value: key given twice")
	big := filepath.Join(t.TempDir(), "big.json")
	require.NoError(t, os.WriteFile(big, append(profiles.AssemblyAIJSON(), make([]byte, 1<<20)...), 0o600))
	requireOneLine(t, hookcheck(t, nil, "send", "--target", srv.URL+"/hook", "--profile", big),
		"--profile "+big+": larger than 1048576 bytes (1 MiB)")
}

func TestDiffUpdateProfile(t *testing.T) {
	capFile := captureSend(t, "--retry-interval", "1ms", "--user-agent", "AssemblyAI/2026")
	out := filepath.Join(t.TempDir(), "observed.json")
	r := hookcheck(t, nil, "diff", capFile, "--retry-interval", "1ms", "--update-profile", out)
	require.Equal(t, exitFailed, r.code, "the capture differs from the built-in profile: %s", r.stdout)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	pr, err := profiles.Parse(out, data)
	require.NoError(t, err, "the written profile is one --profile takes")
	assert.Equal(t, "AssemblyAI/2026", pr.Headers.Value["User-Agent"])
	assert.Contains(t, pr.Headers.Source, "observed in capture.jsonl")

	// Diffed against the observed profile (its waits at the capture's
	// pace), the same capture shows no difference.
	r = hookcheck(t, nil, "diff", capFile, "--profile", out, "--retry-interval", "1ms")
	assert.Equal(t, exitOK, r.code, r.stdout)
}

func TestProfileFlagOnRun(t *testing.T) {
	path := writeProfileFile(t, `"max_attempts": {"value": 10,`, `"max_attempts": {"value": 3,`)
	srv, inbox := serveBehaviour(t, "status", receiver.Params{Status: 500}, receiver.Config{})
	r := hookcheck(t, nil, "run", "--target", srv.URL+"/hook", "--tags", "@RC-01", "--profile", path,
		"--retry-interval", "1ms", "--full-schedules", "--out", t.TempDir())
	require.Equal(t, exitFailed, r.code, r.stderr)
	assert.Contains(t, r.stdout, "up to 3 attempts")
	assert.Equal(t, 3, inbox.Len(), "the profile's attempt count (D-4)")
}

// hostileCapture writes a capture file of n failed attempts of one
// delivery, gap apart, with the User-Agent ua.
func hostileCapture(t *testing.T, n int, gap time.Duration, ua string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hostile.jsonl")
	f, err := os.Create(path)
	require.NoError(t, err)
	w := bufio.NewWriter(f)
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	enc := json.NewEncoder(w)
	for i := range n {
		require.NoError(t, enc.Encode(map[string]any{
			"seq": i + 1, "time": start.Add(time.Duration(i) * gap), "method": "POST", "request_uri": "/hook", "path": "/hook",
			"headers": map[string][]string{"User-Agent": {ua}, "Content-Type": {"application/json"}},
			"body":    `{"transcript_id":"t","status":"completed"}`, "key": "transcript_id:t", "attempt": i + 1, "status": 500,
		}))
	}
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())
	return path
}

// TestDiffUpdateProfileRefusesHostileCapture is issue 18's reproduction:
// a hostile capture made --update-profile write 200,000 attempts, a
// 2,562,047 h wait and a User-Agent with CR/LF. Each is now refused in one
// line naming the field, and no profile is written.
func TestDiffUpdateProfileRefusesHostileCapture(t *testing.T) {
	t.Parallel() // mostly real-time waits: overlap them with the other tests' waits
	cases := []struct {
		name    string
		capture string
		want    string
	}{
		{"200,000 attempts", hostileCapture(t, 200_000, time.Millisecond, "AssemblyAI/2026"),
			"observed field max_attempts: must be 1–100, got 200000"},
		{"2,562,047 h wait", hostileCapture(t, 2, 2_562_047*time.Hour, "AssemblyAI/2026"),
			"observed field retry_interval: must be 0s–24h0m0s, got 2562047h"},
		{"CR/LF in the User-Agent", hostileCapture(t, 2, 10*time.Second, "evil\r\nX-Injected: 1"),
			"observed field headers: header User-Agent: value has control byte 0x0d at byte 4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "observed.json")
			r := hookcheck(t, nil, "diff", c.capture, "--update-profile", out)
			requireOneLine(t, r, c.want)
			assert.Contains(t, r.stderr, out+" not written")
			assert.NoFileExists(t, out)
		})
	}

	// The same capture within the bounds gives a profile --profile takes.
	out := filepath.Join(t.TempDir(), "observed.json")
	r := hookcheck(t, nil, "diff", hostileCapture(t, 100, 10*time.Second, "AssemblyAI/2026"), "--update-profile", out)
	require.Equal(t, exitFailed, r.code, r.stderr)
	pr, err := profiles.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, 100, pr.MaxAttempts.Value)
}
