package inspect_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/inspect"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

const token = "test-token-0123456789"

func newInspector(t *testing.T, o inspect.Options) *inspect.Inspector {
	t.Helper()
	if o.Mode == "" {
		o.Mode = inspect.ModeAPI
	}
	if o.Token == "" {
		o.Token = token
	}
	in, err := inspect.New(o)
	require.NoError(t, err)
	return in
}

// get serves one request on in with the token as a Bearer header.
func get(t *testing.T, in http.Handler, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	in.ServeHTTP(w, r)
	return w
}

func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &v), w.Body.String())
	return v
}

// record makes a serve-api delivery record of transcript tid whose
// attempts got codes; outcome empty means it is still running.
func record(tid, id string, at time.Time, outcome webhook.Outcome, codes ...int) api.DeliveryRecord {
	d := &webhook.Delivery{ID: id, Target: "http://127.0.0.1:1/hook", StartedAt: at, Outcome: outcome,
		Notification: webhook.Notification{Kind: webhook.KindTranscript, TranscriptID: tid, Status: "completed"},
		Policy:       webhook.PolicySummary{MaxAttempts: 10, TimeoutMS: 10000}}
	for i, c := range codes {
		a := webhook.Attempt{Number: i + 1, StartedAt: at.Add(time.Duration(i) * 11 * time.Second), Duration: 40 * time.Millisecond, StatusCode: c}
		if outcome == "" || i+1 < len(codes) {
			a.WaitAfter = 10 * time.Second
		}
		d.Attempts = append(d.Attempts, a)
	}
	if outcome != "" {
		d.EndedAt = at.Add(time.Minute)
	}
	return api.DeliveryRecord{TranscriptID: tid, Delivery: d}
}

func TestTokenOriginAndHeaders(t *testing.T) {
	in := newInspector(t, inspect.Options{})
	serve := func(path string, mod func(r *http.Request)) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Host = "127.0.0.1:9999"
		mod(r)
		w := httptest.NewRecorder()
		in.ServeHTTP(w, r)
		return w
	}
	cases := []struct {
		name string
		path string
		mod  func(r *http.Request)
		want int
	}{
		{"no token", "/api/deliveries", func(*http.Request) {}, http.StatusForbidden},
		{"no token, page", "/", func(*http.Request) {}, http.StatusForbidden},
		{"wrong bearer", "/api/deliveries", func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope-nope-nope") }, http.StatusForbidden},
		{"wrong cookie", "/api/deliveries", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "hookcheck_inspector_9999", Value: "x" + token}) }, http.StatusForbidden},
		{"wrong query", "/?token=abc", func(*http.Request) {}, http.StatusForbidden},
		{"bearer", "/api/deliveries", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }, http.StatusOK},
		{"another port's cookie", "/api/deliveries", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "hookcheck_inspector_8888", Value: token}) }, http.StatusForbidden},
		{"cookie", "/api/deliveries", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "hookcheck_inspector_9999", Value: token}) }, http.StatusOK},
		{"query on the page redirects", "/?token=" + token, func(*http.Request) {}, http.StatusSeeOther},
		{"other origin", "/api/deliveries", func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+token)
			r.Header.Set("Origin", "http://evil.example")
		}, http.StatusForbidden},
		{"same origin", "/api/deliveries", func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+token)
			r.Header.Set("Origin", "http://127.0.0.1:9999")
		}, http.StatusOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := serve(c.path, c.mod)
			assert.Equal(t, c.want, w.Code, w.Body.String())
			csp := w.Header().Get("Content-Security-Policy")
			assert.Contains(t, csp, "default-src 'none'")
			assert.Contains(t, csp, "script-src 'self'")
			assert.NotContains(t, csp, "unsafe")
			assert.Equal(t, "no-referrer", w.Header().Get("Referrer-Policy"))
			if c.want == http.StatusSeeOther {
				assert.Equal(t, "/", w.Header().Get("Location"))
				ck := w.Result().Cookies()
				require.Len(t, ck, 1)
				assert.Equal(t, token, ck[0].Value)
				assert.True(t, ck[0].HttpOnly)
				assert.Equal(t, http.SameSiteStrictMode, ck[0].SameSite)
			}
		})
	}
}

