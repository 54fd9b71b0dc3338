package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// TestRunStandardWebhooks: `run --provider standard-webhooks --fast`
// (and `--provider stripe`) passes the compliant receiver and fails the
// one that verifies a re-serialized body on SIG-07 (the raw-body requirement), its report
// naming the provider and never the signing secret. Each run takes well
// under a second: the suite has no long waits and stops each delivery
// at its first attempt.
func TestRunStandardWebhooks(t *testing.T) {
	env := map[string]string{envSigningSecret: fixture.SigningSecret}
	secretText := strings.TrimPrefix(fixture.SigningSecret, "whsec_")
	for _, c := range []struct {
		provider  string
		behaviour string
		code      int
		fails     []string
	}{
		{"standard-webhooks", "sw-compliant", 0, nil},
		{"standard-webhooks", "sw-reserialized", exitFailed, []string{"SIG-07"}},
		{"stripe", "stripe-compliant", 0, nil},
		{"stripe", "stripe-parsed-body", exitFailed, []string{"SIG-07"}},
	} {
		t.Run(c.behaviour, func(t *testing.T) {
			srv, _ := serveBehaviour(t, c.behaviour, receiver.Params{}, receiver.Config{SigningSecret: webhook.Secret(fixture.SigningSecret)})
			out := t.TempDir()
			// SIG-08 times refusals: on a loaded machine a real-time run may
			// see noise, so its verdicts are proved in virtual time
			// (TestSignedProofMatrix, TestJudgeTiming).
			r := hookcheck(t, env, "run", "--provider", c.provider, "--fast", "--tags", "~@SIG-08",
				"--target", srv.URL+"/webhook", "--out", out)
			require.Equal(t, c.code, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
			assert.Contains(t, r.stdout, "as "+c.provider)
			data, err := os.ReadFile(filepath.Join(out, "results.json"))
			require.NoError(t, err)
			var res reports.Result
			require.NoError(t, json.Unmarshal(data, &res))
			require.NotNil(t, res.Environment.Provider)
			assert.Equal(t, c.provider, res.Environment.Provider.Name)
			var failed []string
			for _, q := range res.Requirements {
				if q.Status == reports.Failed {
					failed = append(failed, q.ID)
				}
			}
			assert.Equal(t, c.fails, failed)
			entries, err := os.ReadDir(out)
			require.NoError(t, err)
			for _, e := range entries {
				b, err := os.ReadFile(filepath.Join(out, e.Name()))
				require.NoError(t, err)
				assert.NotContains(t, string(b), secretText, "%s holds the signing secret", e.Name())
			}
			assert.NotContains(t, r.stdout+r.stderr, secretText)
		})
	}
}

// TestRunRefusesDaysInRealTime: a real-time run of a schedule of days
// says how long it takes and what to do, and sends nothing.
func TestRunRefusesDaysInRealTime(t *testing.T) {
	env := map[string]string{envSigningSecret: fixture.SigningSecret}
	r := hookcheck(t, env, "run", "--provider", "standard-webhooks", "--target", "http://127.0.0.1:9/webhook", "--out", t.TempDir())
	requireOneLine(t, r, "standard-webhooks's retry schedule takes 75h35m5s in real time: set --fast (its waits divided by 100: 45m21.05s), or --full-schedules to run it as it is")
	r = hookcheck(t, env, "run", "--provider", "stripe", "--target", "http://127.0.0.1:9/webhook", "--out", t.TempDir())
	requireOneLine(t, r, "stripe's retry schedule takes 55h0m0s in real time: set --fast (its waits divided by 100: 33m0s), or --full-schedules to run it as it is")
}

// TestReplayResignsWithTheCapturedID: replay --provider standard-webhooks
// signs each captured request again at the time it is sent, keeping its
// captured webhook-id, so the compliant receiver accepts what a stale
// captured signature would have it refuse (SW-6).
func TestReplayResignsWithTheCapturedID(t *testing.T) {
	rec := replayRecord(1, "resigned")
	rec.Header["Webhook-Id"] = []string{"msg_captured"}
	rec.Header["Webhook-Timestamp"] = []string{"1614265330"} // long past: no longer within the tolerance
	rec.Header["Webhook-Signature"] = []string{"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}
	file := writeCapture(t, rec)
	seen := replayResigned(t, file, "sw-compliant", "standard-webhooks", "Webhook-Id")
	var ids []string // the webhook-id of each signed request
	for _, v := range seen {
		ids = append(ids, strings.Join(v, ","))
	}
	assert.Equal(t, []string{"msg_captured", "msg_captured"}, ids, "the captured id, stale then re-signed")
}

// TestReplayResignsStripe: replay --provider stripe replaces a captured
// Stripe-Signature, stale after 300 s (ST-5), with one made at the time it
// is sent, so the compliant receiver accepts what it refuses as captured;
// one Stripe-Signature is sent, never two.
func TestReplayResignsStripe(t *testing.T) {
	rec := replayRecord(1, "resigned")
	rec.Header["Stripe-Signature"] = []string{"t=1614265330,v1=" + strings.Repeat("0", 64)}
	file := writeCapture(t, rec)
	sigs := replayResigned(t, file, "stripe-compliant", "stripe", "Stripe-Signature")
	require.Len(t, sigs, 2)
	require.Len(t, sigs[1], 1, "one Stripe-Signature")
	assert.NotEqual(t, sigs[0][0], sigs[1][0], "signed again")
}

// replayResigned replays the capture file to the compliant receiver
// behaviour twice: as captured, whose stale signature it refuses, then
// with --provider, re-signed, which it acknowledges, the secret in no
// output. It returns the values of header on each request the receiver got.
func replayResigned(t *testing.T, file, behaviour, providerName, header string) [][]string {
	t.Helper()
	b, err := receiver.Lookup(behaviour)
	require.NoError(t, err)
	h := b.New(receiver.Config{SigningSecret: webhook.Secret(fixture.SigningSecret)}, receiver.Params{})
	var (
		mu   sync.Mutex
		seen [][]string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Values(header))
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	target := srv.URL + "/webhook"

	stale := hookcheck(t, nil, "replay", file, "--target", target, "--max-attempts", "1")
	assert.Equal(t, exitFailed, stale.code, "the captured signature is stale: %s", stale.stdout)

	env := map[string]string{envSigningSecret: fixture.SigningSecret}
	r := hookcheck(t, env, "replay", file, "--target", target, "--provider", providerName, "--fast")
	require.Equal(t, 0, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	assert.NotContains(t, r.stdout+r.stderr, strings.TrimPrefix(fixture.SigningSecret, "whsec_"))
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(seen)
}
