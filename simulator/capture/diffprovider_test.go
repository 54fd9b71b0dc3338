package capture_test

import (
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
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

var t0 = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// swAttempt is attempt n of message msg_1, signed at its arrival, as
// Standard Webhooks sends it, answered status after 10 ms.
func swAttempt(t *testing.T, n int, at time.Time, status int) capture.Record {
	t.Helper()
	body := []byte(`{"data":{"id":"in_1"},"timestamp":"2026-12-06T12:00:00Z","type":"invoice.paid"}`)
	s, err := signing.NewSigner(signing.StandardWebhooks, secret.Secret(fixture.SigningSecret))
	require.NoError(t, err)
	hs, err := s.Sign(signing.Message{ID: "msg_1", Timestamp: at, Body: body})
	require.NoError(t, err)
	h := hs.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Webhook-Id", "msg_1")
	return capture.Record{Seq: int64(n), Time: at, Method: http.MethodPost, Path: "/webhooks", Header: h, Body: string(body),
		Key: "webhook-id:msg_1", Attempt: n, Status: status, AnsweredAfterMS: 10}
}

// swSchedule is a delivery answered 500, 500, 410 at Standard Webhooks'
// schedule: attempt 2 5 s after attempt 1's answer, attempt 3 5 min after.
func swSchedule(t *testing.T) []capture.Record {
	a1 := t0
	a2 := a1.Add(10*time.Millisecond + 5*time.Second)
	a3 := a2.Add(10*time.Millisecond + 5*time.Minute)
	return []capture.Record{swAttempt(t, 1, a1, 500), swAttempt(t, 2, a2, 500), swAttempt(t, 3, a3, 410)}
}

func swRules(t *testing.T, withSecret bool) (capture.Expect, *capture.ProviderRules) {
	t.Helper()
	pr, err := provider.Lookup(provider.StandardWebhooks)
	require.NoError(t, err)
	pol, err := webhook.PolicyFromProfile(pr.Profile)
	require.NoError(t, err)
	rules := &capture.ProviderRules{Name: pr.Name, Profile: pr.Profile, Signing: pr.Signing}
	if withSecret {
		v, err := signing.NewVerifier(pr.Signing, signing.VerifyOptions{Secrets: []secret.Secret{secret.Secret(fixture.SigningSecret)}})
		require.NoError(t, err)
		rules.Verifier = v
	}
	return capture.Expect{Policy: pol, Provider: rules}, rules
}

func exceeding(ds []capture.Difference) []string {
	var out []string
	for _, d := range ds {
		if d.Exceeds {
			out = append(out, d.String())
		}
	}
	return out
}

// TestDiffProviderConforms: a delivery made at Standard Webhooks'
// schedule, stopped by a 410, signed with the secret, differs in nothing;
// each attempt's signature is said to verify.
func TestDiffProviderConforms(t *testing.T) {
	e, _ := swRules(t, true)
	ds := capture.Diff(capture.Delivery{Key: "webhook-id:msg_1", Attempts: swSchedule(t)}, e)
	assert.Empty(t, exceeding(ds))
	var verified []int
	for _, d := range ds {
		if d.What == "signature (with the signing secret)" && d.Got == "verifies" {
			verified = append(verified, d.Attempt)
		}
	}
	assert.Equal(t, []int{1, 2, 3}, verified)
}

// TestDiffProviderFindsEachRule: each rule of the provider, broken once,
// is one difference naming its spec id; AssemblyAI's D-12 headers, body
// and source address are never asked of it.
func TestDiffProviderFindsEachRule(t *testing.T) {
	for name, c := range map[string]struct {
		secret bool
		change func([]capture.Record) []capture.Record
		want   string
	}{
		"one interval, not the schedule": {change: func(rs []capture.Record) []capture.Record {
			rs[2] = swAttempt(t, 3, rs[1].Time.Add(10*time.Millisecond+5*time.Second), 410)
			return rs
		}, want: "DIFF SW-9  webhook-id:msg_1 attempt 3: wait before the attempt (after attempt 2): want 5m0s"},
		"a retry after the 410": {change: func(rs []capture.Record) []capture.Record {
			return append(rs, swAttempt(t, 4, rs[2].Time.Add(30*time.Minute), 200))
		}, want: "DIFF SW-9  webhook-id:msg_1: attempt count (from the answers given): want 3, got 4"},
		"no signature": {change: func(rs []capture.Record) []capture.Record {
			rs[1].Header.Del("Webhook-Signature")
			return rs
		}, want: "DIFF SW-1  webhook-id:msg_1 attempt 2: signature headers"},
		"a timestamp an hour before the arrival": {change: func(rs []capture.Record) []capture.Record {
			rs[0].Header.Set("Webhook-Timestamp", strconv.FormatInt(rs[0].Time.Add(-time.Hour).Unix(), 10))
			return rs
		}, want: "signature timestamp: want the arrival ± 5m0s, got 1h0m0s before the arrival"},
		"a body changed by a byte": {secret: true, change: func(rs []capture.Record) []capture.Record {
			rs = rs[:1] // acknowledged: no retry repeats it
			rs[0].Status = 200
			rs[0].Body = strings.Replace(rs[0].Body, "in_1", "in_2", 1)
			return rs
		}, want: "DIFF SW-1  webhook-id:msg_1 attempt 1: signature (with the signing secret): want verifies, got standard-webhooks: signature does not match"},
		"the sender left before its deadline": {change: func(rs []capture.Record) []capture.Record {
			rs[0].ClientGone, rs[0].AnsweredAfterMS = true, 2000
			rs[1] = swAttempt(t, 2, rs[0].Time.Add(2*time.Second+5*time.Second), 500)
			rs[2] = swAttempt(t, 3, rs[1].Time.Add(10*time.Millisecond+5*time.Minute), 410)
			return rs
		}, want: "DIFF SW-8  webhook-id:msg_1 attempt 1: deadline (the sender left before the answer): want 15s"},
	} {
		t.Run(name, func(t *testing.T) {
			e, _ := swRules(t, c.secret)
			ds := capture.Diff(capture.Delivery{Key: "webhook-id:msg_1", Attempts: c.change(swSchedule(t))}, e)
			got := exceeding(ds)
			require.Len(t, got, 1, "%v", got)
			assert.Contains(t, got[0], c.want)
			assert.NotContains(t, got[0], "D-")
		})
	}
}

// TestDiffProviderRetryAfter: a forwarded 429 with Retry-After: 60 sets
// the wait Standard Webhooks makes (SW-10): 60 s is right, the schedule's
// 5 s is not.
func TestDiffProviderRetryAfter(t *testing.T) {
	e, _ := swRules(t, false)
	rs := swSchedule(t)[:2]
	rs[0].Status = 429
	rs[0].Forwarded = &capture.Forwarded{Status: 429, Header: http.Header{"Retry-After": {"60"}}}
	rs[1].Status = 200
	ds := capture.Diff(capture.Delivery{Key: "webhook-id:msg_1", Attempts: rs}, e)
	got := exceeding(ds)
	require.Len(t, got, 1)
	assert.Contains(t, got[0], "after attempt 1 (Retry-After)): want 1m0s")
	rs[1] = swAttempt(t, 2, rs[0].Time.Add(10*time.Millisecond+time.Minute), 200)
	assert.Empty(t, exceeding(capture.Diff(capture.Delivery{Key: "webhook-id:msg_1", Attempts: rs}, e)))
}

// TestObserveProfileKeepsTheFormat: the profile observed in a capture
// whose second wait was 7 min is Standard Webhooks' format (schedule,
// stop-on, Retry-After, signature) with that wait, and passes Check.
func TestObserveProfileKeepsTheFormat(t *testing.T) {
	e, rules := swRules(t, false)
	rs := swSchedule(t)
	rs[2].Time = rs[1].Time.Add(10*time.Millisecond + 7*time.Minute)
	p := capture.ObserveProfile([]capture.Delivery{{Key: "webhook-id:msg_1", Attempts: rs}}, *rules, e.Policy, "observed")
	require.NoError(t, p.Check())
	require.NotNil(t, p.Schedule)
	assert.Equal(t, []string{"5s", "7m0s", "30m0s", "2h0m0s", "5h0m0s", "10h0m0s", "14h0m0s", "20h0m0s", "24h0m0s"}, p.Schedule.Value)
	assert.Equal(t, "observed", p.Schedule.Source)
	require.NotNil(t, p.StopOnStatus)
	assert.Equal(t, []int{410}, p.StopOnStatus.Value)
	require.NotNil(t, p.Signature)
	assert.Equal(t, "standard-webhooks", p.Signature.Value)
}
