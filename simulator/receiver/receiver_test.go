package receiver_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/go-faker/faker/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

func TestCompliantProcessesFirstDeliveryOnce(t *testing.T) {
	e := newEnv(t)
	rc := receiver.NewCompliant(e.cfg)
	id := faker.UUIDHyphenated()

	first := serve(rc, e.delivery(hookPath, transcript(id, "completed")))
	assert.Equal(t, http.StatusOK, first.Code)
	assert.Equal(t, 1, rc.Inbox().Processed(id))

	again := serve(rc, e.delivery(hookPath, transcript(id, "completed")))
	assert.Equal(t, http.StatusOK, again.Code, "a redelivery is acknowledged (D-4)")
	assert.Equal(t, 1, rc.Inbox().Processed(id), "a redelivery is not processed again")

	errID := faker.UUIDHyphenated()
	assert.Equal(t, http.StatusOK, serve(rc, e.delivery(hookPath, transcript(errID, "error"))).Code)
	assert.Equal(t, 1, e.inbox.Processed(errID))
}

func TestCompliantAnswers(t *testing.T) {
	id := faker.UUIDHyphenated()
	tests := []struct {
		name string
		req  func(e *env) *http.Request
		want int
	}{
		{"redacted audio without transcript_id", func(e *env) *http.Request { return e.delivery(hookPath, redacted()) }, http.StatusOK},
		{"unknown extra fields", func(e *env) *http.Request {
			return e.delivery(hookPath, `{"transcript_id":"`+id+`","status":"completed","language":"en"}`)
		}, http.StatusOK},
		{"query parameters kept", func(e *env) *http.Request {
			return e.delivery(hookPath+"?customer_id=1234&order_id=5678", transcript(id, "completed"))
		}, http.StatusOK},
		{"invalid JSON", func(e *env) *http.Request { return e.delivery(hookPath, `{"transcript_id":`) }, http.StatusBadRequest},
		{"empty body", func(e *env) *http.Request { return e.delivery(hookPath, "") }, http.StatusBadRequest},
		{"null body", func(e *env) *http.Request { return e.delivery(hookPath, "null") }, http.StatusBadRequest},
		{"array body", func(e *env) *http.Request { return e.delivery(hookPath, "[]") }, http.StatusBadRequest},
		{"missing transcript_id", func(e *env) *http.Request { return e.delivery(hookPath, `{"status":"completed"}`) }, http.StatusBadRequest},
		{"numeric transcript_id", func(e *env) *http.Request {
			return e.delivery(hookPath, `{"transcript_id":42,"status":"completed"}`)
		}, http.StatusBadRequest},
		{"unknown status", func(e *env) *http.Request { return e.delivery(hookPath, transcript(id, "queued")) }, http.StatusBadRequest},
		{"missing status", func(e *env) *http.Request { return e.delivery(hookPath, `{"transcript_id":"`+id+`"}`) }, http.StatusBadRequest},
		{"other path", func(e *env) *http.Request { return e.delivery("/other", transcript(id, "completed")) }, http.StatusNotFound},
		{"missing auth header", func(e *env) *http.Request {
			r := e.delivery(hookPath, transcript(id, "completed"))
			r.Header.Del(authHeader)
			return r
		}, http.StatusUnauthorized},
		{"wrong auth header", func(e *env) *http.Request {
			r := e.delivery(hookPath, transcript(id, "completed"))
			r.Header.Set(authHeader, e.secret+"x")
			return r
		}, http.StatusForbidden},
		{"EU source", func(e *env) *http.Request { return withXFF(e.delivery(hookPath, transcript(id, "completed")), euAddr) }, http.StatusOK},
		{"unlisted source", func(e *env) *http.Request {
			return withXFF(e.delivery(hookPath, transcript(id, "completed")), otherAddr)
		}, http.StatusForbidden},
		{"missing X-Forwarded-For", func(e *env) *http.Request {
			return withXFF(e.delivery(hookPath, transcript(id, "completed")), "")
		}, http.StatusForbidden},
		{"unparsable X-Forwarded-For", func(e *env) *http.Request {
			return withXFF(e.delivery(hookPath, transcript(id, "completed")), "not-an-ip")
		}, http.StatusForbidden},
		{"forged first X-Forwarded-For entry", func(e *env) *http.Request {
			return withXFF(e.delivery(hookPath, transcript(id, "completed")), usAddr+", "+otherAddr)
		}, http.StatusForbidden},
		{"proxy chain ending in AssemblyAI", func(e *env) *http.Request {
			return withXFF(e.delivery(hookPath, transcript(id, "completed")), otherAddr+", "+usAddr)
		}, http.StatusOK},
		{"body over 64 KiB", func(e *env) *http.Request {
			return e.delivery(hookPath, `{"status":"completed","pad":"`+strings.Repeat("x", receiver.DefaultMaxBodyBytes)+`"}`)
		}, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			assert.Equal(t, tt.want, serve(receiver.NewCompliant(e.cfg), tt.req(e)).Code)
		})
	}
}

