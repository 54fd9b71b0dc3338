package receiver

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// maxDrainBytes bounds how much of an oversized body is read and thrown
// away (through a small buffer: it costs time, not memory). Draining lets
// the sender finish writing and read the 413, as it does against Node's
// body parsers, instead of a connection reset that depends on timing; it
// covers the longest streaming session's webhook (2.5 MiB, S-5, S-6).
// Past this bound the server closes the connection instead.
const maxDrainBytes = 8 << 20

// payload is the request body, read before any behaviour runs.
type payload struct {
	data []byte
	// tooLarge says the body went past Config.MaxBodyBytes.
	tooLarge bool
}

// serveFunc is a behaviour's own logic; the body is already read and the
// request already recorded.
type serveFunc func(w http.ResponseWriter, r *http.Request, body payload)

// base is what every behaviour shares.
type base struct {
	cfg Config
}

// newBase fills in cfg's defaults.
func newBase(cfg Config) base { return base{cfg: cfg.withDefaults()} }

// handler returns a handler that reads the body, records the request into
// the inbox, runs serve and records the status answered.
//
// The body is read to its end first, whatever the behaviour does next:
// only then does net/http watch the connection and cancel r.Context() when
// the client leaves, which is what ends every wait here.
func (b base) handler(serve serveFunc) http.Handler {
	cfg := b.cfg
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := cfg.Now()
		body, readErr := readBody(r.Body, cfg.MaxBodyBytes)
		entry := cfg.Inbox.add(Request{
			Time:          start,
			Method:        r.Method,
			Path:          r.URL.Path,
			RawQuery:      r.URL.RawQuery,
			RequestURI:    r.RequestURI,
			Header:        r.Header.Clone(),
			Body:          body.data,
			BodyTruncated: body.tooLarge,
			RemoteAddr:    r.RemoteAddr,
		})
		sw := &statusWriter{ResponseWriter: w}
		if readErr != nil {
			http.Error(sw, "unreadable body", http.StatusBadRequest)
		} else {
			serve(sw, r, body)
		}
		status := sw.answered(r)
		cfg.Inbox.answered(entry, status)
		// Method, path and status only: headers may carry the D-8 secret,
		// and the query may carry the user's metadata (D-9).
		cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "webhook request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", status),
			slog.String("remote", r.RemoteAddr),
			slog.Duration("took", cfg.Now().Sub(start)),
		)
	})
}

// readBody reads up to limit bytes and drains a bounded remainder.
func readBody(body io.Reader, limit int64) (payload, error) {
	data, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return payload{}, fmt.Errorf("read request body: %w", err)
	}
	if int64(len(data)) <= limit {
		return payload{data: data}, nil
	}
	if _, err := io.Copy(io.Discard, io.LimitReader(body, maxDrainBytes)); err != nil {
		return payload{}, fmt.Errorf("drain oversized request body: %w", err)
	}
	return payload{data: data[:limit], tooLarge: true}, nil
}

// statusWriter remembers the status a behaviour answered and whether it
// took the connection over.
type statusWriter struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

// WriteHeader remembers the first status written.
func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write answers 200 first if no status was written, as net/http does.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Hijack hands the connection over and remembers that no HTTP answer will
// follow. It is found by http.ResponseController before Unwrap.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, fmt.Errorf("hijack connection: %w", err)
	}
	w.hijacked = true
	return conn, rw, nil
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// answered returns the status the client got once the behaviour returned.
func (w *statusWriter) answered(r *http.Request) int {
	switch {
	case w.hijacked:
		return 0
	case w.status != 0:
		return w.status
	case r.Context().Err() != nil:
		return 0 // the client left before any answer
	}
	return http.StatusOK // net/http answers 200 for a handler that wrote nothing
}

// wait sleeps d through the configured hook, ending early with r's context.
func (b base) wait(r *http.Request, d time.Duration) error {
	return b.cfg.Sleep(r.Context(), d)
}
