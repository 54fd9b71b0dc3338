package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// syncBuffer is a bytes.Buffer safe to read while a command writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var captureAddr = regexp.MustCompile(`capturing on (http://\S+) `)

// startCapture runs `hookcheck capture` in-process and returns its URL and
// a stop function that returns the exit code and output.
func startCapture(t *testing.T, args ...string) (string, func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"capture", "--listen", "127.0.0.1:0"}, args...),
			streams{in: strings.NewReader(""), out: out, err: errb}, func(string) string { return "" })
	}()
	var url string
	require.Eventually(t, func() bool {
		m := captureAddr.FindStringSubmatch(out.String())
		if m != nil {
			url = m[1]
		}
		return m != nil
	}, 5*time.Second, 2*time.Millisecond, "capture did not start: %s", errb.String())
	var once sync.Once
	var code int
	stop := func() (int, string) {
		once.Do(func() { cancel(); code = <-done })
		return code, out.String()
	}
	t.Cleanup(func() { stop() })
	return url, stop
}

// captureSend captures one `hookcheck send` with the given flags, the
// capture answering 500 twice then 200, and returns the capture file.
func captureSend(t *testing.T, sendFlags ...string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "capture.jsonl")
	url, stop := startCapture(t, "--out", file, "--answer", "500,500,200", "--mask-header", "X-Secret")
	r := hookcheck(t, map[string]string{envAuthHeaderValue: "hunter2"}, append([]string{"send",
		"--target", url + "/hook?customer_id=1234&order=a%2Fb", "--auth-header-name", "X-Secret", "--timeout", "2s"}, sendFlags...)...)
	require.Equal(t, exitOK, r.code, "send: %s %s", r.stdout, r.stderr)
	code, live := stop()
	require.Equal(t, exitOK, code)
	assert.Regexp(t, `attempt 3  \+\S+ since attempt 2`, live, "a live line per attempt with the wait")
	raw, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "hunter2", "the auth value never reaches the file")
	return file
}

