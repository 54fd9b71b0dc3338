package receiver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-faker/faker/v4"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

const (
	hookPath   = "/hook"
	authHeader = "X-Hook-Secret"
	usAddr     = "44.238.19.20"
	euAddr     = "54.220.25.36"
	otherAddr  = "203.0.113.9"
)

// env is one receiver's setup: a config with auth and a header allowlist
// for both regions, an inbox, and a Sleep hook that records each wait
// instead of waiting.
type env struct {
	cfg    receiver.Config
	secret string
	inbox  *receiver.Inbox

	mu    sync.Mutex
	slept []time.Duration
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{secret: faker.Password(), inbox: receiver.NewInbox()}
	e.cfg = receiver.Config{
		Path:            hookPath,
		AuthHeaderName:  authHeader,
		AuthHeaderValue: webhook.Secret(e.secret),
		Allowlist:       &receiver.Allowlist{Mode: receiver.AllowlistHeader, Allowed: receiver.AssemblyAIAddresses()},
		Inbox:           e.inbox,
		Sleep: func(ctx context.Context, d time.Duration) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.slept = append(e.slept, d)
			return ctx.Err()
		},
	}
	require.NoError(t, e.cfg.Validate())
	return e
}

// sleeps returns the waits the handler asked for.
func (e *env) sleeps() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Duration(nil), e.slept...)
}

// delivery is a POST to target as AssemblyAI's US region sends it, with the
// right auth header.
func (e *env) delivery(target, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(authHeader, e.secret)
	r.Header.Set("X-Forwarded-For", usAddr)
	return r
}

// transcript is a D-2 body.
func transcript(id, status string) string {
	return `{"transcript_id":"` + id + `","status":"` + status + `"}`
}

// redacted is a D-11 body.
func redacted() string {
	b, _ := json.Marshal(map[string]string{"status": "redacted_audio_ready", "redacted_audio_url": faker.URL()})
	return string(b)
}

// serve runs one request through h.
func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// statuses serves each request in turn and returns the statuses answered.
func statuses(h http.Handler, reqs ...*http.Request) []int {
	out := make([]int, len(reqs))
	for i, r := range reqs {
		out[i] = serve(h, r).Code
	}
	return out
}
