package capture_test

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
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// signedDelivery is a delivery of one provider's message for the diff
// tests: each attempt signed at its arrival as the provider signs it.
type signedDelivery struct {
	t    *testing.T
	pr   provider.Provider
	key  string
	body []byte
}

func newSignedDelivery(t *testing.T, name string) signedDelivery {
	t.Helper()
	pr, err := provider.Lookup(name)
	require.NoError(t, err)
	body := pr.Payload("1")
	return signedDelivery{t: t, pr: pr, key: capture.KeyOf(pr.Signing, signedHeader(t, pr, "msg_1", t0, body), body), body: body}
}

func signedHeader(t *testing.T, pr provider.Provider, id string, at time.Time, body []byte) http.Header {
	t.Helper()
	s, err := signing.NewSigner(pr.Signing, secret.Secret(fixture.SigningSecret))
	require.NoError(t, err)
	hs, err := s.Sign(signing.Message{ID: id, Timestamp: at, Body: body})
	require.NoError(t, err)
	h := hs.Header()
	h.Set("Content-Type", pr.Profile.Headers.Value["Content-Type"])
	return h
}

// attempt is attempt n, arriving at, answered status after 10 ms, whose
// body is body (the message's when nil) signed at stamp.
func (sd signedDelivery) attempt(n int, at, stamp time.Time, status int, body []byte) capture.Record {
	if body == nil {
		body = sd.body
	}
	return capture.Record{Seq: int64(n), Time: at, Method: http.MethodPost, Path: "/webhooks", RawQuery: "tenant=1",
		Header: signedHeader(sd.t, sd.pr, "msg_1", stamp, body), Body: string(body), BodyBytes: int64(len(body)),
		Key: sd.key, Attempt: n, Status: status, AnsweredAfterMS: 10}
}

// conforming is a delivery made by the provider's rules: Standard
// Webhooks 500, 500, 410 (waits 5 s, 5 min); Stripe 500, 200 (wait 1 h);
// GitHub one attempt, 200.
func (sd signedDelivery) conforming() []capture.Record {
	var statuses []int
	var waits []time.Duration
	switch sd.pr.Name {
	case provider.StandardWebhooks:
		statuses, waits = []int{500, 500, 410}, []time.Duration{5 * time.Second, 5 * time.Minute}
	case provider.Stripe:
		statuses, waits = []int{500, 200}, []time.Duration{time.Hour}
	default:
		statuses = []int{200}
	}
	at := t0
	var rs []capture.Record
	for i, s := range statuses {
		if i > 0 {
			at = at.Add(10*time.Millisecond + waits[i-1])
		}
		rs = append(rs, sd.attempt(i+1, at, at, s, nil))
	}
	return rs
}

func (sd signedDelivery) diff(rs []capture.Record, withSecret bool) []string {
	sd.t.Helper()
	pol, err := webhook.PolicyFromProfile(sd.pr.Profile)
	require.NoError(sd.t, err)
	rules := &capture.ProviderRules{Name: sd.pr.Name, Profile: sd.pr.Profile, Signing: sd.pr.Signing}
	if withSecret {
		v, err := signing.NewVerifier(sd.pr.Signing, signing.VerifyOptions{Secrets: []secret.Secret{secret.Secret(fixture.SigningSecret)}})
		require.NoError(sd.t, err)
		rules.Verifier = v
	}
	// The streaming Differ, as diff runs it, finds what Diff finds.
	e := capture.Expect{Policy: pol, Provider: rules}
	df := capture.NewDiffer(e)
	for _, r := range rs {
		df.Add(r)
	}
	res := df.Result()
	require.Len(sd.t, res, 1)
	require.Equal(sd.t, capture.Diff(capture.Delivery{Key: sd.key, Attempts: rs}, e), res[0].Differences)
	return exceeding(res[0].Differences)
}

var allProviders = []string{provider.StandardWebhooks, provider.Stripe, provider.GitHub}

// TestDiffProviderEachConforms: each provider's delivery made by its
// rules, signed at each arrival, differs in nothing, with or without the
// signing secret.
func TestDiffProviderEachConforms(t *testing.T) {
	for _, name := range allProviders {
		t.Run(name, func(t *testing.T) {
			sd := newSignedDelivery(t, name)
			require.NotEmpty(t, sd.key)
			assert.Empty(t, sd.diff(sd.conforming(), false))
			assert.Empty(t, sd.diff(sd.conforming(), true))
		})
	}
}

