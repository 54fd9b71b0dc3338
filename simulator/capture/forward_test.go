package capture_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// forwarding serves a Recorder forwarding to receiver h with deadline
// timeout; it returns the capture's URL, the file and the live console.
func forwarding(t *testing.T, h http.Handler, path string, timeout time.Duration) (string, *lockedBuffer, *lockedBuffer) {
	t.Helper()
	recv := httptest.NewServer(h)
	t.Cleanup(recv.Close)
	to, err := url.Parse(recv.URL + path)
	require.NoError(t, err)
	var file, live lockedBuffer
	rc, err := capture.NewRecorder(capture.Config{Out: &file, Live: &live, ForwardTo: to, BodyTimeout: timeout})
	require.NoError(t, err)
	addr, _ := serveRecorder(t, rc)
	return "http://" + addr, &file, &live
}

// sender is AssemblyAI's delivery behaviour with a short deadline and no
// wait between attempts.
func sender(t *testing.T, timeout time.Duration) *webhook.Sender {
	t.Helper()
	p := webhook.DefaultPolicy()
	p.Timeout, p.RetryInterval, p.Pace, p.MaxAttempts = timeout, time.Millisecond, webhook.RealTime, 3
	s, err := webhook.NewSender(p, webhook.Options{})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

// TestForwardFailFirst: a receiver that answers 500 twice then 200, behind
// capture --forward-to: the sender makes three attempts and sees exactly
// the receiver's answers; the capture file holds the three with both
// sides; each live line says what the sender does next.
func TestForwardFailFirst(t *testing.T) {
	b, err := receiver.Lookup("fail-first")
	require.NoError(t, err)
	inbox := receiver.NewInbox()
	h := b.New(receiver.Config{Path: "/webhooks", Inbox: inbox}, receiver.Params{FailFirst: 2})
	base, file, live := forwarding(t, h, "/webhooks", 2*time.Second)

	d, err := sender(t, 2*time.Second).Deliver(context.Background(), base+"/anything?x=1&y=%20", webhook.Notification{
		Kind: webhook.KindTranscript, TranscriptID: "tr-1", Status: webhook.StatusCompleted}, webhook.Observer{})
	require.NoError(t, err)
	var seen []int
	for _, a := range d.Attempts {
		seen = append(seen, a.StatusCode)
	}
	assert.Equal(t, []int{500, 500, 200}, seen, "the sender saw the receiver's answers")

	deliveries, err := capture.Read(bytes.NewReader(file.Bytes()))
	require.NoError(t, err)
	require.Len(t, deliveries, 1)
	recs := deliveries[0].Attempts
	require.Len(t, recs, 3)
	for i, r := range recs {
		require.NotNil(t, r.Forwarded, "attempt %d", i+1)
		assert.Equal(t, seen[i], r.Status, "recorded answer = sent answer")
		assert.Equal(t, seen[i], r.Forwarded.Status)
		assert.Equal(t, i+1, r.Attempt)
		assert.Equal(t, "x=1&y=%20", r.RawQuery)
		assert.Contains(t, r.Forwarded.URL, "/webhooks?x=1&y=%20", "path replaced, query kept")
	}
	// The receiver got the body byte for byte, on its own path.
	got := inbox.Requests()
	require.Len(t, got, 3)
	assert.Equal(t, recs[0].Body, string(got[0].Body))
	assert.Equal(t, "/webhooks", got[0].Path)

	lines := strings.Split(strings.TrimSpace(live.String()), "\n")
	require.Len(t, lines, 3)
	assert.Contains(t, lines[0], "AssemblyAI retries in 10s, attempt 2 of 10")
	assert.Contains(t, lines[1], "AssemblyAI retries in 10s, attempt 3 of 10")
	assert.Contains(t, lines[2], ": acknowledged")
}

// TestForward4xxLost: a 404 ends the schedule, and the live line says so.
func TestForward4xxLost(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-From", "receiver")
		http.Error(w, "no such route", http.StatusNotFound)
	})
	base, _, live := forwarding(t, h, "", 2*time.Second)
	resp, err := http.Post(base+"/hook", "application/json", strings.NewReader(`{"transcript_id":"a","status":"completed"}`))
	require.NoError(t, err)
	body := new(bytes.Buffer)
	_, _ = body.ReadFrom(resp.Body)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, "receiver", resp.Header.Get("X-From"))
	assert.Equal(t, "no such route\n", body.String())
	assert.Contains(t, live.String(), "404 in ")
	assert.Contains(t, live.String(), "a 4xx ends the schedule, the notification is lost")
}

