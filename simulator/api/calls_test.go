package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-faker/faker/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/api"
)

// serve sends one request straight to srv's handler.
func serve(srv http.Handler, key, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", key)
	}
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, req)
	return w
}

func TestWrongKeyIs401OnEveryEndpoint(t *testing.T) {
	srv, err := api.New(api.Config{APIKey: testKey})
	require.NoError(t, err)
	id := faker.UUIDHyphenated()
	endpoints := [][2]string{
		{http.MethodPost, "/v2/upload"}, {http.MethodPost, "/v2/transcript"}, {http.MethodGet, "/v2/transcript"},
		{http.MethodGet, "/v2/transcript/" + id}, {http.MethodDelete, "/v2/transcript/" + id},
		{http.MethodGet, "/v2/transcript/" + id + "/redacted-audio"},
		{http.MethodGet, "/hookcheck/v1/deliveries"}, {http.MethodGet, "/hookcheck/v1/calls"},
	}
	for _, ep := range endpoints {
		for _, key := range []string{"", "wrong-key", "Bearer " + testKey} {
			w := serve(srv, key, ep[0], ep[1], `{"audio_url":"https://x.test/a.mp3"}`)
			assert.Equal(t, http.StatusUnauthorized, w.Code, "%s %s key %q", ep[0], ep[1], key)
			assert.JSONEq(t, `{"error":"`+api.MsgUnauthorized+`"}`, w.Body.String())
		}
	}
	calls := srv.Calls("")
	require.Len(t, calls, 3*len(endpoints))
	for _, c := range calls {
		assert.False(t, c.Authorized)
		assert.Equal(t, http.StatusUnauthorized, c.Status)
	}
	assert.Len(t, srv.Calls(id), 3*3, "the id in the path is recorded even when refused")
}

// It runs in a synctest bubble, whose virtual clock starts at 2000-01-01
// 00:00:00 UTC, so every time in the log is exact.
func TestCallLogRecordsEveryRequest(t *testing.T) {
	synctest.Test(t, testCallLogRecordsEveryRequest)
}

