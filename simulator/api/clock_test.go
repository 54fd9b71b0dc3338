package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/clock"
)

// TestVirtualTimeProcessing runs the default 2 s processing delay on a fake
// clock: nothing moves until the clock does.
func TestVirtualTimeProcessing(t *testing.T) {
	rc := newReceiver(t, nil)
	fake := clock.NewFake(time.Date(2024, 3, 11, 21, 29, 59, 0, time.UTC))
	e := newEmulator(t, api.Config{Clock: fake, ProcessingDelay: api.DefaultProcessingDelay})
	_, tr := e.call(t, http.MethodPost, "/v2/transcript", map[string]any{"audio_url": "https://x.test/a.mp3", "webhook_url": rc.URL})
	id := tr["id"].(string)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	require.NoError(t, fake.WaitForTimers(ctx, 1))

	fake.Advance(time.Second)
	_, got := e.call(t, http.MethodGet, "/v2/transcript/"+id, nil)
	assert.Equal(t, "processing", got["status"])
	assert.Equal(t, 0, rc.count(id))

	fake.Advance(time.Second)
	got = e.waitFinished(t, id)
	assert.Equal(t, "completed", got["status"])
	require.Eventually(t, func() bool { return rc.count(id) == 1 }, 2*time.Second, 5*time.Millisecond)
	_, list := e.call(t, http.MethodGet, "/v2/transcript", nil)
	item := list["transcripts"].([]any)[0].(map[string]any)
	assert.Equal(t, "2024-03-11T21:29:59.000000", item["created"])
	assert.Equal(t, "2024-03-11T21:30:01.000000", item["completed"])
}
