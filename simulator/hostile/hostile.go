// Package hostile serves webhook receivers that misbehave on purpose, so
// that the delivery engine can be shown to survive them: every attempt
// against one must end within the policy's deadline (D-3, P-1), be given
// the right P-4 failure class, and keep bounded memory.
//
// Each receiver listens on loopback (127.0.0.1 and a free port unless told
// otherwise) and runs until Close or until the context given to Start ends.
// Close stops the listener, closes every open connection and waits for all
// of the server's goroutines, so nothing leaks.
package hostile

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Kind names a hostile behaviour.
type Kind string

// The hostile behaviours.
const (
	// Blackhole accepts connections, reads whatever comes and never
	// answers: every attempt must end by its deadline (D-3).
	Blackhole Kind = "blackhole"
	// TrickleStatus writes the status line one byte per interval, then
	// header bytes the same way, forever: the deadline covers the status
	// line and headers, not just the first byte (P-1).
	TrickleStatus Kind = "trickle-status"
	// EndlessHeaders answers a status line and then header lines without
	// end, as fast as the client reads: the transport must cap them.
	EndlessHeaders Kind = "endless-headers"
	// EndlessBody answers 200 with headers and then a body without end:
	// only MaxBodyBytes of it may be kept (P-1).
	EndlessBody Kind = "endless-body"
	// TrickleBody answers 200 with headers and then a body one chunk per
	// interval, forever: reading it must stop at the deadline.
	TrickleBody Kind = "trickle-body"
	// ResetMidAnswer reads the request, writes part of the headers and
	// resets the connection (RST, via SetLinger(0)) (P-4).
	ResetMidAnswer Kind = "reset-mid-answer"
	// NotHTTP answers the request with bytes that are not HTTP.
	NotHTTP Kind = "not-http"
	// RedirectLoop answers every request with 302 to the same URL (P-3).
	RedirectLoop Kind = "redirect-loop"
	// BadCertificate serves HTTPS with a self-signed certificate that no
	// client can verify (P-4); behind the handshake it would answer 200.
	BadCertificate Kind = "bad-certificate"
)

// Kinds lists every hostile behaviour, in a stable order.
func Kinds() []Kind {
	return []Kind{Blackhole, TrickleStatus, EndlessHeaders, EndlessBody, TrickleBody,
		ResetMidAnswer, NotHTTP, RedirectLoop, BadCertificate}
}

// ParseKind accepts the name of a hostile behaviour.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(Kinds(), k) {
		return k, nil
	}
	return "", fmt.Errorf("unknown hostile receiver %q", s)
}

// DefaultInterval is the pause between bytes or chunks of the trickling
// behaviours.
const DefaultInterval = 50 * time.Millisecond

// Options tune a hostile receiver; the zero value is ready to use.
type Options struct {
	// Addr is the address to listen on; empty means 127.0.0.1:0.
	Addr string
	// Interval is the pause of the trickling behaviours; zero means
	// DefaultInterval.
	Interval time.Duration
}

// Server is a running hostile receiver.
type Server struct {
	// URL is the receiver's base URL ("http://127.0.0.1:port" or https for
	// BadCertificate); deliveries may add any path and query.
	URL string
	// Kind is the behaviour served.
	Kind Kind

	interval time.Duration
	ln       net.Listener
	done     chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	accepted atomic.Int64
	written  atomic.Int64
	stopCtx  func() bool
	close    sync.Once
	closeFn  func() // stops what the kind runs besides the accept loop
}

// Start serves kind on loopback until Close or until ctx ends.
func Start(ctx context.Context, kind Kind, o Options) (*Server, error) {
	if _, err := ParseKind(string(kind)); err != nil {
		return nil, err
	}
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("hostile %s: listen: %w", kind, err)
	}
	s := &Server{Kind: kind, interval: o.Interval, ln: ln, done: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	if s.interval <= 0 {
		s.interval = DefaultInterval
	}
	s.URL = "http://" + ln.Addr().String()
	switch kind {
	case RedirectLoop:
		s.serveHTTP(redirectToSelf())
	case BadCertificate:
		s.serveBadTLS()
	default:
		s.wg.Add(1)
		go s.acceptLoop(s.handler())
	}
	s.stopCtx = context.AfterFunc(ctx, func() { _ = s.Close() })
	return s, nil
}

// Addr returns the listening address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Accepted reports how many connections the raw-TCP behaviours accepted.
func (s *Server) Accepted() int64 { return s.accepted.Load() }

// Written reports how many bytes the raw-TCP behaviours wrote.
func (s *Server) Written() int64 { return s.written.Load() }

// Close stops the receiver, closes its connections and waits until every
// goroutine it started has returned. It may be called more than once.
func (s *Server) Close() error {
	var err error
	s.close.Do(func() {
		if s.stopCtx != nil {
			s.stopCtx()
		}
		close(s.done)
		if s.closeFn != nil {
			s.closeFn()
		} else if cerr := s.ln.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) {
			err = fmt.Errorf("hostile %s: close listener: %w", s.Kind, cerr)
		}
		s.mu.Lock()
		for c := range s.conns {
			_ = c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return err
}

// serveHTTP runs h with net/http on the listener.
func (s *Server) serveHTTP(h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: time.Minute, ErrorLog: log.New(io.Discard, "", 0)}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = srv.Serve(s.ln) // ends with ErrServerClosed on Close
	}()
	s.closeFn = func() { _ = srv.Close() }
}

