package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// runBurst sends n single-attempt notifications through the engine with
// MaxInFlight c against a receiver that answers 200 at once, and prints the
// request rate, to set beside wrk's against the same receiver.
func runBurst(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("burst", flag.ContinueOnError)
	target := fs.String("target", "", "receiver URL (loopback)")
	n := fs.Int("n", 20000, "notifications")
	c := fs.Int("c", 50, "concurrency (engine MaxInFlight)")
	keepAlive := fs.Bool("keepalive", false, "reuse connections")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the burst to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if err := mustLoopback(*target); err != nil {
		return err
	}
	p := webhook.DefaultPolicy()
	p.MaxAttempts, p.KeepAlive = 1, *keepAlive
	s, err := webhook.NewSender(p, webhook.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	e := webhook.NewEngine(s, *c)
	ran := make(chan error, 1)
	begin := time.Now()
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
	e.Close()
	if err := <-ran; err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	wall := time.Since(begin)
	delivered := 0
	for _, tk := range tickets {
		if tk.Delivery().Outcome == webhook.Delivered {
			delivered++
		}
	}
	fmt.Printf("hookcheck engine: n=%d c=%d keepalive=%v delivered=%d wall=%s rate=%.0f req/s\n",
		*n, *c, *keepAlive, delivered, wall.Round(time.Millisecond), float64(*n)/wall.Seconds())
	return nil
}
