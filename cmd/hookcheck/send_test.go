package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/go-faker/faker/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/hostile"
	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// sendJSON is the part of `send --json` the acceptance criteria name.
type sendJSON struct {
	Outcome           string `json:"outcome"`
	WebhookStatusCode *int   `json:"webhook_status_code"`
	Attempts          []struct {
		Number     int     `json:"number"`
		StartedAt  string  `json:"started_at"`
		DurationMS float64 `json:"duration_ms"`
		StatusCode *int    `json:"status_code"`
		Error      string  `json:"error"`
	} `json:"attempts"`
}

// fastSchedule keeps CLI tests quick: the waits are 1 ms and a hang times
// out after 150 ms; the real-time schedule is measured by `make timing`.
var fastSchedule = []string{"--retry-interval", "1ms", "--timeout", "150ms"}

func TestSendJSONOutcomes(t *testing.T) {
	cases := []struct {
		behaviour string
		params    receiver.Params
		outcome   string
		attempts  int
		code      any // int, or nil for null
		errClass  string
	}{
		{"status", receiver.Params{Status: 200}, "delivered", 1, 200, ""},
		{"status", receiver.Params{Status: 404}, "rejected", 1, 404, ""},
		{"status", receiver.Params{Status: 429}, "rejected", 1, 429, ""},
		{"status", receiver.Params{Status: 500}, "exhausted", 10, 500, ""},
		{"fail-first", receiver.Params{FailFirst: 3}, "delivered", 4, 200, ""},
		{"hang", receiver.Params{}, "exhausted", 10, nil, "timeout"},
		{"redirect", receiver.Params{}, "exhausted", 10, 302, ""},
		// Socket-level receivers (simulator/hostile).
		{string(hostile.ResetMidAnswer), receiver.Params{}, "exhausted", 10, nil, "connection_reset"},
		{string(hostile.NotHTTP), receiver.Params{}, "exhausted", 10, nil, "protocol"},
	}
	for _, c := range cases {
		t.Run(c.behaviour+"-"+c.outcome, func(t *testing.T) {
			t.Parallel()
			url, requests := serveAny(t, c.behaviour, c.params)
			r := hookcheck(t, nil, append([]string{"send", "--target", url + "/hook", "--json"}, fastSchedule...)...)
			var got sendJSON
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &got), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
			assert.Equal(t, c.outcome, got.Outcome)
			assert.Len(t, got.Attempts, c.attempts)
			assert.Equal(t, c.attempts, requests(), "requests the receiver got")
			if c.code == nil {
				assert.Nil(t, got.WebhookStatusCode)
			} else if assert.NotNil(t, got.WebhookStatusCode) {
				assert.Equal(t, c.code, *got.WebhookStatusCode)
			}
			last := got.Attempts[len(got.Attempts)-1]
			assert.Equal(t, c.errClass, last.Error)
			assert.Equal(t, c.errClass == "", last.StatusCode != nil)
			_, err := time.Parse(time.RFC3339Nano, last.StartedAt)
			assert.NoError(t, err)
			assert.Contains(t, last.StartedAt, ".", "fractional seconds")
			want := exitFailed
			if c.outcome == "delivered" {
				want = exitOK
			}
			assert.Equal(t, want, r.code)
		})
	}
}

// serveAny serves a behaviour of either level on real loopback and returns
// its URL and a count of the requests (for a socket-level one, the
// connections: each attempt gets a fresh one after the failure).
func serveAny(t *testing.T, name string, p receiver.Params) (string, func() int) {
	t.Helper()
	if kind, err := hostile.ParseKind(name); err == nil {
		srv, err := hostile.Start(t.Context(), kind, hostile.Options{})
		require.NoError(t, err)
		t.Cleanup(func() { _ = srv.Close() })
		return srv.URL, func() int { return int(srv.Accepted()) }
	}
	srv, inbox := serveBehaviour(t, name, p, receiver.Config{})
	return srv.URL, inbox.Len
}

func TestSendRefused(t *testing.T) {
	r := hookcheck(t, nil, append([]string{"send", "--target", "http://127.0.0.1:9/hook", "--json"}, fastSchedule...)...)
	var got sendJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	assert.Equal(t, "exhausted", got.Outcome)
	require.Len(t, got.Attempts, 10)
	assert.Equal(t, "connection_refused", got.Attempts[0].Error)
	assert.Nil(t, got.Attempts[0].StatusCode)
	assert.Equal(t, exitFailed, r.code)
}

