package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-faker/faker/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

func TestAuthErrors(t *testing.T) {
	e := newEmulator(t, api.Config{})
	for _, key := range []string{"", "wrong-key"} {
		code, body := e.callKey(t, key, http.MethodGet, "/v2/transcript", nil)
		assert.Equal(t, http.StatusUnauthorized, code)
		assert.Equal(t, map[string]any{"error": api.MsgUnauthorized}, body)
	}
}

func TestAnyNonEmptyKeyWhenNoneConfigured(t *testing.T) {
	srv, err := api.New(api.Config{})
	require.NoError(t, err)
	rec := func(key string) int {
		req, _ := http.NewRequest(http.MethodGet, "/v2/transcript", nil)
		if key != "" {
			req.Header.Set("Authorization", key)
		}
		w := newRecorder()
		srv.ServeHTTP(w, req)
		return w.Code
	}
	assert.Equal(t, http.StatusOK, rec(faker.Password()))
	assert.Equal(t, http.StatusUnauthorized, rec(""))
}

func TestCreateValidation(t *testing.T) {
	e := newEmulator(t, api.Config{})
	cases := map[string]any{
		"invalid JSON":        "{not json",
		"array":               "[]",
		"missing audio_url":   map[string]any{"webhook_url": "http://127.0.0.1/x"},
		"relative webhook":    map[string]any{"audio_url": "https://a/b.mp3", "webhook_url": "/hook"},
		"ftp webhook":         map[string]any{"audio_url": "https://a/b.mp3", "webhook_url": "ftp://x/y"},
		"auth name only":      map[string]any{"audio_url": "https://a/b.mp3", "webhook_auth_header_name": "X-Secret"},
		"bad header name":     map[string]any{"audio_url": "https://a/b.mp3", "webhook_auth_header_name": "a b", "webhook_auth_header_value": "v"},
		"CR/LF in auth value": map[string]any{"audio_url": "https://a/b.mp3", "webhook_auth_header_name": "X-Secret", "webhook_auth_header_value": "v\r\nX-Injected: 1"},
		"LF in auth value":    map[string]any{"audio_url": "https://a/b.mp3", "webhook_auth_header_name": "X-Secret", "webhook_auth_header_value": "v\nw"},
		"512 KiB audio_url":   map[string]any{"audio_url": "https://a/" + strings.Repeat("x", 512<<10)},
		"long webhook_url":    map[string]any{"audio_url": "https://a/b.mp3", "webhook_url": "http://127.0.0.1/" + strings.Repeat("x", api.MaxURLBytes)},
		"long auth value":     map[string]any{"audio_url": "https://a/b.mp3", "webhook_auth_header_name": "X-S", "webhook_auth_header_value": strings.Repeat("v", api.MaxHeaderFieldBytes+1)},
		"wrong type":          map[string]any{"audio_url": "https://a/b.mp3", "redact_pii": "yes"},
		"unknown magic value": map[string]any{"audio_url": "https://a/b.mp3?hookcheck=explode"},
		"bad magic delay":     map[string]any{"audio_url": "https://a/b.mp3?hookcheck=delay:soon"},
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			code, got := e.call(t, http.MethodPost, "/v2/transcript", body)
			assert.Equal(t, http.StatusBadRequest, code)
			require.Len(t, got, 1)
			assert.NotEmpty(t, got["error"])
		})
	}
}

func TestUnknownIDIsLookupError(t *testing.T) {
	e := newEmulator(t, api.Config{})
	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		code, body := e.call(t, m, "/v2/transcript/"+faker.UUIDHyphenated(), nil)
		assert.Equal(t, http.StatusBadRequest, code)
		assert.Equal(t, map[string]any{"error": api.MsgNotFound}, body)
	}
}

func TestUnknownRouteAndMethodAreJSON(t *testing.T) {
	e := newEmulator(t, api.Config{})
	code, body := e.call(t, http.MethodGet, "/v2/nothing", nil)
	assert.Equal(t, http.StatusNotFound, code)
	assert.Contains(t, body, "error")
	code, body = e.call(t, http.MethodPut, "/v2/transcript", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, code)
	assert.Contains(t, body, "error")
}

