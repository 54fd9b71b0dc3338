package receiver_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-faker/faker/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// build makes the named behaviour for e.
func build(t *testing.T, e *env, name string, p receiver.Params) http.Handler {
	t.Helper()
	b, err := receiver.Lookup(name)
	require.NoError(t, err)
	return b.New(e.cfg, p)
}

// flawCase shows one flaw: requests sent in order, and the answers of the
// flawed receiver and of the compliant one to the same requests. Their
// difference is the flaw; that a plain delivery still gets 200 shows it is
// the only one.
type flawCase struct {
	params     receiver.Params
	requests   func(e *env) []*http.Request
	flawed     []int
	compliant  []int
	plainNotOK bool // the flaw touches every delivery (redirects, wrong-path)
	waits      []time.Duration
}

func one(f func(e *env) *http.Request) func(e *env) []*http.Request {
	return func(e *env) []*http.Request { return []*http.Request{f(e)} }
}

func flawCases() map[string]flawCase {
	id := faker.UUIDHyphenated()
	ok, bad := http.StatusOK, http.StatusBadRequest
	malformed := func(e *env) []*http.Request {
		return []*http.Request{
			e.delivery(hookPath, `{"transcript_id":`),
			e.delivery(hookPath, ""),
			e.delivery(hookPath, `{"status":"completed"}`),
		}
	}
	return map[string]flawCase{
		"error-500-on-error-status": {
			requests: one(func(e *env) *http.Request { return e.delivery(hookPath, transcript(id, "error")) }),
			flawed:   []int{500}, compliant: []int{ok},
		},
		"slow-ack": {
			requests: one(func(e *env) *http.Request { return e.delivery(hookPath, transcript(id, "completed")) }),
			flawed:   []int{ok}, compliant: []int{ok},
			waits: []time.Duration{receiver.DefaultSlowAckDelay},
		},
		"conflict-on-redelivery": {
			requests: func(e *env) []*http.Request {
				return []*http.Request{e.delivery(hookPath, transcript(id, "completed")), e.delivery(hookPath, transcript(id, "completed"))}
			},
			flawed: []int{ok, http.StatusConflict}, compliant: []int{ok, ok},
		},
		"rejects-query-params": {
			requests: one(func(e *env) *http.Request {
				return e.delivery(hookPath+"?customer_id=1234", transcript(id, "completed"))
			}),
			flawed: []int{bad}, compliant: []int{ok},
		},
		"strict-fields": {
			requests: func(e *env) []*http.Request {
				return []*http.Request{
					e.delivery(hookPath, `{"transcript_id":"`+id+`","status":"completed","language":"en"}`),
					e.delivery(hookPath, redacted()), // its own fields are not "extra"
				}
			},
			flawed: []int{bad, ok}, compliant: []int{ok, ok},
		},
		"crash-on-redacted-audio": {
			requests: one(func(e *env) *http.Request { return e.delivery(hookPath, redacted()) }),
			flawed:   []int{500}, compliant: []int{ok},
		},
		"accepts-malformed":  {requests: malformed, flawed: []int{ok, ok, ok}, compliant: []int{bad, bad, bad}},
		"crash-on-malformed": {requests: malformed, flawed: []int{500, 500, 500}, compliant: []int{bad, bad, bad}},
		"accepts-forged-auth": {
			requests: func(e *env) []*http.Request {
				missing := e.delivery(hookPath, transcript(id, "completed"))
				missing.Header.Del(authHeader)
				wrong := e.delivery(hookPath, transcript(faker.UUIDHyphenated(), "completed"))
				wrong.Header.Set(authHeader, faker.Password())
				return []*http.Request{missing, wrong}
			},
			flawed: []int{ok, ok}, compliant: []int{http.StatusUnauthorized, http.StatusForbidden},
		},
		"auth-500": {
			requests: func(e *env) []*http.Request {
				missing := e.delivery(hookPath, transcript(id, "completed"))
				missing.Header.Del(authHeader)
				wrong := e.delivery(hookPath, transcript(id, "completed"))
				wrong.Header.Set(authHeader, faker.Password())
				return []*http.Request{missing, wrong}
			},
			flawed: []int{500, 500}, compliant: []int{http.StatusUnauthorized, http.StatusForbidden},
		},
		"no-allowlist": {
			requests: one(func(e *env) *http.Request {
				return withXFF(e.delivery(hookPath, transcript(id, "completed")), otherAddr)
			}),
			flawed: []int{ok}, compliant: []int{http.StatusForbidden},
		},
		"crash-without-xff": {
			requests: one(func(e *env) *http.Request { return withXFF(e.delivery(hookPath, transcript(id, "completed")), "") }),
			flawed:   []int{500}, compliant: []int{http.StatusForbidden},
		},
		"us-only-allowlist": {
			requests: one(func(e *env) *http.Request { return withXFF(e.delivery(hookPath, transcript(id, "completed")), euAddr) }),
			flawed:   []int{http.StatusForbidden}, compliant: []int{ok},
		},
		"rate-limited": {
			// One at a time stays under the limit; TestRateLimitedBurst
			// shows the 429s.
			requests: one(func(e *env) *http.Request { return e.delivery(hookPath, transcript(id, "completed")) }),
			flawed:   []int{ok}, compliant: []int{ok},
			waits: []time.Duration{50 * time.Millisecond},
		},
		"redirects": {
			requests: one(func(e *env) *http.Request { return e.delivery(hookPath+"?a=1", transcript(id, "completed")) }),
			flawed:   []int{http.StatusTemporaryRedirect}, compliant: []int{ok}, plainNotOK: true,
		},
		"accepts-any-method": {
			requests: func(e *env) []*http.Request {
				get := httptest.NewRequest(http.MethodGet, hookPath, nil)
				put := e.delivery(hookPath, transcript(id, "completed"))
				put.Method = http.MethodPut
				return []*http.Request{get, put}
			},
			flawed: []int{ok, ok}, compliant: []int{http.StatusMethodNotAllowed, http.StatusMethodNotAllowed},
		},
		"wrong-path": {
			requests: func(e *env) []*http.Request {
				return []*http.Request{e.delivery(hookPath, transcript(id, "completed")), e.delivery("/webhook-v2", transcript(id, "completed"))}
			},
			flawed: []int{http.StatusNotFound, ok}, compliant: []int{ok, http.StatusNotFound}, plainNotOK: true,
		},
	}
}