func TestSendLiveLinesAndMaskedSecret(t *testing.T) {
	secret := faker.Password()
	srv, inbox := serveBehaviour(t, "fail-first", receiver.Params{FailFirst: 2}, receiver.Config{})
	r := hookcheck(t, map[string]string{envAuthHeaderValue: secret},
		append([]string{"send", "--target", srv.URL + "/hook?customer_id=42", "--auth-header-name", "X-Webhook-Secret", "-v"}, fastSchedule...)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "attempt  1  500 Internal Server Error")
	assert.Contains(t, r.stdout, "attempt  3  200 OK")
	assert.Contains(t, r.stdout, "delivered after 3 attempt(s)")
	assert.Equal(t, 3, strings.Count(r.stdout, "\nattempt "))
	assert.NotContains(t, r.stdout+r.stderr, secret, "the secret is never printed")
	assert.Contains(t, r.stdout, "X-Webhook-Secret: ********")
	assert.Equal(t, secret, inbox.Requests()[0].Header.Get("X-Webhook-Secret"), "but it is sent")
	assert.Equal(t, "customer_id=42", inbox.Requests()[0].RawQuery)
}

func TestSendUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no target", []string{"send"}, "--target is required"},
		{"bad url", []string{"send", "--target", "http://[::1"}, "--target"},
		{"unsupported scheme", []string{"send", "--target", "ftp://example.com/x"}, "scheme must be http or https"},
		{"no host", []string{"send", "--target", "http:///x"}, "has no host"},
		{"invalid header name", []string{"send", "--target", "http://127.0.0.1:9/", "--auth-header-name", "X Bad", "--auth-header-value", "v"}, "not allowed in a header name"},
		{"header name without value", []string{"send", "--target", "http://127.0.0.1:9/", "--auth-header-name", "X-Secret"}, "needs a value"},
		{"value without name", []string{"send", "--target", "http://127.0.0.1:9/", "--auth-header-value", "v"}, "needs --auth-header-name"},
		{"negative timeout", []string{"send", "--target", "http://127.0.0.1:9/", "--timeout", "-1s"}, "--timeout must be 100ms–5m0s, got -1s"},
		{"zero attempts", []string{"send", "--target", "http://127.0.0.1:9/", "--max-attempts", "0"}, "--max-attempts must be 1–100, got 0"},
		{"10⁹ attempts", []string{"send", "--target", "http://127.0.0.1:9/", "--max-attempts", "1000000000"}, "--max-attempts must be 1–100, got 1000000000"},
		{"1ns timeout", []string{"send", "--target", "http://127.0.0.1:9/", "--timeout", "1ns"}, "--timeout must be 100ms–5m0s, got 1ns"},
		{"6m timeout", []string{"send", "--target", "http://127.0.0.1:9/", "--timeout", "6m"}, "--timeout must be 100ms–5m0s, got 6m0s"},
		{"2562047h interval", []string{"send", "--target", "http://127.0.0.1:9/", "--retry-interval", "2562047h"}, "--retry-interval must be 0s–24h0m0s, got 2562047h0m0s"},
		{"unknown region", []string{"send", "--target", "http://127.0.0.1:9/", "--region", "ap"}, "unknown region"},
		{"unknown status", []string{"send", "--target", "http://127.0.0.1:9/", "--status", "done"}, "unknown transcript status"},
		{"unknown payload", []string{"send", "--target", "http://127.0.0.1:9/", "--payload", "video"}, "--payload"},
		{"bad source", []string{"send", "--target", "http://127.0.0.1:9/", "--source-address", "bind:nope"}, "not an IP address"},
		{"unknown flag", []string{"send", "--frobnicate"}, "unknown flag"},
		{"bad duration", []string{"send", "--timeout", "soon"}, "invalid argument"},
		{"stray argument", []string{"send", "extra"}, "unknown command"},
		{"unknown command", []string{"sned"}, "unknown command"},
		{"unknown behaviour", []string{"receiver", "--behaviour", "nope"}, "unknown receiver behaviour"},
		{"bad allowlist", []string{"receiver", "--allowlist", "dns"}, "unknown mode"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			requireOneLine(t, hookcheck(t, nil, c.args...), c.want)
		})
	}
}