// TestDiffProviderRetryRepeats: a retry whose body (re-signed, so its
// signature verifies), path or query is not the first attempt's is one
// difference naming the provider's rule (SW-1, ST-9) and the attempt;
// the body is named by its first differing offset and both lengths.
func TestDiffProviderRetryRepeats(t *testing.T) {
	for _, c := range []struct{ provider, rule string }{{provider.StandardWebhooks, "SW-1"}, {provider.Stripe, "ST-9"}} {
		sd := newSignedDelivery(t, c.provider)
		n := len(sd.body)
		at := bytes.Index(sd.body, []byte("1200")) + 3 // the amount: 1200 becomes 1201
		require.Greater(t, at, 3)
		for name, br := range map[string]struct {
			change func(*capture.Record)
			want   string
		}{
			"a byte changed": {change: func(r *capture.Record) {
				b := bytes.Clone(sd.body)
				b[at] = '1'
				*r = sd.attempt(r.Attempt, r.Time, r.Time, r.Status, b)
			}, want: "attempt 2: body (a retry repeats attempt 1's bytes): want the same " + strconv.Itoa(n) + " bytes, got " + strconv.Itoa(n) + " bytes, first differing byte at offset " + strconv.Itoa(at)},
			"a byte more": {change: func(r *capture.Record) {
				*r = sd.attempt(r.Attempt, r.Time, r.Time, r.Status, append(bytes.Clone(sd.body), '\n'))
			}, want: "got " + strconv.Itoa(n+1) + " bytes, first differing byte at offset " + strconv.Itoa(n)},
			"another path": {change: func(r *capture.Record) { r.Path = "/webhooks/v2" },
				want: `attempt 2: path (same as attempt 1): want "/webhooks", got "/webhooks/v2"`},
			"another query": {change: func(r *capture.Record) { r.RawQuery = "tenant=2" },
				want: `attempt 2: query string (same as attempt 1): want "tenant=1", got "tenant=2"`},
		} {
			t.Run(c.provider+"/"+name, func(t *testing.T) {
				rs := sd.conforming()
				br.change(&rs[1])
				got := sd.diff(rs, true)
				require.Len(t, got, 1, "%v", got)
				assert.Contains(t, got[0], "DIFF "+c.rule+" ")
				assert.Contains(t, got[0], br.want)
				assert.NotContains(t, got[0], string(sd.body), "a body is never shown")
			})
		}
	}
}

// TestDiffProviderRetryLargeBody: a retry of a body longer than what a
// Differ keeps byte for byte is named to the part where it first
// differs, and the message stays one line without the body.
func TestDiffProviderRetryLargeBody(t *testing.T) {
	sd := newSignedDelivery(t, provider.StandardWebhooks)
	sd.body = []byte(`{"data":{"note":"` + strings.Repeat("abcdefgh", 2000) + `"},"type":"invoice.paid"}`)
	rs := sd.conforming()
	assert.Empty(t, sd.diff(rs, false))
	b := bytes.Clone(sd.body)
	b[10000] = 'Z'
	rs[2] = sd.attempt(3, rs[2].Time, rs[2].Time, 410, b)
	got := sd.diff(rs, false)
	require.Len(t, got, 1, "%v", got)
	n := strconv.Itoa(len(b))
	assert.Regexp(t, `^DIFF SW-1  webhook-id:msg_1 attempt 3: body \(a retry repeats attempt 1's bytes\): want the same `+n+` bytes, got `+n+` bytes, first differing byte at an offset from \d+ to \d+$`, got[0])
	assert.Less(t, len(got[0]), 300)
}

// TestDiffProviderGitHubRedelivery: GitHub makes one attempt (GH-4): a
// second one with the same X-GitHub-Delivery is the attempt count's
// difference alone, whatever its wait; one whose body is not the
// first's is a GH-7 difference too.
func TestDiffProviderGitHubRedelivery(t *testing.T) {
	sd := newSignedDelivery(t, provider.GitHub)
	rs := sd.conforming()
	rs[0].Status = 500
	later := rs[0].Time.Add(time.Hour)
	rs = append(rs, sd.attempt(2, later, later, 200, nil))
	got := sd.diff(rs, true)
	require.Len(t, got, 1, "%v", got)
	assert.Contains(t, got[0], "DIFF GH-4  x-github-delivery:msg_1: attempt count (from the answers given): want 1, got 2")

	rs[1] = sd.attempt(2, later, later, 200, bytes.Replace(sd.body, []byte(`"ref":"refs/heads/main"`), []byte(`"ref":"refs/heads/next"`), 1))
	got = sd.diff(rs, true)
	require.Len(t, got, 2, "%v", got)
	assert.Contains(t, got[0], "DIFF GH-7  x-github-delivery:msg_1 attempt 2: body (a retry repeats attempt 1's bytes)")
	assert.Contains(t, got[1], "DIFF GH-4")
}

