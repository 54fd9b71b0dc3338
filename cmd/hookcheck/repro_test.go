package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/shellwords"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/repro"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// TestAPIFaultReproductionRecreatesTheFault: a receiver that passes the
// API's 429 on as its own answer fails RC-16. The failure's reproduction
// names the fault, and its commands, run as they read (serve-api on the
// run's API address with the fault, then send), make the receiver give
// the answer the report names; a plain delivery, RC-16's reproduction
// before issue 17, got a 2xx from the recovered API instead.
func TestAPIFaultReproductionRecreatesTheFault(t *testing.T) {
	t.Parallel() // mostly real-time waits: overlap them with the other tests' waits
	const key = "repro-test-api-key"
	addr := freeLoopbackAddr(t)
	rapi := &receiver.API{BaseURL: "http://" + addr, Key: key}
	srv, _ := serveBehaviour(t, "passes-api-status", receiver.Params{}, receiver.Config{API: rapi})
	out := t.TempDir()
	r := hookcheck(t, map[string]string{envAPIKey: key}, "run", "--target", srv.URL+"/webhook", "--api", addr,
		"--fast", "--tags", "@RC-16", "--out", out)
	require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	res, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)

	var sc reports.Scenario
	for _, s := range res.Scenarios {
		if s.Status == reports.Failed && strings.Contains(s.Name, "429") {
			sc = s
		}
	}
	require.NotEmpty(t, sc.Name, "the 429 scenario fails RC-16:\n%s", r.stdout)
	require.Len(t, sc.APIFaults, 1)
	rp, ok := sc.FirstReproduction()
	require.True(t, ok)
	var d *webhook.Delivery
	for _, x := range sc.Deliveries {
		if x.ID == rp.Delivery {
			d = x
		}
	}
	require.NotNil(t, d)
	id := d.Notification.TranscriptID
	assert.Equal(t, id, sc.APIFaults[0].TranscriptID)
	assert.Contains(t, rp.API, "hookcheck serve-api --listen "+addr+" --fault "+id+":status=429,retry-after=1s,times=2 &")
	assert.Contains(t, r.stdout, "  recreate the API fault: hookcheck serve-api --listen "+addr+" --fault "+id+":status=429,retry-after=1s,times=2 &\n",
		"the console shows how to recreate the fault")
	want := d.Attempts[0].StatusCode
	require.Equal(t, 429, want, "the status the report names")

	// Recreate the fault as the reproduction says, on the same address
	// the receiver fetches from.
	args := commandArgs(t, rp.API, "hookcheck serve-api")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, args, streams{in: strings.NewReader(""), out: outW, err: io.Discard}, func(string) string { return key })
		_ = outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	require.NoError(t, err, "serve-api starts")
	require.Contains(t, line, addr)
	go func() { _, _ = io.Copy(io.Discard, outR) }()

	// Then deliver as the reproduction says: the receiver meets the
	// fault and answers as it did in the run.
	sent := hookcheck(t, nil, append(commandArgs(t, rp.Send, "hookcheck send"), "--json")...)
	var rec webhook.Delivery
	require.NoError(t, json.Unmarshal([]byte(sent.stdout), &rec), sent.stdout+sent.stderr)
	require.NotEmpty(t, rec.Attempts)
	assert.Equal(t, want, rec.Attempts[0].StatusCode, "the reproduction gets the status the report names")

	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("serve-api did not stop")
	}
}

// commandArgs returns the arguments (after "hookcheck") of the line of
// script that starts with prefix, split as a shell would split what repro
// writes (single-quoted words, a trailing &).
func commandArgs(t *testing.T, script, prefix string) []string {
	t.Helper()
	for line := range strings.Lines(script) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		words := splitWords(t, strings.TrimSuffix(line, " &"))
		require.Equal(t, "hookcheck", words[0])
		return words[1:]
	}
	t.Fatalf("no %q command in:\n%s", prefix, script)
	return nil
}

func splitWords(t *testing.T, s string) []string {
	t.Helper()
	words, err := shellwords.Split(s, nil)
	require.NoError(t, err)
	return words
}

// TestFaultSpecRoundTrips: what a reproduction writes, serve-api reads
// back as the same fault.
func TestFaultSpecRoundTrips(t *testing.T) {
	for _, spec := range []string{"t:status=500,times=2", "t:delay=15s", "t:status=429,retry-after=1s,times=2", "t:status=503,for=1m0s"} {
		f, err := repro.ParseFault(spec)
		require.NoError(t, err, spec)
		assert.Equal(t, spec, f.Spec())
	}
}

