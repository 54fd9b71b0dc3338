// Package hostile is the catalogue of socket-level misbehaving webhook
// receivers: ones that break HTTP, TCP or TLS itself (a blackhole, a
// trickled status line, endless headers or body, a reset, bytes that are
// not HTTP, a certificate no client trusts), so that the delivery engine can
// be shown to survive them: every attempt against one must end within the
// policy's deadline (D-3, P-1), be given the right P-4 failure class, and
// keep bounded memory.
//
// Receivers that speak HTTP correctly but answer wrongly (a status, a
// delay, a hang, a redirect, one flaw of the compliant receiver) are
// HTTP-level and live in simulator/receiver; `hookcheck receiver --list`
// lists both catalogues.
//
// Serve runs a kind on any net.Listener, such as a simulator/memnet one for
// virtual-time tests (there is no TCP RST on a pipe: a reset is a plain
// close, which the engine classes as a reset too); Start listens on
// loopback and serves. A server runs until Close or until its context
// ends; Close stops the listener, closes every open connection and waits
// for all of the server's goroutines, so nothing leaks. Handler is the
// same behaviour for harnesses that only take an http.Handler.
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
	// resets the connection (RST, via SetLinger(0), on TCP; a plain close
	// elsewhere) (P-4).
	ResetMidAnswer Kind = "reset-mid-answer"
	// NotHTTP answers the request with bytes that are not HTTP (P-4).
	NotHTTP Kind = "not-http"
	// BadCertificate serves HTTPS with a self-signed certificate that no
	// client can verify (P-4); behind the handshake it would answer 200.
	BadCertificate Kind = "bad-certificate"
)

// about is what --list shows of each kind.
var about = map[Kind]struct{ description, violates string }{
	Blackhole:      {"accepts the connection, reads, never answers", "D-3: no answer within 10 s"},
	TrickleStatus:  {"writes the status line and headers one byte per interval, forever", "D-3: no complete answer within 10 s (P-1)"},
	EndlessHeaders: {"answers a status line, then header lines without end", "D-3: no complete answer (P-4 protocol)"},
	EndlessBody:    {"answers 200, then a body without end", "P-1: only MaxBodyBytes of a body is kept"},
	TrickleBody:    {"answers 200, then a body one chunk per interval, forever", "P-1: reading the body stops at the deadline"},
	ResetMidAnswer: {"reads the request, writes part of the headers, resets the connection", "D-3: no answer (P-4 connection_reset)"},
	NotHTTP:        {"answers the request with bytes that are not HTTP", "D-3: no HTTP answer (P-4 protocol)"},
	BadCertificate: {"serves HTTPS with a self-signed certificate nobody trusts", "D-3: no answer (P-4 tls)"},
}

// Kinds lists every hostile behaviour, in a stable order.
func Kinds() []Kind {
	return []Kind{Blackhole, TrickleStatus, EndlessHeaders, EndlessBody, TrickleBody,
		ResetMidAnswer, NotHTTP, BadCertificate}
}

// Description says in one line what k does.
func (k Kind) Description() string { return about[k].description }

// Violates names the rule a receiver that behaves like k breaks.
func (k Kind) Violates() string { return about[k].violates }

// ErrUnknownKind is wrapped by ParseKind's error for an unknown name.
var ErrUnknownKind = errors.New("unknown hostile receiver")

// ParseKind accepts the name of a hostile behaviour.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(Kinds(), k) {
		return k, nil
	}
	return "", fmt.Errorf("%w %q", ErrUnknownKind, s)
}

// DefaultInterval is the pause between bytes or chunks of the trickling
// behaviours.
const DefaultInterval = 50 * time.Millisecond

// Options tune a hostile receiver; the zero value is ready to use.
type Options struct {
	// Addr is the address Start listens on; empty means 127.0.0.1:0.
	Addr string
	// Interval is the pause of the trickling behaviours; zero means
	// DefaultInterval.
	Interval time.Duration
}

