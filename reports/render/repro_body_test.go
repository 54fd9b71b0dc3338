package render_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	hookcheck "github.com/hookcheck/hookcheck"
	"github.com/hookcheck/hookcheck/internal/shellwords"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/render"
	"github.com/hookcheck/hookcheck/reports/repro"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// hashingReceiver serves a reference receiver and keeps the SHA-256 of
// every body it was sent, so a test can compare what a reproduction sends
// with what the sender sent.
type hashingReceiver struct {
	mu     sync.Mutex
	hashes []string
}

func (h *hashingReceiver) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sum := sha256.Sum256(body)
		h.mu.Lock()
		h.hashes = append(h.hashes, hex.EncodeToString(sum[:]))
		h.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

func (h *hashingReceiver) received(sum string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.hashes {
		if s == sum {
			return true
		}
	}
	return false
}

// TestLongSessionReproductionReproduces is issue 17's case: a 3-hour
// streaming session's webhook (2.5 MiB, S-5) fails against a receiver
// behind a 1 MB body limit with a 413. The report writes the body the
// sender sent, whole, beside the report, and the reproduction's curl
// command, run in the report directory, gets the same 413; cut at 2 KiB,
// as it used to be, the compliant receiver would answer 400 instead.
func TestLongSessionReproductionReproduces(t *testing.T) {
	b, err := receiver.Lookup("body-limit-1mb")
	require.NoError(t, err)
	hashes := &hashingReceiver{}
	srv := httptest.NewServer(hashes.wrap(b.New(receiver.Config{Path: "/webhook"}, receiver.Params{})))
	defer srv.Close()
	p := webhook.DefaultPolicy()
	p.Pace = webhook.Accelerated
	res, err := hookcheck.Check(context.Background(), hookcheck.Target{
		URL: srv.URL + "/webhook", Policy: &p, Product: reports.Streaming, Tags: "@RC-21",
	})
	require.NoError(t, err)
	out := t.TempDir()
	_, err = render.WriteAll(out, res)
	require.NoError(t, err)

	// The reproduction of the 3-hour session, as results.json has it.
	back, err := reports.ReadFile(filepath.Join(out, render.ResultsFile))
	require.NoError(t, err)
	var rp repro.Reproduction
	var sent *webhook.Delivery
	for _, s := range back.Scenarios {
		for _, d := range s.Deliveries {
			if d.Payload == nil || d.Notification.Session == nil || d.Notification.Session.Duration != webhook.MaxSessionDuration {
				continue
			}
			for _, r := range s.Reproductions {
				if r.Delivery == d.ID {
					rp, sent = r, d
				}
			}
		}
	}
	require.NotNil(t, sent, "the failed 3-hour session has a reproduction")
	require.NotEmpty(t, sent.Attempts)
	status := sent.Attempts[0].StatusCode
	require.Equal(t, http.StatusRequestEntityTooLarge, status, "the status the report names")
	require.NotEmpty(t, rp.BodyFile)

	// The file holds the bytes the sender sent: the receiver saw a body
	// with the file's hash, and the record's own hash is the same.
	file, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(rp.BodyFile)))
	require.NoError(t, err)
	sum := sha256.Sum256(file)
	hash := hex.EncodeToString(sum[:])
	assert.Equal(t, sent.Payload.Bytes, len(file))
	assert.Equal(t, sent.Payload.SHA256, hash)
	assert.Equal(t, rp.BodySHA256, hash)
	assert.True(t, hashes.received(hash), "the receiver was sent exactly these bytes")

	// Re-rendered elsewhere from results.json, the report has the file too.
	again := t.TempDir()
	require.NoError(t, render.Render(back, filepath.Join(again, "report.html"), ""))
	copied, err := os.ReadFile(filepath.Join(again, filepath.FromSlash(rp.BodyFile)))
	require.NoError(t, err)
	assert.Equal(t, file, copied)

	// The command's pieces make the request that got the 413.
	req := requestOf(t, rp.Curl, out)
	assert.Equal(t, sent.Request.Method, req.Method)
	assert.Equal(t, sent.Request.URL, req.URL.String())
	for k, vs := range sent.Request.Headers {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Length", "Host", "Connection":
			continue
		}
		assert.Equal(t, vs, req.Header.Values(k), k)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, status, resp.StatusCode, "the Go replay of the command gets the status the report names")

	// And so does the command itself, pasted into a shell in the report
	// directory, where curl is installed.
	if _, err := exec.LookPath("curl"); err == nil {
		cmd := exec.Command("sh", "-c", rp.Curl+" -o /dev/null -w '%{http_code}'")
		cmd.Dir = out
		got, err := cmd.Output()
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprint(status), string(got), "curl gets the status the report names")
	}
}

// requestOf reads a generated curl command the way a POSIX shell and curl
// do, for the subset repro writes: single-quoted words, "$VAR" words,
// backslash-newlines, -X, -H, --data-binary @file (relative to dir).
func requestOf(t *testing.T, command, dir string) *http.Request {
	t.Helper()
	words := shellWords(t, command)
	require.Equal(t, "curl", words[0])
	method, target := "", ""
	header := http.Header{}
	var body []byte
	for i := 1; i < len(words); i++ {
		switch w := words[i]; {
		case w == "-X":
			i++
			method = words[i]
		case w == "-H":
			i++
			name, value, _ := strings.Cut(words[i], ":")
			if value = strings.TrimPrefix(value, " "); value != "" {
				header.Add(name, value)
			}
		case w == "--data-binary":
			i++
			if f, ok := strings.CutPrefix(words[i], "@"); ok {
				var err error
				body, err = os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
				require.NoError(t, err)
			} else {
				body = []byte(words[i])
			}
		case strings.HasPrefix(w, "-"):
		default:
			target = w
		}
	}
	req, err := http.NewRequestWithContext(context.Background(), method, target, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header = header
	return req
}

// shellWords splits command into words as sh would for what repro writes.
func shellWords(t *testing.T, command string) []string {
	t.Helper()
	words, err := shellwords.Split(command, os.ExpandEnv)
	require.NoError(t, err)
	return words
}