func TestLifecycleWithWebhookAndAuth(t *testing.T) { // D-1, D-2, D-8, D-10
	rc := newReceiver(t, nil)
	e := newEmulator(t, api.Config{ProcessingDelay: 50 * time.Millisecond})
	secret := faker.Password()
	target := rc.URL + "/hooks/aai?customer_id=" + faker.UUIDDigit()
	code, tr := e.call(t, http.MethodPost, "/v2/transcript", map[string]any{
		"audio_url": "https://example.test/" + faker.Word() + ".mp3", "webhook_url": target,
		"webhook_auth_header_name": "X-Webhook-Secret", "webhook_auth_header_value": secret,
		"speaker_labels": true, "custom_spelling": []any{map[string]any{"from": []string{"Decarlo"}, "to": "DeCarlo"}},
		"not_a_documented_field": 1,
	})
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "queued", tr["status"])
	assert.Equal(t, target, tr["webhook_url"])
	assert.Equal(t, true, tr["webhook_auth"])
	assert.Equal(t, "X-Webhook-Secret", tr["webhook_auth_header_name"])
	assert.Nil(t, tr["webhook_status_code"])
	assert.NotContains(t, tr, "webhook_auth_header_value")
	assert.NotContains(t, tr, "not_a_documented_field")
	assert.Equal(t, true, tr["speaker_labels"])
	assert.NotNil(t, tr["custom_spelling"])
	for _, k := range []string{"id", "speech_model", "language_model", "acoustic_model", "audio_url",
		"auto_highlights", "redact_pii", "summarization", "language_confidence_threshold", "language_confidence"} {
		assert.Contains(t, tr, k, "required by the Transcript schema")
	}
	id := tr["id"].(string)

	_, got := e.call(t, http.MethodGet, "/v2/transcript/"+id, nil)
	assert.Contains(t, []any{"queued", "processing"}, got["status"])

	done := e.waitFinished(t, id)
	assert.Equal(t, "completed", done["status"])
	assert.NotEmpty(t, done["text"])
	assert.NotEmpty(t, done["words"])
	require.Eventually(t, func() bool { return rc.count(id) == 1 }, 3*time.Second, 5*time.Millisecond)
	// The receiver has the request before the sender has its answer: the
	// code appears once the attempt is recorded (P-5).
	require.Eventually(t, func() bool {
		_, done = e.call(t, http.MethodGet, "/v2/transcript/"+id, nil)
		return done["webhook_status_code"] != nil
	}, 3*time.Second, 5*time.Millisecond)
	assert.EqualValues(t, 200, done["webhook_status_code"])

	h := rc.got()[0]
	assert.Equal(t, map[string]any{"transcript_id": id, "status": "completed"}, h.Body)
	assert.Equal(t, secret, h.Header.Get("X-Webhook-Secret"))
	assert.Equal(t, strings.TrimPrefix(target, rc.URL), h.URI, "D-9: query arrives unchanged")
	assert.Equal(t, webhook.DefaultUserAgent, h.Header.Get("User-Agent"))

	ds := e.deliveries(t, id)
	require.Len(t, ds, 1)
	assert.Equal(t, webhook.Delivered, ds[0].Outcome)
	assert.Equal(t, webhook.Mask, ds[0].Request.Headers.Get("X-Webhook-Secret"))
	time.Sleep(20 * time.Millisecond)
	assert.Equal(t, 1, rc.count(id), "exactly once")
}

