package inspect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/inspect"
	"github.com/hookcheck/hookcheck/simulator/memnet"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

const (
	apiKey     = "inspector-test-api-key"
	hookSecret = "hook-secret-5f1e9a"
)

// TestServeAPIDeliveriesLive runs serve-api's emulator with the inspector
// on an in-memory network in virtual time: the receiver answers 500 then
// 200 and fetches its transcript; the list follows each attempt with the
// real schedule (D-4), the detail shows the report's timeline with the
// receiver's API call on it and the auth header masked (D-8), and the
// actions notify again and create a transcript.
func TestServeAPIDeliveriesLive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := memnet.New()
		ln, err := n.Listen("")
		require.NoError(t, err)
		client := &http.Client{Transport: &http.Transport{DialContext: n.DialContext}}
		defer client.CloseIdleConnections()
		apiURL := "http://" + ln.Addr().String()
		var (
			mu   sync.Mutex
			hits int
		)
		hook, err := n.Serve("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			hits++
			first := hits == 1
			mu.Unlock()
			if first {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			var body struct {
				TranscriptID string `json:"transcript_id"`
			}
			_ = json.NewDecoder(r.Body).Decode(&body)
			req, _ := http.NewRequest(http.MethodGet, apiURL+"/v2/transcript/"+body.TranscriptID, nil)
			req.Header.Set("Authorization", apiKey)
			if resp, err := client.Do(req); err == nil {
				resp.Body.Close()
			}
			// The receiver echoes its secret: masked by value all the same.
			_, _ = w.Write([]byte("ok " + hookSecret))
		}))
		require.NoError(t, err)
		defer hook.Close()

		in := newInspector(t, inspect.Options{})
		srv, err := api.New(api.Config{APIKey: apiKey, ProcessingDelay: time.Second, OnDelivery: in.ObserveDelivery,
			SenderOptions: webhook.Options{DialContext: n.DialContext}})
		require.NoError(t, err)
		in.SetAPI(srv)
		ctx, cancel := context.WithCancel(context.Background())
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ctx, ln, time.Second) }()

		body := `{"audio_url":"https://x.test/a.mp3","webhook_url":"` + hook.URL + `/hook","webhook_auth_header_name":"X-Hook-Secret","webhook_auth_header_value":"` + hookSecret + `"}`
		req, _ := http.NewRequest(http.MethodPost, apiURL+"/v2/transcript", strings.NewReader(body))
		req.Header.Set("Authorization", apiKey)
		resp, err := client.Do(req)
		require.NoError(t, err)
		var tr struct{ ID string }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&tr))
		resp.Body.Close()

		time.Sleep(time.Second)
		synctest.Wait()
		p := decode[inspect.Page](t, get(t, in, http.MethodGet, "/api/deliveries", ""))
		require.Len(t, p.Deliveries, 1)
		row := p.Deliveries[0]
		assert.Equal(t, tr.ID, row.TranscriptID)
		assert.Equal(t, inspect.Retrying, row.Status)
		assert.Equal(t, 1, row.Attempts)
		assert.Equal(t, "500", row.Answer)
		require.NotNil(t, row.NextAttemptAt)
		assert.Equal(t, 10*time.Second, row.NextAttemptAt.Sub(row.StartedAt).Round(time.Second), "D-4: the next attempt in 10 s")

		time.Sleep(10 * time.Second)
		synctest.Wait()
		row = decode[inspect.Page](t, get(t, in, http.MethodGet, "/api/deliveries", "")).Deliveries[0]
		assert.Equal(t, inspect.Acknowledged, row.Status)
		assert.Equal(t, 2, row.Attempts)
		assert.Equal(t, "acknowledged", row.Outcome)

		det := decode[inspect.Detail](t, get(t, in, http.MethodGet, "/api/deliveries/"+row.ID, ""))
		assert.Contains(t, det.HTML, `<svg class="tl"`, "the report's timeline")
		assert.Contains(t, det.HTML, "X-Hook-Secret</th><td>"+webhook.Mask)
		assert.Contains(t, det.HTML, "API call at")
		assert.NotContains(t, det.HTML, hookSecret)
		raw, err := json.Marshal(det)
		require.NoError(t, err)
		assert.NotContains(t, string(raw), hookSecret, "masked by value everywhere")
		assert.NotContains(t, string(raw), apiKey)
		require.NotEmpty(t, det.Calls)
		assert.Equal(t, "/v2/transcript/"+tr.ID, det.Calls[0].Path)

		// Notify again: a second delivery with the whole schedule.
		w := get(t, in, http.MethodPost, "/api/deliveries/"+row.ID+"/notify", "")
		require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
		synctest.Wait()
		p = decode[inspect.Page](t, get(t, in, http.MethodGet, "/api/deliveries?transcript_id="+tr.ID, ""))
		require.Len(t, p.Deliveries, 2)
		assert.NotEqual(t, row.ID, p.Deliveries[0].ID)
		assert.Equal(t, inspect.Acknowledged, p.Deliveries[0].Status)

		// Create: a transcript that errors after 3 s, its GET failing 500.
		w = get(t, in, http.MethodPost, "/api/transcripts", `{"webhook_url":"`+hook.URL+`/h2","status":"error","after":"3s","fault":"500"}`)
		require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
		created := decode[inspect.Accepted](t, w)
		time.Sleep(2 * time.Second)
		synctest.Wait()
		assert.Zero(t, decode[inspect.Page](t, get(t, in, http.MethodGet, "/api/deliveries?transcript_id="+created.TranscriptID, "")).Total)
		time.Sleep(time.Second)
		synctest.Wait()
		p = decode[inspect.Page](t, get(t, in, http.MethodGet, "/api/deliveries?transcript_id="+created.TranscriptID, ""))
		require.Len(t, p.Deliveries, 1)
		calls := srv.Calls(created.TranscriptID)
		require.NotEmpty(t, calls)
		assert.Equal(t, http.StatusInternalServerError, calls[0].Status, "the fault applies to the receiver's fetch")
		dd := decode[inspect.Detail](t, get(t, in, http.MethodGet, "/api/deliveries/"+p.Deliveries[0].ID, ""))
		assert.Equal(t, "error", dd.Delivery.Notification.Status)

		for _, bad := range []string{`{}`, `{"webhook_url":"x","status":"maybe"}`, `{"webhook_url":"` + hook.URL + `","after":"soon"}`,
			`{"webhook_url":"` + hook.URL + `","fault":"explode"}`, `{"webhook_url":"` + hook.URL + `","nope":1}`} {
			assert.Equal(t, http.StatusBadRequest, get(t, in, http.MethodPost, "/api/transcripts", bad).Code, bad)
		}
		assert.Equal(t, http.StatusNotFound, get(t, in, http.MethodPost, "/api/deliveries/nope/notify", "").Code)
		assert.Equal(t, http.StatusNotFound, get(t, in, http.MethodPost, "/api/deliveries/"+row.ID+"/replay", "").Code, "no replay on serve-api")

		cancel()
		assert.NoError(t, <-served)
	})
}

