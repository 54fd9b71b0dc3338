package webhook_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

func TestHostPortDefaultsByScheme(t *testing.T) {
	for raw, want := range map[string]string{
		"http://127.0.0.1/webhook":       "127.0.0.1:80",
		"https://127.0.0.1/webhook":      "127.0.0.1:443",
		"https://127.0.0.1:8443/webhook": "127.0.0.1:8443",
		"http://[::1]/webhook":           "[::1]:80",
		"https://[::1]:9/x":              "[::1]:9",
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		assert.Equal(t, want, webhook.HostPort(u), raw)
	}
}
