package receiver_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-faker/faker/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// handlerTransport answers a client's requests with an in-process handler.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	t.h.ServeHTTP(w, r)
	return w.Result(), nil
}

const fetchKey = "receiver-test-key"

// withAPI gives e's receivers an emulated API holding transcript id in
// status with fault f, and returns the API.
func withAPI(t *testing.T, e *env, id string, status api.Status, f api.Fault) *api.Server {
	t.Helper()
	srv, err := api.New(api.Config{APIKey: fetchKey, BaseURL: "http://api.test"})
	require.NoError(t, err)
	require.NoError(t, srv.Seed(api.SeedTranscript{ID: id, Status: status, Fault: f}))
	e.cfg.API = &receiver.API{BaseURL: "http://api.test", Key: fetchKey, Client: &http.Client{Transport: handlerTransport{srv}}}
	return srv
}

// fetchRun serves the deliveries of transcript id to the behaviour called
// name (in a synctest bubble, so that its background fetches end before
// the calls are read) and returns the statuses answered and the API's
// calls.
func fetchRun(t *testing.T, name string, f api.Fault, deliveries int) ([]int, []api.Call) {
	t.Helper()
	return fetchRunStatus(t, name, "completed", f, deliveries)
}

// fetchRunStatus is fetchRun for a transcript in status ("completed" or
// "error"), which its notifications announce.
func fetchRunStatus(t *testing.T, name, status string, f api.Fault, deliveries int) ([]int, []api.Call) {
	t.Helper()
	var (
		codes []int
		calls []api.Call
	)
	synctest.Test(t, func(t *testing.T) {
		id := faker.UUIDHyphenated()
		e := newEnv(t)
		srv := withAPI(t, e, id, api.Status(status), f)
		var h http.Handler
		if name == "compliant" {
			h = receiver.NewCompliant(e.cfg)
		} else {
			h = build(t, e, name, receiver.Params{})
		}
		for range deliveries {
			codes = append(codes, serve(h, e.delivery(hookPath, transcript(id, status))).Code)
		}
		synctest.Wait()
		calls = srv.Calls(id)
	})
	return codes, calls
}

func callStatuses(calls []api.Call) []int {
	out := []int{}
	for _, c := range calls {
		out = append(out, c.Status)
	}
	return out
}

