package api

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"path"
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
	mux.Handle("/hookcheck/v1/calls", methods{http.MethodGet: s.listCalls})
	mux.Handle(uploadsPath+"{id}", methods{http.MethodGet: s.getUpload, http.MethodHead: s.getUpload})
	mux.Handle(redactedAudioPath+"{file}", methods{http.MethodGet: s.getRedactedAudioFile, http.MethodHead: s.getRedactedAudioFile})
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

// ServeHTTP serves the emulated API. Every request, answered or refused,
// goes into the call log (see Calls).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.cfg.Clock.Now()
	sw := &statusWriter{ResponseWriter: w, transcriptID: pathTranscriptID(r.URL.Path)}
	authorized := s.authorized(r.Header.Get("Authorization"))
	// The Authorization header, the API key, is never logged nor
	// recorded: only whether it was accepted. The call is in the
	// log from its arrival, in flight until answered.
	sw.ticket = s.calls.begin(Call{At: start, Method: r.Method, Path: r.URL.Path, TranscriptID: sw.transcriptID,
		Authorized: authorized})
	defer func() {
		took := s.cfg.Clock.Now().Sub(start)
		s.calls.end(sw.ticket, Call{At: start, Method: r.Method, Path: r.URL.Path, TranscriptID: sw.transcriptID,
			Authorized: authorized, Status: sw.code, DurationMS: float64(took) / float64(time.Millisecond)})
		s.cfg.Logger.DebugContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path,
			"status", sw.code, "duration", took.Round(time.Microsecond))
	}()
	if clean := cleanPath(r.URL.Path); clean != r.URL.Path {
		// ServeMux would answer 307 with an HTML body; every answer of
		// the API is JSON, this one too.
		u := *r.URL
		u.Path, u.RawPath = clean, ""
		sw.Header().Set("Location", u.RequestURI())
		writeError(sw, http.StatusTemporaryRedirect, "Moved to "+clean)
		return
	}
	if !authorized && !isAudioPath(r.URL.Path) {
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

// cleanPath is the path ServeMux redirects p to: rooted, with no "." or
// ".." element and no double slash, keeping a trailing slash.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
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

// statusWriter remembers the status and the transcript concerned for the
// request log and the call log. code stays 0 until an answer begins.
type statusWriter struct {
	http.ResponseWriter
	code         int
	transcriptID string
	ticket       uint64 // the request's in-flight entry in the call log
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