// Server is a running hostile receiver.
type Server struct {
	// URL is the receiver's base URL ("http://host:port", or https for
	// BadCertificate); deliveries may add any path and query.
	URL string
	// Kind is the behaviour served.
	Kind Kind

	b        behaviour
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

// Start listens on o.Addr (loopback by default) and serves kind there, as
// Serve does.
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
	return Serve(ctx, ln, kind, o)
}

// Serve serves kind on ln until Close or until ctx ends; the server owns
// ln and closes it. o.Addr is ignored.
func Serve(ctx context.Context, ln net.Listener, kind Kind, o Options) (*Server, error) {
	if _, err := ParseKind(string(kind)); err != nil {
		_ = ln.Close()
		return nil, err
	}
	s := &Server{Kind: kind, URL: "http://" + ln.Addr().String(), ln: ln,
		done: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	s.b = behaviour{interval: o.Interval, done: s.done, written: &s.written}
	if s.b.interval <= 0 {
		s.b.interval = DefaultInterval
	}
	if kind == BadCertificate {
		s.serveBadTLS()
	} else {
		s.wg.Add(1)
		go s.acceptLoop()
	}
	s.stopCtx = context.AfterFunc(ctx, func() { _ = s.Close() })
	return s, nil
}

// Addr returns the listening address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Accepted reports how many connections the server accepted (not counting
// BadCertificate, whose connections net/http accepts).
func (s *Server) Accepted() int64 { return s.accepted.Load() }

// Written reports how many bytes the server wrote (as Accepted).
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

// serveBadTLS runs an HTTPS server whose certificate is self-signed for
// "example.com" by httptest's private authority, which no client trusts.
func (s *Server) serveBadTLS() {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	_ = srv.Listener.Close() // httptest's own loopback listener: s.ln replaces it
	srv.Listener = s.ln
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are the point
	srv.StartTLS()
	s.URL = "https://" + s.ln.Addr().String()
	s.closeFn = srv.Close
}

func (s *Server) acceptLoop() {
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
			s.b.serve(s.Kind, c, false, func(f func()) {
				s.wg.Add(1)
				go func() {
					defer s.wg.Done()
					f()
				}()
			})
		}()
	}
}

// Handler is kind as an http.Handler, for harnesses that only serve
// handlers (hookcheck.Target.Handler, internal/fixture): net/http reads
// the request, then the handler takes the connection over (Hijack) and
// behaves as kind does after reading a request. Each connection ends when
// the client closes it. Serve is the faithful form, since it sees the
// request's raw bytes too; BadCertificate, which acts before HTTP, has
// no Handler.
func Handler(kind Kind, o Options) (http.Handler, error) {
	if _, err := ParseKind(string(kind)); err != nil {
		return nil, err
	}
	if kind == BadCertificate {
		return nil, fmt.Errorf("hostile %s: acts before HTTP, so it cannot be an http.Handler; use Serve", kind)
	}
	b := behaviour{interval: o.Interval}
	if b.interval <= 0 {
		b.interval = DefaultInterval
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxRequestBody))
		c, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			// Not a connection (e.g. a ResponseRecorder): abort, which
			// net/http turns into a closed connection.
			panic(http.ErrAbortHandler)
		}
		defer c.Close()
		b.serve(kind, c, true, func(f func()) { go f() })
	}), nil
}

// behaviour runs the raw kinds on one connection.
type behaviour struct {
	interval time.Duration
	done     <-chan struct{} // closed when the server closes; nil never
	written  *atomic.Int64   // nil counts nothing
}

// maxRequestBody bounds what is read of a request's body.
const maxRequestBody = 1 << 20

