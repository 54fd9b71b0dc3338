package provider_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/provider"
)

// TestEventsSurviveReserialization: each provider's default event is
// bytes that json.Marshal of the parsed body gives back (as
// JSON.stringify does for sorted keys), so that only SIG-07 finds a
// receiver verifying a re-serialized body.
func TestEventsSurviveReserialization(t *testing.T) {
	for name, event := range map[string]func(string) []byte{
		"standard-webhooks": provider.StandardWebhooksEvent,
		"stripe":            provider.StripeEvent,
		"github":            provider.GitHubPing,
	} {
		t.Run(name, func(t *testing.T) {
			body := event("0b9e4a52-3c1d-4f0e-9a51-6f0d2b7c8e11")
			var v any
			require.NoError(t, json.Unmarshal(body, &v))
			again, err := json.Marshal(v)
			require.NoError(t, err)
			assert.Equal(t, string(body), string(again))
		})
	}
}

// TestStripeEventIsAnEvent: the fields of a Stripe event object (ST-9),
// its id derived from the delivery's.
func TestStripeEventIsAnEvent(t *testing.T) {
	var e struct {
		ID     string `json:"id"`
		Object string `json:"object"`
		Type   string `json:"type"`
		Data   struct {
			Object map[string]any `json:"object"`
		} `json:"data"`
		Created int64 `json:"created"`
	}
	require.NoError(t, json.Unmarshal(provider.StripeEvent("ab-12"), &e))
	assert.Equal(t, "evt_ab12", e.ID)
	assert.Equal(t, "event", e.Object)
	assert.Equal(t, "invoice.paid", e.Type)
	assert.Equal(t, "invoice", e.Data.Object["object"])
	assert.Positive(t, e.Created)
	assert.NotEqual(t, string(provider.StripeEvent("a")), string(provider.StripeEvent("b")), "one event per id")
}
