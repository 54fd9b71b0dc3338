package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"os"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// TestServeAPIDeliversAWebhook starts `hookcheck serve-api`, submits a
// transcript with a webhook_url and sees the delivery arrive and be
// recorded, then stops it with the context as Ctrl-C would.
func TestServeAPIDeliversAWebhook(t *testing.T) {
	hook, inbox := serveBehaviour(t, "compliant", receiver.Params{}, receiver.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve-api", "--listen", "127.0.0.1:0", "--processing-delay", "20ms", "--fast"},
			streams{in: strings.NewReader(""), out: outW, err: io.Discard}, func(k string) string {
				return map[string]string{envAPIKey: "test-key"}[k]
			})
		outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	require.NoError(t, err)
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	assert.NotContains(t, line, "test-key", "the API key is never printed")
	base := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
	require.NotEmpty(t, base, line)

	body := `{"audio_url":"https://example.com/a.mp3","webhook_url":"` + hook.URL + `/webhook?order=7"}`
	req, _ := http.NewRequest(http.MethodPost, base+"/v2/transcript", strings.NewReader(body))
	req.Header.Set("Authorization", "test-key")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var tr struct{ ID, Status string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tr))
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "queued", tr.Status)

	require.Eventually(t, func() bool { return inbox.Len() == 1 }, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, "order=7", inbox.Requests()[0].RawQuery)
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code)
	case <-time.After(10 * time.Second):
		t.Fatal("serve-api did not stop")
	}
}

func TestOtherCommandsUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"serve-api zero delay", []string{"serve-api", "--processing-delay", "0s"}, "--processing-delay must be positive"},
		{"serve-api bad listen", []string{"serve-api", "--listen", "256.0.0.1:99999"}, "--listen"},
		{"serve-api negative upload", []string{"serve-api", "--max-upload-bytes", "-1"}, "--max-upload-bytes"},
		{"serve-api zero store budget", []string{"serve-api", "--max-store-bytes", "0"}, "--max-store-bytes must be positive"},
		{"receiver header without value", []string{"receiver", "--auth-header-name", "X-S"}, "needs a value"},
		{"report without input", []string{"report", "--html", "x.html"}, "--in"},
		{"serve-api fault without id", []string{"serve-api", "--fault", "status=500"}, "--fault"},
		{"serve-api fault unknown key", []string{"serve-api", "--fault", "t1:sometimes=2"}, "unknown key"},
		{"serve-api fault status", []string{"serve-api", "--fault", "t1:status=200"}, "400..599"},
		{"serve-api seed status", []string{"serve-api", "--seed-transcript", "t1:queued"}, "ID:error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			requireOneLine(t, hookcheck(t, nil, c.args...), c.want)
		})
	}
}

// TestServeAPIShutdownSaysWhatWasLost: with deliveries in flight past
// --grace, serve-api no longer exits with "context deadline exceeded"
// alone: it counts the notifications not delivered and writes their
// transcript and delivery ids to a file it names.
func TestServeAPIShutdownSaysWhatWasLost(t *testing.T) {
	hook, inbox := serveBehaviour(t, "hang", receiver.Params{}, receiver.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve-api", "--listen", "127.0.0.1:0", "--processing-delay", "10ms", "--grace", "100ms"},
			streams{in: strings.NewReader(""), out: outW, err: &stderr}, func(string) string { return "" })
		outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	require.NoError(t, err)
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	base := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
	var ids []string
	for range 3 {
		body := `{"audio_url":"https://example.com/a.mp3","webhook_url":"` + hook.URL + `/webhook"}`
		req, _ := http.NewRequest(http.MethodPost, base+"/v2/transcript", strings.NewReader(body))
		req.Header.Set("Authorization", "k")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var tr struct{ ID string }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&tr))
		resp.Body.Close()
		ids = append(ids, tr.ID)
	}
	require.Eventually(t, func() bool { return inbox.Len() == 3 }, 5*time.Second, 10*time.Millisecond, "3 attempts in flight")
	cancel()
	var code int
	select {
	case code = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("serve-api did not stop")
	}
	assert.Equal(t, exitFailed, code)
	msg := stderr.String()
	assert.Contains(t, msg, "3 notification(s) not delivered")
	file := regexp.MustCompile(`ids in (\S+)`).FindStringSubmatch(msg)
	require.NotNil(t, file, msg)
	t.Cleanup(func() { os.Remove(file[1]) })
	b, err := os.ReadFile(file[1])
	require.NoError(t, err)
	for _, id := range ids {
		assert.Contains(t, string(b), id+" d-")
	}
}

