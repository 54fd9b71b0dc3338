// Package memnet is an in-memory network for tests: HTTP servers listen on
// names, the delivery engine dials them, and bytes travel through net.Pipe.
// Inside a testing/synctest bubble every wait on it is durable, so virtual
// time can run a full delivery schedule (about 190 s, P-2) in milliseconds
// with the real net/http client and server on both ends.
package memnet

import (
	"context"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"
)

// Network routes dials to listeners by host:port.
type Network struct {
	mu        sync.Mutex
	listeners map[string]*Listener
	ports     int
}

// New returns an empty network.
func New() *Network { return &Network{listeners: map[string]*Listener{}} }

// Listen returns a listener for addr ("host:port"); an empty addr gets a
// fresh 127.0.0.1 port.
func (n *Network) Listen(addr string) (*Listener, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if addr == "" {
		n.ports++
		addr = fmt.Sprintf("127.0.0.1:%d", 20000+n.ports)
	}
	tcp, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("memnet listen %q: %w", addr, err)
	}
	if _, taken := n.listeners[addr]; taken {
		return nil, fmt.Errorf("memnet listen %q: %w", addr, syscall.EADDRINUSE)
	}
	l := &Listener{net: n, addr: tcp, key: addr, conns: make(chan net.Conn), done: make(chan struct{})}
	n.listeners[addr] = l
	return l, nil
}

// DialContext connects to the listener at addr, or fails with
// ECONNREFUSED as a closed TCP port would.
func (n *Network) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	n.mu.Lock()
	l := n.listeners[addr]
	n.mu.Unlock()
	refused := &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	if l == nil {
		return nil, refused
	}
	server, client := net.Pipe()
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	select {
	case l.conns <- conn{Conn: server, local: l.addr, remote: local}:
		return conn{Conn: client, local: local, remote: l.addr}, nil
	case <-l.done:
		return nil, refused
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Listener is a net.Listener on a Network.
type Listener struct {
	net   *Network
	addr  *net.TCPAddr
	key   string
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

// Accept waits for the next dial.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops the listener; later dials are refused.
func (l *Listener) Close() error {
	l.once.Do(func() {
		l.net.mu.Lock()
		delete(l.net.listeners, l.key)
		l.net.mu.Unlock()
		close(l.done)
	})
	return nil
}

// Addr returns the listening address.
func (l *Listener) Addr() net.Addr { return l.addr }

// URL returns "http://host:port" for the listener.
func (l *Listener) URL() string { return "http://" + l.key }

type conn struct {
	net.Conn
	local, remote net.Addr
}

func (c conn) LocalAddr() net.Addr  { return c.local }
func (c conn) RemoteAddr() net.Addr { return c.remote }
