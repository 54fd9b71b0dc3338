//go:build browser

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/browsertest"
)

// startCLI runs the hookcheck command line in the background, as a user
// does, and returns the first stdout line matching outRe and the inspector
// URL it printed once on stderr. The command stops with the test.
func startCLI(t *testing.T, outRe *regexp.Regexp, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	errR, errW := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		run(ctx, args, streams{in: strings.NewReader(""), out: outW, err: errW}, func(string) string { return "" })
		_ = outW.Close()
		_ = errW.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("the command did not stop")
		}
	})
	uiURL := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(errR)
		re := regexp.MustCompile(`http://127\.0\.0\.1:\d+/\?token=[0-9a-f]+`)
		for sc.Scan() {
			if u := re.FindString(sc.Text()); u != "" {
				uiURL <- u
			}
		}
	}()
	sc := bufio.NewScanner(outR)
	var matched string
	for matched == "" && sc.Scan() {
		matched = outRe.FindString(sc.Text())
	}
	require.NotEmpty(t, matched, "%v printed no line matching %s", args, outRe)
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	select {
	case u := <-uiURL:
		return matched, u
	case <-time.After(10 * time.Second):
		t.Fatalf("%v printed no inspector URL on stderr", args)
	}
	return "", ""
}

// rowWith counts the page's visible rows whose id cell is id and whose
// attempt count is attempts.
func rowWith(id string, attempts int) string {
	return fmt.Sprintf(`[...document.querySelectorAll('#list .row:not([hidden])')].filter((r) => r.children[1].textContent === %q && r.dataset.attempts === '%d').length`, id, attempts)
}

// TestBrowserCLIInspectors: the Done-when of the inspector, with the
// binary's own commands: `hookcheck serve-api --ui` and `hookcheck capture
// --forward-to … --ui` each print one URL; opened in Chromium, it shows a
// delivery arriving live with its attempt count, the delivery `hookcheck
// send` makes through capture included.
func TestBrowserCLIInspectors(t *testing.T) {
	ctx, consoleErrors := browsertest.Start(t)
	var calls atomic.Int64
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if calls.Add(1)%2 == 1 {
			w.WriteHeader(http.StatusInternalServerError) // every first attempt fails: attempt 2 acknowledges
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(recv.Close)

	t.Run("serve-api --ui", func(t *testing.T) {
		line, ui := startCLI(t, regexp.MustCompile(`http://127\.0\.0\.1:\d+`),
			"serve-api", "--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0", "--fast", "--processing-delay", "10ms")
		require.NoError(t, chromedp.Run(ctx, chromedp.Navigate(ui), chromedp.WaitVisible(`#conn.live`)))
		req, err := http.NewRequest(http.MethodPost, line+"/v2/transcript",
			strings.NewReader(`{"audio_url":"https://example.com/a.mp3","webhook_url":"`+recv.URL+`/hook"}`))
		require.NoError(t, err)
		req.Header.Set("Authorization", "any-key")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
		id := regexp.MustCompile(`"id":\s*"([^"]+)"`).FindStringSubmatch(string(body))
		require.Len(t, id, 2, "%s", body)
		var n int
		require.NoError(t, chromedp.Run(ctx, chromedp.Poll(rowWith(id[1], 2), &n, chromedp.WithPollingTimeout(10*time.Second))),
			"the delivery appears with its second attempt")
	})

	t.Run("capture --forward-to --ui, fed by hookcheck send", func(t *testing.T) {
		line, ui := startCLI(t, regexp.MustCompile(`http://127\.0\.0\.1:\d+`),
			"capture", "--listen", "127.0.0.1:0", "--out", filepath.Join(t.TempDir(), "c.jsonl"),
			"--forward-to", recv.URL+"/hook", "--ui", "127.0.0.1:0")
		require.NoError(t, chromedp.Run(ctx, chromedp.Navigate(ui), chromedp.WaitVisible(`#conn.live`)))
		const tid = "5a0e3e1c-0000-4000-8000-0000000b4045"
		r := hookcheck(t, nil, "send", "--target", line+"/hook", "--transcript-id", tid, "--fast")
		require.Equal(t, exitOK, r.code, "%s\n%s", r.stdout, r.stderr)
		var n int
		require.NoError(t, chromedp.Run(ctx, chromedp.Poll(rowWith(tid, 2), &n, chromedp.WithPollingTimeout(10*time.Second))),
			"hookcheck send's delivery appears with both attempts")
	})
	assert.Empty(t, consoleErrors(), "console errors")
}
