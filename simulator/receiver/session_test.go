package receiver_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// sessionBody is the webhook of a session of d (S-4), with its id.
func sessionBody(t *testing.T, d time.Duration) (string, string) {
	t.Helper()
	n, err := webhook.StreamingSession("", webhook.Session{Duration: d, Seed: 7})
	require.NoError(t, err)
	b, _, err := n.Encode()
	require.NoError(t, err)
	return string(b), n.SessionID
}

func behaviour(t *testing.T, e *env, name string) http.Handler {
	t.Helper()
	b, err := receiver.Lookup(name)
	require.NoError(t, err)
	return b.New(e.cfg, receiver.Params{})
}

// TestCompliantAcceptsTheLongestSession: the webhook of a 3-hour session
// (S-6), about 2.5 MiB (S-5), is acknowledged, processed once per
// session_id, and the inbox keeps only the start of its body.
func TestCompliantAcceptsTheLongestSession(t *testing.T) {
	e := newEnv(t)
	h := receiver.NewCompliant(e.cfg)
	body, id := sessionBody(t, webhook.MaxSessionDuration)
	require.Greater(t, len(body), 2<<20, "a 3-hour session is megabytes")
	assert.Equal(t, []int{200, 200}, statuses(h, e.delivery(hookPath, body), e.delivery(hookPath, body)))
	assert.Equal(t, 1, e.inbox.Processed("session:"+id), "a redelivery is not processed again")
	got := e.inbox.Requests()[0]
	assert.Len(t, got.Body, receiver.MaxInboxBodyBytes)
	assert.True(t, got.BodyTruncated)
}

// sessionCases check the streaming-session receivers (S-5): each fails
// its own check of a session webhook of 1 min, 10 min, 1 h and 3 h.
func sessionCases() map[string]func(t *testing.T) {
	out := map[string]func(t *testing.T){}
	for name, want := range map[string][]int{
		"body-limit-100kb":       {200, 413, 413, 413},
		"body-limit-1mb":         {200, 200, 200, 413},
		"requires-transcript-id": {500, 500, 500, 500},
		"slow-parse":             {200, 200, 200, 200},
	} {
		out[name] = func(t *testing.T) {
			e := newEnv(t)
			h := behaviour(t, e, name)
			var reqs []*http.Request
			for _, d := range []time.Duration{time.Minute, 10 * time.Minute, time.Hour, webhook.MaxSessionDuration} {
				body, _ := sessionBody(t, d)
				reqs = append(reqs, e.delivery(hookPath, body))
			}
			assert.Equal(t, want, statuses(h, reqs...))
			c := newEnv(t)
			plain := c.delivery(hookPath, transcript("t-1", "completed"))
			assert.Equal(t, http.StatusOK, serve(behaviour(t, c, name), plain).Code, "a transcript notification")
		}
	}
	return out
}

func TestSlowParseWaitsWithTheBodySize(t *testing.T) {
	e := newEnv(t)
	h := behaviour(t, e, "slow-parse")
	longest, _ := sessionBody(t, webhook.MaxSessionDuration)
	serve(h, e.delivery(hookPath, longest))
	require.Len(t, e.sleeps(), 1)
	assert.InDelta(t, 2.5, e.sleeps()[0].Seconds(), 0.3, "about a second per MiB")
}

func TestConflictOnRepeatedSessionID(t *testing.T) {
	e := newEnv(t)
	h := behaviour(t, e, "conflict-on-redelivery")
	body, _ := sessionBody(t, time.Minute)
	assert.Equal(t, []int{200, 409}, statuses(h, e.delivery(hookPath, body), e.delivery(hookPath, body)))
}

func TestMalformedSessionBodies(t *testing.T) {
	e := newEnv(t)
	h := receiver.NewCompliant(e.cfg)
	for _, body := range []string{`{"session_id":"x"}`, `{"messages":[]}`, `{"session_id":"x","messages":{}}`,
		`{"session_id":"x","messages":[],"status":"completed"}`} {
		assert.Equal(t, []int{400}, statuses(h, e.delivery(hookPath, body)), body)
	}
}