// withXFF replaces X-Forwarded-For; empty removes it.
func withXFF(r *http.Request, xff string) *http.Request {
	r.Header.Del("X-Forwarded-For")
	if xff != "" {
		r.Header.Set("X-Forwarded-For", xff)
	}
	return r
}

func TestCompliantRejectsOtherMethods(t *testing.T) {
	e := newEnv(t)
	rc := receiver.NewCompliant(e.cfg)
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		r := e.delivery(hookPath, transcript(faker.UUIDHyphenated(), "completed"))
		r.Method = m
		w := serve(rc, r)
		assert.Equal(t, http.StatusMethodNotAllowed, w.Code, m)
		assert.Equal(t, http.MethodPost, w.Header().Get("Allow"), m)
	}
}

func TestCompliantSocketAllowlist(t *testing.T) {
	e := newEnv(t)
	e.cfg.Allowlist = &receiver.Allowlist{Mode: receiver.AllowlistSocket, Allowed: []netip.Addr{netip.MustParseAddr("127.0.0.2")}}
	rc := receiver.NewCompliant(e.cfg)

	bound := e.delivery(hookPath, transcript(faker.UUIDHyphenated(), "completed"))
	bound.RemoteAddr = "127.0.0.2:40123" // P-7: the sender dialed from 127.0.0.2
	assert.Equal(t, http.StatusOK, serve(rc, bound).Code)

	// X-Forwarded-For does not count in socket mode: anyone can send it.
	forged := e.delivery(hookPath, transcript(faker.UUIDHyphenated(), "completed"))
	assert.Equal(t, http.StatusForbidden, serve(rc, forged).Code)
}

func TestCompliantMaxBodyBytes(t *testing.T) {
	e := newEnv(t)
	e.cfg.MaxBodyBytes = 100
	rc := receiver.NewCompliant(e.cfg)
	id := faker.UUIDHyphenated()
	assert.Equal(t, http.StatusOK, serve(rc, e.delivery(hookPath, transcript(id, "completed"))).Code)
	big := `{"transcript_id":"` + id + `","status":"completed","pad":"` + strings.Repeat("x", 100) + `"}`
	assert.Equal(t, http.StatusRequestEntityTooLarge, serve(rc, e.delivery(hookPath, big)).Code)

	got := e.inbox.Requests()
	require.Len(t, got, 2)
	assert.Len(t, got[1].Body, 100)
	assert.True(t, got[1].BodyTruncated)
}

func TestCompliantConcurrentRedeliveriesProcessOnce(t *testing.T) {
	e := newEnv(t)
	rc := receiver.NewCompliant(e.cfg)
	id := faker.UUIDHyphenated()
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			assert.Equal(t, http.StatusOK, serve(rc, e.delivery(hookPath, transcript(id, "completed"))).Code)
		})
	}
	wg.Wait()
	assert.Equal(t, 1, e.inbox.Processed(id))
	assert.Equal(t, 50, e.inbox.Len())
}

func TestInboxRecordsRequestsAsReceived(t *testing.T) {
	e := newEnv(t)
	rc := receiver.NewCompliant(e.cfg)
	body := transcript(faker.UUIDHyphenated(), "completed")
	// An odd but valid query: order, repetition and escaping must survive (D-9).
	target := hookPath + "?order_id=5678&customer_id=1234&customer_id=%2Fx&flag"
	serve(rc, e.delivery(target, body))

	got := e.inbox.Requests()
	require.Len(t, got, 1)
	assert.Equal(t, http.MethodPost, got[0].Method)
	assert.Equal(t, hookPath, got[0].Path)
	assert.Equal(t, "order_id=5678&customer_id=1234&customer_id=%2Fx&flag", got[0].RawQuery)
	assert.Equal(t, target, got[0].RequestURI)
	assert.Equal(t, body, string(got[0].Body))
	assert.Equal(t, usAddr, got[0].Header.Get("X-Forwarded-For"))
	assert.Equal(t, "192.0.2.1:1234", got[0].RemoteAddr) // httptest.NewRequest's peer
	assert.Equal(t, http.StatusOK, got[0].Status)
	assert.False(t, got[0].Time.IsZero())

	// Accessors hand out copies.
	got[0].Header.Set("X-Forwarded-For", otherAddr)
	got[0].Body[0] = 'X'
	again := e.inbox.Requests()
	assert.Equal(t, usAddr, again[0].Header.Get("X-Forwarded-For"))
	assert.Equal(t, body, string(again[0].Body))

	e.inbox.Reset()
	assert.Empty(t, e.inbox.Requests())
}