// TestForwardUnreachable: a receiver that refuses connections gets the
// sender a 502, recorded.
func TestForwardUnreachable(t *testing.T) {
	recv := httptest.NewServer(http.NotFoundHandler())
	to, _ := url.Parse(recv.URL)
	recv.Close()
	var file, live lockedBuffer
	rc, err := capture.NewRecorder(capture.Config{Out: &file, Live: &live, ForwardTo: to, BodyTimeout: time.Second})
	require.NoError(t, err)
	addr, _ := serveRecorder(t, rc)
	resp, err := http.Post("http://"+addr+"/hook", "application/json", strings.NewReader(`{"transcript_id":"a"}`))
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Contains(t, file.String(), `"status":502`)
	assert.Contains(t, file.String(), `"forwarded":{`)
	assert.Contains(t, live.String(), "AssemblyAI retries in 10s, attempt 2 of 10")
}

// TestForwardSlowReceiverIsATimeout: a receiver that sleeps 12 s (past
// the deadline, here shortened to 300 ms) is seen by the sender as a
// timeout, every attempt; capture records it as such.
func TestForwardSlowReceiverIsATimeout(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // then a closed connection ends r.Context
		select {
		case <-time.After(12 * time.Second):
		case <-r.Context().Done():
		}
		w.WriteHeader(http.StatusOK)
	})
	const deadline = 300 * time.Millisecond
	base, file, _ := forwarding(t, h, "/webhooks", deadline)
	// The sender waits longer than capture's deadline: capture holds
	// the request unanswered, so the sender still sees a timeout.
	s := sender(t, 2*deadline)
	start := time.Now()
	d, err := s.Deliver(context.Background(), base+"/x", webhook.Notification{
		Kind: webhook.KindTranscript, TranscriptID: "slow", Status: webhook.StatusCompleted}, webhook.Observer{})
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 12*time.Second)
	require.NotEmpty(t, d.Attempts)
	for _, a := range d.Attempts {
		assert.Equal(t, webhook.ErrTimeout, a.Failure, "attempt %d", a.Number)
		assert.Zero(t, a.StatusCode)
	}
	require.Eventually(t, func() bool { return strings.Count(file.String(), "\n") == len(d.Attempts) }, 5*time.Second, 10*time.Millisecond)
	deliveries, err := capture.Read(bytes.NewReader(file.Bytes()))
	require.NoError(t, err)
	require.Len(t, deliveries, 1)
	for _, r := range deliveries[0].Attempts {
		require.NotNil(t, r.Forwarded)
		assert.True(t, r.ClientGone)
		assert.Zero(t, r.Forwarded.Status)
	}
}

// TestForwardHeaders: end-to-end headers reach the receiver as sent,
// repeated values in order; hop-by-hop ones and those Connection names do
// not; the Authorization value is forwarded but masked in the file.
func TestForwardHeaders(t *testing.T) {
	var got http.Header
	var gotBody []byte
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		gotBody, _ = io.ReadAll(r.Body)
		w.Header().Set("Keep-Alive", "timeout=5")
		w.Header().Set("X-Answer", "yes")
		w.WriteHeader(http.StatusAccepted)
	})
	base, file, _ := forwarding(t, h, "/in", 2*time.Second)
	body := `{"transcript_id":"h","status":"completed"}`
	req, err := http.NewRequest(http.MethodPut, base+"/x?a=%2F", strings.NewReader(body))
	require.NoError(t, err)
	req.Header["X-Multi"] = []string{"1", "2"}
	req.Header.Set("Authorization", "s3cret")
	req.Header.Set("Connection", "X-Hop")
	req.Header.Set("X-Hop", "drop me")
	req.Header.Set("Proxy-Authorization", "drop me too")
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusAccepted, resp.StatusCode)
	assert.Equal(t, "yes", resp.Header.Get("X-Answer"))
	assert.Equal(t, []string{"1", "2"}, got["X-Multi"])
	assert.Equal(t, "s3cret", got.Get("Authorization"))
	assert.Empty(t, got.Get("X-Hop"))
	assert.Empty(t, got.Get("Proxy-Authorization"))
	assert.Empty(t, got.Get("Accept-Encoding"), "nothing added")
	assert.Equal(t, body, string(gotBody))
	assert.NotContains(t, file.String(), "s3cret")
	assert.Contains(t, file.String(), `"X-Answer":["yes"]`)
	assert.NotContains(t, file.String(), `timeout=5`, "hop-by-hop answer headers are not kept")
}
