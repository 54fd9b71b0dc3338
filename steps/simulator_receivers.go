package steps

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/hookcheck/hookcheck/simulator/hostile"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// The Given steps start a reference receiver (simulator/receiver) and
// set the policy the scenario delivers under.

// serveStatus serves the status reference receiver on the in-memory network.
func (st *simulatorScenario) serveStatus(code int) error {
	return st.serveBehaviour("status", receiver.Params{Status: code})
}

// serveDelayed serves the delay reference receiver, which answers 200
// only, after secs of virtual time.
func (st *simulatorScenario) serveDelayed(code int, secs float64) error {
	if code != http.StatusOK {
		return errors.New("the delayed reference receiver answers 200 only")
	}
	return st.serveBehaviour("delay", receiver.Params{Delay: seconds(secs)})
}

// serveHang serves the hang reference receiver.
func (st *simulatorScenario) serveHang() error {
	return st.serveBehaviour("hang", receiver.Params{})
}

// serveReset serves the socket-level reset-mid-answer receiver
// (simulator/hostile) on the in-memory network, where its reset is a plain
// close that the engine still classes connection_reset (P-4).
func (st *simulatorScenario) serveReset() error {
	ln, err := st.net.Listen("")
	if err != nil {
		return fmt.Errorf("start receiver: %w", err)
	}
	srv, err := hostile.Serve(context.Background(), ln, hostile.ResetMidAnswer, hostile.Options{})
	if err != nil {
		return fmt.Errorf("start receiver: %w", err)
	}
	st.closers = append(st.closers, func() { _ = srv.Close() })
	st.target = srv.URL
	return nil
}

// serveRedirect serves the redirect reference receiver (302 to itself).
func (st *simulatorScenario) serveRedirect() error {
	return st.serveBehaviour("redirect", receiver.Params{})
}

// serveFailFirst serves the fail-first reference receiver.
func (st *simulatorScenario) serveFailFirst(k, code int) error {
	return st.serveBehaviour("fail-first", receiver.Params{FailFirst: k, Status: code})
}

// serveOnceThenHang serves one answer, then hangs: for P-5,
// webhook_status_code after a timeout.
func (st *simulatorScenario) serveOnceThenHang(code int) error {
	status, err := receiver.Lookup("status")
	if err != nil {
		return err
	}
	hang, err := receiver.Lookup("hang")
	if err != nil {
		return err
	}
	cfg := receiver.Config{Inbox: st.inbox}
	first, rest := status.New(cfg, receiver.Params{Status: code}), hang.New(cfg, receiver.Params{})
	var n atomic.Int64
	return st.serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			first.ServeHTTP(w, r)
			return
		}
		rest.ServeHTTP(w, r)
	}))
}

// serveLoopbackStatus serves the status receiver on real 127.0.0.1, for
// checks of the socket peer address (P-7).
func (st *simulatorScenario) serveLoopbackStatus(code int) error {
	b, err := receiver.Lookup("status")
	if err != nil {
		return err
	}
	return st.serveLoopback(b.New(receiver.Config{Inbox: st.inbox}, receiver.Params{Status: code}))
}

// noReceiver targets an address where nothing listens, so connections are
// refused (P-4).
func (st *simulatorScenario) noReceiver() error {
	st.target = "http://127.0.0.1:9" // nothing listens there on the in-memory network
	return nil
}

// setAuthHeader sets the policy's auth header (D-8).
func (st *simulatorScenario) setAuthHeader(name, value string) error {
	st.policy.Auth = &webhook.AuthHeader{Name: name, Value: webhook.Secret(value)}
	return nil
}

// setRegion sets the policy's region (D-7).
func (st *simulatorScenario) setRegion(region string) error {
	r, err := webhook.ParseRegion(region)
	st.policy.Region = r
	return err
}

// setSourceAddress sets how the source address is shown (P-7).
func (st *simulatorScenario) setSourceAddress(mode string) error {
	src, err := webhook.ParseSourceAddress(mode)
	st.policy.Source = src
	return err
}

func (st *simulatorScenario) serveBehaviour(name string, p receiver.Params) error {
	b, err := receiver.Lookup(name)
	if err != nil {
		return err
	}
	return st.serve(b.New(receiver.Config{Inbox: st.inbox}, p))
}

func (st *simulatorScenario) serve(h http.Handler) error {
	srv, err := st.net.Serve("", h)
	if err != nil {
		return fmt.Errorf("start receiver: %w", err)
	}
	st.closers = append(st.closers, srv.Close)
	st.target = srv.URL
	return nil
}

// serveLoopback serves h on real 127.0.0.1, for scenarios that need a
// socket peer address.
func (st *simulatorScenario) serveLoopback(h http.Handler) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen on loopback: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	st.closers = append(st.closers, func() {
		_ = srv.Close()
		<-done
	})
	st.target, st.loopback = "http://"+l.Addr().String(), true
	return nil
}
