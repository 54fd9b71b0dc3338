package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// runLoad submits n deliveries at once to an always-failing receiver on a
// compressed schedule and reports wall time, peak RSS and peak goroutines.
func runLoad(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	target := fs.String("target", "", "receiver URL (loopback); empty starts an always-500 receiver in this process")
	n := fs.Int("n", 10000, "deliveries submitted at once")
	inflight := fs.Int("inflight", webhook.DefaultMaxInFlight, "engine MaxInFlight")
	attempts := fs.Int("attempts", webhook.DefaultMaxAttempts, "MaxAttempts")
	interval := fs.Duration("interval", 100*time.Millisecond, "RetryInterval (divided by 100 with -accelerated)")
	accelerated := fs.Bool("accelerated", true, "Pace Accelerated: waits are RetryInterval/100")
	keepAlive := fs.Bool("keepalive", true, "reuse connections between attempts")
	memProfile := fs.String("memprofile", os.Getenv("LOADTEST_HEAPPROFILE"),
		"write a heap profile here once every delivery has ended (every Ticket still held)")
	memLimit := fs.Int64("memlimit", 0, "soft memory limit in MiB for this process (debug.SetMemoryLimit, as GOMEMLIMIT); 0 keeps the runtime's")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *memLimit > 0 {
		debug.SetMemoryLimit(*memLimit << 20)
	}
	inProcess := *target == ""
	if inProcess {
		rctx, stopReceiver := context.WithCancel(ctx)
		url, wait, err := serve(rctx, "127.0.0.1:0", statusHandler(500))
		if err != nil {
			stopReceiver()
			return err
		}
		defer wait()
		defer stopReceiver()
		*target = url
	}
	if err := mustLoopback(*target); err != nil {
		return err
	}

	p := webhook.DefaultPolicy()
	p.MaxAttempts, p.RetryInterval, p.KeepAlive = *attempts, *interval, *keepAlive
	if *accelerated {
		p.Pace = webhook.Accelerated
	}
	s, err := webhook.NewSender(p, webhook.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	e := webhook.NewEngine(s, *inflight)

	var peakG atomic.Int64
	sampleCtx, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if g := int64(runtime.NumGoroutine()); g > peakG.Load() {
				peakG.Store(g)
			}
			select {
			case <-t.C:
			case <-sampleCtx.Done():
				return
			}
		}
	}()

	begin := time.Now()
	ran := make(chan error, 1)
	go func() { ran <- e.Run(ctx) }()
	tickets := make([]*webhook.Ticket, 0, *n)
	for range *n {
		tk, err := e.Submit(*target, webhook.Notification{Kind: webhook.KindTranscript,
			TranscriptID: webhook.NewUUID(), Status: webhook.StatusCompleted}, webhook.DeliveryOptions{}, webhook.Observer{})
		if err != nil {
			return fmt.Errorf("submit: %w", err)
		}
		tickets = append(tickets, tk)
	}
	submitted := time.Since(begin)
	e.Close()
	if err := <-ran; err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	wall := time.Since(begin)
	stopSampling()
	<-sampled

	// Measured before the plain records are built below: the peak is the
	// engine's, over a run in which every delivery is pending at once, and
	// the live heap is every Ticket still held, each keeping its ended
	// delivery in the engine's compact form.
	hwm, rss := procStatus("VmHWM"), procStatus("VmRSS")
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if prof := *memProfile; prof != "" {
		if f, err := os.Create(prof); err == nil {
			_ = pprof.WriteHeapProfile(f)
			_ = f.Close()
		}
	}
	outcomes := map[webhook.Outcome]int{}
	total := 0
	for _, tk := range tickets {
		d := tk.Delivery() // built for this call, garbage after it
		outcomes[d.Outcome]++
		total += len(d.Attempts)
	}
	fmt.Printf("deliveries=%d attempts=%d outcomes=%v\n", *n, total, outcomes)
	fmt.Printf("policy: max_attempts=%d wait=%s keepalive=%v max_in_flight=%d receiver_in_process=%v\n",
		p.MaxAttempts, p.Wait(), p.KeepAlive, *inflight, inProcess)
	fmt.Printf("runtime: GOGC=%q memory_limit=%s\n", os.Getenv("GOGC"), memLimitString(debug.SetMemoryLimit(-1)))
	fmt.Printf("wall=%s submit=%s attempts/s=%.0f\n", wall.Round(time.Millisecond), submitted.Round(time.Millisecond),
		float64(total)/wall.Seconds())
	fmt.Printf("peak_rss=%s final_rss=%s live_heap_after_gc=%.1f MB (%.0f B/delivery) peak_goroutines=%d\n",
		hwm, rss, float64(ms.HeapAlloc)/(1<<20), float64(ms.HeapAlloc)/float64(*n), peakG.Load())
	runtime.KeepAlive(tickets)
	return nil
}

// procStatus returns a field of /proc/self/status, e.g. "VmHWM".
func procStatus(field string) string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "n/a"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return "n/a"
}

// memLimitString renders the runtime's soft memory limit.
func memLimitString(limit int64) string {
	if limit == math.MaxInt64 {
		return "none"
	}
	return fmt.Sprintf("%d MiB", limit>>20)
}
