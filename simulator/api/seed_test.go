package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-faker/faker/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/api"
)

const testBase = "http://127.0.0.1:8080"

// seeded returns a server with no Run: seeded transcripts need none.
func seeded(t *testing.T, seeds ...api.SeedTranscript) *api.Server {
	t.Helper()
	srv, err := api.New(api.Config{APIKey: testKey, BaseURL: testBase})
	require.NoError(t, err)
	for _, s := range seeds {
		require.NoError(t, srv.Seed(s))
	}
	return srv
}

// getJSON answers GET path with the test key, decoded.
func getJSON(t *testing.T, srv http.Handler, path string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	w := serve(srv, testKey, http.MethodGet, path, "")
	var body map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), w.Body.String())
	return w, body
}

func TestSeedCompleted(t *testing.T) {
	id := faker.UUIDHyphenated()
	srv := seeded(t, api.SeedTranscript{ID: id, WebhookURL: "http://127.0.0.1:9000/hook",
		WebhookAuthHeaderName: "X-Secret", WebhookStatusCode: 200})
	w, tr := getJSON(t, srv, "/v2/transcript/"+id)
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, id, tr["id"])
	assert.Equal(t, "completed", tr["status"])
	assert.NotEmpty(t, tr["text"])
	assert.Greater(t, tr["confidence"], 0.0)
	assert.Greater(t, tr["audio_duration"], 0.0)
	words := tr["words"].([]any)
	require.NotEmpty(t, words)
	for _, k := range []string{"text", "start", "end", "confidence"} {
		assert.Contains(t, words[0], k)
	}
	for _, k := range []string{"speech_model", "language_model", "acoustic_model", "auto_highlights",
		"redact_pii", "summarization", "language_confidence_threshold", "language_confidence"} {
		assert.Contains(t, tr, k, "required by the Transcript schema")
	}
	assert.Equal(t, "http://127.0.0.1:9000/hook", tr["webhook_url"])
	assert.Equal(t, true, tr["webhook_auth"])
	assert.Equal(t, "X-Secret", tr["webhook_auth_header_name"])
	assert.EqualValues(t, 200, tr["webhook_status_code"])
	assert.NotContains(t, tr, "error")

	// The default audio_url is this server's, and it serves the WAV file.
	assert.Equal(t, testBase+"/hookcheck/v1/uploads/"+id, tr["audio_url"])
	a := serve(srv, "", http.MethodGet, "/hookcheck/v1/uploads/"+id, "")
	assert.Equal(t, http.StatusOK, a.Code)
	assert.Equal(t, "audio/wav", a.Header().Get("Content-Type"))

	// The same id gives the same text as a submitted transcript would.
	_, again := getJSON(t, seeded(t, api.SeedTranscript{ID: id, AudioURL: "https://x.test/a.mp3"}), "/v2/transcript/"+id)
	assert.Equal(t, tr["text"], again["text"])

	// It shows in the list like any other.
	_, list := getJSON(t, srv, "/v2/transcript")
	items := list["transcripts"].([]any)
	require.Len(t, items, 1)
	assert.Equal(t, id, items[0].(map[string]any)["id"])
	assert.NotNil(t, items[0].(map[string]any)["completed"])
}

func TestSeedError(t *testing.T) {
	srv := seeded(t,
		api.SeedTranscript{ID: "failed-1", Status: api.StatusError, AudioURL: "https://x.test/gone.mp3"},
		api.SeedTranscript{ID: "failed-2", Status: api.StatusError, Error: "Audio duration is too short."})
	_, tr := getJSON(t, srv, "/v2/transcript/failed-1")
	assert.Equal(t, "error", tr["status"])
	assert.Contains(t, tr["error"], "Download error, unable to download https://x.test/gone.mp3")
	assert.Nil(t, tr["text"])
	assert.Nil(t, tr["words"])
	assert.Nil(t, tr["webhook_url"])
	assert.Nil(t, tr["webhook_status_code"])
	_, tr = getJSON(t, srv, "/v2/transcript/failed-2")
	assert.Equal(t, "Audio duration is too short.", tr["error"])
}

