package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/pflag"

	"github.com/hookcheck/hookcheck/simulator/inspect"
)

// envUIToken lets the inspector's token stay off the command line.
const envUIToken = "HOOKCHECK_UI_TOKEN" //nolint:gosec // G101: the name of a variable, not a credential

// uiFlags are --ui and --ui-token, the live inspector of serve-api and
// capture.
type uiFlags struct {
	addr  string
	token string
}

func (u *uiFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&u.addr, "ui", "", "serve the live inspector page on this address (e.g. 127.0.0.1:0); its URL, with a token, is printed on stderr")
	fs.StringVar(&u.token, "ui-token", "", "the inspector's token instead of a random one (prefer env "+envUIToken+"); required for a non-loopback --ui address")
}

// inspector returns the Inspector --ui asks for, nil without --ui, or a
// usage error.
func (u *uiFlags) inspector(a *app, o inspect.Options) (*inspect.Inspector, error) {
	if u.addr == "" {
		if u.token != "" {
			return nil, usagef("--ui-token acts only with --ui")
		}
		return nil, nil
	}
	token := u.token
	if token == "" {
		token = a.getenv(envUIToken)
	}
	if err := inspect.CheckAddr(u.addr, token != ""); err != nil {
		return nil, usagef("--ui: %v", err)
	}
	o.Token = token
	o.Logger = a.logger()
	in, err := inspect.New(o)
	if err != nil {
		return nil, usagef("--ui-token: %v", err)
	}
	return in, nil
}

// serveInspector serves in on --ui's address until ctx ends and prints,
// once, on stderr, the URL to open. The returned function stops it.
func (u *uiFlags) serveInspector(ctx context.Context, a *app, in *inspect.Inspector) (stop func(), err error) {
	l, err := net.Listen("tcp", u.addr)
	if err != nil {
		return nil, usagef("--ui: %v", err)
	}
	url := in.URL(l.Addr())
	if u.token != "" || a.getenv(envUIToken) != "" {
		url = "http://" + l.Addr().String() + "/?token=<your --ui-token>"
	}
	fmt.Fprintf(a.err, "hookcheck: inspector on %s\n", url)
	hs := &http.Server{Handler: in, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.logger().Error("inspector stopped", "error", err)
		}
	}()
	return func() {
		_ = hs.Close() // event streams never end by themselves
		<-done
	}, nil
}
