package receiver

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// flaw is the one thing a broken receiver does wrong; the zero flaw is the
// compliant receiver.
type flaw int

const (
	flawNone flaw = iota
	flawError500OnErrorStatus
	flawSlowAck
	flawConflictOnRedelivery
	flawRejectsQueryParams
	flawStrictFields
	flawCrashOnRedactedAudio
	flawAcceptsMalformed
	flawCrashOnMalformed
	flawAcceptsForgedAuth
	flawAuth500
	flawNoAllowlist
	flawCrashWithoutXFF
	flawRateLimited
	flawRedirects
	flawAcceptsAnyMethod
	flawFetchBeforeAck
	flawPassesAPIStatus
	flawNeverFetches
	flawFetchWrongKey
	flawFetchesCompletedOnly
	flawFetchNoRetry
	flawGeneric500
	flawRequiresTranscriptID
	flawSlowParse
	flawSingleThreadFetch
)

// Defaults of the one-flaw receivers' Params.
const (
	// DefaultSlowAckDelay is past the 2 s p95 a receiver should keep and
	// under AssemblyAI's 10 s deadline (D-3).
	DefaultSlowAckDelay = 3 * time.Second
	// DefaultRateLimit is the concurrency above which rate-limited answers
	// 429.
	DefaultRateLimit = 10
	// rateLimitHold keeps each admitted request in progress long enough
	// for a concurrent burst to overlap.
	rateLimitHold = 50 * time.Millisecond
	// slowParsePerMiB is how long slow-parse takes per MiB of body: a
	// 3-hour session (2.5 MiB, S-5, S-6) takes about 2.5 s, past the 2 s
	// budget and well within the 10 s deadline (D-3).
	slowParsePerMiB = time.Second
)

// Receiver is a webhook receiver: the compliant one from NewCompliant, or
// one of the one-flaw behaviours.
type Receiver struct {
	base
	h        http.Handler
	flaw     flaw
	more     map[flaw]bool // further flaws, from NewFlawed
	params   Params
	inFlight atomic.Int64
	fetched  sync.Map // transcript ids fetched or being fetched
	// bg bounds the background fetches: Close cancels bgCtx and waits.
	bgCtx  context.Context
	bgStop context.CancelFunc
	bg     sync.WaitGroup
	// loop is held for the whole of each request by single-thread-fetch:
	// one request at a time, as an event loop blocked by a synchronous
	// call serves them. A channel, not a sync.Mutex, so that a request
	// waiting for it is durably blocked inside a synctest bubble.
	loop chan struct{}
}

// NewCompliant returns the receiver that does everything right. Check cfg
// with Config.Validate first; an invalid allowlist refuses every delivery.
func NewCompliant(cfg Config) *Receiver { return newReceiver(cfg, Params{}, flawNone) }

// newReceiver returns the compliant receiver with flaw f.
func newReceiver(cfg Config, p Params, f flaw) *Receiver {
	rc := &Receiver{base: newBase(cfg), flaw: f, params: p, loop: make(chan struct{}, 1)}
	rc.bgCtx, rc.bgStop = context.WithCancel(context.Background())
	rc.h = rc.handler(rc.serve)
	return rc
}

// ServeHTTP answers a request and records it in the inbox.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rc.has(flawSingleThreadFetch) {
		// FastAPI's `async def` route calling the blocking requests.get, a
		// Node handler with a synchronous call, a single worker: while
		// one request waits, no other is even read.
		rc.loop <- struct{}{}
		defer func() { <-rc.loop }()
	}
	rc.h.ServeHTTP(w, r)
}

// Close stops the receiver's background work (the transcript fetches it
// makes after answering, with Config.API) and waits for it to end. It does
// not stop the server serving it.
func (rc *Receiver) Close() error {
	rc.bgStop()
	rc.bg.Wait()
	return nil
}

// Inbox returns the inbox the receiver records into.
func (rc *Receiver) Inbox() *Inbox { return rc.cfg.Inbox }

