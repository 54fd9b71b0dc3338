package receiver

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// API is the AssemblyAI API a receiver fetches each notified transcript
// from, as AssemblyAI's guide tells receivers to (GET /v2/transcript/{id},
// always after an "error" notification, to read the reason). In a run with
// hookcheck's emulated API it is that API (docs/spec.md, "What public
// receivers do after they answer").
type API struct {
	// BaseURL is the API's base URL, e.g. "http://127.0.0.1:8090"; the
	// official SDKs' base-URL option takes the same value.
	BaseURL string
	// Key is the API key, sent raw in Authorization.
	Key webhook.Secret
	// Client makes the requests; nil means http.DefaultClient. An
	// in-memory network needs its own.
	Client *http.Client
}

// Bounds of a receiver's own fetches.
const (
	// fetchAttempts bounds the background fetch of one transcript: enough
	// to ride out a failing API for a while (RC-16), bounded so that the
	// goroutine always ends.
	fetchAttempts = 8
	// fetchTimeout bounds one background fetch; longer than the slow API
	// of RC-15, whose answer does come.
	fetchTimeout = 60 * time.Second
	// fetchBackoff is the first wait between background fetches; it
	// doubles, up to fetchMaxBackoff, unless Retry-After says longer.
	fetchBackoff    = 250 * time.Millisecond
	fetchMaxBackoff = 8 * time.Second
	// passThroughTimeout is how long passes-api-status waits for its
	// inline fetch before it acknowledges and fetches later.
	passThroughTimeout = 2 * time.Second
)

// fetchResult is what one GET of a transcript got.
type fetchResult struct {
	status     int
	retryAfter time.Duration
}

// fetch makes one GET /v2/transcript/{id} with key.
func (a *API) fetch(ctx context.Context, id string, key webhook.Secret) (fetchResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.BaseURL+"/v2/transcript/"+url.PathEscape(id), nil)
	if err != nil {
		return fetchResult{}, fmt.Errorf("transcript request: %w", err)
	}
	req.Header.Set("Authorization", key.Reveal())
	client := a.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fetchResult{}, fmt.Errorf("fetch transcript %s: %w", id, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	res := fetchResult{status: resp.StatusCode}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		res.retryAfter = time.Duration(s) * time.Second
	}
	return res, nil
}

// apiKey is the key this receiver sends: the configured one, or for
// fetch-wrong-key a key that is not it.
func (rc *Receiver) apiKey() webhook.Secret {
	if rc.has(flawFetchWrongKey) {
		return "wrong-" + rc.cfg.API.Key
	}
	return rc.cfg.API.Key
}

// fetchInline is the fetch of the receivers that fetch before answering.
// It reports whether the receiver has answered.
func (rc *Receiver) fetchInline(w http.ResponseWriter, r *http.Request, id string) bool {
	switch {
	case rc.has(flawFetchBeforeAck), rc.has(flawSingleThreadFetch):
		// Waits as long as the API takes: a slow API makes it miss the
		// deadline (RC-15); a failing one makes it answer 500, which asks
		// AssemblyAI to redeliver. Like most frameworks' handlers (a
		// blocking requests.get, a fetch without an abort signal), it
		// goes on fetching when AssemblyAI hangs up.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), fetchTimeout)
		res, err := rc.cfg.API.fetch(ctx, id, rc.apiKey())
		cancel()
		if err != nil || res.status != http.StatusOK {
			rc.answer(w, r, http.StatusInternalServerError, "transcript fetch failed")
			return true
		}
		rc.fetched.Store(id, true)
	case rc.has(flawGeneric500):
		// Like fetch-before-ack, but any failure is an unhandled
		// exception: the framework's generic 500.
		res, err := rc.cfg.API.fetch(r.Context(), id, rc.apiKey())
		if err != nil || res.status != http.StatusOK {
			rc.answer(w, r, http.StatusInternalServerError, genericServerError)
			return true
		}
		rc.fetched.Store(id, true)
	case rc.has(flawPassesAPIStatus):
		// Gives up on a slow API and fetches later, but hands an API
		// error straight back: a 429 from the API becomes its own 4xx and
		// AssemblyAI drops the notification (RC-16, P-6).
		ctx, cancel := context.WithTimeout(r.Context(), passThroughTimeout)
		res, err := rc.cfg.API.fetch(ctx, id, rc.apiKey())
		cancel()
		switch {
		case err == nil && res.status >= 400:
			rc.answer(w, r, res.status, "transcript fetch failed with "+strconv.Itoa(res.status))
			return true
		case err == nil:
			rc.fetched.Store(id, true)
		}
	}
	return false
}

// fetchLater fetches the transcript after the answer, once per id, with
// its own retries: the compliant way (acknowledge first, RC-15; ride out a
// failing API, RC-16). status is the notification's.
// fetches-completed-only skips an "error" transcript, whose fetch is the
// only way to read why it failed (RC-17); fetch-no-retry makes one
// attempt, the background job of a fix of RC-15 that forgot RC-16.
func (rc *Receiver) fetchLater(id, status string) {
	if rc.has(flawNeverFetches) || rc.has(flawFetchesCompletedOnly) && status != webhook.StatusCompleted {
		return
	}
	attempts := fetchAttempts
	if rc.has(flawFetchNoRetry) {
		attempts = 1
	}
	if _, done := rc.fetched.LoadOrStore(id, true); done {
		return
	}
	rc.bg.Go(func() {
		wait := fetchBackoff
		for attempt := 1; attempt <= attempts; attempt++ {
			ctx, cancel := context.WithTimeout(rc.bgCtx, fetchTimeout)
			res, err := rc.cfg.API.fetch(ctx, id, rc.apiKey())
			cancel()
			retry := err != nil || res.status == http.StatusTooManyRequests || res.status >= 500
			rc.cfg.Logger.LogAttrs(rc.bgCtx, slog.LevelDebug, "transcript fetch",
				slog.String("transcript_id", id), slog.Int("attempt", attempt), slog.Int("status", res.status))
			if !retry || attempt == attempts {
				return
			}
			d := max(wait, res.retryAfter)
			if rc.cfg.Sleep(rc.bgCtx, d) != nil {
				return
			}
			wait = min(2*wait, fetchMaxBackoff)
		}
	})
}