func TestNewDrawsARandomToken(t *testing.T) {
	a, err := inspect.New(inspect.Options{Mode: inspect.ModeAPI})
	require.NoError(t, err)
	b, err := inspect.New(inspect.Options{Mode: inspect.ModeAPI})
	require.NoError(t, err)
	addr := &fakeAddr{"127.0.0.1:1"}
	assert.NotEqual(t, a.URL(addr), b.URL(addr))
	u, err := url.Parse(a.URL(addr))
	require.NoError(t, err)
	assert.Len(t, u.Query().Get("token"), 48)
	_, err = inspect.New(inspect.Options{Mode: inspect.ModeAPI, Token: "short"})
	assert.Error(t, err)
}

type fakeAddr struct{ s string }

func (f *fakeAddr) Network() string { return "tcp" }
func (f *fakeAddr) String() string  { return f.s }

func TestCheckAddr(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:0", "[::1]:8080", "localhost:1", "127.3.4.5:80"} {
		assert.NoError(t, inspect.CheckAddr(ok, false), ok)
	}
	for _, bad := range []string{"0.0.0.0:8080", ":8080", "192.168.1.4:80", "[::]:1"} {
		assert.ErrorContains(t, inspect.CheckAddr(bad, false), "--ui-token", bad)
		assert.NoError(t, inspect.CheckAddr(bad, true), bad)
	}
	assert.Error(t, inspect.CheckAddr("nonsense", true))
}

func TestListNewestFirstFilteredAndPaged(t *testing.T) {
	in := newInspector(t, inspect.Options{})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 25 {
		tid := fmt.Sprintf("t%02d", i)
		switch i % 3 {
		case 0:
			in.ObserveDelivery(record(tid, "d"+tid, t0, webhook.Delivered, 500, 200))
		case 1:
			in.ObserveDelivery(record(tid, "d"+tid, t0, webhook.Rejected, 404))
		default:
			in.ObserveDelivery(record(tid, "d"+tid, t0, "", 500, 503))
		}
	}
	p := decode[inspect.Page](t, get(t, in, http.MethodGet, "/api/deliveries?limit=10", ""))
	assert.Equal(t, 25, p.Total)
	require.Len(t, p.Deliveries, 10)
	assert.Equal(t, "t24", p.Deliveries[0].TranscriptID, "newest first")
	var all []string
	for {
		for _, r := range p.Deliveries {
			all = append(all, r.TranscriptID)
		}
		if p.Next == 0 {
			break
		}
		p = decode[inspect.Page](t, get(t, in, http.MethodGet, fmt.Sprintf("/api/deliveries?limit=10&before=%d", p.Next), ""))
	}
	require.Len(t, all, 25)
	assert.Equal(t, "t00", all[24])

	rej := decode[inspect.Page](t, get(t, in, http.MethodGet, "/api/deliveries?status=rejected", ""))
	assert.Equal(t, 8, rej.Total)
	for _, r := range rej.Deliveries {
		assert.Equal(t, inspect.Rejected, r.Status)
		assert.Equal(t, "4xx ended it", r.Outcome)
	}
	one := decode[inspect.Page](t, get(t, in, http.MethodGet, "/api/deliveries?transcript_id=t05", ""))
	require.Len(t, one.Deliveries, 1)
	r := one.Deliveries[0]
	assert.Equal(t, inspect.Retrying, r.Status)
	assert.Equal(t, 2, r.Attempts)
	assert.Equal(t, 10, r.MaxAttempts)
	assert.Equal(t, "503", r.Answer)
	require.NotNil(t, r.NextAttemptAt)
	assert.Equal(t, t0.Add(11*time.Second+40*time.Millisecond+10*time.Second), *r.NextAttemptAt)
	ack := decode[inspect.Page](t, get(t, in, http.MethodGet, "/api/deliveries?transcript_id=t03", "")).Deliveries[0]
	assert.Equal(t, "acknowledged", ack.Outcome)
	assert.Nil(t, ack.NextAttemptAt)

	assert.Equal(t, http.StatusBadRequest, get(t, in, http.MethodGet, "/api/deliveries?limit=0", "").Code)
	assert.Equal(t, http.StatusBadRequest, get(t, in, http.MethodGet, "/api/deliveries?before=x", "").Code)
}