func testCallLogRecordsEveryRequest(t *testing.T) {
	start := time.Now()
	srv, err := api.New(api.Config{APIKey: testKey})
	require.NoError(t, err)

	w := serve(srv, testKey, http.MethodPost, "/v2/transcript", `{"audio_url":"https://x.test/a.mp3"}`)
	require.Equal(t, http.StatusOK, w.Code)
	var tr map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &tr))
	id := tr["id"].(string)
	time.Sleep(time.Second)
	serve(srv, testKey, http.MethodGet, "/v2/transcript/"+id+"?x=1", "")
	serve(srv, "wrong-"+testKey, http.MethodGet, "/v2/transcript/"+id, "")
	serve(srv, testKey, http.MethodGet, "/v2/transcript", "")
	serve(srv, testKey, http.MethodGet, "/v2/transcript/"+faker.UUIDHyphenated(), "")

	assert.Equal(t, []api.Call{
		{At: start, Method: "POST", Path: "/v2/transcript", TranscriptID: id, Authorized: true, Status: 200},
		{At: start.Add(time.Second), Method: "GET", Path: "/v2/transcript/" + id, TranscriptID: id, Authorized: true, Status: 200},
		{At: start.Add(time.Second), Method: "GET", Path: "/v2/transcript/" + id, TranscriptID: id, Authorized: false, Status: 401},
	}, srv.Calls(id))
	all := srv.Calls("")
	require.Len(t, all, 5)
	assert.Equal(t, "", all[3].TranscriptID, "the list concerns no one transcript")
	assert.Equal(t, http.StatusBadRequest, all[4].Status, "A-6 lookup error")

	// The same log over HTTP, as JSON with the documented keys; no key in it.
	w = serve(srv, testKey, http.MethodGet, "/hookcheck/v1/calls?transcript_id="+id, "")
	require.Equal(t, http.StatusOK, w.Code)
	assert.NotContains(t, w.Body.String(), testKey)
	var body struct {
		Calls   []map[string]any `json:"calls"`
		Dropped int              `json:"dropped"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	require.Len(t, body.Calls, 3)
	for _, k := range []string{"method", "path", "transcript_id", "authorized", "status", "at", "duration_ms"} {
		assert.Contains(t, body.Calls[0], k)
	}
	assert.Equal(t, "2000-01-01T00:00:00Z", body.Calls[0]["at"])
	assert.Zero(t, body.Dropped)
}

func TestCallLogIsBounded(t *testing.T) {
	srv, err := api.New(api.Config{APIKey: testKey, MaxCalls: 3})
	require.NoError(t, err)
	for i := range 5 {
		serve(srv, testKey, http.MethodGet, "/v2/transcript/id-"+string(rune('a'+i)), "")
	}
	calls := srv.Calls("")
	require.Len(t, calls, 3)
	assert.Equal(t, []string{"id-c", "id-d", "id-e"}, []string{calls[0].TranscriptID, calls[1].TranscriptID, calls[2].TranscriptID}, "oldest dropped first")
	assert.Equal(t, 2, srv.DroppedCalls())
	assert.Empty(t, srv.Calls("id-a"))

	_, err = api.New(api.Config{MaxCalls: -1})
	assert.Error(t, err)
}

// The streamed lists of /hookcheck/v1/deliveries and /hookcheck/v1/calls
// are the same JSON bytes as the whole-body encoding they replaced
// (json.Marshal of {"deliveries":[...]} and {"calls":[...],"dropped":N}).
func TestListsStreamTheSameBytes(t *testing.T) {
	rc := newReceiver(t, func(n int) int {
		if n == 1 {
			return http.StatusInternalServerError // a retry: two attempts in the record
		}
		return http.StatusOK
	})
	e := newEmulator(t, api.Config{MaxCalls: 2})
	var ids []string
	for range 3 {
		code, tr := e.call(t, http.MethodPost, "/v2/transcript", map[string]any{"audio_url": "https://x.test/a.mp3?<&>", "webhook_url": rc.URL})
		require.Equal(t, http.StatusOK, code)
		ids = append(ids, tr["id"].(string))
	}
	require.Eventually(t, func() bool {
		ds := e.srv.Deliveries("")
		for _, d := range ds {
			if d.Outcome == "" {
				return false
			}
		}
		return len(ds) == len(ids)
	}, 10*time.Second, 5*time.Millisecond)

	for _, id := range []string{"", ids[1], "unknown"} {
		want, err := json.Marshal(struct {
			Deliveries []api.DeliveryRecord `json:"deliveries"`
		}{e.srv.Deliveries(id)})
		require.NoError(t, err)
		w := serve(e.srv, testKey, http.MethodGet, "/hookcheck/v1/deliveries?transcript_id="+id, "")
		require.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, string(want)+"\n", w.Body.String(), "deliveries of %q", id)
	}
	for _, id := range []string{"", ids[0], "unknown"} {
		calls, dropped, known := e.srv.Calls(id), e.srv.DroppedCalls(), e.srv.DroppedKnownCalls()
		require.Positive(t, known, "the log of 2 known calls has dropped some")
		want, err := json.Marshal(struct {
			Calls        []api.Call `json:"calls"`
			Dropped      int        `json:"dropped"`
			DroppedKnown int        `json:"dropped_known"`
		}{calls, dropped, known})
		require.NoError(t, err)
		w := serve(e.srv, testKey, http.MethodGet, "/hookcheck/v1/calls?transcript_id="+id, "")
		require.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, string(want)+"\n", w.Body.String(), "calls of %q", id)
	}
}

// A request the API has not answered yet is in the log from its arrival,
// in flight, with how long it has waited; once answered it is an ordinary
// call. The listing does not show its own request.
func TestCallLogShowsCallsInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		srv, err := api.New(api.Config{APIKey: testKey, BaseURL: "http://api.test"})
		require.NoError(t, err)
		id := faker.UUIDHyphenated()
		require.NoError(t, srv.Seed(api.SeedTranscript{ID: id, Fault: api.Fault{Delay: 15 * time.Second}}))
		done := make(chan int)
		go func() { done <- serve(srv, testKey, http.MethodGet, "/v2/transcript/"+id, "").Code }()
		time.Sleep(4 * time.Second)
		synctest.Wait()
		assert.Equal(t, []api.Call{{At: start, Method: "GET", Path: "/v2/transcript/" + id, TranscriptID: id,
			Authorized: true, InFlight: true, WaitedMS: 4000}}, srv.Calls(id))

		w := serve(srv, testKey, http.MethodGet, "/hookcheck/v1/calls", "")
		require.Equal(t, http.StatusOK, w.Code)
		var body struct {
			Calls []map[string]any `json:"calls"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
		require.Len(t, body.Calls, 1, "the fetch in flight, not the listing itself")
		assert.Equal(t, true, body.Calls[0]["in_flight"])
		assert.InDelta(t, 4000, body.Calls[0]["waited_ms"], 0)

		assert.Equal(t, http.StatusOK, <-done)
		assert.Equal(t, []api.Call{{At: start, Method: "GET", Path: "/v2/transcript/" + id, TranscriptID: id,
			Authorized: true, Status: 200, DurationMS: 15000}}, srv.Calls(id))
		assert.Len(t, srv.Calls(""), 2, "the fetch and the listing, both answered")
	})
}

