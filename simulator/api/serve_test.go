package api_test

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/api"
)

func TestServeRunsAndDrainsOnCancel(t *testing.T) {
	rc := newReceiver(t, nil)
	srv, err := api.New(api.Config{APIKey: testKey, ProcessingDelay: 20 * time.Millisecond, Policy: fastPolicy()})
	require.NoError(t, err)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l, 3*time.Second) }()

	e := &emulator{srv: srv, URL: "http://" + l.Addr().String()}
	code, tr := e.call(t, http.MethodPost, "/v2/transcript", map[string]any{"audio_url": "https://x.test/a.mp3", "webhook_url": rc.URL})
	require.Equal(t, http.StatusOK, code)
	cancel()
	require.NoError(t, <-done)
	assert.Equal(t, 1, rc.count(tr["id"].(string)), "the owed delivery went out while draining")
}