func TestStaleSnapshotDoesNotGoBack(t *testing.T) {
	in := newInspector(t, inspect.Options{})
	t0 := time.Now()
	in.ObserveDelivery(record("t", "d", t0, "", 500))
	in.ObserveDelivery(record("t", "d", t0, "")) // the submission's snapshot, late
	r := decode[inspect.Page](t, get(t, in, http.MethodGet, "/api/deliveries", "")).Deliveries[0]
	assert.Equal(t, 1, r.Attempts)
	assert.Equal(t, inspect.Retrying, r.Status)
}

func TestWindowKeepsTheNewest(t *testing.T) {
	in := newInspector(t, inspect.Options{MaxRows: 3})
	for i := range 5 {
		in.ObserveDelivery(record(fmt.Sprint(i), fmt.Sprint("d", i), time.Now(), webhook.Delivered, 200))
	}
	p := decode[inspect.Page](t, get(t, in, http.MethodGet, "/api/deliveries", ""))
	assert.Equal(t, 3, p.Total)
	assert.Equal(t, 2, p.Evicted)
	assert.Equal(t, "4", p.Deliveries[0].TranscriptID)
	assert.Equal(t, "2", p.Deliveries[2].TranscriptID)
	rows, _, _, _ := in.Stats()
	assert.Equal(t, 3, rows)
}

// TestEventStream reads the stream as a page does: the row of a delivery
// arrives as an SSE "row" event as soon as it is observed.
func TestEventStream(t *testing.T) {
	in := newInspector(t, inspect.Options{})
	srv := httptest.NewServer(in)
	defer srv.Close()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/api/events", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	br := bufio.NewReader(resp.Body)
	readUntil := func(prefix string) string {
		for {
			line, err := br.ReadString('\n')
			require.NoError(t, err)
			if strings.HasPrefix(line, prefix) {
				return strings.TrimSpace(strings.TrimPrefix(line, prefix))
			}
		}
	}
	readUntil(": open")
	in.ObserveDelivery(record("tx", "dx", time.Now(), "", 500))
	assert.Equal(t, "row", readUntil("event: "))
	var r inspect.Row
	require.NoError(t, json.Unmarshal([]byte(readUntil("data: ")), &r))
	assert.Equal(t, "tx", r.TranscriptID)
	assert.Equal(t, 1, r.Attempts)
}

// TestSlowPageIsDropped: a page that does not read its stream is dropped
// once its buffer is full, never buffered without bound, and the others
// keep theirs.
func TestSlowPageIsDropped(t *testing.T) {
	in := newInspector(t, inspect.Options{EventBuffer: 4, MaxPages: 2})
	srv := httptest.NewServer(in)
	defer srv.Close()
	open := func(ctx context.Context) *http.Response {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/events", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		return resp
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	a, b := open(ctx), open(ctx)
	defer a.Body.Close()
	defer b.Body.Close()
	_, _, pages, _ := in.Stats()
	require.Equal(t, 2, pages)
	third := open(ctx)
	assert.Equal(t, http.StatusServiceUnavailable, third.StatusCode, "at most MaxPages streams")
	third.Body.Close()
	// Neither page reads: far more events than the buffer make the hub
	// drop both, whatever the socket buffers hold.
	for i := range 5000 {
		in.ObserveDelivery(record(fmt.Sprint(i), fmt.Sprint("d", i), time.Now(), webhook.Delivered, 200))
	}
	_, _, pages, dropped := in.Stats()
	assert.Equal(t, 0, pages)
	assert.Equal(t, 2, dropped)
	// A dropped page's stream ends; it reconnects and reloads.
	_, err := io.Copy(io.Discard, a.Body)
	assert.NoError(t, err)
}
