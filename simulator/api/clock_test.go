package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/memnet"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// TestVirtualTimeProcessing runs the default 2 s processing delay in a
// synctest bubble, with the emulator, its deliveries and the receiver on an
// in-memory network: nothing finishes until virtual time reaches the delay
// and the list shows the exact times (the bubble's clock starts at
// 2000-01-01 00:00:00 UTC).
func TestVirtualTimeProcessing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := memnet.New()
		var (
			mu    sync.Mutex
			count = map[string]int{}
		)
		hook, err := n.Serve("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var body struct {
				TranscriptID string `json:"transcript_id"`
			}
			_ = json.NewDecoder(r.Body).Decode(&body)
			mu.Lock()
			count[body.TranscriptID]++
			mu.Unlock()
			w.WriteHeader(http.StatusOK)
		}))
		require.NoError(t, err)
		defer hook.Close()
		deliveries := func(id string) int {
			mu.Lock()
			defer mu.Unlock()
			return count[id]
		}

		srv, err := api.New(api.Config{APIKey: testKey, ProcessingDelay: api.DefaultProcessingDelay,
			SenderOptions: webhook.Options{DialContext: n.DialContext}})
		require.NoError(t, err)
		ln, err := n.Listen("")
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ctx, ln, time.Second) }()
		client := &http.Client{Transport: &http.Transport{DialContext: n.DialContext}}
		defer client.CloseIdleConnections()
		call := func(method, path, body string) map[string]any {
			t.Helper()
			req, err := http.NewRequest(method, "http://"+ln.Addr().String()+path, strings.NewReader(body))
			require.NoError(t, err)
			req.Header.Set("Authorization", testKey)
			resp, err := client.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			raw, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			var out map[string]any
			require.NoError(t, json.Unmarshal(raw, &out), string(raw))
			return out
		}

		tr := call(http.MethodPost, "/v2/transcript", `{"audio_url":"https://x.test/a.mp3","webhook_url":"`+hook.URL+`/hook"}`)
		id := tr["id"].(string)

		time.Sleep(time.Second)
		synctest.Wait()
		assert.Equal(t, "processing", call(http.MethodGet, "/v2/transcript/"+id, "")["status"])
		assert.Zero(t, deliveries(id))

		time.Sleep(time.Second)
		synctest.Wait()
		assert.Equal(t, "completed", call(http.MethodGet, "/v2/transcript/"+id, "")["status"])
		assert.Equal(t, 1, deliveries(id))
		item := call(http.MethodGet, "/v2/transcript", "")["transcripts"].([]any)[0].(map[string]any)
		assert.Equal(t, "2000-01-01T00:00:00.000000", item["created"])
		assert.Equal(t, "2000-01-01T00:00:02.000000", item["completed"])

		cancel()
		assert.NoError(t, <-served)
	})
}