func TestMagicErrorAndRetriesUpdateStatusCode(t *testing.T) { // A-5, D-4, P-5
	// 500, 500, then 200: three attempts 10 ms apart (accelerated).
	rc := newReceiver(t, func(n int) int {
		if n < 3 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	e := newEmulator(t, api.Config{})
	code, tr := e.call(t, http.MethodPost, "/v2/transcript", map[string]any{
		"audio_url": "https://example.test/a.mp3?hookcheck=error&hookcheck=delay:10ms", "webhook_url": rc.URL})
	require.Equal(t, http.StatusOK, code)
	id := tr["id"].(string)
	done := e.waitFinished(t, id)
	assert.Equal(t, "error", done["status"])
	assert.Contains(t, done["error"], "Download error")
	assert.Nil(t, done["text"])

	require.Eventually(t, func() bool {
		ds := e.deliveries(t, id)
		return len(ds) == 1 && ds[0].Outcome == webhook.Delivered
	}, 3*time.Second, 5*time.Millisecond)
	ds := e.deliveries(t, id)
	require.Len(t, ds[0].Attempts, 3)
	assert.Equal(t, []int{500, 500, 200}, []int{ds[0].Attempts[0].StatusCode, ds[0].Attempts[1].StatusCode, ds[0].Attempts[2].StatusCode})
	assert.Equal(t, "error", rc.got()[0].Body["status"])
	_, done = e.call(t, http.MethodGet, "/v2/transcript/"+id, nil)
	assert.EqualValues(t, 200, done["webhook_status_code"])
}

func TestWebhookStatusCodeIsLastAnswer(t *testing.T) { // P-5, D-5
	rc := newReceiver(t, func(int) int { return http.StatusNotFound })
	e := newEmulator(t, api.Config{})
	_, tr := e.call(t, http.MethodPost, "/v2/transcript", map[string]any{"audio_url": "https://x.test/a.mp3", "webhook_url": rc.URL})
	id := tr["id"].(string)
	require.Eventually(t, func() bool {
		ds := e.deliveries(t, id)
		return len(ds) == 1 && ds[0].Outcome == webhook.Rejected
	}, 3*time.Second, 5*time.Millisecond)
	_, got := e.call(t, http.MethodGet, "/v2/transcript/"+id, nil)
	assert.EqualValues(t, 404, got["webhook_status_code"])
	assert.Equal(t, 1, rc.count(id), "D-5: a 4xx is never retried")
}

func TestRedactedAudioNotificationFollows(t *testing.T) { // D-11
	rc := newReceiver(t, nil)
	e := newEmulator(t, api.Config{})
	_, tr := e.call(t, http.MethodPost, "/v2/transcript", map[string]any{"audio_url": "https://x.test/a.mp3",
		"webhook_url": rc.URL, "redact_pii": true, "redact_pii_audio": true,
		"redact_pii_policies": []string{"person_name", "phone_number"}, "redact_pii_sub": "entity_name"})
	id := tr["id"].(string)
	require.Eventually(t, func() bool { return len(rc.got()) == 2 }, 3*time.Second, 5*time.Millisecond)
	hits := rc.got()
	assert.Equal(t, "completed", hits[0].Body["status"])
	assert.Equal(t, "redacted_audio_ready", hits[1].Body["status"])
	assert.NotContains(t, hits[1].Body, "transcript_id")
	assert.Contains(t, hits[1].Body["redacted_audio_url"], id)
	done := e.waitFinished(t, id)
	assert.Contains(t, done["text"], "[PERSON_NAME]")
	assert.Contains(t, done["text"], "[PHONE_NUMBER]")
	code, ra := e.call(t, http.MethodGet, "/v2/transcript/"+id+"/redacted-audio", nil)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, hits[1].Body["redacted_audio_url"], ra["redacted_audio_url"])
}

func TestDeleteAndList(t *testing.T) {
	e := newEmulator(t, api.Config{})
	var ids []string
	for range 3 {
		_, tr := e.call(t, http.MethodPost, "/v2/transcript", map[string]any{"audio_url": "https://x.test/" + faker.Word() + ".mp3"})
		ids = append(ids, tr["id"].(string))
	}
	code, body := e.call(t, http.MethodDelete, "/v2/transcript/"+ids[2], nil)
	assert.Equal(t, http.StatusBadRequest, code, "still processing")
	assert.NotEmpty(t, body["error"])
	for _, id := range ids {
		e.waitFinished(t, id)
	}
	code, del := e.call(t, http.MethodDelete, "/v2/transcript/"+ids[0], nil)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "Deleted by user.", del["text"])
	assert.Equal(t, "http://deleted_by_user", del["webhook_url"])
	assert.Equal(t, "http://deleted_by_user", del["audio_url"])

	code, list := e.call(t, http.MethodGet, "/v2/transcript?limit=2", nil)
	require.Equal(t, http.StatusOK, code)
	items := list["transcripts"].([]any)
	require.Len(t, items, 2)
	assert.Equal(t, ids[2], items[0].(map[string]any)["id"], "newest first")
	assert.Equal(t, ids[1], items[1].(map[string]any)["id"])
	first := items[0].(map[string]any)
	for _, k := range []string{"id", "resource_url", "status", "created", "completed", "audio_url", "error"} {
		assert.Contains(t, first, k)
	}
	assert.Regexp(t, `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$`, first["created"])
	assert.Equal(t, e.URL+"/v2/transcript/"+ids[2], first["resource_url"])
	pd := list["page_details"].(map[string]any)
	assert.EqualValues(t, 2, pd["limit"])
	assert.EqualValues(t, 2, pd["result_count"])
	assert.Nil(t, pd["next_url"])
	require.NotNil(t, pd["prev_url"])

	prev := strings.TrimPrefix(pd["prev_url"].(string), e.URL)
	_, older := e.call(t, http.MethodGet, prev, nil)
	items = older["transcripts"].([]any)
	require.Len(t, items, 1)
	assert.Equal(t, ids[0], items[0].(map[string]any)["id"])
	assert.Equal(t, "http://deleted_by_user", items[0].(map[string]any)["audio_url"])

	code, _ = e.call(t, http.MethodGet, "/v2/transcript?limit=0", nil)
	assert.Equal(t, http.StatusBadRequest, code)
}