func TestSeedRedactedAudio(t *testing.T) { // D-11
	srv := seeded(t, api.SeedTranscript{ID: "r-1", RedactPIIAudio: true,
		Redaction: api.Redaction{Enabled: true, Sub: "entity_name"}})
	_, tr := getJSON(t, srv, "/v2/transcript/r-1")
	assert.Contains(t, tr["text"], "[PERSON_NAME]")
	assert.Equal(t, true, tr["redact_pii"])
	assert.Equal(t, true, tr["redact_pii_audio"])
	w, ra := getJSON(t, srv, "/v2/transcript/r-1/redacted-audio")
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, srv.RedactedAudioURL("r-1"), ra["redacted_audio_url"])
	assert.Equal(t, testBase+"/hookcheck/v1/redacted-audio/r-1.wav", srv.RedactedAudioURL("r-1"))
	a := serve(srv, "", http.MethodGet, "/hookcheck/v1/redacted-audio/r-1.wav", "")
	assert.Equal(t, http.StatusOK, a.Code)
	assert.Equal(t, "audio/wav", a.Header().Get("Content-Type"))
}

func TestSeedRefusesBadInput(t *testing.T) {
	srv := seeded(t, api.SeedTranscript{ID: "taken"})
	assert.ErrorIs(t, srv.Seed(api.SeedTranscript{ID: "taken"}), api.ErrTranscriptExists)
	for name, st := range map[string]api.SeedTranscript{
		"no id":            {},
		"id with a slash":  {ID: "a/b"},
		"dot dot":          {ID: ".."},
		"queued":           {ID: "q", Status: api.StatusQueued},
		"error w/o status": {ID: "e", Error: "boom"},
		"bad webhook":      {ID: "w", WebhookURL: "ftp://x/y"},
		"bad header name":  {ID: "h", WebhookAuthHeaderName: "a b"},
		"bad status code":  {ID: "c", WebhookStatusCode: 42},
		"bad fault status": {ID: "f", Fault: api.Fault{Status: 200}},
		"negative delay":   {ID: "d", Fault: api.Fault{Delay: -time.Second}},
		"retry w/o status": {ID: "r", Fault: api.Fault{RetryAfter: time.Second}},
		"negative times":   {ID: "t", Fault: api.Fault{Status: 500, Times: -1}},
	} {
		assert.Error(t, srv.Seed(st), name)
	}
	noBase, err := api.New(api.Config{})
	require.NoError(t, err)
	assert.Error(t, noBase.Seed(api.SeedTranscript{ID: "x"}), "no audio URL and no base URL")
	assert.NoError(t, noBase.Seed(api.SeedTranscript{ID: "x", AudioURL: "https://x.test/a.mp3"}))
}

func TestFaultStatusAnswers(t *testing.T) { // A-6 error body
	srv := seeded(t,
		api.SeedTranscript{ID: "f500", Fault: api.Fault{Status: http.StatusInternalServerError}},
		api.SeedTranscript{ID: "f429", Fault: api.Fault{Status: http.StatusTooManyRequests, RetryAfter: 1500 * time.Millisecond}},
		api.SeedTranscript{ID: "ok"})
	for range 3 { // no Times: every GET fails
		w, body := getJSON(t, srv, "/v2/transcript/f500")
		assert.Equal(t, http.StatusInternalServerError, w.Code)
		assert.Equal(t, map[string]any{"error": "Internal Server Error"}, body)
	}
	w, body := getJSON(t, srv, "/v2/transcript/f429")
	assert.Equal(t, http.StatusTooManyRequests, w.Code)
	assert.Equal(t, "2", w.Header().Get("Retry-After"), "whole seconds, rounded up")
	assert.Equal(t, map[string]any{"error": "Too Many Requests"}, body)
	w, _ = getJSON(t, srv, "/v2/transcript/ok")
	assert.Equal(t, http.StatusOK, w.Code, "a fault is per transcript")
	assert.Empty(t, w.Header().Get("Retry-After"))

	calls := srv.Calls("f500")
	require.Len(t, calls, 3)
	assert.Equal(t, http.StatusInternalServerError, calls[0].Status)
}

func TestFaultTimesThenRecovers(t *testing.T) {
	srv := seeded(t, api.SeedTranscript{ID: "flaky", Fault: api.Fault{Status: http.StatusServiceUnavailable, Times: 2}})
	var codes []int
	for range 4 {
		w, _ := getJSON(t, srv, "/v2/transcript/flaky")
		codes = append(codes, w.Code)
	}
	assert.Equal(t, []int{503, 503, 200, 200}, codes)

	// SetFault starts the count afresh; the zero Fault clears it.
	require.NoError(t, srv.SetFault("flaky", api.Fault{Status: 500, Times: 1}))
	w, _ := getJSON(t, srv, "/v2/transcript/flaky")
	assert.Equal(t, 500, w.Code)
	require.NoError(t, srv.SetFault("flaky", api.Fault{Status: 500}))
	require.NoError(t, srv.SetFault("flaky", api.Fault{}))
	w, _ = getJSON(t, srv, "/v2/transcript/flaky")
	assert.Equal(t, 200, w.Code)

	assert.ErrorIs(t, srv.SetFault("nobody", api.Fault{Status: 500}), api.ErrNoTranscript)
	assert.Error(t, srv.SetFault("flaky", api.Fault{Status: 99}))
}