// serve runs kind on c; requestRead says the request has been read
// already (Handler). spawn runs a helper goroutine the caller can wait for.
func (b behaviour) serve(kind Kind, c net.Conn, requestRead bool, spawn func(func())) {
	switch kind {
	case Blackhole:
		drain(c)
		return
	case TrickleStatus:
		// It never reads the request as such: a reader drains it and
		// notices when the client leaves.
		b.trickleStatus(c, b.watch(c, spawn))
		return
	}
	if !requestRead && readRequest(c) != nil {
		return
	}
	switch kind {
	case EndlessHeaders:
		b.endlessHeaders(c)
	case EndlessBody:
		b.endlessBody(c)
	case TrickleBody:
		b.trickleBody(c, b.watch(c, spawn))
	case ResetMidAnswer:
		b.resetMidAnswer(c)
	case NotHTTP:
		if b.write(c, []byte("SSH-2.0-OpenSSH_9.6 \x00\x01\x02 this is not HTTP\r\n\r\n")) == nil {
			drain(c)
		}
	}
}

// write counts the bytes it writes.
func (b behaviour) write(c net.Conn, p []byte) error {
	n, err := c.Write(p)
	if b.written != nil {
		b.written.Add(int64(n))
	}
	return err
}

// closing reports whether the server is closing.
func (b behaviour) closing() bool {
	select {
	case <-b.done:
		return true
	default:
		return false
	}
}

// watch reads c until the client closes it (or the server does), and
// returns a channel closed then: a trickle stops at once instead of at its
// next write, so no goroutine outlives the client (in a synctest bubble, a
// pause still pending after the run would be a leak).
func (b behaviour) watch(c net.Conn, spawn func(func())) <-chan struct{} {
	gone := make(chan struct{})
	spawn(func() {
		defer close(gone)
		drain(c)
	})
	return gone
}

// pause waits one interval; it reports false once the server is closing
// or the client has gone.
func (b behaviour) pause(gone <-chan struct{}) bool {
	t := time.NewTimer(b.interval)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-b.done:
		return false
	case <-gone:
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
	_, err = io.Copy(io.Discard, io.LimitReader(req.Body, maxRequestBody))
	return err
}

// drain reads until the client closes or the server closes the connection.
func drain(c net.Conn) { _, _ = io.Copy(io.Discard, c) }

func (b behaviour) trickleStatus(c net.Conn, gone <-chan struct{}) {
	line := []byte("HTTP/1.1 200 OK\r\nX-Trickle: ")
	for i := 0; ; i++ {
		ch := byte('a')
		if i < len(line) {
			ch = line[i]
		}
		if !b.pause(gone) || b.write(c, []byte{ch}) != nil {
			return
		}
	}
}

func (b behaviour) endlessHeaders(c net.Conn) {
	if b.write(c, []byte("HTTP/1.1 200 OK\r\n")) != nil {
		return
	}
	line := []byte("X-Endless: " + strings.Repeat("h", 1000) + "\r\n")
	for !b.closing() {
		if b.write(c, line) != nil {
			return
		}
	}
}

func (b behaviour) endlessBody(c net.Conn) {
	if b.write(c, []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")) != nil {
		return
	}
	chunk := []byte(strings.Repeat("endless body ", 2520)) // about 32 KiB
	for !b.closing() {
		if b.write(c, chunk) != nil {
			return
		}
	}
}

func (b behaviour) trickleBody(c net.Conn, gone <-chan struct{}) {
	if b.write(c, []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")) != nil {
		return
	}
	for b.pause(gone) {
		if b.write(c, []byte("trickle\n")) != nil {
			return
		}
	}
}

// resetMidAnswer writes part of the headers and leaves the reset to the
// caller's Close.
func (b behaviour) resetMidAnswer(c net.Conn) {
	_ = b.write(c, []byte("HTTP/1.1 200 OK\r\nContent-Type: appli"))
	if tc, ok := tcpConn(c); ok {
		_ = tc.SetLinger(0) // Close now sends RST instead of FIN
	}
	// On a pipe (memnet) there is no RST: the plain close reaches the
	// client as an unexpected EOF, which is classed as a reset too.
}

// tcpConn finds the TCP connection under c, through TLS if needed.
func tcpConn(c net.Conn) (*net.TCPConn, bool) {
	if inner, ok := c.(interface{ NetConn() net.Conn }); ok {
		c = inner.NetConn()
	}
	tc, ok := c.(*net.TCPConn)
	return tc, ok
}
