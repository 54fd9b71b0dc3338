// Command flood measures `hookcheck capture` under a flood of deliveries:
// it starts the capture binary on loopback, sends it thousands of
// notifications with large bodies from many connections at once, then
// reads the capture process's peak RSS (VmHWM) and checks that every
// request the capture acknowledged is in its file, byte for byte.
//
//	go build -o bin/hookcheck ./cmd/hookcheck
//	go run ./simulator/capture/internal/flood -bin bin/hookcheck -n 5000 -body 1048576 -concurrency 64
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hookcheck/hookcheck/simulator/capture"
)

func main() {
	if err := run(); err != nil {
		slog.Error("flood", "error", err)
		os.Exit(1)
	}
}

func run() error {
	bin := flag.String("bin", "bin/hookcheck", "hookcheck binary")
	n := flag.Int("n", 5000, "requests to send")
	bodySize := flag.Int("body", 1<<20, "bytes of each body")
	conc := flag.Int("concurrency", 64, "connections at once")
	inFlight := flag.Int("max-in-flight", capture.DefaultMaxInFlight, "capture's --max-in-flight")
	forward := flag.Bool("forward", false, "capture --forward-to an in-process receiver that reads each body and answers 200")
	flag.Parse()

	dir, err := os.MkdirTemp("", "flood")
	if err != nil {
		return fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "capture.jsonl")
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	args := []string{"capture", "--listen", addr, "--out", out,
		"--max-in-flight", fmt.Sprint(*inFlight), "--max-body-bytes", fmt.Sprint(*bodySize + 1024)}
	if *forward {
		to, stop, err := sink()
		if err != nil {
			return err
		}
		defer stop()
		args = append(args, "--forward-to", to)
	}
	cmd := exec.Command(*bin, args...) //nolint:gosec // G204: the binary the person measuring names
	cmd.Stdout = io.Discard            // one live line a request
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start capture: %w", err)
	}
	if err := waitListening(addr); err != nil {
		_ = cmd.Process.Kill()
		return err
	}

	// Each body is a D-2 notification padded to size: a distinct id, so
	// the file can be checked request by request.
	pad := strings.Repeat("x", max(*bodySize-80, 0))
	body := func(i int) []byte {
		return fmt.Appendf(nil, `{"transcript_id":"flood-%08d","status":"completed","pad":"%s"}`, i, pad)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc}, Timeout: 60 * time.Second}
	var acked sync.Map
	var nAcked, nFailed atomic.Int64
	next := atomic.Int64{}
	start := time.Now()
	var wg sync.WaitGroup
	for range *conc {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= *n {
					return
				}
				resp, err := client.Post("http://"+addr+"/hook?i="+fmt.Sprint(i), "application/json", bytes.NewReader(body(i)))
				if err != nil {
					nFailed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					acked.Store(i, true)
					nAcked.Add(1)
				} else {
					nFailed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	hwm, err := peakRSS(cmd.Process.Pid)
	if err != nil {
		return err
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("capture exit: %w", err)
	}

	// Every acknowledged request must be in the file with its exact body.
	f, err := os.Open(out)
	if err != nil {
		return fmt.Errorf("open capture: %w", err)
	}
	defer f.Close()
	found, bad := 0, 0
	br := bufio.NewReaderSize(f, 1<<20)
	var lines, fileBytes int64
	for {
		line, err := br.ReadBytes('\n')
		fileBytes += int64(len(line))
		if len(line) > 0 {
			lines++
			ds, perr := capture.Read(bytes.NewReader(line))
			if perr != nil || len(ds) != 1 {
				bad++
			} else {
				rec := ds[0].Attempts[0]
				var i int
				if _, serr := fmt.Sscanf(rec.RawQuery, "i=%d", &i); serr == nil {
					if _, ok := acked.Load(i); ok && bytes.Equal(rec.BodyBytesRaw(), body(i)) {
						found++
					}
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read capture: %w", err)
		}
	}
	lost := nAcked.Load() - int64(found)
	fmt.Printf("requests %d, body %d B, concurrency %d, capture --max-in-flight %d\n", *n, *bodySize, *conc, *inFlight)
	fmt.Printf("acknowledged %d, not acknowledged %d, in %s (%.0f req/s, %.1f MB/s)\n",
		nAcked.Load(), nFailed.Load(), elapsed.Round(time.Millisecond),
		float64(*n)/elapsed.Seconds(), float64(*n)*float64(*bodySize)/elapsed.Seconds()/1e6)
	fmt.Printf("capture file: %d lines, %d bytes, %d unreadable\n", lines, fileBytes, bad)
	fmt.Printf("capture peak RSS (VmHWM): %d MiB\n", hwm>>10)
	fmt.Printf("acknowledged but missing or different in the file: %d\n", lost)
	if lost != 0 || bad != 0 {
		return fmt.Errorf("%d acknowledged request(s) lost, %d unreadable line(s)", lost, bad)
	}
	return nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitListening(addr string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			return c.Close()
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("capture did not listen on %s", addr)
}

// peakRSS reads VmHWM (kB) of a process from /proc.
func peakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read status: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			_, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb)
			return kb, err
		}
	}
	return 0, errors.New("no VmHWM")
}

// sink serves a receiver on loopback that reads each body and answers
// 200: the user's app behind capture --forward-to.
func sink() (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("sink: %w", err)
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	})}
	go func() { _ = srv.Serve(l) }()
	return "http://" + l.Addr().String() + "/webhooks", func() { _ = srv.Close() }, nil
}
