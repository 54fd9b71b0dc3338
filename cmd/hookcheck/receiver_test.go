package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/api"

	"github.com/hookcheck/hookcheck/simulator/hostile"
	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// --list shows both catalogues, each behaviour once, with its level.
func TestReceiverListShowsBothLevels(t *testing.T) {
	r := hookcheck(t, nil, "receiver", "--list")
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	require.Regexp(t, `^BEHAVIOUR\s+LEVEL\s+WHAT IT DOES\s+BREAKS$`, lines[0])
	level := map[string]string{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		require.GreaterOrEqual(t, len(f), 2, l)
		_, dup := level[f[0]]
		assert.False(t, dup, "%s listed twice", f[0])
		level[f[0]] = f[1]
	}
	for _, b := range receiver.Behaviours() {
		assert.Equal(t, "http", level[b.Name], b.Name)
	}
	for _, k := range hostile.Kinds() {
		assert.Equal(t, "socket", level[string(k)], k)
	}
	signed := receiver.ProviderBehaviours("")
	require.NotEmpty(t, signed)
	for _, b := range signed {
		assert.Equal(t, "http", level[b.Name], "%s: another provider's receiver is listed too", b.Name)
	}
	assert.Len(t, level, len(receiver.Behaviours())+len(hostile.Kinds())+len(signed))
}

// --behaviour serves a socket-level kind on --listen until Ctrl-C.
func TestReceiverServesASocketLevelKind(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, done := startReceiver(ctx, t, func(string) string { return "" }, "--behaviour", "not-http")

	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(5*time.Second)))
	_, err = io.WriteString(c, "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
	require.NoError(t, err)
	got, err := bufio.NewReader(c).ReadString('\n')
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(got, "SSH-2.0"), "not HTTP: %q", got)

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code)
	case <-time.After(10 * time.Second):
		t.Fatal("receiver did not stop")
	}
}

func TestReceiverUnknownBehaviourNamesBothLevels(t *testing.T) {
	r := hookcheck(t, nil, "receiver", "--behaviour", "nope")
	requireOneLine(t, r, "unknown receiver behaviour")
	assert.Contains(t, r.stderr, "compliant")
	assert.Contains(t, r.stderr, "reset-mid-answer")
}

// TestReceiverFetchesFromAPIURL: with --api-url (and the key from
// HOOKCHECK_API_KEY) a fetching behaviour fetches each notified transcript
// there, so the real-time runs of make verdict-stability can check it
// with `run --api`; without the key it is a usage error.
func TestReceiverFetchesFromAPIURL(t *testing.T) {
	r := hookcheck(t, nil, "receiver", "--behaviour", "single-thread-fetch", "--api-url", "http://127.0.0.1:1")
	requireOneLine(t, r, "--api-url needs the API key")

	apiSrv, err := api.New(api.Config{APIKey: "receiver-key", BaseURL: "http://127.0.0.1:1"})
	require.NoError(t, err)
	id := "2b1c4f5e-0000-4000-8000-000000000019"
	require.NoError(t, apiSrv.Seed(api.SeedTranscript{ID: id}))
	ts := httptest.NewServer(apiSrv)
	defer ts.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := func(k string) string {
		if k == envAPIKey {
			return "receiver-key"
		}
		return ""
	}
	addr, done := startReceiver(ctx, t, env, "--behaviour", "single-thread-fetch", "--api-url", ts.URL+"/")

	resp, err := http.Post("http://"+addr+"/hook", "application/json", strings.NewReader(`{"transcript_id":"`+id+`","status":"completed"}`))
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	calls := apiSrv.Calls(id)
	require.Len(t, calls, 1, "fetched before answering")
	assert.True(t, calls[0].Authorized, "with the key from the environment")

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code)
	case <-time.After(10 * time.Second):
		t.Fatal("receiver did not stop")
	}
}

// startReceiver runs `hookcheck receiver --listen 127.0.0.1:0` with args
// until ctx ends, and returns the address it listens on and where its exit
// code arrives.
func startReceiver(ctx context.Context, t *testing.T, env func(string) string, args ...string) (string, <-chan int) {
	t.Helper()
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"receiver", "--listen", "127.0.0.1:0"}, args...),
			streams{in: strings.NewReader(""), out: outW, err: io.Discard}, env)
		outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	require.NoError(t, err)
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	addr := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)`).FindStringSubmatch(line)
	require.Len(t, addr, 2, line)
	return addr[1], done
}
