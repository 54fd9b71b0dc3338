package receiver

import (
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// Defaults of the blunt behaviours' Params.
const (
	// DefaultFailStatus is what status and fail-first answer: a 5xx, which
	// AssemblyAI retries (D-4).
	DefaultFailStatus = http.StatusInternalServerError
	// DefaultFailFirst is how many requests fail-first fails.
	DefaultFailFirst = 3
)

// garbageReply is not an HTTP status line, so the sender's parser fails
// (a protocol error, retried under P-4).
var garbageReply = []byte("SSH-2.0-not-http\r\n\x00\xff\xfe garbage\r\n\r\n")

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

// newReset closes the connection with a TCP RST instead of answering
// (P-4: a reset is retried).
func newReset(cfg Config, _ Params) http.Handler {
	return newBase(cfg).handler(func(w http.ResponseWriter, r *http.Request, _ payload) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			// Not a connection (e.g. a ResponseRecorder): abort the
			// response, which net/http turns into a closed connection.
			panic(http.ErrAbortHandler)
		}
		if tc, ok := tcpConn(conn); ok {
			_ = tc.SetLinger(0) // linger 0 makes Close send RST, not FIN
		}
		_ = conn.Close()
	})
}

// tcpConn finds the TCP connection under conn, through TLS if needed.
func tcpConn(conn net.Conn) (*net.TCPConn, bool) {
	if inner, ok := conn.(interface{ NetConn() net.Conn }); ok {
		conn = inner.NetConn()
	}
	tc, ok := conn.(*net.TCPConn)
	return tc, ok
}

// newRedirect answers 302 to p.Location, by default the request's own URL:
// a loop for a sender that follows redirects (P-3).
func newRedirect(cfg Config, p Params) http.Handler {
	return newBase(cfg).handler(func(w http.ResponseWriter, r *http.Request, _ payload) {
		w.Header().Set("Location", orDefault(p.Location, r.URL.RequestURI()))
		w.WriteHeader(http.StatusFound)
	})
}

// newGarbage answers bytes that are not HTTP, then closes the connection.
func newGarbage(cfg Config, _ Params) http.Handler {
	return newBase(cfg).handler(func(w http.ResponseWriter, r *http.Request, _ payload) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler) // see newReset
		}
		defer conn.Close()
		// A short deadline so a client that never reads cannot hold us.
		_ = conn.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = buf.Write(garbageReply)
		_ = buf.Flush()
	})
}
