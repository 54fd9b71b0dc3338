package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/memnet"
	"github.com/hookcheck/hookcheck/simulator/receiver"
)

func TestLoadUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"load"}, "--target is required"},
		{[]string{"load", "--target", "ftp://x"}, "--target"},
		{[]string{"load", "--target", "http://127.0.0.1:1/", "--ramp", "10-80"}, "--ramp"},
		{[]string{"load", "--target", "http://127.0.0.1:1/", "--ramp", "10:80", "--rate", "5"}, "give one"},
		{[]string{"load", "--target", "http://127.0.0.1:1/", "--find-limit"}, "--find-limit needs --ramp"},
		{[]string{"load", "--target", "http://127.0.0.1:1/", "--rate", "0"}, "rates must be positive"},
		{[]string{"load", "--target", "http://127.0.0.1:1/", "--objective", "p95<2"}, "--objective"},
		{[]string{"load", "--target", "http://127.0.0.1:1/", "--product", "both"}, "--product"},
		{[]string{"load", "--target", "http://127.0.0.1:1/", "--drain", "-1s"}, "--drain"},
		{[]string{"load", "--target", "http://127.0.0.1:1/", "--duration", "25h"}, "duration"},
		{[]string{"load", "--target", "http://127.0.0.1:1/", "--api", "127.0.0.1:0"}, "--api needs the key"},
		{[]string{"load", "--target", "http://127.0.0.1:1/", "--rate", "5"}, "unreachable"},
	} {
		t.Run(strings.Join(c.args[1:], " "), func(t *testing.T) {
			requireOneLine(t, hookcheck(t, nil, append(c.args, "--out", t.TempDir())...), c.want)
		})
	}
}

// loadInBubble runs `hookcheck load args` against the reference receiver
// called behaviour over memnet, in virtual time, with ctx's deadline
// (Ctrl-C) after stop when stop > 0. It returns the exit code and stdout.
func loadInBubble(t *testing.T, behaviour string, env map[string]string, stop time.Duration, args ...string) (int, string) {
	t.Helper()
	var code int
	var out bytes.Buffer
	synctest.Test(t, func(t *testing.T) {
		b, err := receiver.Lookup(behaviour)
		require.NoError(t, err)
		net := memnet.New()
		srv, err := net.Serve("", b.New(receiver.Config{Inbox: receiver.NewBoundedInbox(receiver.InboxLimits{MaxRequests: 1, MaxIDs: 1})}, receiver.Params{}))
		require.NoError(t, err)
		defer srv.Close()

		a := &app{streams: streams{in: strings.NewReader(""), out: &out, err: &out}, getenv: func(k string) string { return env[k] }}
		var f loadFlags
		cmd := newLoadCmdWith(a, &f)
		require.NoError(t, cmd.ParseFlags(append([]string{"--target", srv.URL + "/webhook"}, args...)))
		a.cmd = cmd
		c, objectives, err := loadConfig(a, &f)
		require.NoError(t, err)
		c.DialContext = net.DialContext
		ctx := context.Background()
		if stop > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, stop)
			defer cancel()
		}
		err = loadAndReport(ctx, a, &f, c, objectives)
		code = exitOK
		if ex := (exitError{}); err != nil {
			require.ErrorAs(t, err, &ex)
			code = ex.code
		}
		time.Sleep(time.Hour) // the receiver finishes what its clients left
	})
	return code, out.String()
}

func TestLoadAgainstTheSheddingReceiverFailsItsObjectiveAndNamesTheFix(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{envAuthHeaderValue: "load-secret-value-123"}
	code, out := loadInBubble(t, "shed-429", env, 0, "--rate", "60", "--duration", "10s", "--out", dir,
		"--objective", "lost=0,p95<2s", "--auth-header-name", "X-Webhook-Secret")
	assert.Equal(t, exitFailed, code, out)
	assert.Regexp(t, `\n\s+2s rate 60/s  offered (59|6[01])  sent (59|6[01])  in-flight`, out, "a live line every second")
	assert.Contains(t, out, "FAIL  objective lost=0")
	assert.Contains(t, out, "PASS  objective p95<2s")
	assert.Contains(t, out, "Fix RC-11: A rate limiter answered 429")
	for _, name := range []string{"load-results.json", "report.html", "summary.md"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err, name)
		assert.NotContains(t, string(b), "load-secret-value-123", name)
	}
	assert.NotContains(t, out, "load-secret-value-123")
	var doc struct {
		Load struct {
			HeldRate *float64 `json:"held_rate"`
			Lost     *int64   `json:"lost"`
		} `json:"load"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "load-results.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &doc))
	require.NotNil(t, doc.Load.HeldRate)
	require.NotNil(t, doc.Load.Lost)
	assert.Positive(t, *doc.Load.Lost)
	assert.Zero(t, *doc.Load.HeldRate)
}

func TestLoadAgainstAReceiverThatHoldsPassesItsObjective(t *testing.T) {
	dir := t.TempDir()
	code, out := loadInBubble(t, "queue-first", nil, 0, "--rate", "60", "--duration", "10s", "--out", dir,
		"--objective", "lost=0,p95<2s,held_rate>=60", "--quiet")
	assert.Equal(t, exitOK, code, out)
	assert.NotContains(t, out, "offered 60  sent", "--quiet: no live line")
	assert.Contains(t, out, "Held 60/s")
}

func TestLoadInterruptedWritesEveryFile(t *testing.T) {
	dir := t.TempDir()
	code, out := loadInBubble(t, "queue-first", nil, 3500*time.Millisecond, "--rate", "10", "--duration", "1m", "--out", dir)
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, out, "Interrupted")
	for _, name := range []string{"load-results.json", "report.html", "summary.md"} {
		assert.FileExists(t, filepath.Join(dir, name))
	}
}

func TestFindLimitFromTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	code, out := loadInBubble(t, "pool-queue", nil, 0, "--find-limit", "--ramp", "10:80", "--duration", "2m", "--drain", "0",
		"--out", dir, "--quiet", "--objective", "held_rate>=36")
	assert.Equal(t, exitOK, code, out)
	assert.Regexp(t, `Held 3[6-9](\.\d)?/s; not 4[0-4](\.\d)?/s`, out)
}