// TestDiffProviderOwnTimestamp: each Standard Webhooks attempt carries
// its own webhook-timestamp (SW-1). A retry 5 s later signed with the
// first attempt's timestamp is one SW-1 difference; one 10 min later is
// the freshness difference alone; a sender whose clock is 2 min slow on
// every attempt differs in nothing.
func TestDiffProviderOwnTimestamp(t *testing.T) {
	sd := newSignedDelivery(t, provider.StandardWebhooks)
	rs := sd.conforming()
	rs[1] = sd.attempt(2, rs[1].Time, rs[0].Time, 500, nil)
	got := sd.diff(rs, true)
	require.Len(t, got, 1, "%v", got)
	assert.Contains(t, got[0], "DIFF SW-1  webhook-id:msg_1 attempt 2: signature timestamp (the attempt's own): want 5s after attempt 1's (as the arrivals) ± 2s, got 0s after it")

	rs = sd.conforming()
	rs[2] = sd.attempt(3, rs[2].Time, rs[0].Time, 410, nil)
	got = sd.diff(rs, false)
	require.Len(t, got, 1, "%v", got)
	assert.Contains(t, got[0], "DIFF SW-1  webhook-id:msg_1 attempt 3: signature timestamp: want the arrival ± 5m0s, got 5m5s before the arrival")

	rs = sd.conforming()
	for i := range rs {
		rs[i] = sd.attempt(i+1, rs[i].Time, rs[i].Time.Add(-2*time.Minute), rs[i].Status, nil)
	}
	assert.Empty(t, sd.diff(rs, true))
}

// TestDiffProviderDeadlineForwarded: in forward mode the time to the
// sender's leaving is its deadline too: a sender that left after 2 s is
// one difference naming the deadline's rule (SW-8, ST-8, GH-4); one that
// left at the deadline, or a forward the capture cut at its own (shorter)
// deadline, is none.
func TestDiffProviderDeadlineForwarded(t *testing.T) {
	for _, c := range []struct{ provider, rule string }{{provider.StandardWebhooks, "SW-8"}, {provider.Stripe, "ST-8"}, {provider.GitHub, "GH-4"}} {
		t.Run(c.provider, func(t *testing.T) {
			sd := newSignedDelivery(t, c.provider)
			pol, err := webhook.PolicyFromProfile(sd.pr.Profile)
			require.NoError(t, err)
			leftAfter := func(d time.Duration, timedOut bool) []capture.Record {
				rs := sd.conforming()
				rs[0].Status, rs[0].ClientGone, rs[0].AnsweredAfterMS = 504, true, float64(d.Milliseconds())
				rs[0].Forwarded = &capture.Forwarded{URL: "http://127.0.0.1:1/", TimedOut: timedOut, DurationMS: float64(d.Milliseconds())}
				if len(rs) == 1 {
					return rs
				}
				// The next attempt comes at the schedule's wait after the sender left.
				shift := rs[0].Time.Add(min(d, pol.Timeout)).Sub(rs[0].Time.Add(10 * time.Millisecond))
				for i := 1; i < len(rs); i++ {
					at := rs[i].Time.Add(shift)
					rs[i] = sd.attempt(i+1, at, at, rs[i].Status, nil)
				}
				return rs
			}
			got := sd.diff(leftAfter(2*time.Second, false), false)
			require.Len(t, got, 1, "%v", got)
			assert.Contains(t, got[0], "DIFF "+c.rule+" ")
			assert.Contains(t, got[0], "attempt 1: deadline (the sender left before the answer): want "+pol.Timeout.String())
			assert.Empty(t, sd.diff(leftAfter(pol.Timeout, false), false))
			// A capture run with a shorter --timeout cut the forward: the
			// sender's own deadline is not seen.
			assert.Empty(t, sd.diff(leftAfter(pol.Timeout/3, true), false))
		})
	}
}

// TestDiffProviderNoIDNoRepeat: requests that name no message (no
// webhook-id) are grouped under no key but are not one message: their
// bodies are not compared as a retry's.
func TestDiffProviderNoIDNoRepeat(t *testing.T) {
	sd := newSignedDelivery(t, provider.StandardWebhooks)
	sd.key = ""
	rs := sd.conforming()
	rs[1] = sd.attempt(2, rs[1].Time, rs[1].Time, 500, []byte(`{"type":"other"}`))
	for _, d := range sd.diff(rs, false) {
		assert.NotContains(t, d, "a retry repeats")
	}
	sd.key = "webhook-id:msg_1"
	for i := range rs {
		rs[i].Key = sd.key
	}
	assert.Contains(t, strings.Join(sd.diff(rs, false), "\n"), "a retry repeats", "the same requests under a message id are compared")
}
