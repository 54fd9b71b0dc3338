package api

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"
)

// routes builds the handler: authentication, body limits and logging
// around a mux whose every answer, 404 and 405 included, is JSON.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/v2/upload", methods{http.MethodPost: s.upload})
	mux.Handle("/v2/transcript", methods{http.MethodPost: s.createTranscript, http.MethodGet: s.listTranscripts})
	mux.Handle("/v2/transcript/{id}", methods{http.MethodGet: s.getTranscript, http.MethodDelete: s.deleteTranscript})
	mux.Handle("/v2/transcript/{id}/redacted-audio", methods{http.MethodGet: s.getRedactedAudio})
	mux.Handle("/hookcheck/v1/deliveries", methods{http.MethodGet: s.listDeliveries})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, MsgNoRoute)
	})
	return mux
}

// methods dispatches on the request method and answers 405 in JSON.
type methods map[string]http.HandlerFunc

func (m methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h, ok := m[r.Method]; ok {
		h(w, r)
		return
	}
	allow := make([]string, 0, len(m))
	for k := range m {
		allow = append(allow, k)
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeError(w, http.StatusMethodNotAllowed, "Method not allowed")
}

// ServeHTTP serves the emulated API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.cfg.Clock.Now()
	sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
	defer func() {
		// The Authorization header, the API key, is never logged.
		s.cfg.Logger.DebugContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path,
			"status", sw.code, "duration", s.cfg.Clock.Now().Sub(start).Round(time.Microsecond))
	}()
	if !s.authorized(r.Header.Get("Authorization")) {
		writeError(sw, http.StatusUnauthorized, MsgUnauthorized)
		return
	}
	limit := s.cfg.MaxRequestBytes
	if r.URL.Path == "/v2/upload" {
		limit = s.cfg.MaxUploadBytes
	}
	r.Body = http.MaxBytesReader(sw, r.Body, limit)
	s.handler.ServeHTTP(sw, r)
}

// authorized applies A-1: the raw key, no "Bearer"; with no key
// configured any non-empty one passes.
func (s *Server) authorized(got string) bool {
	if got == "" {
		return false
	}
	want := s.cfg.APIKey.Reveal()
	if want == "" {
		return true
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// base is the URL prefix of the links the API hands out.
func (s *Server) base(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// tooLarge reports whether err comes from a body over its limit.
func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
