package hookcheck_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	aai "github.com/AssemblyAI/assemblyai-go-sdk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck"
	"github.com/hookcheck/hookcheck/reports"
)

// sdkReceiver is a receiver a team writes with AssemblyAI's official Go
// SDK, its base URL configurable: it acknowledges each notification, then
// fetches the transcript in the background, retrying while the API fails.
// With fetchFirst it fetches before answering instead, as three of six
// public receivers do.
type sdkReceiver struct {
	client     *aai.Client
	fetchFirst bool
	ctx        context.Context
	cancel     context.CancelFunc
	wg         sync.WaitGroup
	mu         sync.Mutex
	texts      map[string]string // transcript id → text or error, once fetched
}

func newSDKReceiver(api hookcheck.API, fetchFirst bool) *sdkReceiver {
	r := &sdkReceiver{fetchFirst: fetchFirst, texts: map[string]string{},
		client: aai.NewClientWithOptions(aai.WithAPIKey(api.Key), aai.WithBaseURL(api.BaseURL),
			aai.WithHTTPClient(api.HTTPClient))}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	return r
}

func (r *sdkReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/hooks/aai" {
		http.Error(w, "no", http.StatusMethodNotAllowed)
		return
	}
	var n struct {
		TranscriptID string `json:"transcript_id"`
		Status       string `json:"status"`
	}
	if err := json.NewDecoder(req.Body).Decode(&n); err != nil || (n.TranscriptID == "" && n.Status != "redacted_audio_ready") {
		http.Error(w, "bad notification", http.StatusBadRequest)
		return
	}
	if n.TranscriptID == "" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if r.fetchFirst {
		if err := r.fetch(req.Context(), n.TranscriptID); err != nil {
			http.Error(w, "fetch failed", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.WriteHeader(http.StatusNoContent)
	r.wg.Go(func() {
		for wait := 250 * time.Millisecond; wait < 10*time.Second; wait *= 2 {
			if r.fetch(r.ctx, n.TranscriptID) == nil {
				return
			}
			select {
			case <-time.After(wait):
			case <-r.ctx.Done():
				return
			}
		}
	})
}

// fetch reads the transcript with the SDK, as AssemblyAI's guide says.
func (r *sdkReceiver) fetch(ctx context.Context, id string) error {
	tr, err := r.client.Transcripts.Get(ctx, id)
	if err != nil {
		return err
	}
	text := aai.ToString(tr.Text)
	if tr.Status == aai.TranscriptStatusError {
		text = aai.ToString(tr.Error)
	}
	r.mu.Lock()
	r.texts[id] = text
	r.mu.Unlock()
	return nil
}

// Close ends the background fetches, as a synctest bubble requires.
func (r *sdkReceiver) Close() error {
	r.cancel()
	r.wg.Wait()
	return nil
}

// TestSDKReceiverInVirtualTime checks a handler built on the official Go
// SDK end to end: the notifications and the fetches it makes with
// WithBaseURL, RC-15..RC-17, RC-19 included, in virtual time.
func TestSDKReceiverInVirtualTime(t *testing.T) {
	var rcv *sdkReceiver
	start := time.Now()
	res := hookcheck.Test(t, hookcheck.Target{Path: "/hooks/aai",
		NewHandler: func(api hookcheck.API) http.Handler {
			rcv = newSDKReceiver(api, false)
			return rcv
		}})
	t.Logf("full suite with the emulated API: %s of wall time", time.Since(start).Round(time.Millisecond))
	assert.Equal(t, reports.Conformant, res.Verdict)
	for _, q := range res.Requirements {
		switch q.ID {
		case "RC-15", "RC-16", "RC-17":
			assert.Equal(t, reports.Passed, q.Status, "%s: %s", q.ID, q.Reason)
		}
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	assert.NotEmpty(t, rcv.texts, "the SDK fetched the transcripts hookcheck announced")
	for id, text := range rcv.texts {
		assert.NotEmpty(t, text, "transcript %s has text or an error", id)
	}
	calls := 0
	for _, s := range res.Scenarios {
		for _, c := range s.APICalls {
			assert.True(t, c.Authorized)
			calls++
		}
	}
	assert.Positive(t, calls)
}

// TestSDKReceiverThatFetchesFirst: the same receiver fetching before it
// answers misses the deadline while the API is slow, and fails RC-15 only.
func TestSDKReceiverThatFetchesFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		prep, err := hookcheck.Prepare(hookcheck.Target{Path: "/hooks/aai", Tags: "@api",
			NewHandler: func(api hookcheck.API) http.Handler { return newSDKReceiver(api, true) }})
		require.NoError(t, err)
		res := prep.Run(t.Context())
		for _, q := range res.Requirements {
			switch q.ID {
			case "RC-15":
				assert.Equal(t, reports.Failed, q.Status)
				assert.Contains(t, q.Reason, "timeout")
			case "RC-16", "RC-17":
				assert.Equal(t, reports.Passed, q.Status, "%s: %s", q.ID, q.Reason)
			}
		}
	})
}

func TestNewHandlerTargetErrors(t *testing.T) {
	h := func(hookcheck.API) http.Handler { return http.NotFoundHandler() }
	_, err := hookcheck.Prepare(hookcheck.Target{Handler: http.NotFoundHandler(), NewHandler: h})
	assert.Error(t, err, "Handler and NewHandler")
	_, err = hookcheck.Prepare(hookcheck.Target{NewHandler: h, APIAddr: "127.0.0.1:0"})
	assert.Error(t, err, "APIAddr is for URL targets")
	_, err = hookcheck.Prepare(hookcheck.Target{URL: "http://127.0.0.1:9/hook", APIAddr: "127.0.0.1:0"})
	assert.Error(t, err, "APIAddr needs a key")
	_, err = hookcheck.Check(context.Background(), hookcheck.Target{NewHandler: h})
	assert.True(t, err != nil && !errors.Is(err, context.Canceled), "Check takes a URL")
}