// TestRunConsoleIsShort: a receiver that fails everywhere, checked as the
// built-in run checks (auth header, allowlist, both regions, the API),
// gets a console of under 80 lines with exactly one reproduction per
// failed requirement that is not blocked by another, and the console says
// where the reproductions of every other failed scenario are.
func TestRunConsoleIsShort(t *testing.T) {
	const key, secret = "console-test-api-key", "console-test-secret"
	cases := []struct {
		behaviour string
		params    receiver.Params
		api       bool // serve the emulated API: RC-17 then waits 10 s for a fetch a 500 never makes
	}{
		{"status", receiver.Params{Status: 500}, false},
		{"crash-on-malformed", receiver.Params{}, true},
		{"passes-api-status", receiver.Params{}, true},
	}
	for _, c := range cases {
		t.Run(c.behaviour, func(t *testing.T) {
			t.Parallel() // mostly waiting: RC-17 waits for fetches that never come
			addr := freeLoopbackAddr(t)
			cfg := receiver.Config{API: &receiver.API{BaseURL: "http://" + addr, Key: key},
				AuthHeaderName: "X-Webhook-Secret", AuthHeaderValue: secret,
				Allowlist: &receiver.Allowlist{Mode: receiver.AllowlistHeader, Allowed: receiver.AssemblyAIAddresses()}}
			srv, _ := serveBehaviour(t, c.behaviour, c.params, cfg)
			out := t.TempDir()
			args := []string{"run", "--target", srv.URL + "/webhook", "--auth-header-name", "X-Webhook-Secret",
				"--allowlist", "header", "--region", "both", "--fast", "--out", out}
			if c.api {
				args = append(args, "--api", addr)
			}
			r := hookcheck(t, map[string]string{envAPIKey: key, envAuthHeaderValue: secret}, args...)
			require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
			assert.Less(t, len(lines), 80, "a failing run's console:\n%s", r.stdout)

			res, err := reports.ReadFile(filepath.Join(out, "results.json"))
			require.NoError(t, err)
			var roots []string
			failedScenarios := 0
			for _, q := range res.Requirements {
				if q.Status == reports.Failed && q.Blocker() == "" {
					roots = append(roots, q.ID)
				}
			}
			for _, s := range res.Scenarios {
				if s.Status == reports.Failed {
					failedScenarios++
				}
			}
			require.NotEmpty(t, roots)
			assert.Equal(t, len(roots), strings.Count(r.stdout, "reproduce: "), "one reproduction per failed requirement not blocked:\n%s", r.stdout)
			_, failures, ok := strings.Cut(r.stdout, "\nFailures:")
			require.True(t, ok, r.stdout)
			for _, id := range roots {
				assert.Contains(t, failures, "\n"+id+" ", "%s has its reproduction", id)
			}
			assert.Contains(t, r.stdout, fmt.Sprintf("The reproductions of all %d failed scenario(s): %s", failedScenarios, filepath.Join(out, "summary.md")))
			assert.NotContains(t, r.stdout, "curl -sS --globoff --path-as-is -X POST "+srv.URL+"/webhook \\\n", "no multi-line curl on the console")
		})
	}
}