// serveBadTLS runs an HTTPS server whose certificate is self-signed for
// "example.com" by httptest's private authority, which no client trusts.
func (s *Server) serveBadTLS() {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	_ = srv.Listener.Close()
	srv.Listener = s.ln
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are the point
	srv.StartTLS()
	s.URL = srv.URL
	s.closeFn = srv.Close
}

// handler returns the per-connection behaviour of a raw-TCP kind.
func (s *Server) handler() func(net.Conn) {
	switch s.Kind {
	case Blackhole:
		return s.blackhole
	case TrickleStatus:
		return s.trickleStatus
	case EndlessHeaders:
		return s.endlessHeaders
	case EndlessBody:
		return s.endlessBody
	case TrickleBody:
		return s.trickleBody
	case ResetMidAnswer:
		return s.resetMidAnswer
	case NotHTTP:
		return s.notHTTP
	}
	panic("hostile: no raw handler for " + string(s.Kind)) // Start checked the kind
}

func (s *Server) acceptLoop(handle func(net.Conn)) {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return // closed
		}
		s.accepted.Add(1)
		s.mu.Lock()
		select {
		case <-s.done:
			s.mu.Unlock()
			_ = c.Close()
			return
		default:
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				_ = c.Close()
			}()
			handle(c)
		}()
	}
}

// write counts the bytes it writes.
func (s *Server) write(c net.Conn, b []byte) error {
	n, err := c.Write(b)
	s.written.Add(int64(n))
	return err
}

// pause waits one interval; it reports false once the server is closing.
func (s *Server) pause() bool {
	t := time.NewTimer(s.interval)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.done:
		return false
	}
}

// readRequest reads one HTTP request and its body, so that what the
// behaviour writes next is read by the client as the answer.
func readRequest(c net.Conn) error {
	req, err := http.ReadRequest(bufio.NewReader(c))
	if err != nil {
		return fmt.Errorf("read request: %w", err)
	}
	_, err = io.Copy(io.Discard, io.LimitReader(req.Body, 1<<20))
	return err
}

// drain reads until the client closes or the server closes the connection.
func drain(c net.Conn) { _, _ = io.Copy(io.Discard, c) }

func (s *Server) blackhole(c net.Conn) { drain(c) }

func (s *Server) trickleStatus(c net.Conn) {
	s.wg.Add(1)
	go func() { // never answers the request; Close ends this reader too
		defer s.wg.Done()
		drain(c)
	}()
	line := []byte("HTTP/1.1 200 OK\r\nX-Trickle: ")
	for i := 0; ; i++ {
		b := byte('a')
		if i < len(line) {
			b = line[i]
		}
		if !s.pause() || s.write(c, []byte{b}) != nil {
			return
		}
	}
}

func (s *Server) endlessHeaders(c net.Conn) {
	if readRequest(c) != nil {
		return
	}
	if s.write(c, []byte("HTTP/1.1 200 OK\r\n")) != nil {
		return
	}
	line := []byte("X-Endless: " + strings.Repeat("h", 1000) + "\r\n")
	for {
		select {
		case <-s.done:
			return
		default:
		}
		if s.write(c, line) != nil {
			return
		}
	}
}

func (s *Server) endlessBody(c net.Conn) {
	if readRequest(c) != nil {
		return
	}
	if s.write(c, []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")) != nil {
		return
	}
	chunk := []byte(strings.Repeat("endless body ", 2520)) // about 32 KiB
	for {
		select {
		case <-s.done:
			return
		default:
		}
		if s.write(c, chunk) != nil {
			return
		}
	}
}

func (s *Server) trickleBody(c net.Conn) {
	if readRequest(c) != nil {
		return
	}
	if s.write(c, []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")) != nil {
		return
	}
	for s.pause() {
		if s.write(c, []byte("trickle\n")) != nil {
			return
		}
	}
}

func (s *Server) resetMidAnswer(c net.Conn) {
	if readRequest(c) != nil {
		return
	}
	_ = s.write(c, []byte("HTTP/1.1 200 OK\r\nContent-Type: appli"))
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // Close now sends RST instead of FIN
	}
	// The deferred Close in acceptLoop resets the connection.
}

func (s *Server) notHTTP(c net.Conn) {
	if readRequest(c) != nil {
		return
	}
	if s.write(c, []byte("SSH-2.0-OpenSSH_9.6 \x00\x01\x02 this is not HTTP\r\n\r\n")) != nil {
		return
	}
	drain(c)
}

// redirectToSelf answers 302 with the request's own URI as Location.
func redirectToSelf() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		w.Header().Set("Location", r.URL.RequestURI())
		w.WriteHeader(http.StatusFound)
	})
}
