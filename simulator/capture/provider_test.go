package capture_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/provider"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// senderOf is provider name's capture.Sender, from its profile.
func senderOf(t *testing.T, name string) *capture.Sender {
	t.Helper()
	pr, err := provider.Lookup(name)
	require.NoError(t, err)
	pol, err := webhook.PolicyFromProfile(pr.Profile)
	require.NoError(t, err)
	return &capture.Sender{Name: pr.Name, Policy: pol, Signing: pr.Signing}
}

// swRequest is one Standard Webhooks attempt of message id.
func swRequest(id string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/webhooks", strings.NewReader(`{"type":"invoice.paid"}`))
	r.Header.Set("Webhook-Id", id)
	r.Header.Set("Webhook-Timestamp", "1767225600")
	r.Header.Set("Webhook-Signature", "v1,c2lnbmF0dXJl")
	return r
}

// TestCaptureProviderLines: a Standard Webhooks sender answered 500, 500,
// 410: the attempts are grouped by webhook-id, each line says what
// Standard Webhooks does next from its schedule (5s, then 5m) and its
// stop-on 410, never AssemblyAI's rules, and the signature headers are in
// the file as sent.
func TestCaptureProviderLines(t *testing.T) {
	var file, live bytes.Buffer
	rc, err := capture.NewRecorder(capture.Config{Out: &file, Live: &live, Answers: []int{500, 500, 410},
		Sender: senderOf(t, provider.StandardWebhooks)})
	require.NoError(t, err)
	for range 3 {
		rc.ServeHTTP(httptest.NewRecorder(), swRequest("msg_1"))
	}
	rc.ServeHTTP(httptest.NewRecorder(), swRequest("msg_2"))
	lines := strings.Split(strings.TrimSpace(live.String()), "\n")
	require.Len(t, lines, 4)
	assert.Contains(t, lines[0], "webhook-id:msg_1  attempt 1")
	assert.True(t, strings.HasSuffix(lines[0], "-> 500  standard-webhooks retries in 5s, attempt 2 of 10"), lines[0])
	assert.True(t, strings.HasSuffix(lines[1], "-> 500  standard-webhooks retries in 5m0s, attempt 3 of 10"), lines[1])
	assert.Contains(t, lines[2], "-> 410  standard-webhooks stops at a 410 (its stop-on rule)")
	assert.Contains(t, lines[3], "webhook-id:msg_2  attempt 1", "another message is another delivery")
	assert.NotContains(t, live.String(), "AssemblyAI")

	deliveries, err := capture.Read(bytes.NewReader(file.Bytes()))
	require.NoError(t, err)
	require.Len(t, deliveries, 2)
	require.Len(t, deliveries[0].Attempts, 3)
	assert.Equal(t, "msg_1", deliveries[0].ID())
	assert.Equal(t, "v1,c2lnbmF0dXJl", deliveries[0].Attempts[0].Header.Get("Webhook-Signature"), "a signature is no secret")
	assert.Empty(t, deliveries[0].Attempts[0].Masked)
}

// TestCaptureDefaultTellsNothing: without a Sender an answered request's
// line is as it always was, with no next step (AssemblyAI's capture).
func TestCaptureDefaultTellsNothing(t *testing.T) {
	var file, live bytes.Buffer
	rc, err := capture.NewRecorder(capture.Config{Out: &file, Live: &live, Answers: []int{500}})
	require.NoError(t, err)
	rc.ServeHTTP(httptest.NewRecorder(), swRequest("msg_1"))
	assert.True(t, strings.HasSuffix(strings.TrimSpace(live.String()), "-> 500"), live.String())
}

// TestSenderNext: each provider's rules, one answer at a time.
func TestSenderNext(t *testing.T) {
	sw, st, gh := senderOf(t, provider.StandardWebhooks), senderOf(t, provider.Stripe), senderOf(t, provider.GitHub)
	for _, c := range []struct {
		s                *capture.Sender
		attempt, status  int
		retryAfter, want string
	}{
		{sw, 1, 200, "", "acknowledged"},
		{sw, 3, 503, "", "standard-webhooks retries in 30m0s, attempt 4 of 10"},
		{sw, 1, 429, "120", "standard-webhooks retries in 2m0s (Retry-After honoured), attempt 2 of 10"},
		{sw, 1, 500, "120", "standard-webhooks retries in 5s, attempt 2 of 10"}, // 500 is no throttle
		{sw, 2, 0, "", "standard-webhooks retries in 5m0s, attempt 3 of 10"},    // no answer
		{sw, 10, 500, "", "that was attempt 10 of 10: standard-webhooks gives up, the event is lost"},
		{sw, 1, 400, "", "standard-webhooks retries in 5s, attempt 2 of 10"}, // any non-2xx fails (SW-8)
		{st, 1, 400, "", "stripe retries in 1h0m0s, attempt 2 of 7"},
		{st, 6, 500, "", "stripe retries in 24h0m0s, attempt 7 of 7"},
		{gh, 1, 500, "", "github makes 1 attempt, no retry: the event is lost"},
		{gh, 1, 404, "", "github does not retry a 4xx: the event is lost"},
	} {
		assert.Equal(t, c.want, c.s.Next(c.attempt, c.status, c.retryAfter), "%s attempt %d answered %d", c.s.Name, c.attempt, c.status)
	}
}

// TestCaptureProviderForwarded: forwarded, the receiver's 429 with
// Retry-After sets the wait Standard Webhooks tells (SW-10).
func TestCaptureProviderForwarded(t *testing.T) {
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(recv.Close)
	to, err := url.Parse(recv.URL)
	require.NoError(t, err)
	var file, live bytes.Buffer
	rc, err := capture.NewRecorder(capture.Config{Out: &file, Live: &live, ForwardTo: to, BodyTimeout: 5 * time.Second,
		Sender: senderOf(t, provider.StandardWebhooks)})
	require.NoError(t, err)
	w := httptest.NewRecorder()
	rc.ServeHTTP(w, swRequest("msg_1"))
	assert.Equal(t, http.StatusTooManyRequests, w.Code)
	assert.Contains(t, live.String(), ": standard-webhooks retries in 7s (Retry-After honoured), attempt 2 of 10")
	assert.NotContains(t, live.String(), "AssemblyAI")
	assert.NotContains(t, live.String(), "D-")
}
