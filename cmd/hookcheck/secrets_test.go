package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// echoReceiver is the debug endpoint the probe found leaking: it
// answers every request with every request header, as response headers and
// in its body, and the request body too. It admits only the right auth
// header value, so that the run exercises failures and retries as well.
func echoReceiver(t *testing.T, authName, authValue string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var echo strings.Builder
		for name, vs := range r.Header {
			for _, v := range vs {
				w.Header().Add("X-Echo-"+name, v)
				fmt.Fprintf(&echo, "%s: %s\n", name, v)
			}
		}
		echo.Write(body)
		if r.Header.Get(authName) != authValue {
			w.WriteHeader(http.StatusUnauthorized)
		}
		_, _ = io.WriteString(w, echo.String())
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestSecretsNeverLeakThroughAnEcho proves item 2 of issue 11: every
// secret the run knows (the auth header's value, the URL's password and
// the basic-auth credentials the client derives from it) appears 0 times
// in stdout, stderr and every output file, though the receiver echoes all
// of them in every answer.
func TestSecretsNeverLeakThroughAnEcho(t *testing.T) {
	const authName, authValue = "X-Webhook-Secret", "s3cret-auth-value-7f3a"
	const user, pass = "hookuser", "p4ss-word-91c2"
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	secrets := []string{authValue, pass, basic}
	srv := echoReceiver(t, authName, authValue)
	target := strings.Replace(srv.URL, "http://", "http://"+user+":"+pass+"@", 1) + "/hook?customer=1"
	env := map[string]string{envAuthHeaderValue: authValue}

	out := t.TempDir()
	r := hookcheck(t, env, "run", "--target", target, "--auth-header-name", authName, "--fast", "--out", out,
		"--tags", "~@serial", "--verbose")
	require.NotEqual(t, exitUsage, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	outputs := map[string]string{"run stdout": r.stdout, "run stderr": r.stderr}
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(out, e.Name()))
		require.NoError(t, err)
		outputs[e.Name()] = string(b)
	}
	require.Contains(t, outputs["results.json"], "X-Echo-", "the receiver's echoes are recorded")
	require.Contains(t, outputs["results.json"], "********", "and masked")

	// send, in both of its output forms.
	for _, args := range [][]string{nil, {"--json"}} {
		r := hookcheck(t, env, append([]string{"send", "--target", target, "--auth-header-name", authName, "--fast", "--verbose"}, args...)...)
		require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
		outputs["send "+strings.Join(args, " ")+" stdout"] = r.stdout + r.stderr
	}
	require.Contains(t, outputs["send --json stdout"], "X-Echo-")

	for name, text := range outputs {
		for _, s := range secrets {
			assert.Equal(t, 0, strings.Count(text, s), "%s holds a secret", name)
		}
	}
}

// TestAuthValueWithCRLFIsRefusedUpFront: such a value can never be sent
// (every attempt would fail as "protocol" and the receiver be blamed), so
// send and run refuse it as a usage error, exit 2, without quoting it.
func TestAuthValueWithCRLFIsRefusedUpFront(t *testing.T) {
	srv, inbox := serveBehaviour(t, "compliant", receiver.Params{}, receiver.Config{})
	for _, value := range []string{"s3cret\r\nX-Injected: 1", "s3cret\nmore", "s3cret\r"} {
		env := map[string]string{envAuthHeaderValue: value}
		r := hookcheck(t, env, "send", "--target", srv.URL+"/webhook", "--auth-header-name", "X-Webhook-Secret", "--fast")
		requireOneLine(t, r, "auth header")
		assert.NotContains(t, r.stderr, "s3cret")
		r = hookcheck(t, env, "run", "--target", srv.URL+"/webhook", "--auth-header-name", "X-Webhook-Secret", "--fast", "--out", t.TempDir())
		requireOneLine(t, r, "auth header")
		assert.NotContains(t, r.stderr, "s3cret")
	}
	assert.Zero(t, inbox.Len(), "nothing was sent")
}
