package webhook_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// TestAttemptJSONIsStable pins the JSON of an Attempt and of a Delivery
// byte for byte: the wire order is not Attempt's field order and must not
// follow it (what `hookcheck send --json` prints and results.json embeds).
func TestAttemptJSONIsStable(t *testing.T) {
	a := webhook.Attempt{Number: 3, StartedAt: time.Date(2024, 1, 2, 3, 4, 5, 6789, time.UTC), Duration: 1234567,
		StatusCode: 500, Failure: webhook.ErrTimeout, Detail: "d", ResponseHeaders: http.Header{"A": {"b"}},
		ResponseBody: "x", BodyTruncated: true, WaitAfter: time.Second}
	const full = `{"number":3,"error":"timeout","detail":"d","response_headers":{"A":["b"]},"response_body":"x","body_truncated":true,"started_at":"2024-01-02T03:04:05.000006789Z","duration_ms":1.234,"status_code":500,"wait_after_ms":1000}`
	b, err := json.Marshal(a)
	require.NoError(t, err)
	require.Equal(t, full, string(b))
	b, err = json.Marshal(webhook.Attempt{Number: 1})
	require.NoError(t, err)
	require.Equal(t, `{"number":1,"error":"","started_at":"0001-01-01T00:00:00Z","duration_ms":0,"status_code":null,"wait_after_ms":0}`, string(b))
	b, err = json.Marshal(webhook.Delivery{Attempts: []webhook.Attempt{a}})
	require.NoError(t, err)
	require.Equal(t, `{"id":"","target":"","notification":{"kind":""},"policy":{"timeout_ms":0,"max_attempts":0,"retry_interval_ms":0,"pace":"","region":"","source_address":""},"request":{"method":"","url":"","headers":null,"body":""},"attempts":[`+full+`],"outcome":"","webhook_status_code":null,"started_at":"0001-01-01T00:00:00Z","ended_at":"0001-01-01T00:00:00Z"}`, string(b))

	var back webhook.Attempt
	require.NoError(t, json.Unmarshal([]byte(full), &back))
	require.Equal(t, a.Number, back.Number)
	require.Equal(t, a.StatusCode, back.StatusCode)
	require.Equal(t, a.ResponseBody, back.ResponseBody)
	require.True(t, back.BodyTruncated)
	require.True(t, a.StartedAt.Equal(back.StartedAt))
	require.Equal(t, a.Failure, back.Failure)
	require.Equal(t, a.Detail, back.Detail)
	require.Equal(t, a.ResponseHeaders, back.ResponseHeaders)
}
