package webhook_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// TestSameAddress: every loopback name is one host; another port, or
// another host, is another address.
func TestSameAddress(t *testing.T) {
	for _, c := range []struct {
		addr, target string
		same         bool
	}{
		{"127.0.0.1:8080", "http://localhost:8080/webhook", true},
		{"0.0.0.0:8080", "http://127.0.0.1:8080/webhook", true},
		{"[::1]:80", "http://localhost/webhook", true},
		{"127.0.0.1:8081", "http://127.0.0.1:8080/webhook", false},
		{"10.0.0.1:8080", "http://127.0.0.1:8080/webhook", false},
		{"127.0.0.1", "http://127.0.0.1:8080/webhook", false},
	} {
		assert.Equal(t, c.same, webhook.SameAddress(c.addr, c.target), "%s vs %s", c.addr, c.target)
	}
}

// TestWaitsSaysTheSchedule: a fixed interval is one wait; a schedule
// shows its first waits and its length, after the pace.
func TestWaitsSaysTheSchedule(t *testing.T) {
	p := webhook.DefaultPolicy()
	assert.Equal(t, "wait 10s", p.Waits())
	p.Schedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour}
	p.MaxAttempts = 5
	assert.Equal(t, "waits 5s, 5m0s, 30m0s, … (2h35m5s in all)", p.Waits())
	p.Pace = webhook.Accelerated
	assert.Equal(t, "waits 50ms, 3s, 18s, … (1m33.05s in all)", p.Waits())
}
