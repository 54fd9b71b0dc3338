package load

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"sync/atomic"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// transport is the HTTP transport of a load run: the one the sender builds
// from its policy (no proxy, no compression, the P-7 source address, a
// connection per attempt unless keep-alive is on), counting the attempts
// it sends and those waiting for an answer, which the sender does not
// report until an attempt ends.
type transport struct {
	rt       *http.Transport
	sent     atomic.Int64 // attempts sent
	inFlight atomic.Int64 // attempts sent, not yet answered
}

// maxResponseHeaderBytes bounds a receiver's answer headers, as the
// sender's own transport does.
const maxResponseHeaderBytes = 64 << 10

// connBufferBytes is the read and the write buffer of each connection.
const connBufferBytes = 1 << 10

func newTransport(p webhook.Policy, dial func(ctx context.Context, network, addr string) (net.Conn, error)) *transport {
	if dial == nil {
		d := &net.Dialer{Timeout: p.Timeout}
		if p.Source.Mode == webhook.SourceBind {
			d.LocalAddr = &net.TCPAddr{IP: p.Source.BindIP} // P-7
		}
		dial = d.DialContext
	}
	return &transport{rt: &http.Transport{
		Proxy:                  nil,
		DialContext:            dial,
		TLSClientConfig:        &tls.Config{InsecureSkipVerify: p.InsecureSkipVerify, MinVersion: tls.VersionTLS12}, //nolint:gosec // opt-in
		DisableKeepAlives:      !p.KeepAlive,
		DisableCompression:     true, // Accept-Encoding is set by the sender (D-12)
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
		MaxIdleConns:           4096,
		MaxIdleConnsPerHost:    4096,
		// Against a receiver that never answers, rate × 10 s connections
		// wait at once (D-3), and their buffers were most of a run's
		// memory: 1 KiB holds a status line and its headers (longer ones
		// are read in pieces), and a large body is written past the
		// buffer, so the 4 KiB defaults bought nothing.
		ReadBufferSize:  connBufferBytes,
		WriteBufferSize: connBufferBytes,
	}}
}

// RoundTrip sends one attempt (or, with redirects followed, one hop of it,
// counted once).
func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Response == nil { // not a redirect's hop
		t.sent.Add(1)
	}
	t.inFlight.Add(1)
	defer t.inFlight.Add(-1)
	return t.rt.RoundTrip(r)
}