// TestSignedReproductionSignsAfresh: the reproduction of another
// provider's failure is a send that signs the same body afresh, with one
// attempt: run as it reads (the secret from the environment, as the run
// read it), it gets the answer the report names. Its curl command says
// that its signature is the run's; a probe's reproduction is the curl
// command alone, since send never makes its wrong signature.
func TestSignedReproductionSignsAfresh(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	env := map[string]string{envSigningSecret: secret}
	srv, _ := serveBehaviour(t, "sw-reserialized", receiver.Params{}, receiver.Config{Path: "/webhook", SigningSecret: secret})
	out := t.TempDir()
	r := hookcheck(t, env, "run", "--provider", "standard-webhooks", "--target", srv.URL+"/webhook", "--fast", "--tags", "@SIG-07", "--out", out)
	require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	res, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	var rp repro.Reproduction
	for _, s := range res.Scenarios {
		if p, ok := s.FirstReproduction(); ok && s.Status == reports.Failed && rp.Send == "" {
			rp = p
		}
	}
	require.NotEmpty(t, rp.Send, "a failed SIG-07 scenario has a send command:\n%s", r.stdout)
	assert.Regexp(t, `^hookcheck send --provider standard-webhooks --target `+srv.URL+`/webhook --message-id msg_[\w-]+ --data `, rp.Send)
	assert.True(t, strings.HasSuffix(rp.Send, " --fast --max-attempts 1"), rp.Send)
	assert.NotContains(t, rp.Send, secret)
	assert.True(t, strings.HasSuffix(rp.Curl, "  # signed at the run: a receiver with a 5-minute tolerance refuses it later; hookcheck send --provider signs afresh"), rp.Curl)

	words := splitWords(t, rp.Send) // the body spans lines: one shell word
	require.Equal(t, "hookcheck", words[0])
	sent := hookcheck(t, env, append(words[1:], "--json")...)
	var rec webhook.Delivery
	require.NoError(t, json.Unmarshal([]byte(sent.stdout), &rec), sent.stdout+sent.stderr)
	require.Len(t, rec.Attempts, 1)
	assert.Equal(t, 400, rec.Attempts[0].StatusCode, "the re-serializing receiver refuses the same bytes again")

	// A probe (a body changed after signing) accepted by a receiver that
	// checks nothing: only curl repeats it.
	srv, _ = serveBehaviour(t, "sw-no-check", receiver.Params{}, receiver.Config{Path: "/webhook", SigningSecret: secret})
	out = t.TempDir()
	r = hookcheck(t, env, "run", "--provider", "standard-webhooks", "--target", srv.URL+"/webhook", "--fast", "--tags", "@SIG-02", "--out", out)
	require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	res, err = reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	for _, s := range res.Scenarios {
		if p, ok := s.FirstReproduction(); ok && s.Status == reports.Failed {
			assert.Empty(t, p.Send)
			assert.Equal(t, "this probe's signature (body changed after signing) is one send never makes: use the curl command", p.SendNote)
		}
	}
}

// TestRedeliveryReproductionRepeatsTheMessage: SIG-09's failure on a
// receiver that refuses a repeat is reproduced by a send with the same
// message id, which the receiver, still remembering it, refuses again;
// a send with a new id would have been acknowledged.
func TestRedeliveryReproductionRepeatsTheMessage(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	env := map[string]string{envSigningSecret: secret}
	srv, _ := serveBehaviour(t, "sw-duplicate-409", receiver.Params{}, receiver.Config{Path: "/webhook", SigningSecret: secret})
	out := t.TempDir()
	r := hookcheck(t, env, "run", "--provider", "standard-webhooks", "--target", srv.URL+"/webhook", "--fast", "--tags", "@SIG-09",
		"--verify-url", srv.URL+"/processed/{id}", "--out", out)
	require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	res, err := reports.ReadFile(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	var rp repro.Reproduction
	for _, s := range res.Scenarios {
		if p, ok := s.FirstReproduction(); ok && s.Status == reports.Failed {
			rp = p
		}
	}
	require.Contains(t, rp.Send, "--message-id msg_", r.stdout)
	sent := hookcheck(t, env, append(splitWords(t, rp.Send)[1:], "--json")...)
	var rec webhook.Delivery
	require.NoError(t, json.Unmarshal([]byte(sent.stdout), &rec), sent.stdout+sent.stderr)
	assert.Equal(t, 409, rec.Attempts[0].StatusCode, "the same message again: refused again")

	// Without the id, the same bytes are a new event.
	words := splitWords(t, rp.Send)
	i := slices.Index(words, "--message-id")
	fresh := hookcheck(t, env, append(slices.Delete(slices.Clone(words), i, i+2)[1:], "--json")...)
	require.NoError(t, json.Unmarshal([]byte(fresh.stdout), &rec), fresh.stdout+fresh.stderr)
	assert.Equal(t, 200, rec.Attempts[0].StatusCode)
}

// TestSendMessageIDIsChecked: --message-id acts only for a provider that
// sends one, and its value is a header value the signed content can hold.
func TestSendMessageIDIsChecked(t *testing.T) {
	env := map[string]string{envSigningSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
	base := []string{"send", "--target", "http://127.0.0.1:9/hook", "--fast"}
	requireOneLine(t, hookcheck(t, env, append(base, "--message-id", "m1")...), "--message-id acts only with --provider standard-webhooks or github")
	requireOneLine(t, hookcheck(t, env, append(base, "--provider", "stripe", "--message-id", "m1")...), "stripe sends no message id header")
	requireOneLine(t, hookcheck(t, env, append(base, "--provider", "standard-webhooks", "--message-id", "a.b")...), `byte 1 is '.'`)
	requireOneLine(t, hookcheck(t, env, append(base, "--provider", "github", "--message-id", strings.Repeat("x", 300))...), "300 bytes; at most 256")
}
