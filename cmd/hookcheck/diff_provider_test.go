package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/internal/secret"
	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/profiles"
	"github.com/hookcheck/hookcheck/simulator/signing"
)

// signedCapture writes a Standard Webhooks delivery answered 500 then 200
// at its schedule (5 s), signed with fixture.SigningSecret.
func signedCapture(t *testing.T) string {
	t.Helper()
	s, err := signing.NewSigner(signing.StandardWebhooks, secret.Secret(fixture.SigningSecret))
	require.NoError(t, err)
	body := `{"type":"invoice.paid"}`
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	var recs []capture.Record
	for i, at := range []time.Time{t0, t0.Add(10*time.Millisecond + 5*time.Second)} {
		hs, err := s.Sign(signing.Message{ID: "msg_1", Timestamp: at, Body: []byte(body)})
		require.NoError(t, err)
		h := hs.Header()
		h.Set("Content-Type", "application/json")
		recs = append(recs, capture.Record{Seq: int64(i + 1), Time: at, Method: "POST", Path: "/", Header: h, Body: body,
			Key: "webhook-id:msg_1", Attempt: i + 1, Status: []int{500, 200}[i], AnsweredAfterMS: 10})
	}
	return writeCapture(t, recs...)
}

// TestDiffProviderVerifies: diff --provider standard-webhooks with the
// signing secret finds no difference in a delivery made by its rules,
// says each attempt's signature verifies, never prints the secret, and
// --update-profile writes a Standard Webhooks profile; with another
// secret every attempt is a difference.
func TestDiffProviderVerifies(t *testing.T) {
	file := signedCapture(t)
	out := filepath.Join(t.TempDir(), "observed.json")
	env := map[string]string{envSigningSecret: fixture.SigningSecret}
	r := hookcheck(t, env, "diff", file, "--provider", "standard-webhooks", "--update-profile", out)
	require.Equal(t, 0, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	assert.Equal(t, 2, strings.Count(r.stdout, "signature (with the signing secret): want verifies, got verifies"), r.stdout)
	assert.NotContains(t, r.stdout+r.stderr, strings.TrimPrefix(fixture.SigningSecret, "whsec_"))
	p, err := profiles.ReadFile(out)
	require.NoError(t, err)
	require.NotNil(t, p.Schedule)
	assert.Equal(t, "5s", p.Schedule.Value[0])
	require.NotNil(t, p.Signature)
	assert.Equal(t, "standard-webhooks", p.Signature.Value)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.NotContains(t, string(b), strings.TrimPrefix(fixture.SigningSecret, "whsec_"))

	other := map[string]string{envSigningSecret: "whsec_" + strings.Repeat("QUFB", 8)}
	r = hookcheck(t, other, "diff", file, "--provider", "standard-webhooks")
	assert.Equal(t, exitFailed, r.code, r.stdout)
	assert.Equal(t, 2, strings.Count(r.stdout, "signature does not match"), r.stdout)

	r = hookcheck(t, nil, "diff", file)
	assert.Equal(t, exitFailed, r.code, "AssemblyAI's rules still apply by default: %s", r.stdout)
	assert.Contains(t, r.stdout, "D-12")
}