// TestCaptureDeliveriesLive feeds the inspector from a capture recorder
// answering 500 then 200: one row per delivery, its attempts counted, the
// masked header masked in the detail, and "replay to" sends the request
// on byte for byte, only to a loopback address or --forward-to's host.
func TestCaptureDeliveriesLive(t *testing.T) {
	var got struct {
		sync.Mutex
		body   string
		secret string
		path   string
	}
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := new(bytes.Buffer)
		_, _ = b.ReadFrom(r.Body)
		got.Lock()
		got.body, got.secret, got.path = b.String(), r.Header.Get("X-Hook-Secret"), r.URL.RequestURI()
		got.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer target.Close()
	fwd, err := url.Parse(target.URL + "/webhooks")
	require.NoError(t, err)
	in := newInspector(t, inspect.Options{Mode: inspect.ModeCapture, ForwardTo: fwd})
	rc, err := capture.NewRecorder(capture.Config{Out: new(bytes.Buffer), Answers: []int{500, 200},
		MaskHeaders: []string{"X-Hook-Secret"}, OnRecord: in.ObserveRecord})
	require.NoError(t, err)
	send := func(body string) int {
		r := httptest.NewRequest(http.MethodPost, "/hook?x=1", strings.NewReader(body))
		r.Header.Set("X-Hook-Secret", hookSecret)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		rc.ServeHTTP(w, r)
		return w.Code
	}
	body := `{"transcript_id":"tc-1","status":"completed","echo":"` + hookSecret + `"}`
	assert.Equal(t, 500, send(body))
	p := decode[inspect.Page](t, get(t, in, http.MethodGet, "/api/deliveries", ""))
	require.Len(t, p.Deliveries, 1)
	row := p.Deliveries[0]
	assert.Equal(t, inspect.Retrying, row.Status)
	assert.Equal(t, 1, row.Attempts)
	require.NotNil(t, row.NextAttemptAt)
	assert.Equal(t, 200, send(body))
	assert.Equal(t, 500, send(`{"session_id":"s-9"}`), "a delivery of its own: attempt 1")
	p = decode[inspect.Page](t, get(t, in, http.MethodGet, "/api/deliveries", ""))
	require.Len(t, p.Deliveries, 2)
	assert.Equal(t, "s-9", p.Deliveries[0].SessionID)
	row = p.Deliveries[1]
	assert.Equal(t, "tc-1", row.TranscriptID)
	assert.Equal(t, 2, row.Attempts)
	assert.Equal(t, inspect.Acknowledged, row.Status)
	assert.Equal(t, 1, decode[inspect.Page](t, get(t, in, http.MethodGet, "/api/deliveries?session_id=s-9", "")).Total)

	det := decode[inspect.Detail](t, get(t, in, http.MethodGet, "/api/deliveries/"+row.ID, ""))
	assert.Contains(t, det.HTML, `<svg class="tl"`)
	assert.Contains(t, det.HTML, "X-Hook-Secret</th><td>"+webhook.Mask)
	raw, err := json.Marshal(det)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), hookSecret)
	require.Len(t, det.Delivery.Attempts, 2)
	assert.Equal(t, 500, det.Delivery.Attempts[0].StatusCode)

	w := get(t, in, http.MethodPost, "/api/deliveries/"+row.ID+"/replay", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	res := decode[inspect.ReplayResult](t, w)
	assert.Equal(t, http.StatusAccepted, res.Status)
	got.Lock()
	assert.Equal(t, body, got.body, "byte for byte")
	assert.Empty(t, got.secret, "a masked header is not sent: its value was never kept")
	assert.Equal(t, "/webhooks?x=1", got.path)
	got.Unlock()
	w = get(t, in, http.MethodPost, "/api/deliveries/"+row.ID+"/replay", `{"url":"http://192.0.2.7/hook"}`)
	assert.Equal(t, http.StatusBadRequest, w.Code, "only loopback or --forward-to's host")
	w = get(t, in, http.MethodPost, "/api/deliveries/"+row.ID+"/replay", `{"url":"`+target.URL+`/other"}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	got.Lock()
	assert.Equal(t, "/other?x=1", got.path)
	got.Unlock()
	assert.Equal(t, http.StatusNotFound, get(t, in, http.MethodPost, "/api/transcripts", `{}`).Code, "no create on capture")
}

// TestLargeBodySummarised: a body over 64 KiB is cut in the detail view
// and the cut is said, as the report does.
func TestLargeBodySummarised(t *testing.T) {
	in := newInspector(t, inspect.Options{Mode: inspect.ModeCapture})
	rc, err := capture.NewRecorder(capture.Config{Out: new(bytes.Buffer), OnRecord: in.ObserveRecord})
	require.NoError(t, err)
	body := `{"session_id":"big","pad":"` + strings.Repeat("a", 100<<10) + `"}`
	r := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body))
	rc.ServeHTTP(httptest.NewRecorder(), r)
	row := decode[inspect.Page](t, get(t, in, http.MethodGet, "/api/deliveries", "")).Deliveries[0]
	det := decode[inspect.Detail](t, get(t, in, http.MethodGet, "/api/deliveries/"+row.ID, ""))
	assert.Contains(t, det.HTML, fmt.Sprintf("first 65536 of %d bytes shown", len(body)))
	assert.Less(t, len(det.HTML), 80<<10)
}
