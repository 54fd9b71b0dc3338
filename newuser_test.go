package hookcheck_test

// Receivers written the way teams write them, independently of hookcheck's
// reference receivers, each with one of the bugs seen in public code. A new
// user pointing hookcheck at one must get a verdict that names the right
// requirement.

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

const secret = "s3cr3t-from-the-dashboard"

type payload struct {
	TranscriptID string `json:"transcript_id"`
	Status       string `json:"status"`
}

// readNotification is the validation most of these receivers share: POST
// only, a JSON body with transcript_id (or the redacted-audio status). It
// answers 405 or 400 itself and reports false when it did.
func readNotification(w http.ResponseWriter, r *http.Request) (payload, bool) {
	var p payload
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return p, false
	}
	if json.NewDecoder(r.Body).Decode(&p) != nil || (p.TranscriptID == "" && p.Status != "redacted_audio_ready") {
		w.WriteHeader(http.StatusBadRequest)
		return p, false
	}
	return p, true
}

// noChecks: the quick-start receiver from a blog post. Parses nothing,
// checks nothing, answers 200 to everything.
func noChecks() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Write([]byte("ok"))
	})
}

// alwaysFails: processes the transcript inline and a bug (here: a missing
// config) makes every delivery a 500.
func alwaysFails() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhook", func(w http.ResponseWriter, r *http.Request) {
		var p payload
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		http.Error(w, "transcript store not configured", http.StatusInternalServerError)
	})
	return mux
}

// forgedAuthOK: reads the auth header but only logs a mismatch.
func forgedAuthOK() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Webhook-Secret") != secret {
			_ = "log.Println(\"suspicious webhook\")" // and carries on
		}
		_, ok := readNotification(w, r)
		if !ok {
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// conflictOnRedelivery: inserts the id with a unique constraint and maps
// the duplicate-key error to 409.
func conflictOnRedelivery() http.Handler {
	var mu sync.Mutex
	rows := map[string]bool{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := readNotification(w, r)
		if !ok {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if p.TranscriptID != "" && rows[p.TranscriptID] {
			http.Error(w, "duplicate key value violates unique constraint", http.StatusConflict)
			return
		}
		rows[p.TranscriptID] = true
		w.WriteHeader(http.StatusCreated)
	})
}

// rateLimited: a token bucket in front of every route, 5 requests at once,
// each taking 20 ms of "work".
func rateLimited() http.Handler {
	var inFlight atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if inFlight.Add(1) > 5 {
			inFlight.Add(-1)
			w.Header().Set("Retry-After", "1")
			http.Error(w, "rate limit exceeded", http.StatusTooManyRequests)
			return
		}
		defer inFlight.Add(-1)
		time.Sleep(20 * time.Millisecond)
		_, ok := readNotification(w, r)
		if !ok {
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// crashWithoutXFF: an IP allowlist that indexes the header's first entry
// without checking it exists (a nil dereference becomes a 500).
func crashWithoutXFF() http.Handler {
	allowed := map[string]bool{"44.238.19.20": true, "54.220.25.36": true}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if recover() != nil {
				w.WriteHeader(http.StatusInternalServerError)
			}
		}()
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		client := strings.Split(r.Header.Values("X-Forwarded-For")[0], ",")[0] // panics when absent
		if !allowed[strings.TrimSpace(client)] || net.ParseIP(client) == nil {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		_, ok := readNotification(w, r)
		if !ok {
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// wrongPath: registered as /webhook, served as /webhooks.
func wrongPath() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhooks", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	return mux
}

func TestNewUserVerdictsNameTheRightRequirement(t *testing.T) {
	cases := []struct {
		name    string
		handler http.Handler
		target  hookcheck.Target
		failed  string // a MUST requirement the verdict must name
	}{
		{"no checks at all", noChecks(), hookcheck.Target{AuthHeaderName: "X-Webhook-Secret", AuthHeaderValue: secret}, "RC-09"},
		{"500 on every delivery", alwaysFails(), hookcheck.Target{}, "RC-01"},
		{"200 to forged auth", forgedAuthOK(), hookcheck.Target{AuthHeaderName: "X-Webhook-Secret", AuthHeaderValue: secret}, "RC-09"},
		{"409 on redelivery", conflictOnRedelivery(), hookcheck.Target{}, "RC-04"},
		{"429 under load", rateLimited(), hookcheck.Target{}, "RC-11"},
		{"crash without X-Forwarded-For", crashWithoutXFF(), hookcheck.Target{Allowlist: true, Regions: []webhook.Region{webhook.RegionUS, webhook.RegionEU}}, "RC-10"},
		{"wrong path", wrongPath(), hookcheck.Target{}, "RC-01"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.target.Handler = c.handler
			res := hookcheck.RunHandler(t, c.target)
			assert.Equal(t, reports.NotConformant, res.Verdict)
			var ids []string
			for _, q := range res.FailedMust() {
				ids = append(ids, q.ID)
				if q.ID == c.failed {
					assert.NotEmpty(t, q.Reason)
				}
			}
			assert.Contains(t, ids, c.failed, "failed MUST requirements: %v", ids)
		})
	}
}

func TestNewUserWrongPathSaysCheckThePath(t *testing.T) {
	res := hookcheck.RunHandler(t, hookcheck.Target{Handler: wrongPath(), Tags: "@RC-01"})
	reason := res.FailedMust()[0].Reason
	assert.Contains(t, reason, "404")
	assert.Contains(t, reason, "path")
}

func TestNewUserRateLimitSaysP6(t *testing.T) {
	res := hookcheck.RunHandler(t, hookcheck.Target{Handler: rateLimited(), Tags: "@RC-11"})
	reason := res.FailedMust()[0].Reason
	assert.Contains(t, reason, "429")
	assert.Contains(t, reason, "P-6")
}

// fetchThenAnswer is what three of six public receivers do: fetch the
// transcript with plain HTTP before answering, and answer the API's own
// status when the fetch fails.
func fetchThenAnswer(api hookcheck.API) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n struct {
			TranscriptID string `json:"transcript_id"`
		}
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&n) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if n.TranscriptID == "" {
			w.WriteHeader(http.StatusOK)
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, api.BaseURL+"/v2/transcript/"+n.TranscriptID, nil)
		req.Header.Set("Authorization", api.Key)
		resp, err := api.HTTPClient.Do(req)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
	})
}

func TestNewUserFetchBeforeAnsweringNamesRC15AndRC16(t *testing.T) {
	res := hookcheck.RunHandler(t, hookcheck.Target{Tags: "@api", NewHandler: fetchThenAnswer})
	var ids []string
	for _, q := range res.FailedMust() {
		ids = append(ids, q.ID)
	}
	assert.Equal(t, []string{"RC-15", "RC-16"}, ids)
}

func TestNewUserHardCodedAPISaysSo(t *testing.T) {
	// A receiver whose fetches go to https://api.assemblyai.com makes no
	// call to the run's API: RC-17 fails with that hint, not a silent pass.
	res := hookcheck.RunHandler(t, hookcheck.Target{Tags: "@RC-17", Path: "/hooks/aai",
		NewHandler: func(hookcheck.API) http.Handler { return teamHandler() }})
	failed := res.FailedShould()
	require.Len(t, failed, 1)
	assert.Equal(t, "RC-17", failed[0].ID)
	assert.Contains(t, failed[0].Reason, "https://api.assemblyai.com")
}
