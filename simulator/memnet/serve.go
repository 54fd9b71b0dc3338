package memnet

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Server is an http.Server on a Network.
type Server struct {
	// URL is "http://host:port" of the server.
	URL      string
	listener *Listener
	srv      *http.Server
	done     chan struct{}
}

// Serve runs h on addr ("" for a fresh address) until Close.
func (n *Network) Serve(addr string, h http.Handler) (*Server, error) {
	l, err := n.Listen(addr)
	if err != nil {
		return nil, err
	}
	s := &Server{URL: l.URL(), listener: l, srv: &http.Server{Handler: h, ReadHeaderTimeout: time.Minute}, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			panic(err) // cannot happen: only Close ends a memnet listener
		}
	}()
	return s, nil
}

// Close stops the server, closes its connections and waits for it.
func (s *Server) Close() {
	_ = s.srv.Close()
	<-s.done
}

// Shutdown stops the server gracefully within ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	<-s.done
	return err
}