// Issue 18: another local client floods the API with bad-key requests
// (the list, unknown transcripts, even a known transcript's id) and
// requests for transcripts that do not exist, while the receiver fetches
// the transcripts it was notified of. The flood overflows the log many
// times over, yet every fetch stays in Calls(id): RC-18 by api-fetch reads
// them there.
func TestFloodCannotEvictFetchesOfKnownTranscripts(t *testing.T) {
	const maxCalls, flood = 1000, 100_000
	srv, err := api.New(api.Config{APIKey: testKey, MaxCalls: maxCalls, BaseURL: "http://api.test"})
	require.NoError(t, err)
	ids := make([]string, 78)
	for i := range ids {
		ids[i] = faker.UUIDHyphenated()
		require.NoError(t, srv.Seed(api.SeedTranscript{ID: ids[i]}))
	}
	bad := []struct{ key, path string }{
		{"wrong-key", "/v2/transcript"},
		{"wrong-key", "/v2/transcript/" + ids[0]},
		{"", "/v2/transcript/" + faker.UUIDHyphenated()},
		{testKey, "/v2/transcript/unknown-id"},
		{testKey, "/v2/transcript"},
	}
	for n := range flood {
		if n%(flood/len(ids)) == 0 && n/(flood/len(ids)) < len(ids) {
			id := ids[n/(flood/len(ids))]
			require.Equal(t, http.StatusOK, serve(srv, testKey, http.MethodGet, "/v2/transcript/"+id, "").Code)
		}
		b := bad[n%len(bad)]
		serve(srv, b.key, http.MethodGet, b.path, "")
	}
	require.Greater(t, srv.DroppedCalls(), flood-2*maxCalls, "the flood overflowed the log")
	assert.Zero(t, srv.DroppedKnownCalls(), "no call concerning a known transcript was dropped")
	for _, id := range ids {
		fetched := slices.ContainsFunc(srv.Calls(id), func(c api.Call) bool {
			return c.Method == http.MethodGet && c.Path == "/v2/transcript/"+id && c.Authorized && c.Status == http.StatusOK
		})
		assert.True(t, fetched, "the receiver's fetch of %s is still in the log", id)
	}
	var wrongKey int
	for _, c := range srv.Calls(ids[0]) {
		if !c.Authorized {
			wrongKey++
		}
	}
	assert.Positive(t, wrongKey, "a wrong-key call on a known transcript is evidence too (ModeWrongKey)")
	assert.LessOrEqual(t, len(srv.Calls("")), 2*maxCalls, "both logs stay bounded")
}

// The order of answers survives the split into two logs: Calls("") merges
// them.
func TestCallLogMergesItsLogsInOrder(t *testing.T) {
	srv, err := api.New(api.Config{APIKey: testKey, BaseURL: "http://api.test"})
	require.NoError(t, err)
	require.NoError(t, srv.Seed(api.SeedTranscript{ID: "known"}))
	var want []string
	for i := range 6 {
		p := "/v2/transcript/known"
		if i%2 == 1 {
			p = "/v2/transcript/unknown-" + string(rune('a'+i))
		}
		serve(srv, testKey, http.MethodGet, p, "")
		want = append(want, p)
	}
	var got []string
	for _, c := range srv.Calls("") {
		got = append(got, c.Path)
	}
	assert.Equal(t, want, got)
}
