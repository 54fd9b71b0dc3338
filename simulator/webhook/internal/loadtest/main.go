// Command loadtest measures the delivery engine against loopback receivers;
// BENCHMARKS.md records what it printed. It only ever talks to loopback.
//
//	loadtest receiver -listen 127.0.0.1:0 -status 500   # a trivial receiver, in its own process
//	loadtest load -target URL -n 100000                 # many deliveries at once, compressed schedule
//	loadtest timing                                     # real 10 s waits and timeouts (about 190 s)
//	loadtest burst -target URL -n 20000 -c 50           # single-attempt burst rate
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadtest receiver|load|timing|burst [flags]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cmds := map[string]func(context.Context, []string) error{
		"receiver": runReceiver, "load": runLoad, "timing": runTiming, "burst": runBurst,
	}
	run, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
	if err := run(ctx, os.Args[2:]); err != nil {
		slog.Error("loadtest failed", "command", os.Args[1], "error", err)
		os.Exit(1)
	}
}

// mustLoopback refuses any target that is not on loopback: load of this
// kind must never leave the machine.
func mustLoopback(target string) error {
	host := target
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	if i := strings.IndexAny(host, "/?"); i >= 0 {
		host = host[:i]
	}
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("target %q is not a loopback address", target)
	}
	return nil
}

// statusHandler answers code at once; code 0 hangs until the client
// leaves. It reads the request body first, as a receiver would.
func statusHandler(code int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if code == 0 {
			<-r.Context().Done()
			return
		}
		w.WriteHeader(code)
	})
}

// serve runs h on a fresh loopback port until ctx ends; it returns the URL
// and a function that waits for the server to stop.
func serve(ctx context.Context, listen string, h http.Handler) (string, func(), error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", listen)
	if err != nil {
		return "", nil, fmt.Errorf("listen %s: %w", listen, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("receiver stopped", "error", err)
		}
	}()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	return "http://" + ln.Addr().String(), func() { <-done }, nil
}

func runReceiver(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("receiver", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "loopback address to listen on")
	code := fs.Int("status", 500, "status to answer; 0 hangs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	url, wait, err := serve(ctx, *listen, statusHandler(*code))
	if err != nil {
		return err
	}
	if err := mustLoopback(url); err != nil {
		return err
	}
	fmt.Println(url) // the scripts read the first line
	wait()
	return nil
}
