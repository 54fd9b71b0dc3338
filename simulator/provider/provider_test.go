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
		"github":            provider.GitHubPush,
		"github ping":       func(string) []byte { b, _ := provider.GitHubPing(); return b },
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

// TestGitHubEvents: GitHub's deliveries are push events (GH-8) whose
// commit ids differ from one event to the next; the first event of a new
// webhook is the ping, named so in X-GitHub-Event (GH-5).
func TestGitHubEvents(t *testing.T) {
	var push struct {
		Ref        string `json:"ref"`
		After      string `json:"after"`
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
	}
	require.NoError(t, json.Unmarshal(provider.GitHubPush("a"), &push))
	assert.Equal(t, "refs/heads/main", push.Ref)
	assert.Len(t, push.After, 40)
	assert.Equal(t, "octo-org/hello", push.Repository.FullName)
	assert.NotEqual(t, string(provider.GitHubPush("a")), string(provider.GitHubPush("b")))

	body, h := provider.GitHubPing()
	assert.Equal(t, "ping", h.Get("X-GitHub-Event"))
	assert.Contains(t, string(body), `"zen":`)
	gh, err := provider.Lookup(provider.GitHub)
	require.NoError(t, err)
	require.NotNil(t, gh.First)
	assert.Equal(t, "push", gh.Profile.Headers.Value["X-GitHub-Event"], "every other delivery is a push")
}
