package receiver

import (
	"net/http"
	"sync/atomic"
)

// Defaults of the blunt behaviours' Params.
const (
	// DefaultFailStatus is what status and fail-first answer: a 5xx, which
	// AssemblyAI retries (D-4).
	DefaultFailStatus = http.StatusInternalServerError
	// DefaultFailFirst is how many requests fail-first fails.
	DefaultFailFirst = 3
)

// newStatus always answers p.Status.
func newStatus(cfg Config, p Params) http.Handler {
	status := orDefault(p.Status, DefaultFailStatus)
	return newBase(cfg).handler(func(w http.ResponseWriter, _ *http.Request, _ payload) {
		w.WriteHeader(status)
	})
}

// newFailFirst answers p.Status to the first p.FailFirst requests, then
// 200: a receiver that recovers while AssemblyAI retries (D-4).
func newFailFirst(cfg Config, p Params) http.Handler {
	status := orDefault(p.Status, DefaultFailStatus)
	failures := int64(orDefault(p.FailFirst, DefaultFailFirst))
	var seen atomic.Int64 // per handler, so parallel tests do not share it
	return newBase(cfg).handler(func(w http.ResponseWriter, _ *http.Request, _ payload) {
		if seen.Add(1) <= failures {
			w.WriteHeader(status)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// newDelay waits p.Delay, then answers 200.
func newDelay(cfg Config, p Params) http.Handler {
	b := newBase(cfg)
	return b.handler(func(w http.ResponseWriter, r *http.Request, _ payload) {
		if b.wait(r, p.Delay) != nil {
			return // the client left; nobody to answer
		}
		w.WriteHeader(http.StatusOK)
	})
}

// newHang never answers; it returns once the client leaves, so it holds no
// goroutine past the request.
func newHang(cfg Config, _ Params) http.Handler {
	return newBase(cfg).handler(func(_ http.ResponseWriter, r *http.Request, _ payload) {
		<-r.Context().Done()
	})
}

// newRedirect answers 302 to p.Location, by default the request's own URL:
// a loop for a sender that follows redirects (P-3).
func newRedirect(cfg Config, p Params) http.Handler {
	return newBase(cfg).handler(func(w http.ResponseWriter, r *http.Request, _ payload) {
		w.Header().Set("Location", orDefault(p.Location, r.URL.RequestURI()))
		w.WriteHeader(http.StatusFound)
	})
}