// fetchCases shows each fetching flaw beside the compliant receiver, which
// acknowledges first and fetches afterwards with its own retries.
func fetchCases() map[string]func(t *testing.T) {
	failOnce := func(status int) api.Fault { return api.Fault{Status: status, Times: 1} }
	return map[string]func(t *testing.T){
		"fetch-before-ack": func(t *testing.T) {
			codes, calls := fetchRun(t, "fetch-before-ack", failOnce(500), 2)
			assert.Equal(t, []int{500, 200}, codes, "answers after the fetch: 500 while the API fails")
			assert.Equal(t, []int{500, 200}, callStatuses(calls))
			codes, calls = fetchRun(t, "compliant", failOnce(500), 2)
			assert.Equal(t, []int{200, 200}, codes, "compliant acknowledges first")
			assert.Equal(t, []int{500, 200}, callStatuses(calls), "and retries its fetch")
		},
		"passes-api-status": func(t *testing.T) {
			codes, _ := fetchRun(t, "passes-api-status", failOnce(429), 2)
			assert.Equal(t, []int{429, 200}, codes, "the API's 429 becomes its own")
			codes, _ = fetchRun(t, "compliant", failOnce(429), 2)
			assert.Equal(t, []int{200, 200}, codes)
		},
		"never-fetches": func(t *testing.T) {
			codes, calls := fetchRun(t, "never-fetches", api.Fault{}, 1)
			assert.Equal(t, []int{200}, codes)
			assert.Empty(t, calls)
			_, calls = fetchRun(t, "compliant", api.Fault{}, 1)
			assert.Equal(t, []int{200}, callStatuses(calls), "compliant fetches once")
		},
		"fetches-completed-only": func(t *testing.T) {
			codes, calls := fetchRunStatus(t, "fetches-completed-only", "error", api.Fault{}, 1)
			assert.Equal(t, []int{200}, codes)
			assert.Empty(t, calls, "an error transcript is never fetched")
			_, calls = fetchRunStatus(t, "fetches-completed-only", "completed", api.Fault{}, 1)
			assert.Equal(t, []int{200}, callStatuses(calls), "a completed one is")
			_, calls = fetchRunStatus(t, "compliant", "error", api.Fault{}, 1)
			assert.Equal(t, []int{200}, callStatuses(calls), "compliant fetches an error transcript to read its error")
		},
		"fetch-no-retry": func(t *testing.T) {
			failTwice := api.Fault{Status: 500, Times: 2}
			codes, calls := fetchRun(t, "fetch-no-retry", failTwice, 1)
			assert.Equal(t, []int{200}, codes, "acknowledges first")
			assert.Equal(t, []int{500}, callStatuses(calls), "one fetch, never retried")
			codes, calls = fetchRun(t, "compliant", failTwice, 1)
			assert.Equal(t, []int{200}, codes)
			assert.Equal(t, []int{500, 500, 200}, callStatuses(calls), "compliant retries until it succeeds")
			_, calls = fetchRun(t, "fetch-no-retry", api.Fault{}, 1)
			assert.Equal(t, []int{200}, callStatuses(calls), "a working API gets its one fetch")
		},
		"generic-500": func(t *testing.T) {
			codes, calls := fetchRun(t, "generic-500", failOnce(500), 2)
			assert.Equal(t, []int{500, 200}, codes, "fetches before answering: 500 while the API fails")
			assert.Equal(t, []int{500, 200}, callStatuses(calls))
			// Without an API to fetch from, every unhandled error answers
			// the same 500 body: the failed fetch of a valid
			// notification, invalid JSON, a body without transcript_id.
			e := newEnv(t)
			h := build(t, e, "generic-500", receiver.Params{})
			var bodies []string
			for _, r := range []*http.Request{
				e.delivery(hookPath, transcript(faker.UUIDHyphenated(), "completed")),
				e.delivery(hookPath, `{"transcript_id":`),
				e.delivery(hookPath, redacted()),
			} {
				w := serve(h, r)
				assert.Equal(t, http.StatusInternalServerError, w.Code)
				bodies = append(bodies, w.Body.String())
			}
			assert.Equal(t, []string{"Internal Server Error\n", "Internal Server Error\n", "Internal Server Error\n"}, bodies)
			get := httptest.NewRequest(http.MethodGet, hookPath, nil)
			assert.Equal(t, http.StatusMethodNotAllowed, serve(h, get).Code, "the framework answers another method")
			forged := e.delivery(hookPath, transcript(faker.UUIDHyphenated(), "completed"))
			forged.Header.Del(authHeader)
			assert.Equal(t, http.StatusUnauthorized, serve(h, forged).Code, "its auth check runs first")
		},
		"single-thread-fetch": func(t *testing.T) {
			// While the fetch of one transcript is held for 15 s, another
			// notification waits for it: no other request is served.
			assert.Equal(t, 15*time.Second, heldBehind(t, "single-thread-fetch"), "stalled behind the slow fetch")
			assert.Zero(t, heldBehind(t, "fetch-before-ack"), "one slow fetch holds only its own request")
			assert.Zero(t, heldBehind(t, "compliant"))
			codes, calls := fetchRun(t, "single-thread-fetch", failOnce(500), 2)
			assert.Equal(t, []int{500, 200}, codes, "fetches before answering")
			assert.Equal(t, []int{500, 200}, callStatuses(calls))
		},
		"fetch-wrong-key": func(t *testing.T) {
			codes, calls := fetchRun(t, "fetch-wrong-key", api.Fault{}, 1)
			assert.Equal(t, []int{200}, codes)
			require.NotEmpty(t, calls)
			for _, c := range calls {
				assert.False(t, c.Authorized)
				assert.Equal(t, http.StatusUnauthorized, c.Status)
			}
			_, calls = fetchRun(t, "compliant", api.Fault{}, 1)
			require.Len(t, calls, 1)
			assert.True(t, calls[0].Authorized)
		},
	}
}

// heldBehind delivers a notification whose transcript fetch the API holds
// for 15 s to the behaviour called name and, once that fetch is held,
// another notification; it returns how long the second one took.
func heldBehind(t *testing.T, name string) time.Duration {
	t.Helper()
	var took time.Duration
	synctest.Test(t, func(t *testing.T) {
		slow, other := faker.UUIDHyphenated(), faker.UUIDHyphenated()
		e := newEnv(t)
		srv := withAPI(t, e, slow, api.StatusCompleted, api.Fault{Delay: 15 * time.Second})
		require.NoError(t, srv.Seed(api.SeedTranscript{ID: other}))
		h := build(t, e, name, receiver.Params{})
		go serve(h, e.delivery(hookPath, transcript(slow, "completed")))
		synctest.Wait()
		require.Equal(t, 1, srv.Held(slow), "the first fetch is held")
		start := time.Now()
		w := serve(h, e.delivery(hookPath, transcript(other, "completed")))
		took = time.Since(start)
		assert.Equal(t, http.StatusOK, w.Code)
		srv.Release(slow)
		synctest.Wait()
	})
	return took
}
