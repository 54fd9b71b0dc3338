package hookcheck_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck"
	"github.com/hookcheck/hookcheck/reports"
)

// sessionHandler is a team's receiver for streaming sessions' webhooks
// (S-4), written independently of hookcheck's reference receivers, with a
// body limit as a framework would set it.
func sessionHandler(limit int64) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /hooks/session", func(w http.ResponseWriter, r *http.Request) {
		var n struct {
			SessionID string            `json:"session_id"`
			Messages  []json.RawMessage `json:"messages"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit)).Decode(&n); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				http.Error(w, "too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "bad webhook", http.StatusBadRequest)
			return
		}
		if n.SessionID == "" || n.Messages == nil {
			http.Error(w, "bad webhook", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	return mux
}

// TestStreamingProductInVirtualTime: Target.Product checks a streaming
// receiver in virtual time, 3-hour session included: a handler with room
// for the longest session passes, one with Express's 100 KB default fails
// RC-21 and is told which session length is the first one lost.
func TestStreamingProductInVirtualTime(t *testing.T) {
	wall := time.Now()
	res := hookcheck.Test(t, hookcheck.Target{Handler: sessionHandler(8 << 20), Path: "/hooks/session", Product: reports.Streaming})
	assert.Equal(t, reports.Conformant, res.Verdict)
	q, ok := res.Requirement("RC-21")
	require.True(t, ok)
	assert.Equal(t, reports.Passed, q.Status)

	synctest.Test(t, func(t *testing.T) {
		prep, err := hookcheck.Prepare(hookcheck.Target{Handler: sessionHandler(100 << 10), Path: "/hooks/session",
			Product: reports.Streaming, Tags: "@RC-21"})
		require.NoError(t, err)
		res := prep.Run(t.Context())
		q, ok := res.Requirement("RC-21")
		require.True(t, ok)
		assert.Equal(t, reports.Failed, q.Status)
		assert.Contains(t, q.Reason, "the transcript of every session longer than 1 min is lost")
		// A selection is no conformance verdict (issue 10), but what it
		// checked failed: the run does not pass.
		assert.Equal(t, reports.Partial, res.Verdict)
		assert.False(t, res.Pass())
		// net/http lingers 500 ms on a connection whose body it refused
		// (MaxBytesReader); let it finish, in virtual time.
		time.Sleep(time.Second)
	})
	assert.Less(t, time.Since(wall), 20*time.Second, "the retry schedules run in virtual time")
}

func TestBadProductIsASetupError(t *testing.T) {
	_, err := hookcheck.Prepare(hookcheck.Target{URL: "http://127.0.0.1:1/x", Product: "live"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pre-recorded, streaming or both")
	_, err = hookcheck.Prepare(hookcheck.Target{URL: "http://127.0.0.1:1/x", Product: reports.Streaming, MaxSessionDuration: 25 * time.Hour})
	require.Error(t, err)
}
