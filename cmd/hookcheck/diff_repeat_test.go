package main

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/internal/secret"
	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/provider"
	"github.com/hookcheck/hookcheck/simulator/signing"
)

// providerAttempt is attempt n of name's message, its body body signed at
// its arrival at with fixture.SigningSecret, answered status.
func providerAttempt(t *testing.T, name string, n int, at time.Time, status int, body []byte) capture.Record {
	t.Helper()
	pr, err := provider.Lookup(name)
	require.NoError(t, err)
	s, err := signing.NewSigner(pr.Signing, secret.Secret(fixture.SigningSecret))
	require.NoError(t, err)
	hs, err := s.Sign(signing.Message{ID: "d-1", Timestamp: at, Body: body})
	require.NoError(t, err)
	h := hs.Header()
	h.Set("Content-Type", pr.Profile.Headers.Value["Content-Type"])
	return capture.Record{Seq: int64(n), Time: at, Method: http.MethodPost, Path: "/", Header: h, Body: string(body),
		BodyBytes: int64(len(body)), Key: capture.KeyOf(pr.Signing, h, body), Attempt: n, Status: status, AnsweredAfterMS: 10}
}

// TestDiffProviderStripeGitHub: diff --provider stripe finds nothing in
// an event answered 500 then 200 an hour later (ST-6) and, when the
// retry's body is not the first's, one ST-9 difference with its offset
// and lengths but not the body; diff --provider github finds nothing in
// one delivery and one GH-4 difference in a redelivery.
func TestDiffProviderStripeGitHub(t *testing.T) {
	env := map[string]string{envSigningSecret: fixture.SigningSecret}
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	t1 := t0.Add(10*time.Millisecond + time.Hour)
	event := provider.StripeEvent("1")
	changed := bytes.Replace(event, []byte(`"amount_paid":1200`), []byte(`"amount_paid":1201`), 1)
	at := bytes.Index(event, []byte("1200")) + 3

	good := writeCapture(t, providerAttempt(t, provider.Stripe, 1, t0, 500, event), providerAttempt(t, provider.Stripe, 2, t1, 200, event))
	r := hookcheck(t, env, "diff", good, "--provider", "stripe")
	require.Equal(t, 0, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "1 deliveries, 0 difference(s) beyond tolerance")

	bad := writeCapture(t, providerAttempt(t, provider.Stripe, 1, t0, 500, event), providerAttempt(t, provider.Stripe, 2, t1, 200, changed))
	r = hookcheck(t, env, "diff", bad, "--provider", "stripe")
	require.Equal(t, exitFailed, r.code, r.stdout)
	assert.Contains(t, r.stdout, "1 deliveries, 1 difference(s) beyond tolerance")
	assert.Contains(t, r.stdout, "DIFF ST-9  id:evt_1 attempt 2: body (a retry repeats attempt 1's bytes): want the same ")
	assert.Contains(t, r.stdout, "first differing byte at offset "+strconv.Itoa(at)+"\n")
	assert.NotContains(t, r.stdout, "amount_paid", "a body is never shown")

	ping := provider.GitHubPush("e1")
	one := writeCapture(t, providerAttempt(t, provider.GitHub, 1, t0, 200, ping))
	r = hookcheck(t, env, "diff", one, "--provider", "github")
	require.Equal(t, 0, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "1 deliveries, 0 difference(s) beyond tolerance")

	again := writeCapture(t, providerAttempt(t, provider.GitHub, 1, t0, 500, ping), providerAttempt(t, provider.GitHub, 2, t1, 200, ping))
	r = hookcheck(t, env, "diff", again, "--provider", "github")
	require.Equal(t, exitFailed, r.code, r.stdout)
	assert.Contains(t, r.stdout, "1 deliveries, 1 difference(s) beyond tolerance")
	assert.Contains(t, r.stdout, "DIFF GH-4  x-github-delivery:d-1: attempt count (from the answers given): want 1, got 2")
	assert.NotContains(t, r.stdout, strings.TrimPrefix(fixture.SigningSecret, "whsec_"))
}
