// Command rssload measures the memory of a long-running `hookcheck
// receiver` (issue 11, BENCHMARKS.md §8): it starts the built binary on
// loopback, sends it N POSTs with distinct transcript ids from C
// keep-alive connections, and prints the receiver's resident set (VmRSS)
// and its peak (VmHWM) from /proc. Loopback only; Linux only.
//
//	go build -o bin/hookcheck ./cmd/hookcheck
//	go run ./simulator/receiver/internal/rssload -bin bin/hookcheck -n 500000
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
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

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "rssload:", err)
		os.Exit(1)
	}
}

func run() error {
	bin := flag.String("bin", "bin/hookcheck", "the hookcheck binary to measure")
	n := flag.Int("n", 500_000, "requests to send")
	c := flag.Int("c", 50, "concurrent keep-alive connections")
	bodyKB := flag.Int("body-kb", 0, "pad each body to about this many KiB (extra fields, RC-06)")
	extra := flag.String("args", "", "extra receiver flags, e.g. \"--keep-requests 100\"")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	args := append([]string{"receiver", "--listen", "127.0.0.1:0"}, strings.Fields(*extra)...)
	cmd := exec.CommandContext(ctx, *bin, args...) //nolint:gosec // G204: the load program runs the hookcheck binary its user names
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = io.Discard // one log line per request
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", *bin, err)
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	url, err := procmem.FirstLineAddress(out, listenLine, "the receiver")
	if err != nil {
		return err
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	fmt.Printf("receiver pid %d at %s; before: %s\n", cmd.Process.Pid, url, procmem.Status(cmd.Process.Pid))

	pad := strings.Repeat("x", *bodyKB<<10)
	tr := &http.Transport{MaxIdleConnsPerHost: *c, MaxConnsPerHost: *c}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range *c {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := next.Add(1)
				if i > int64(*n) {
					return
				}
				body := fmt.Sprintf(`{"transcript_id":"00000000-0000-4000-8000-%012d","status":"completed","pad":%q}`, i, pad)
				resp, err := client.Post(url+"/webhook", "application/json", bytes.NewBufferString(body))
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failed.Add(1)
				}
				if i%100_000 == 0 {
					fmt.Printf("  %d requests, %s\n", i, procmem.Status(cmd.Process.Pid))
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	fmt.Printf("after %d requests (%d not 200) in %s: %s\n", *n, failed.Load(), took.Round(time.Millisecond), procmem.Status(cmd.Process.Pid))
	return ctx.Err()
}

var listenLine = regexp.MustCompile(`listening on (http://[^ /;]+)`)