func TestFaultForADurationThenRecovers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := seeded(t, api.SeedTranscript{ID: "down", Fault: api.Fault{Status: 500, For: time.Minute}})
		w, _ := getJSON(t, srv, "/v2/transcript/down")
		assert.Equal(t, 500, w.Code)
		time.Sleep(59 * time.Second)
		w, _ = getJSON(t, srv, "/v2/transcript/down")
		assert.Equal(t, 500, w.Code)
		time.Sleep(time.Second)
		w, _ = getJSON(t, srv, "/v2/transcript/down")
		assert.Equal(t, 200, w.Code, "recovered once For has passed")
	})
}

func TestFaultDelayRunsInVirtualTime(t *testing.T) {
	wall := time.Now()
	synctest.Test(t, func(t *testing.T) {
		srv := seeded(t,
			api.SeedTranscript{ID: "slow", Fault: api.Fault{Delay: 30 * time.Second}},
			api.SeedTranscript{ID: "slow500", Fault: api.Fault{Status: 500, Delay: 12 * time.Second, Times: 1}})
		start := time.Now()
		w, tr := getJSON(t, srv, "/v2/transcript/slow")
		assert.Equal(t, 30*time.Second, time.Since(start))
		assert.Equal(t, http.StatusOK, w.Code, "slow, then the transcript")
		assert.Equal(t, "completed", tr["status"])
		assert.InDelta(t, 30000, srv.Calls("slow")[0].DurationMS, 0.001)

		start = time.Now()
		w, _ = getJSON(t, srv, "/v2/transcript/slow500")
		assert.Equal(t, 12*time.Second, time.Since(start))
		assert.Equal(t, 500, w.Code)
		start = time.Now()
		w, _ = getJSON(t, srv, "/v2/transcript/slow500")
		assert.Zero(t, time.Since(start), "recovered: no delay")
		assert.Equal(t, 200, w.Code)
	})
	assert.Less(t, time.Since(wall), 5*time.Second, "wall time")
}

func TestFaultDelayEndsWithTheRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := seeded(t, api.SeedTranscript{ID: "slow", Fault: api.Fault{Status: 500, Delay: time.Hour}})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/v2/transcript/slow", nil)
		req.Header.Set("Authorization", testKey)
		w := httptest.NewRecorder()
		start := time.Now()
		srv.ServeHTTP(w, req)
		assert.Equal(t, 10*time.Second, time.Since(start), "the client's deadline, not the hour")
		assert.Empty(t, w.Body.String())
		calls := srv.Calls("slow")
		require.Len(t, calls, 1)
		assert.Zero(t, calls[0].Status, "no answer was given")
	})
}

// TestReleaseAnswersHeldFetches: Release ends a slow fault at once, for
// the GET held now and every later one, and Held counts the GETs held.
func TestReleaseAnswersHeldFetches(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := seeded(t, api.SeedTranscript{ID: "slow", Fault: api.Fault{Delay: 15 * time.Second}})
		assert.Zero(t, srv.Held("slow"))
		start := time.Now()
		done := make(chan int)
		go func() {
			w, _ := getJSON(t, srv, "/v2/transcript/slow")
			done <- w.Code
		}()
		time.Sleep(3 * time.Second)
		assert.Equal(t, 1, srv.Held("slow"), "one GET waits for the fault's delay")
		srv.Release("slow", "unknown-id")
		assert.Equal(t, http.StatusOK, <-done)
		assert.Equal(t, 3*time.Second, time.Since(start), "answered at the release, not after 15 s")
		assert.Zero(t, srv.Held("slow"))
		start = time.Now()
		w, _ := getJSON(t, srv, "/v2/transcript/slow")
		assert.Equal(t, http.StatusOK, w.Code)
		assert.Zero(t, time.Since(start), "the fault is gone")
	})
}