func TestUploadLimits(t *testing.T) {
	e := newEmulator(t, api.Config{MaxUploadBytes: 1024, MaxRequestBytes: 256})
	code, up := e.call(t, http.MethodPost, "/v2/upload", bytes.Repeat([]byte{1}, 1000))
	require.Equal(t, http.StatusOK, code)
	assert.True(t, strings.HasPrefix(up["upload_url"].(string), e.URL+"/"))
	code, _ = e.call(t, http.MethodPost, "/v2/upload", bytes.Repeat([]byte{1}, 1025))
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	code, _ = e.call(t, http.MethodPost, "/v2/transcript", map[string]any{"audio_url": strings.Repeat("a", 300)})
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
}

func TestShutdownRecordsPendingDeliveriesAsCancelled(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang)
	rcv := newReceiver(t, func(int) int { <-hang; return 200 })
	srv, err := api.New(api.Config{APIKey: testKey, ProcessingDelay: 5 * time.Millisecond, Policy: fastPolicy()})
	require.NoError(t, err)
	e := &emulator{srv: srv}
	hs := newLoopback(t, srv)
	e.URL = hs
	runDone := make(chan error, 1)
	go func() { runDone <- srv.Run(context.Background()) }()

	_, tr := e.call(t, http.MethodPost, "/v2/transcript", map[string]any{"audio_url": "https://x.test/a.mp3", "webhook_url": rcv.URL})
	id := tr["id"].(string)
	require.Eventually(t, func() bool { return len(rcv.got()) == 1 }, 3*time.Second, 5*time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, srv.Shutdown(ctx), context.DeadlineExceeded)
	require.NoError(t, <-runDone)
	ds := srv.Deliveries(id)
	require.Len(t, ds, 1)
	assert.Equal(t, webhook.Cancelled, ds[0].Outcome)

	code, body := e.call(t, http.MethodPost, "/v2/transcript", map[string]any{"audio_url": "https://x.test/b.mp3"})
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, api.MsgUnavailable, body["error"])
}

func TestShutdownDrainsProcessingAndDeliveries(t *testing.T) {
	rc := newReceiver(t, nil)
	srv, err := api.New(api.Config{APIKey: testKey, ProcessingDelay: 30 * time.Millisecond, Policy: fastPolicy()})
	require.NoError(t, err)
	e := &emulator{srv: srv, URL: newLoopback(t, srv)}
	runDone := make(chan error, 1)
	go func() { runDone <- srv.Run(context.Background()) }()
	_, tr := e.call(t, http.MethodPost, "/v2/transcript", map[string]any{"audio_url": "https://x.test/a.mp3", "webhook_url": rc.URL})
	id := tr["id"].(string)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	require.NoError(t, srv.Shutdown(ctx))
	require.NoError(t, <-runDone)
	assert.Equal(t, 1, rc.count(id), "the owed delivery went out before shutdown ended")
}

func TestAPIKeyIsNeverLogged(t *testing.T) {
	var buf lockedBuffer
	lg := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rc := newReceiver(t, nil)
	secret := "hdr-" + faker.Password()
	e := newEmulator(t, api.Config{Logger: lg})
	_, tr := e.call(t, http.MethodPost, "/v2/transcript", map[string]any{"audio_url": "https://x.test/a.mp3",
		"webhook_url": rc.URL, "webhook_auth_header_name": "X-S", "webhook_auth_header_value": secret})
	e.callKey(t, "wrong-"+testKey, http.MethodGet, "/v2/transcript", nil)
	e.waitFinished(t, tr["id"].(string))
	require.Eventually(t, func() bool { return rc.count(tr["id"].(string)) == 1 }, 3*time.Second, 5*time.Millisecond)
	assert.NotEmpty(t, buf.String())
	assert.NotContains(t, buf.String(), testKey)
	assert.NotContains(t, buf.String(), secret)
}

// TestUncleanPathIsAnsweredInJSON: ServeMux's path cleaning answered 307
// with an HTML body; the API answers the same redirect in JSON.
func TestUncleanPathIsAnsweredInJSON(t *testing.T) {
	e := newEmulator(t, api.Config{})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, p := range []string{"//v2/transcript", "/v2/./transcript", "/x/../v2/transcript?limit=1"} {
		req, err := http.NewRequest(http.MethodGet, e.URL+p, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", testKey)
		resp, err := client.Do(req)
		require.NoError(t, err)
		var body map[string]any
		ctype := resp.Header.Get("Content-Type")
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body), p)
		resp.Body.Close()
		assert.Equal(t, http.StatusTemporaryRedirect, resp.StatusCode, p)
		assert.Equal(t, "application/json", ctype, p)
		assert.NotEmpty(t, body["error"], p)
		assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/v2/transcript"), p)
	}
}