// bluntCases checks the engine-test behaviours and compliant.
func bluntCases() map[string]func(t *testing.T) {
	plain := func(e *env) *http.Request {
		return e.delivery(hookPath, transcript(faker.UUIDHyphenated(), "completed"))
	}
	return map[string]func(t *testing.T){
		"compliant": func(t *testing.T) {
			e := newEnv(t)
			assert.Equal(t, []int{200}, statuses(build(t, e, "compliant", receiver.Params{}), plain(e)))
		},
		"status": func(t *testing.T) {
			e := newEnv(t)
			assert.Equal(t, []int{500, 500}, statuses(build(t, e, "status", receiver.Params{}), plain(e), plain(e)))
			assert.Equal(t, []int{503}, statuses(build(t, e, "status", receiver.Params{Status: 503}), plain(e)))
		},
		"fail-first": func(t *testing.T) {
			e := newEnv(t)
			h := build(t, e, "fail-first", receiver.Params{})
			assert.Equal(t, []int{500, 500, 500, 200, 200}, statuses(h, plain(e), plain(e), plain(e), plain(e), plain(e)))
			h = build(t, e, "fail-first", receiver.Params{Status: 404, FailFirst: 1})
			assert.Equal(t, []int{404, 200}, statuses(h, plain(e), plain(e)))
		},
		"delay": func(t *testing.T) {
			e := newEnv(t)
			assert.Equal(t, []int{200}, statuses(build(t, e, "delay", receiver.Params{Delay: 9900 * time.Millisecond}), plain(e)))
			assert.Equal(t, []time.Duration{9900 * time.Millisecond}, e.sleeps())
		},
		"hang": func(t *testing.T) {
			e := newEnv(t)
			ctx, cancel := context.WithCancel(t.Context())
			cancel() // the client already left: hang must return, not block
			serve(build(t, e, "hang", receiver.Params{}), plain(e).WithContext(ctx))
			got := e.inbox.Requests()
			require.Len(t, got, 1)
			assert.Zero(t, got[0].Status, "no answer")
		},
		"redirect": func(t *testing.T) {
			e := newEnv(t)
			w := serve(build(t, e, "redirect", receiver.Params{}), e.delivery(hookPath+"?a=1", "{}"))
			assert.Equal(t, http.StatusFound, w.Code)
			assert.Equal(t, hookPath+"?a=1", w.Header().Get("Location"))
			w = serve(build(t, e, "redirect", receiver.Params{Location: "https://example.test/x"}), plain(e))
			assert.Equal(t, "https://example.test/x", w.Header().Get("Location"))
		},
	}
}

