package hookcheck_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/webhook"
	"github.com/hookcheck/hookcheck/steps/suite"
)

// teamHandler is a receiver written the way a team might, independently of
// hookcheck's reference receivers: POST only, JSON with transcript_id,
// idempotent by id.
func teamHandler() http.Handler {
	var mu sync.Mutex
	seen := map[string]bool{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /hooks/aai", func(w http.ResponseWriter, r *http.Request) {
		var n struct {
			TranscriptID string `json:"transcript_id"`
			Status       string `json:"status"`
		}
		if err := json.NewDecoder(r.Body).Decode(&n); err != nil || (n.TranscriptID == "" && n.Status != "redacted_audio_ready") {
			http.Error(w, "bad notification", http.StatusBadRequest)
			return
		}
		mu.Lock()
		seen[n.TranscriptID] = true
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

func TestHandlerInVirtualTime(t *testing.T) {
	res := hookcheck.Test(t, hookcheck.Target{Handler: teamHandler(), Path: "/hooks/aai"})
	assert.Equal(t, reports.Conformant, res.Verdict)
}

func TestBrokenHandlerIsReported(t *testing.T) {
	// A handler that crashes on the redacted-audio notification: the
	// result names RC-07 and only RC-07.
	crash := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n map[string]any
		if json.NewDecoder(r.Body).Decode(&n) != nil || r.Method != http.MethodPost {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if n["transcript_id"] == nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	srv := httptest.NewServer(crash)
	defer srv.Close()
	res, err := hookcheck.Check(context.Background(), hookcheck.Target{URL: srv.URL + "/webhook", Fast: true, Tags: "@RC-07,@RC-01"})
	require.NoError(t, err)
	assert.Equal(t, reports.Partial, res.Verdict, "two requirements of fourteen: no conformance verdict")
	assert.False(t, res.Pass(), "a selected MUST failed")
	for _, q := range res.Requirements {
		switch q.ID {
		case "RC-07":
			assert.Equal(t, reports.Failed, q.Status)
			assert.Contains(t, q.Reason, "500")
		case "RC-01":
			assert.Equal(t, reports.Passed, q.Status)
		}
	}
}

func TestCheckRefusesAHandler(t *testing.T) {
	_, err := hookcheck.Check(context.Background(), hookcheck.Target{Handler: teamHandler()})
	assert.Error(t, err)
}

// Check a running receiver from a program or a test.
func ExampleCheck() {
	srv := httptest.NewServer(teamHandler())
	defer srv.Close()
	res, err := hookcheck.Check(context.Background(), hookcheck.Target{
		URL:  srv.URL + "/hooks/aai?customer_id=42",
		Fast: true,
		Tags: "@must",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// @must leaves the SHOULD requirements out: a partial run, which
	// passes as a CI step when nothing selected failed.
	fmt.Println(res.Verdict, res.Pass())
	for _, q := range res.FailedMust() {
		fmt.Println(q.ID, q.Reason)
	}
	// Output: partial true
}

// TestPrepareThenRun: Prepare checks the setup without sending anything
// and counts the selection; Run then checks the receiver, and the report
// records the run as the Target described it.
func TestPrepareThenRun(t *testing.T) {
	_, err := hookcheck.Prepare(hookcheck.Target{Handler: teamHandler(), Tags: "@RC-99"})
	var se *suite.SetupError
	require.ErrorAs(t, err, &se, "a selection of nothing is the caller's to fix")

	_, err = hookcheck.Prepare(hookcheck.Target{URL: "ftp://127.0.0.1/x"})
	require.ErrorContains(t, err, "scheme must be http or https")

	synctest.Test(t, func(t *testing.T) {
		prep, err := hookcheck.Prepare(hookcheck.Target{Handler: teamHandler(), Path: "/hooks/aai", Tags: "@RC-01",
			Seed: 7, Concurrency: 1})
		require.NoError(t, err)
		assert.Positive(t, prep.Selected())
		res := prep.Run(t.Context())
		assert.Equal(t, reports.Partial, res.Verdict)
		assert.True(t, res.Pass())
		assert.Equal(t, hookcheck.Version(), res.Environment.HookcheckVersion)
		assert.Equal(t, int64(7), res.Environment.Seed)
		assert.Equal(t, "built-in", res.Environment.Features)
		assert.Len(t, res.Scenarios, prep.Selected())
	})
}

// TestValidate: Target.Validate refuses each bad value Prepare would,
// before anything starts, naming the field; the zero Target with a URL is
// valid (zero values are the defaults).
func TestValidate(t *testing.T) {
	const url = "http://127.0.0.1:9/webhook"
	require.NoError(t, hookcheck.Target{URL: url}.Validate())
	require.NoError(t, hookcheck.Target{Handler: http.NotFoundHandler()}.Validate())
	cases := []struct {
		name   string
		target hookcheck.Target
		want   string
	}{
		{"no URL", hookcheck.Target{}, "Target.URL: "},
		{"negative burst", hookcheck.Target{URL: url, Burst: -1}, "Target.Burst must be between 1 and 1000"},
		{"negative body budget", hookcheck.Target{URL: url, BodyBudget: -1}, "Target.BodyBudget must not be negative"},
		{"API key without API", hookcheck.Target{URL: url, APIKey: "k"}, "Target.APIKey is the emulated API's key"},
		{"API on the target's port", hookcheck.Target{URL: url, APIAddr: "localhost:9", APIKey: "k"}, "is the receiver's own address"},
		{"API address without port", hookcheck.Target{URL: url, APIAddr: "127.0.0.1", APIKey: "k"}, "want host:port"},
		{"verify value without name", hookcheck.Target{URL: url, VerifyHeaderValue: "v"}, "Target.VerifyHeaderValue needs Target.VerifyHeaderName"},
		{"verify header without value", hookcheck.Target{URL: url, VerifyURL: url + "/{transcript_id}", VerifyHeaderName: "X-K"}, "needs a value"},
		{"unknown region", hookcheck.Target{URL: url, Regions: []webhook.Region{"apac"}}, `Target.Regions: unknown region "apac"`},
		{"bad policy", hookcheck.Target{URL: url, Policy: &webhook.Policy{}}, "delivery policy: "},
		{"api-fetch without API", hookcheck.Target{URL: url, VerifyAPIFetch: true}, "Target.VerifyAPIFetch needs the emulated AssemblyAI API"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.target.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			_, perr := hookcheck.Prepare(c.target)
			require.Error(t, perr, "Prepare refuses it too")
			assert.Equal(t, err.Error(), perr.Error())
		})
	}
}
