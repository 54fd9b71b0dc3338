package webhook_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

func TestSummarisePayloadKeepsTheStartOfASessionWebhook(t *testing.T) {
	n, err := webhook.StreamingSession("s-1", webhook.Session{Duration: 10 * time.Minute, Seed: 3})
	require.NoError(t, err)
	body, _, err := n.Encode()
	require.NoError(t, err)
	d := &webhook.Delivery{Notification: n, Request: webhook.Request{Body: string(body)}}
	d.SummarisePayload(1000)
	require.NotNil(t, d.Payload)
	assert.Equal(t, len(body), d.Payload.Bytes)
	assert.Equal(t, strings.Count(string(body), `"type":"Turn"`), d.Payload.Turns)
	assert.Greater(t, d.Payload.Words, 1000, "about 150 words a minute (S-5)")
	assert.Equal(t, 1000, d.Payload.KeptBytes)
	assert.True(t, d.Payload.Truncated())
	assert.Equal(t, string(body[:1000]), d.Request.Body)

	d.SummarisePayload(10)
	assert.Len(t, d.Request.Body, 1000, "summarised once")
}

func TestSummarisePayloadLeavesOtherBodiesAlone(t *testing.T) {
	n, err := webhook.TranscriptReady("", webhook.StatusCompleted)
	require.NoError(t, err)
	body, _, _ := n.Encode()
	d := &webhook.Delivery{Notification: n, Request: webhook.Request{Body: string(body)}}
	d.SummarisePayload(4)
	assert.Nil(t, d.Payload)
	assert.Equal(t, string(body), d.Request.Body)

	raw := &webhook.Delivery{Notification: webhook.RawBody([]byte("héllo"), "text/plain"), Request: webhook.Request{Body: "héllo"}}
	raw.SummarisePayload(2)
	assert.Equal(t, "héllo", raw.Request.Body, "a probe's body is its evidence")
}

func TestSummarisePayloadCutsOnACharacterBoundary(t *testing.T) {
	n, err := webhook.StreamingSession("é", webhook.Session{Duration: time.Minute, Seed: 1})
	require.NoError(t, err)
	d := &webhook.Delivery{Notification: n, Request: webhook.Request{Body: `{"session_id":"é"`}}
	d.SummarisePayload(len(`{"session_id":"`) + 1) // inside the two bytes of é
	assert.Equal(t, `{"session_id":"`, d.Request.Body)
}