func TestEveryBehaviourBehavesAsDescribed(t *testing.T) {
	flaws, blunt := flawCases(), bluntCases()
	for name, check := range fetchCases() {
		blunt[name] = check
	}
	for name, check := range sessionCases() {
		blunt[name] = check
	}
	for name, check := range loadCases() {
		blunt[name] = check
	}
	for _, b := range receiver.Behaviours() {
		t.Run(b.Name, func(t *testing.T) {
			assert.NotEmpty(t, b.Description)
			if b.Name != "compliant" && b.Name != "queue-first" { // queue-first is RC-11's remediation
				assert.NotEmpty(t, b.Violates)
			}
			if check, ok := blunt[b.Name]; ok {
				check(t)
				return
			}
			fc, ok := flaws[b.Name]
			require.True(t, ok, "behaviour %q has no test case", b.Name)

			e := newEnv(t)
			assert.Equal(t, fc.flawed, statuses(b.New(e.cfg, fc.params), fc.requests(e)...), "flawed")
			assert.Equal(t, fc.waits, e.sleeps(), "waits")
			c := newEnv(t)
			assert.Equal(t, fc.compliant, statuses(receiver.NewCompliant(c.cfg), fc.requests(c)...), "compliant")

			if !fc.plainNotOK {
				p := newEnv(t)
				d := p.delivery(hookPath, transcript(faker.UUIDHyphenated(), "completed"))
				assert.Equal(t, http.StatusOK, serve(b.New(p.cfg, fc.params), d).Code, "a plain delivery")
			}
		})
	}
	names := map[string]bool{}
	for _, b := range receiver.Behaviours() {
		names[b.Name] = true
	}
	for name := range flaws {
		assert.True(t, names[name], "case %q has no behaviour", name)
	}
	for name := range blunt {
		assert.True(t, names[name], "case %q has no behaviour", name)
	}
}

func TestLookup(t *testing.T) {
	b, err := receiver.Lookup("slow-ack")
	require.NoError(t, err)
	assert.Equal(t, "slow-ack", b.Name)

	_, err = receiver.Lookup("sluggish")
	require.ErrorIs(t, err, receiver.ErrUnknownBehaviour)
	assert.ErrorContains(t, err, `"sluggish"`)
	for _, b := range receiver.Behaviours() {
		assert.ErrorContains(t, err, b.Name)
	}
}

func TestBehavioursHaveUniqueNames(t *testing.T) {
	seen := map[string]bool{}
	for _, b := range receiver.Behaviours() {
		assert.False(t, seen[b.Name], "duplicate %q", b.Name)
		seen[b.Name] = true
		require.NotNil(t, b.New, b.Name)
	}
}

func TestHangEndsWhenTheClientCancels(t *testing.T) {
	e := newEnv(t)
	h := build(t, e, "hang", receiver.Params{})
	returned := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(returned)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+hookPath,
		strings.NewReader(transcript(faker.UUIDHyphenated(), "completed")))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		resp, err := srv.Client().Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		done <- err
	}()

	require.Eventually(t, func() bool { return e.inbox.Len() == 1 }, 5*time.Second, time.Millisecond)
	select {
	case <-returned:
		t.Fatal("hang answered before the client left")
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("hang still running after the client left")
	}
	assert.Zero(t, e.inbox.Requests()[0].Status)
}

// TestNeedsAPIMarksTheFetchingBehaviours: a behaviour marked NeedsAPI is
// one whose description says it acts with Config.API, and every such one
// is marked, so the CLI refuses each of them without an API.
func TestNeedsAPIMarksTheFetchingBehaviours(t *testing.T) {
	for _, b := range receiver.Behaviours() {
		assert.Equal(t, strings.HasPrefix(b.Description, "with Config.API:"), b.NeedsAPI, b.Name)
	}
}
