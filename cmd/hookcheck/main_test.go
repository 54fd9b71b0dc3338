package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// result is what one CLI invocation produced.
type result struct {
	code           int
	stdout, stderr string
}

// hookcheck runs the CLI in-process with env as its environment.
func hookcheck(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, streams{in: strings.NewReader(""), out: &out, err: &errb},
		func(k string) string { return env[k] })
	checkResultsSchema(t, args)
	return result{code, out.String(), errb.String()}
}

// serveBehaviour starts a reference receiver on real loopback.
func serveBehaviour(t *testing.T, name string, p receiver.Params, cfg receiver.Config) (*httptest.Server, *receiver.Inbox) {
	t.Helper()
	b, err := receiver.Lookup(name)
	require.NoError(t, err)
	if cfg.Inbox == nil {
		cfg.Inbox = receiver.NewInbox()
	}
	srv := httptest.NewServer(b.New(cfg, p))
	t.Cleanup(srv.Close)
	return srv, cfg.Inbox
}

// requireOneLine checks a usage error: exit 2 and a single line on stderr
// with no stack trace.
func requireOneLine(t *testing.T, r result, want string) {
	t.Helper()
	require.Equal(t, exitUsage, r.code, "stderr: %s", r.stderr)
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	require.Len(t, lines, 1, "one line on stderr, got:\n%s", r.stderr)
	require.Contains(t, lines[0], want)
	require.NotContains(t, r.stderr, "goroutine ")
	require.NotContains(t, r.stderr, "panic")
}
