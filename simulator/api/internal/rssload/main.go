// Command rssload measures the memory of `hookcheck serve-api` holding
// many transcripts and deliveries, and what one large list call adds
// (issue 11, BENCHMARKS.md §7): it starts the built binary on loopback,
// submits N transcripts whose webhooks go to a loopback receiver in this
// process (each webhook_url padded so that every delivery record is
// large), waits until every webhook has arrived, then reads the whole
// GET /hookcheck/v1/deliveries and GET /hookcheck/v1/calls lists. It
// prints serve-api's resident set (VmRSS) and peak (VmHWM) from /proc
// after the submissions and after the list calls. Loopback only; Linux
// only.
//
//	go build -o bin/hookcheck ./cmd/hookcheck
//	go run ./simulator/api/internal/rssload -bin bin/hookcheck -n 10000
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookcheck/hookcheck/internal/procmem"
)

// apiKey is the throwaway key of the measured serve-api; it guards nothing.
const apiKey = "rssload-key" //nolint:gosec // G101: a local test key, not a credential

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "rssload:", err)
		os.Exit(1)
	}
}

func run() error {
	bin := flag.String("bin", "bin/hookcheck", "the hookcheck binary to measure")
	n := flag.Int("n", 10_000, "transcripts to submit, each with a webhook")
	c := flag.Int("c", 20, "concurrent submissions")
	padBytes := flag.Int("pad", 2048, "pad each webhook_url's query to about this many bytes, so each delivery record is large")
	lists := flag.Int("lists", 3, "times to read each whole list")
	extra := flag.String("args", "", "extra serve-api flags, e.g. \"--max-transcripts 1000\"")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var hooks atomic.Int64
	hook, err := receive(&hooks)
	if err != nil {
		return err
	}
	defer hook.Close()

	args := append([]string{"serve-api", "--listen", "127.0.0.1:0", "--processing-delay", "10ms", "--fast"}, strings.Fields(*extra)...)
	cmd := exec.CommandContext(ctx, *bin, args...) //nolint:gosec // G204: the load program runs the hookcheck binary its user names
	cmd.Env = append(os.Environ(), "HOOKCHECK_API_KEY="+apiKey)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = io.Discard // one log line per request
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", *bin, err)
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	base, err := procmem.FirstLineAddress(out, listenLine, "serve-api")
	if err != nil {
		return err
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	pid := cmd.Process.Pid
	fmt.Printf("serve-api pid %d at %s; before: %s\n", pid, base, procmem.Status(pid))

	webhookURL := "http://" + hook.Addr().String() + "/webhook?pad=" + strings.Repeat("p", *padBytes)
	body, err := json.Marshal(map[string]string{"audio_url": "https://example.com/a.mp3", "webhook_url": webhookURL})
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *c}, Timeout: 5 * time.Minute}
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range *c {
		wg.Go(func() {
			for ctx.Err() == nil && next.Add(1) <= int64(*n) {
				code, _, err := call(ctx, client, http.MethodPost, base+"/v2/transcript", string(body))
				if err != nil || code != http.StatusOK {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	for ctx.Err() == nil && hooks.Load()+failed.Load() < int64(*n) {
		time.Sleep(50 * time.Millisecond) // a load program polling its own counter
	}
	fmt.Printf("%d transcripts (%d refused), %d webhooks received in %s: %s\n",
		*n, failed.Load(), hooks.Load(), time.Since(start).Round(time.Millisecond), procmem.Status(pid))

	for i := range *lists {
		for _, path := range []string{"/hookcheck/v1/deliveries", "/hookcheck/v1/calls"} {
			t0 := time.Now()
			code, size, err := call(ctx, client, http.MethodGet, base+path, "")
			if err != nil {
				return fmt.Errorf("GET %s: %w", path, err)
			}
			fmt.Printf("list %d: GET %s -> %d, %.1f MiB in %s: %s\n", i+1, path, code, float64(size)/(1<<20),
				time.Since(t0).Round(time.Millisecond), procmem.Status(pid))
		}
	}
	return ctx.Err()
}

// receive serves a loopback webhook receiver that counts what it gets.
func receive(count *atomic.Int64) (net.Listener, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("receiver: %w", err)
	}
	hs := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		count.Add(1)
	})}
	go func() { _ = hs.Serve(l) }()
	return l, nil
}

// call sends one authorised request and discards the answer, returning
// its status and size.
func call(ctx context.Context, client *http.Client, method, url, body string) (int, int64, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Authorization", apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, n, err
}

var listenLine = regexp.MustCompile(`API on (http://[^ /;]+)`)