// TestServeAPISecondInterruptEndsTheGrace: with an hour of --grace and a
// delivery hanging on its receiver, the first Ctrl-C (ctx ends, the
// signal arrives) starts a graceful shutdown that waits; the second ends
// the grace at once, and serve-api says what was lost. The signals come
// through streams.signals, so the test signals no process.
func TestServeAPISecondInterruptEndsTheGrace(t *testing.T) {
	hook, inbox := serveBehaviour(t, "hang", receiver.Params{}, receiver.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal) // unbuffered: a send returns once serve-api has it
	outR, outW := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve-api", "--listen", "127.0.0.1:0", "--processing-delay", "10ms", "--grace", "1h"},
			streams{in: strings.NewReader(""), out: outW, err: &stderr, signals: sigs}, func(string) string { return "" })
		outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	require.NoError(t, err)
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	base := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
	body := `{"audio_url":"https://example.com/a.mp3","webhook_url":"` + hook.URL + `/webhook"}`
	req, _ := http.NewRequest(http.MethodPost, base+"/v2/transcript", strings.NewReader(body))
	req.Header.Set("Authorization", "k")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var tr struct{ ID string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tr))
	resp.Body.Close()
	require.Eventually(t, func() bool { return inbox.Len() == 1 }, 5*time.Second, 10*time.Millisecond, "the attempt hangs in flight")

	interrupt := func() {
		t.Helper()
		select {
		case sigs <- os.Interrupt:
		case code := <-done:
			t.Fatalf("serve-api exited %d before the interrupt", code)
		}
	}
	cancel() // the first Ctrl-C ends the command's context...
	interrupt()
	select { // ...and the grace period (an hour) is running
	case code := <-done:
		t.Fatalf("serve-api exited %d after one interrupt; the grace should still run", code)
	default:
	}
	interrupt()
	var code int
	select {
	case code = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the second interrupt did not end the grace period")
	}
	assert.Equal(t, exitFailed, code)
	msg := stderr.String()
	assert.Contains(t, msg, "1 notification(s) not delivered")
	if file := regexp.MustCompile(`ids in (\S+)`).FindStringSubmatch(msg); assert.NotNil(t, file, msg) {
		t.Cleanup(func() { os.Remove(file[1]) })
		b, err := os.ReadFile(file[1])
		require.NoError(t, err)
		assert.Contains(t, string(b), tr.ID+" d-")
	}
}

// One signal never aborts; the second does.
func TestAbortOnSecond(t *testing.T) {
	sigs := make(chan os.Signal)
	done := make(chan struct{})
	abort := abortOnSecond(sigs, done)
	sigs <- os.Interrupt
	select {
	case <-abort:
		t.Fatal("aborted on the first signal")
	default:
	}
	sigs <- os.Interrupt
	select {
	case <-abort:
	case <-time.After(10 * time.Second):
		t.Fatal("no abort on the second signal")
	}
	close(done)
}

// TestServeAPIRecreatesAFault: --fault makes a seeded transcript's GET
// fail the given number of times, then answer it (RC-16's reproduction),
// or answer late (RC-15's); --seed-transcript makes an error transcript
// exist for a receiver to fetch.
func TestServeAPIRecreatesAFault(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve-api", "--listen", "127.0.0.1:0",
			"--fault", "failing:status=500,times=2", "--fault", "slow:delay=300ms", "--seed-transcript", "broken:error"},
			streams{in: strings.NewReader(""), out: outW, err: io.Discard}, func(string) string { return "" })
		outW.Close()
	}()
	rd := bufio.NewReader(outR)
	line, err := rd.ReadString('\n')
	require.NoError(t, err)
	base := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
	require.NotEmpty(t, base, line)
	var seeded []string
	for range 3 {
		l, err := rd.ReadString('\n')
		require.NoError(t, err)
		seeded = append(seeded, strings.TrimSpace(l))
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	assert.Equal(t, []string{
		"seeded transcript broken (error)",
		"seeded transcript failing (completed, GET faulted: status=500,times=2)",
		"seeded transcript slow (completed, GET faulted: delay=300ms)",
	}, seeded)

	get := func(id string) (int, string, time.Duration) {
		req, _ := http.NewRequest(http.MethodGet, base+"/v2/transcript/"+id, nil)
		req.Header.Set("Authorization", "any-key")
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var tr struct{ Status string }
		_ = json.NewDecoder(resp.Body).Decode(&tr)
		return resp.StatusCode, tr.Status, time.Since(start)
	}
	for i, want := range []int{500, 500, 200} {
		code, _, _ := get("failing")
		assert.Equal(t, want, code, "GET %d of the failing transcript", i+1)
	}
	code, status, took := get("slow")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "completed", status)
	assert.GreaterOrEqual(t, took, 300*time.Millisecond, "the slow transcript's GET is held back")
	code, status, _ = get("broken")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "error", status)
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code)
	case <-time.After(10 * time.Second):
		t.Fatal("serve-api did not stop")
	}
}

// serve-api bounds the runtime's heap near the store's byte budget, so the
// collector's headroom does not double it; the previous limit comes back
// after, and a GOMEMLIMIT already set is left alone.
func TestServeAPILimitsMemoryToTheStoreBudget(t *testing.T) {
	prev := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(prev)
	restore := limitMemory(256 << 20)
	assert.EqualValues(t, 256<<20+memoryHeadroom, debug.SetMemoryLimit(-1))
	restore()
	assert.EqualValues(t, int64(math.MaxInt64), debug.SetMemoryLimit(-1))

	debug.SetMemoryLimit(1 << 30) // as GOMEMLIMIT would
	restore = limitMemory(256 << 20)
	assert.EqualValues(t, 1<<30, debug.SetMemoryLimit(-1))
	restore()
}

// TestServeAPIBadUIIsAUsageErrorFirst: a --ui address that cannot be
// served ends serve-api with a usage error before the API listens or is
// announced. It used to announce the API, then fail, leaving the API's
// listener open: a client's connection queued there and waited for its
// own timeout (what made TestEveryFlagActs flaky).
func TestServeAPIBadUIIsAUsageErrorFirst(t *testing.T) {
	r := hookcheck(t, nil, "serve-api", "--listen", "127.0.0.1:0", "--ui", "127.0.0.1:notaport")
	requireOneLine(t, r, "--ui: ")
	assert.NotContains(t, r.stdout, "emulated AssemblyAI API on")
}
