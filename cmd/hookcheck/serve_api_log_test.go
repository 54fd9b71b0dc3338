package main

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// slogLine is a line of log/slog's text handler: time, level, message,
// then key=value attributes.
var slogLine = regexp.MustCompile(`^time=\S+ level=(DEBUG|INFO|WARN|ERROR) msg=`)

// TestServeAPILogsAttributesNotStructs: with -v, every line serve-api logs
// (its start, each request, transcript and delivery attempt) is a slog line
// whose values are attributes, never a Go struct printed whole ("{10000 10
// ...}", "&{...}").
func TestServeAPILogsAttributesNotStructs(t *testing.T) {
	hook, inbox := serveBehaviour(t, "compliant", receiver.Params{}, receiver.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errb := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve-api", "-v", "--listen", "127.0.0.1:0", "--processing-delay", "1ms", "--fast"},
			streams{in: strings.NewReader(""), out: out, err: errb}, func(string) string { return "" })
	}()
	var base string
	require.Eventually(t, func() bool {
		base = regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(out.String())
		return base != ""
	}, 5*time.Second, 2*time.Millisecond, "serve-api did not start: %s", errb.String())

	body := `{"audio_url":"https://example.com/a.mp3","webhook_url":"` + hook.URL + `/webhook"}`
	req, err := http.NewRequest(http.MethodPost, base+"/v2/transcript", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "any-key")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Eventually(t, func() bool { return inbox.Len() == 1 }, 5*time.Second, 2*time.Millisecond)
	require.Eventually(t, func() bool { return strings.Contains(errb.String(), "delivery ended") }, 5*time.Second, 2*time.Millisecond)
	cancel()
	select {
	case code := <-done:
		require.Equal(t, exitOK, code, errb.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve-api did not stop")
	}

	log := errb.String()
	assert.Contains(t, log, "policy.timeout_ms=10000", "the policy is attributes")
	assert.Contains(t, log, "attempt answered", "-v logs every attempt")
	for line := range strings.Lines(log) {
		assert.Regexp(t, slogLine, line)
		assert.NotContains(t, line, "{", "a Go struct printed whole: %s", line)
	}
}
