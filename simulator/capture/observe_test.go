package capture_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

func TestObserve(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := http.Header{"User-Agent": {"AssemblyAI/3"}, "Accept": {"application/json"}, "Accept-Encoding": {"gzip, deflate"},
		"Content-Type": {"application/json"}, "X-Forwarded-For": {"54.220.25.36, 10.0.0.1"}}
	rec := func(n int, at time.Duration, status int) capture.Record {
		return capture.Record{Attempt: n, Time: t0.Add(at), Method: "POST", Header: h, Status: status, AnsweredAfterMS: 0}
	}
	// Every attempt failed after 4 attempts 5 s apart; a 404 was retried.
	ds := []capture.Delivery{{Key: "transcript_id:a", Attempts: []capture.Record{
		rec(1, 0, 500), rec(2, 5*time.Second, 404), rec(3, 10*time.Second, 500), rec(4, 15*time.Second+20*time.Millisecond, 503),
	}}}
	p := capture.Observe(ds, webhook.DefaultPolicy())
	assert.Equal(t, "AssemblyAI/3", p.UserAgent)
	assert.Equal(t, "application/json", p.ExtraHeaders.Get("Accept"))
	assert.Equal(t, 5*time.Second, p.RetryInterval)
	assert.Equal(t, 4, p.MaxAttempts)
	assert.True(t, p.RetryOn4xx)
	assert.Equal(t, webhook.RegionEU, p.Region, "the first X-Forwarded-For hop is the sender")

	// An accelerated capture's waits are scaled back to real time.
	fast := webhook.DefaultPolicy()
	fast.Pace = webhook.Accelerated
	ds[0].Attempts = []capture.Record{rec(1, 0, 500), rec(2, 100*time.Millisecond, 200)}
	p = capture.Observe(ds, fast)
	assert.Equal(t, 10*time.Second, p.RetryInterval)
	assert.Equal(t, webhook.DefaultMaxAttempts, p.MaxAttempts, "a delivered delivery says nothing of the count")
}

// TestDiffTimedOutAttempt: when the capture answered after the sender's
// deadline (D-3), the wait runs from the deadline, and the timed-out
// attempt counts as a failure that is retried (P-4).
func TestDiffTimedOutAttempt(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := http.Header{"User-Agent": {webhook.DefaultUserAgent}, "Accept": {"*/*"}, "Accept-Encoding": {"gzip, deflate"},
		"Content-Type": {"application/json"}, "X-Forwarded-For": {"44.238.19.20"}}
	body := `{"transcript_id":"x","status":"completed"}`
	d := capture.Delivery{Key: "transcript_id:x", Attempts: []capture.Record{
		{Attempt: 1, Time: t0, Method: "POST", Header: h, Body: body, Status: 200, AnsweredAfterMS: 11000, ClientGone: true},
		{Attempt: 2, Time: t0.Add(20 * time.Second), Method: "POST", Header: h, Body: body, Status: 200, AnsweredAfterMS: 1},
	}}
	for _, x := range capture.Diff(d, capture.Expect{Policy: webhook.DefaultPolicy()}) {
		assert.False(t, x.Exceeds, "%s", x)
	}
	d.Attempts = d.Attempts[:1]
	diffs := capture.Diff(d, capture.Expect{Policy: webhook.DefaultPolicy()})
	found := false
	for _, x := range diffs {
		found = found || (x.Rule == "D-4" && x.Exceeds)
	}
	assert.True(t, found, "a timed-out last attempt means the profile would retry: %v", diffs)
}
