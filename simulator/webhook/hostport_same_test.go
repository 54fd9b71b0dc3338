package webhook_test

import (
	"testing"

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