func TestCaptureThenDiff(t *testing.T) {
	t.Parallel() // mostly real-time waits: overlap them with the other tests' waits
	// The waits are real: a loaded machine adds tens of milliseconds to a
	// 1 ms wait, so the tolerance is wide and the "slow" capture far past it.
	diffFlags := []string{"--retry-interval", "1ms", "--tolerance", "250ms", "--auth-header-name", "X-Secret",
		"--webhook-url", "http://example.com/hook?customer_id=1234&order=a%2Fb"}

	same := captureSend(t, "--retry-interval", "1ms")
	r := hookcheck(t, nil, append([]string{"diff", same}, diffFlags...)...)
	assert.Equal(t, exitOK, r.code, "no difference: %s %s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "3 attempt(s)")
	assert.Contains(t, r.stdout, "0 difference(s) beyond tolerance")

	ua := captureSend(t, "--retry-interval", "1ms", "--user-agent", "Go-http-client/1.1")
	r = hookcheck(t, nil, append([]string{"diff", ua}, diffFlags...)...)
	assert.Equal(t, exitFailed, r.code, r.stdout)
	assert.Regexp(t, `DIFF D-12 .*header User-Agent: want "python-requests/2.25.1", got "Go-http-client/1.1"`, r.stdout)

	slow := captureSend(t, "--retry-interval", "700ms")
	r = hookcheck(t, nil, append([]string{"diff", slow}, diffFlags...)...)
	assert.Equal(t, exitFailed, r.code, r.stdout)
	assert.Regexp(t, `DIFF P-2 .*attempt 2: wait before the attempt`, r.stdout)
}

func TestCaptureUsageErrors(t *testing.T) {
	requireOneLine(t, hookcheck(t, nil, "capture", "--answer", "500,abc"), "--answer")
	requireOneLine(t, hookcheck(t, nil, "capture", "--mask-header", "bad name"), "--mask-header")
	requireOneLine(t, hookcheck(t, nil, "diff", filepath.Join(t.TempDir(), "missing.jsonl")), "missing.jsonl")
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	require.NoError(t, os.WriteFile(bad, []byte("{\"seq\":1}\nnot json\n"), 0o600))
	requireOneLine(t, hookcheck(t, nil, "diff", bad), "line 2")
}

// TestRunPrintsReproductions: a failed requirement's reason is followed
// by the command that repeats its request: send when send can make it,
// else curl on one line.
func TestRunPrintsReproductions(t *testing.T) {
	srv, _ := serveBehaviour(t, "status", receiver.Params{Status: 500}, receiver.Config{})
	r := hookcheck(t, nil, "run", "--target", srv.URL+"/hook?x=1", "--tags", "@RC-01", "--retry-interval", "1ms",
		"--out", t.TempDir())
	require.Equal(t, exitFailed, r.code, r.stderr)
	assert.Contains(t, r.stdout, "\n  reproduce: hookcheck send --target '"+srv.URL+"/hook?x=1'")
	r = hookcheck(t, nil, "run", "--target", srv.URL+"/hook?x=1", "--tags", "@RC-08", "--retry-interval", "1ms",
		"--out", t.TempDir())
	require.Equal(t, exitFailed, r.code, r.stderr)
	assert.Regexp(t, `\n  reproduce: curl -sS --globoff --path-as-is -X POST '`+srv.URL+`/hook\?x=1' -H 'Accept: \*/\*' -H .* -H 'Expect:' --data-binary '`, r.stdout)
}

func TestDiffJSON(t *testing.T) {
	capFile := captureSend(t, "--retry-interval", "1ms", "--user-agent", "Other/1")
	r := hookcheck(t, nil, "diff", capFile, "--retry-interval", "1ms", "--json")
	require.Equal(t, exitFailed, r.code, r.stderr)
	var diffs []struct {
		Rule    string `json:"rule"`
		What    string `json:"what"`
		Exceeds bool   `json:"exceeds"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &diffs), r.stdout)
	require.NotEmpty(t, diffs)
	assert.Equal(t, "D-12", diffs[0].Rule)
	assert.True(t, diffs[0].Exceeds)
}

// TestDiffSkipsTornLastLine: a capture whose last line was torn by a
// failed write is read, with a warning naming the line.
func TestDiffSkipsTornLastLine(t *testing.T) {
	file := writeCapture(t, replayRecord(1, "a"))
	f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(`{"seq":2,"method":"POST","body":"{\"transcr`)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	r := hookcheck(t, nil, "diff", file, "--source-address", "none")
	assert.Contains(t, r.stdout, "delivery transcript_id:a: 1 attempt(s)", r.stderr)
	assert.Contains(t, r.stdout, "1 deliveries")
	assert.Contains(t, r.stderr, "capture.jsonl line 2: a torn record")
}

// hostileID is a transcript_id that would clear the terminal, hide a link
// and forge a line if printed raw.
const hostileID = "t\x1b[2J\x1b]8;;http://evil/\x1b\\x\r\nforged: line\u009b"

// requireInert fails when out carries a control character other than the
// line ends, or a line the hostile id forged.
func requireInert(t *testing.T, out string) {
	t.Helper()
	for _, c := range []string{"\x1b", "\r", "\u009b"} {
		assert.NotContains(t, out, c)
	}
	assert.NotContains(t, out, "\nforged")
}

// TestConsoleLinesAreInert: capture, diff and replay print a hostile
// transcript_id without the escapes and line breaks it carries.
func TestConsoleLinesAreInert(t *testing.T) {
	file := filepath.Join(t.TempDir(), "capture.jsonl")
	url, stop := startCapture(t, "--out", file)
	body, err := json.Marshal(map[string]string{"transcript_id": hostileID, "status": "completed"})
	require.NoError(t, err)
	resp, err := http.Post(url+"/hook", "application/json", bytes.NewReader(body)) //nolint:noctx // a test
	require.NoError(t, err)
	_ = resp.Body.Close()
	code, live := stop()
	require.Equal(t, exitOK, code)
	assert.Contains(t, live, "transcript_id:t[2J]8;;http://evil/\\xforged: line  attempt 1")
	requireInert(t, live)

	r := hookcheck(t, nil, "diff", file)
	assert.Contains(t, r.stdout, "delivery transcript_id:t[2J")
	requireInert(t, r.stdout)

	srv, _ := serveBehaviour(t, "status", receiver.Params{Status: 200}, receiver.Config{})
	r = hookcheck(t, nil, "replay", file, "--target", srv.URL, "--fast")
	require.Equal(t, exitOK, r.code, "%s %s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, ", delivery transcript_id:t[2J")
	requireInert(t, r.stdout)
}
