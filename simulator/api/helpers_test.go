package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

const testKey = "test-api-key-7f3a"

// fastPolicy is AssemblyAI's policy with waits short enough for go test:
// 1 s between attempts, accelerated to 10 ms.
func fastPolicy() webhook.Policy {
	p := webhook.DefaultPolicy()
	p.Timeout = 2 * time.Second
	p.RetryInterval = time.Second
	p.Pace = webhook.Accelerated
	return p
}

// emulator is an api.Server on real loopback, running until the test ends.
type emulator struct {
	srv *api.Server
	URL string
}

func newEmulator(t testing.TB, cfg api.Config) *emulator {
	t.Helper()
	if cfg.APIKey == "" {
		cfg.APIKey = testKey
	}
	if cfg.ProcessingDelay == 0 {
		cfg.ProcessingDelay = 20 * time.Millisecond
	}
	if cfg.Policy.MaxAttempts == 0 {
		cfg.Policy = fastPolicy()
	}
	srv, err := api.New(cfg)
	require.NoError(t, err)
	hs := httptest.NewServer(srv)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		hs.Close()
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		_ = srv.Shutdown(sctx)
		cancel()
		<-done
	})
	return &emulator{srv: srv, URL: hs.URL}
}

// call sends a request with the test key and decodes the JSON answer.
func (e *emulator) call(t testing.TB, method, path string, body any) (int, map[string]any) {
	t.Helper()
	return e.callKey(t, testKey, method, path, body)
}

func (e *emulator) callKey(t testing.TB, key, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

// waitFinished polls a transcript until it is completed or error.
func (e *emulator) waitFinished(t testing.TB, id string) map[string]any {
	t.Helper()
	var tr map[string]any
	require.Eventually(t, func() bool {
		_, tr = e.call(t, http.MethodGet, "/v2/transcript/"+id, nil)
		return tr["status"] == "completed" || tr["status"] == "error"
	}, 5*time.Second, 5*time.Millisecond)
	return tr
}

// deliveries reads the inspection endpoint.
func (e *emulator) deliveries(t testing.TB, transcriptID string) []api.DeliveryRecord {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.URL+"/hookcheck/v1/deliveries?transcript_id="+transcriptID, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", testKey)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var out struct {
		Deliveries []api.DeliveryRecord `json:"deliveries"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out.Deliveries
}

// hit is one request a receiver got.
type hit struct {
	Header http.Header
	Body   map[string]any
	URI    string
}

// receiver is a loopback webhook receiver that records every delivery and
// answers with answer(n) for the n-th request (from 1) of a transcript.
type receiver struct {
	URL    string
	mu     sync.Mutex
	hits   []hit
	counts map[string]int
}

func newReceiver(t testing.TB, answer func(n int) int) *receiver {
	t.Helper()
	rc := &receiver{counts: map[string]int{}}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		key, _ := body["transcript_id"].(string)
		if key == "" {
			key, _ = body["status"].(string)
		}
		rc.mu.Lock()
		rc.hits = append(rc.hits, hit{Header: r.Header.Clone(), Body: body, URI: r.RequestURI})
		rc.counts[key]++
		n := rc.counts[key]
		rc.mu.Unlock()
		code := http.StatusOK
		if answer != nil {
			code = answer(n)
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(hs.Close)
	rc.URL = hs.URL
	return rc
}

func (rc *receiver) got() []hit {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hit(nil), rc.hits...)
}

func (rc *receiver) count(id string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.counts[id]
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

// newLoopback serves h on loopback until the test ends.
func newLoopback(t testing.TB, h http.Handler) string {
	t.Helper()
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs.URL
}

// lockedBuffer is a bytes.Buffer safe for a logger and a test at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (rc *receiver) len() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.hits)
}