// TestMaxTranscriptsEvictsTheOldest: the store is bounded; the oldest
// transcripts are evicted and the list's page details count them.
func TestMaxTranscriptsEvictsTheOldest(t *testing.T) {
	e := newEmulator(t, api.Config{MaxTranscripts: 3})
	var ids []string
	for range 5 {
		code, tr := e.call(t, http.MethodPost, "/v2/transcript", map[string]any{"audio_url": "https://a/b.mp3"})
		require.Equal(t, http.StatusOK, code)
		ids = append(ids, tr["id"].(string))
	}
	code, page := e.call(t, http.MethodGet, "/v2/transcript?limit=10", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Len(t, page["transcripts"], 3)
	details := page["page_details"].(map[string]any)
	assert.EqualValues(t, 2, details["hookcheck_evicted"])
	assert.EqualValues(t, 3, details["hookcheck_max_transcripts"])
	code, body := e.call(t, http.MethodGet, "/v2/transcript/"+ids[0], nil)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, api.MsgNotFound, body["error"])
	code, _ = e.call(t, http.MethodGet, "/v2/transcript/"+ids[4], nil)
	assert.Equal(t, http.StatusOK, code)
}

// Issue 18: a documented field is echoed back as given, so one
// over api.MaxEchoedFieldBytes is refused with 400 in the A-6 error shape
// and nothing is stored; one under it is echoed unchanged.
func TestEchoedFieldsAreCapped(t *testing.T) {
	e := newEmulator(t, api.Config{})
	huge := []string{strings.Repeat("w", 1_000_000)}
	code, body := e.call(t, http.MethodPost, "/v2/transcript", map[string]any{"audio_url": "https://a/b.mp3", "word_boost": huge})
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "word_boost is too long: 1000004 bytes, at most 65536", body["error"])
	assert.Len(t, body, 1, `{"error": ...} only (A-6)`)

	boost := []any{strings.Repeat("w", api.MaxEchoedFieldBytes-4)} // `["…"]`: exactly the cap
	code, tr := e.call(t, http.MethodPost, "/v2/transcript", map[string]any{"audio_url": "https://a/b.mp3", "word_boost": boost})
	require.Equal(t, http.StatusOK, code)
	code, got := e.call(t, http.MethodGet, "/v2/transcript/"+tr["id"].(string), nil)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, boost, got["word_boost"])

	code, page := e.call(t, http.MethodGet, "/v2/transcript", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Len(t, page["transcripts"], 1, "the refused one was not stored")
}

// Issue 18: the store is bounded by bytes too; the oldest transcripts are
// evicted to keep within Config.MaxStoreBytes and the list's page details
// say so, as for the count bound.
func TestMaxStoreBytesEvictsTheOldest(t *testing.T) {
	const budget = 1 << 20
	e := newEmulator(t, api.Config{MaxStoreBytes: budget})
	boost := []any{strings.Repeat("w", 60<<10)}
	var ids []string
	for range 40 { // about 2.4 MB asked for
		code, tr := e.call(t, http.MethodPost, "/v2/transcript", map[string]any{"audio_url": "https://a/b.mp3", "word_boost": boost})
		require.Equal(t, http.StatusOK, code)
		ids = append(ids, tr["id"].(string))
	}
	code, page := e.call(t, http.MethodGet, "/v2/transcript?limit=200", nil)
	require.Equal(t, http.StatusOK, code)
	details := page["page_details"].(map[string]any)
	kept := len(page["transcripts"].([]any))
	assert.EqualValues(t, len(ids)-kept, details["hookcheck_evicted"])
	assert.Positive(t, details["hookcheck_evicted"])
	assert.EqualValues(t, budget, details["hookcheck_max_store_bytes"])
	stored := details["hookcheck_store_bytes"].(float64)
	assert.LessOrEqual(t, stored, float64(budget))
	assert.Greater(t, stored, float64(kept*(60<<10)), "the kept word_boosts are accounted for")
	code, _ = e.call(t, http.MethodGet, "/v2/transcript/"+ids[0], nil)
	assert.Equal(t, http.StatusBadRequest, code, "the oldest is gone (A-6)")
	code, _ = e.call(t, http.MethodGet, "/v2/transcript/"+ids[len(ids)-1], nil)
	assert.Equal(t, http.StatusOK, code)

	_, err := api.New(api.Config{MaxStoreBytes: -1})
	assert.Error(t, err)
}
