package capture_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// deliver sends n to a Recorder answering answers, with policy p, and
// returns the capture file and the live lines.
func deliver(t *testing.T, p webhook.Policy, n webhook.Notification, answers []int, path string) ([]capture.Delivery, string, *webhook.Delivery) {
	t.Helper()
	var file, live bytes.Buffer
	rc, err := capture.NewRecorder(capture.Config{Out: &file, Live: &live, Answers: answers, MaskHeaders: []string{"X-Secret"}})
	require.NoError(t, err)
	srv := httptest.NewServer(rc)
	defer srv.Close()
	s, err := webhook.NewSender(p, webhook.Options{})
	require.NoError(t, err)
	defer s.Close()
	d, err := s.Deliver(context.Background(), srv.URL+path, n, webhook.Observer{})
	require.NoError(t, err)
	ds, err := capture.Read(&file)
	require.NoError(t, err)
	return ds, live.String(), d
}

// fastPolicy is AssemblyAI's policy with 1 ms waits, so a test never
// waits in real time; diffs compare with the same policy.
func fastPolicy() webhook.Policy {
	p := webhook.DefaultPolicy()
	p.RetryInterval = time.Millisecond
	return p
}

func TestCaptureRecordsAndAnswersSequence(t *testing.T) {
	p := fastPolicy()
	p.Auth = &webhook.AuthHeader{Name: "X-Secret", Value: "hunter2"}
	n, err := webhook.TranscriptReady("5551722f-0000-4000-8000-000000000001", webhook.StatusCompleted)
	require.NoError(t, err)
	ds, live, d := deliver(t, p, n, []int{500, 500, 200}, "/hook?customer_id=1234&a=%7E+b")
	require.Equal(t, webhook.Delivered, d.Outcome)
	require.Len(t, ds, 1)
	got := ds[0]
	assert.Equal(t, "transcript_id:5551722f-0000-4000-8000-000000000001", got.Key)
	require.Len(t, got.Attempts, 3)
	for i, a := range got.Attempts {
		assert.Equal(t, i+1, a.Attempt)
		assert.Equal(t, "customer_id=1234&a=%7E+b", a.RawQuery, "the query byte for byte (D-9)")
		assert.Equal(t, d.Request.Body, a.Body)
		assert.Equal(t, webhook.Mask, a.Header.Get("X-Secret"), "the auth value never reaches the file")
	}
	assert.Equal(t, []int{500, 500, 200}, []int{got.Attempts[0].Status, got.Attempts[1].Status, got.Attempts[2].Status})
	assert.Nil(t, got.Attempts[0].SincePreviousMS)
	assert.NotNil(t, got.Attempts[1].SincePreviousMS)
	assert.NotContains(t, live, "hunter2")
	lines := strings.Split(strings.TrimSpace(live), "\n")
	require.Len(t, lines, 3)
	assert.Contains(t, lines[1], "attempt 2")
	assert.Contains(t, lines[1], "since attempt 1")
	assert.Contains(t, lines[2], "-> 200")
}

func TestDiffSameProfileIsClean(t *testing.T) {
	p := fastPolicy()
	n, err := webhook.TranscriptReady("", webhook.StatusError)
	require.NoError(t, err)
	ds, _, _ := deliver(t, p, n, []int{500, 500, 200}, "/hook?x=1")
	// Loopback waits of 1 ms vary with the machine's load: allow 50 ms.
	diffs := capture.Diff(ds[0], capture.Expect{Policy: p, WebhookURL: "http://x/hook?x=1", Tolerance: 50 * time.Millisecond})
	for _, d := range diffs {
		assert.False(t, d.Exceeds, "unexpected difference: %s", d)
	}
}

func TestDiffFindsEachRule(t *testing.T) {
	p := fastPolicy()
	n, err := webhook.TranscriptReady("", webhook.StatusCompleted)
	require.NoError(t, err)
	sent := fastPolicy()
	sent.UserAgent = "Go-http-client/1.1"
	sent.MaxAttempts = 2
	ds, _, _ := deliver(t, sent, n, []int{500}, "/hook?x=1")
	diffs := capture.Diff(ds[0], capture.Expect{Policy: p, WebhookURL: "http://x/hook?x=2", AuthHeaderName: "X-Secret", Tolerance: 50 * time.Millisecond})
	rules := map[string]bool{}
	for _, d := range diffs {
		if d.Exceeds {
			rules[d.Rule] = true
		}
	}
	for _, r := range []string{"D-12", "D-8", "D-9", "D-4"} {
		assert.True(t, rules[r], "a %s difference, got %v", r, diffs)
	}
}

func TestDiffWaitsAndBody(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := http.Header{"User-Agent": {webhook.DefaultUserAgent}, "Accept": {"*/*"}, "Accept-Encoding": {"gzip, deflate"},
		"Content-Type": {"application/json"}, "X-Forwarded-For": {"44.238.19.20"}}
	rec := func(n int, at time.Duration, status int, body string) capture.Record {
		return capture.Record{Attempt: n, Time: t0.Add(at), Method: "POST", Path: "/", Header: h, Body: body, Status: status, RemoteAddr: "127.0.0.1:1", AnsweredAfterMS: 5}
	}
	body := `{"transcript_id": "x", "status": "completed"}` // Python's spacing
	d := capture.Delivery{Key: "transcript_id:x", Attempts: []capture.Record{
		rec(1, 0, 500, body), rec(2, 10*time.Second+5*time.Millisecond+300*time.Millisecond, 200, body),
	}}
	p := webhook.DefaultPolicy()
	diffs := capture.Diff(d, capture.Expect{Policy: p})
	for _, x := range diffs {
		assert.False(t, x.Exceeds, "300 ms off a 10 s wait is within tolerance: %s", x)
	}
	require.NotEmpty(t, diffs, "the body's spacing is a note")
	d.Attempts[1].Time = t0.Add(5 * time.Second)
	diffs = capture.Diff(d, capture.Expect{Policy: p})
	require.NotEmpty(t, diffs)
	found := false
	for _, x := range diffs {
		found = found || (x.Rule == "P-2" && x.Exceeds)
	}
	assert.True(t, found, "a 5 s wait is a P-2 difference: %v", diffs)

	d.Attempts[0].Body = `{"transcript_id": 7, "status": "completed", "text": "hi"}`
	diffs = capture.Diff(d, capture.Expect{Policy: p})
	var what []string
	for _, x := range diffs {
		if x.Rule == "D-2" {
			what = append(what, x.What)
		}
	}
	assert.ElementsMatch(t, []string{"body field text", "body field transcript_id"}, what)
}

func TestReadNamesBadLine(t *testing.T) {
	_, err := capture.Read(strings.NewReader("{\"seq\":1}\n{oops\n"))
	require.ErrorContains(t, err, "line 2")
}

func TestKey(t *testing.T) {
	assert.Equal(t, "session_id:s", capture.Key([]byte(`{"session_id":"s","messages":[]}`)))
	assert.Equal(t, "redacted_audio_url:u", capture.Key([]byte(`{"status":"redacted_audio_ready","redacted_audio_url":"u"}`)))
	assert.Empty(t, capture.Key([]byte(`not json`)))
}