func TestInboxResetForgetsProcessed(t *testing.T) {
	e := newEnv(t)
	rc := receiver.NewCompliant(e.cfg)
	id := faker.UUIDHyphenated()
	serve(rc, e.delivery(hookPath, transcript(id, "completed")))
	require.Equal(t, 1, e.inbox.Processed(id))
	e.inbox.Reset()
	assert.Equal(t, 0, e.inbox.Processed(id))
	serve(rc, e.delivery(hookPath, transcript(id, "completed")))
	assert.Equal(t, 1, e.inbox.Processed(id))
}

func TestCompliantNeverLogsTheSecret(t *testing.T) {
	e := newEnv(t)
	var logs bytes.Buffer
	e.cfg.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rc := receiver.NewCompliant(e.cfg)

	serve(rc, e.delivery(hookPath, transcript(faker.UUIDHyphenated(), "completed")))
	wrong := e.delivery(hookPath, transcript(faker.UUIDHyphenated(), "completed"))
	wrong.Header.Set(authHeader, e.secret+"-guess")
	serve(rc, wrong)

	require.NotEmpty(t, logs.String())
	assert.NotContains(t, logs.String(), e.secret)
}

func TestConfigValidate(t *testing.T) {
	assert.NoError(t, receiver.Config{}.Validate())
	err := receiver.Config{
		Path:           "hook",
		AuthHeaderName: "X Bad",
		Allowlist:      &receiver.Allowlist{Mode: "proxy"},
		MaxBodyBytes:   -1,
	}.Validate()
	require.Error(t, err)
	for _, want := range []string{`path "hook"`, "auth header", `unknown mode "proxy"`, "no allowed addresses", "max body bytes"} {
		assert.ErrorContains(t, err, want)
	}
}

func TestAssemblyAIAddresses(t *testing.T) {
	us, eu := netip.MustParseAddr(usAddr), netip.MustParseAddr(euAddr)
	assert.Equal(t, []netip.Addr{us, eu}, receiver.AssemblyAIAddresses())
	assert.Equal(t, []netip.Addr{eu}, receiver.AssemblyAIAddresses(webhook.RegionEU))
	assert.Equal(t, []netip.Addr{us}, receiver.AssemblyAIAddresses(webhook.RegionUS))
}

func TestCompliantOverRealServer(t *testing.T) {
	e := newEnv(t)
	e.cfg.Allowlist = &receiver.Allowlist{Mode: receiver.AllowlistSocket, Allowed: []netip.Addr{netip.MustParseAddr("127.0.0.1")}}
	srv := httptest.NewServer(receiver.NewCompliant(e.cfg))
	t.Cleanup(srv.Close)

	req, err := http.NewRequest(http.MethodPost, srv.URL+hookPath+"?customer_id=1234", strings.NewReader(transcript(faker.UUIDHyphenated(), "completed")))
	require.NoError(t, err)
	req.Header.Set(authHeader, e.secret)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	got := e.inbox.Requests()
	require.Len(t, got, 1)
	assert.Equal(t, hookPath+"?customer_id=1234", got[0].RequestURI)
}

// TestBoundedInboxKeepsAWindow: the receiver command's inbox keeps the
// latest MaxRequests requests and MaxIDs dedup ids, however many arrive
// (issue 11: an unbounded inbox reached 1 GB).
func TestBoundedInboxKeepsAWindow(t *testing.T) {
	in := receiver.NewBoundedInbox(receiver.InboxLimits{MaxRequests: 3, MaxIDs: 2})
	h := receiver.NewCompliant(receiver.Config{Inbox: in})
	deliver := func(id string) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/webhook",
			strings.NewReader(`{"transcript_id":"`+id+`","status":"completed"}`)))
		return rec.Code
	}
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		assert.Equal(t, http.StatusOK, deliver(id))
	}
	assert.Equal(t, 3, in.Len(), "only the last 3 requests are kept")
	assert.EqualValues(t, 5, in.Total())
	var bodies []string
	for _, r := range in.Requests() {
		bodies = append(bodies, string(r.Body))
	}
	require.Len(t, bodies, 3)
	assert.Contains(t, bodies[0], `"c"`, "oldest first")
	assert.Contains(t, bodies[2], `"e"`)
	assert.Equal(t, 1, in.Processed("e"))
	assert.Equal(t, 0, in.Processed("a"), "the oldest id is forgotten")
	assert.Equal(t, http.StatusOK, deliver("e"), "a recent redelivery is acknowledged")
	assert.Equal(t, 1, in.Processed("e"), "and not processed again")
}