// serve answers one request; each rejection is the 4xx that stops
// AssemblyAI from retrying a request that cannot succeed (D-5).
func (rc *Receiver) serve(w http.ResponseWriter, r *http.Request, body payload) {
	if rc.has(flawRateLimited) {
		n := rc.inFlight.Add(1)
		defer rc.inFlight.Add(-1)
		if n > int64(orDefault(rc.params.Limit, DefaultRateLimit)) {
			rc.answer(w, r, http.StatusTooManyRequests, "too many requests in progress")
			return
		}
		if rc.wait(r, rateLimitHold) != nil {
			return
		}
	}
	if rc.cfg.Path != "" && r.URL.Path != rc.cfg.Path {
		rc.answer(w, r, http.StatusNotFound, "not the webhook path")
		return
	}
	if r.Method != http.MethodPost {
		if rc.has(flawAcceptsAnyMethod) {
			rc.answer(w, r, http.StatusOK, "any method accepted")
			return
		}
		w.Header().Set("Allow", http.MethodPost) // D-1: deliveries are POSTs
		rc.answer(w, r, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	if !rc.sourceAllowed(w, r) || !rc.authorized(w, r) {
		return
	}
	if body.tooLarge {
		rc.answer(w, r, http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	if rc.has(flawRejectsQueryParams) && (r.URL.RawQuery != "" || r.URL.ForceQuery) {
		rc.answer(w, r, http.StatusBadRequest, "query parameters not allowed")
		return
	}
	n, err := parseNotification(body.data)
	if err != nil {
		rc.malformed(w, r, err)
		return
	}
	if rc.has(flawSlowParse) && rc.wait(r, time.Duration(len(body.data))*slowParsePerMiB/(1<<20)) != nil {
		return
	}
	if rc.has(flawStrictFields) && !n.redactedAudio() && len(n.unknownFields) > 0 {
		rc.answer(w, r, http.StatusBadRequest, "unknown fields")
		return
	}
	if rc.has(flawSlowAck) && rc.wait(r, orDefault(rc.params.Delay, DefaultSlowAckDelay)) != nil {
		return
	}
	if rc.has(flawRedirects) {
		w.Header().Set("Location", r.URL.RequestURI())
		rc.answer(w, r, http.StatusTemporaryRedirect, "redirected")
		return
	}
	rc.notify(w, r, n)
}

// sourceAllowed checks the source address (D-7, P-7). It answers 403, never
// 5xx, when the address is missing: retrying cannot make it appear.
func (rc *Receiver) sourceAllowed(w http.ResponseWriter, r *http.Request) bool {
	if rc.has(flawCrashWithoutXFF) && r.Header.Get("X-Forwarded-For") == "" {
		rc.answer(w, r, http.StatusInternalServerError, "X-Forwarded-For missing")
		return false
	}
	if rc.cfg.Allowlist == nil || rc.has(flawNoAllowlist) {
		return true
	}
	if src, ok := rc.cfg.Allowlist.admits(r); !ok {
		rc.answer(w, r, http.StatusForbidden, "source not allowed", slog.String("source", src.String()))
		return false
	}
	return true
}

// authorized checks the D-8 header: 401 when it is missing, 403 when its
// value is wrong, compared in constant time so timing does not reveal how
// much of a guess was right.
func (rc *Receiver) authorized(w http.ResponseWriter, r *http.Request) bool {
	if rc.cfg.AuthHeaderName == "" || rc.has(flawAcceptsForgedAuth) {
		return true
	}
	got := r.Header.Values(rc.cfg.AuthHeaderName)
	status := 0
	switch {
	case len(got) == 0:
		status = http.StatusUnauthorized
	case subtle.ConstantTimeCompare([]byte(got[0]), []byte(rc.cfg.AuthHeaderValue.Reveal())) != 1:
		status = http.StatusForbidden
	default:
		return true
	}
	if rc.has(flawAuth500) {
		status = http.StatusInternalServerError
	}
	rc.answer(w, r, status, "auth header missing or wrong")
	return false
}

// malformed answers a body that cannot be a notification.
func (rc *Receiver) malformed(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case rc.has(flawAcceptsMalformed):
		rc.answer(w, r, http.StatusOK, "malformed body accepted")
	case rc.has(flawCrashOnMalformed):
		rc.answer(w, r, http.StatusInternalServerError, err.Error())
	case rc.has(flawGeneric500):
		rc.answer(w, r, http.StatusInternalServerError, genericServerError) // json.loads raised
	default:
		rc.answer(w, r, http.StatusBadRequest, err.Error())
	}
}

// notify acts on a valid notification and acknowledges it. A transcript's
// side effect happens once however often it is delivered (D-4 redelivers
// whenever an answer was lost or late).
func (rc *Receiver) notify(w http.ResponseWriter, r *http.Request, n notification) {
	if rc.has(flawRequiresTranscriptID) && n.transcriptID == "" {
		rc.answer(w, r, http.StatusInternalServerError, "cannot read transcript_id")
		return
	}
	if rc.has(flawGeneric500) && n.transcriptID == "" {
		rc.answer(w, r, http.StatusInternalServerError, genericServerError) // KeyError: 'transcript_id'
		return
	}
	if n.session() {
		// A session webhook carries the transcript itself (S-2): nothing
		// to fetch. Processed once per session_id, like a transcript.
		rc.processOnceOr409(w, r, n)
		return
	}
	if n.redactedAudio() {
		if rc.has(flawCrashOnRedactedAudio) {
			rc.answer(w, r, http.StatusInternalServerError, "no transcript_id")
			return
		}
		rc.answer(w, r, http.StatusOK, "redacted audio ready") // D-11
		return
	}
	if rc.has(flawGeneric500) && rc.cfg.API == nil {
		// No API to fetch from: its fetch of the real one, unreachable
		// or refused without a key, raises.
		rc.answer(w, r, http.StatusInternalServerError, genericServerError)
		return
	}
	if rc.cfg.API != nil {
		// AssemblyAI's guide: fetch the transcript the notification
		// announces. Done before the other flaws so that each one-flaw
		// receiver still fetches (RC-17) and fails only its own check.
		if rc.fetchInline(w, r, n.transcriptID) {
			return
		}
		defer rc.fetchLater(n.transcriptID, n.status)
	}
	if rc.has(flawError500OnErrorStatus) && n.status == webhook.StatusError {
		rc.answer(w, r, http.StatusInternalServerError, "failed on an error notification")
		return
	}
	rc.processOnceOr409(w, r, n)
}

// processOnceOr409 has n's side effect once per transcript_id or
// session_id and acknowledges every delivery, the repeated ones too (D-4);
// conflict-on-redelivery answers 409 to those instead.
func (rc *Receiver) processOnceOr409(w http.ResponseWriter, r *http.Request, n notification) {
	id := slog.String("id", n.key())
	if !rc.cfg.Inbox.processOnce(n.key()) {
		if rc.has(flawConflictOnRedelivery) {
			rc.answer(w, r, http.StatusConflict, "already seen", id)
			return
		}
		rc.answer(w, r, http.StatusOK, "redelivery acknowledged", id)
		return
	}
	rc.answer(w, r, http.StatusOK, "processed", id)
}

// answer writes status with reason as a short text body and logs why.
func (rc *Receiver) answer(w http.ResponseWriter, r *http.Request, status int, reason string, attrs ...slog.Attr) {
	rc.cfg.Logger.LogAttrs(r.Context(), slog.LevelDebug, "webhook answer",
		append([]slog.Attr{slog.Int("status", status), slog.String("reason", reason)}, attrs...)...)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(reason + "\n"))
}

// genericServerError is the body uvicorn (and most frameworks) answer
// every unhandled exception with, whatever raised it: generic-500's one
// answer to a failed fetch, a JSON error and a missing key alike.
const genericServerError = "Internal Server Error"

// orDefault returns v, or def when v is the zero value.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
