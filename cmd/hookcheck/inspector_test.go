package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUIUsageErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "c.jsonl")
	requireOneLine(t, hookcheck(t, nil, "serve-api", "--listen", "127.0.0.1:0", "--ui", "0.0.0.0:0"), "--ui-token")
	requireOneLine(t, hookcheck(t, nil, "capture", "--listen", "127.0.0.1:0", "--out", out, "--ui", ":0"), "not a loopback address")
	requireOneLine(t, hookcheck(t, nil, "capture", "--listen", "127.0.0.1:0", "--out", out, "--ui-token", "abcdefghij"), "--ui-token acts only with --ui")
	requireOneLine(t, hookcheck(t, nil, "serve-api", "--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0", "--ui-token", "short"), "--ui-token")
}

// TestUIPrintsOneURL: serve-api and capture with --ui each print one URL on
// stderr, with the token; that URL opens the page, a request without the
// token is refused.
func TestUIPrintsOneURL(t *testing.T) {
	for _, args := range [][]string{
		{"serve-api", "--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0"},
		{"capture", "--listen", "127.0.0.1:0", "--out", filepath.Join(t.TempDir(), "c.jsonl"), "--forward-to", "127.0.0.1:9", "--ui", "127.0.0.1:0"},
	} {
		t.Run(args[0], func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			errR, errW := io.Pipe()
			done := make(chan int, 1)
			go func() {
				done <- run(ctx, args, streams{in: strings.NewReader(""), out: io.Discard, err: errW}, func(string) string { return "" })
				errW.Close()
			}()
			br := bufio.NewReader(errR)
			var line string
			for !strings.Contains(line, "inspector on") {
				var err error
				line, err = br.ReadString('\n')
				require.NoError(t, err)
			}
			go func() { _, _ = io.Copy(io.Discard, br) }()
			u := regexp.MustCompile(`http://127\.0\.0\.1:\d+/\?token=[0-9a-f]{48}`).FindString(line)
			require.NotEmpty(t, u, line)
			base := u[:strings.Index(u, "/?")]

			resp, err := http.Get(base + "/api/info")
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusForbidden, resp.StatusCode)

			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err = client.Get(u)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusSeeOther, resp.StatusCode)
			req, _ := http.NewRequest(http.MethodGet, base+"/api/info", nil)
			for _, c := range resp.Cookies() {
				req.AddCookie(c)
			}
			resp, err = client.Do(req)
			require.NoError(t, err)
			var info struct{ Mode string }
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&info))
			resp.Body.Close()
			assert.Equal(t, args[0], info.Mode)

			cancel()
			select {
			case code := <-done:
				assert.Equal(t, exitOK, code)
			case <-time.After(20 * time.Second):
				t.Fatal("did not stop")
			}
		})
	}
}
