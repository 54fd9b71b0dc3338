package main

import (
	"context"
	"flag"
	"fmt"
	"sync"
	"time"

	"github.com/hookcheck/hookcheck/simulator/clock"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// runTiming runs AssemblyAI's real-time schedule (10 attempts, 10 s
// deadline, 10 s waits; D-3, D-4, P-2) against two loopback receivers at
// once, one always answering 500 and one hanging, and prints how far each
// wait and each timeout was from 10.000 s. It takes about 190 s.
func runTiming(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("timing", flag.ContinueOnError)
	tolerance := fs.Duration("tolerance", 10*time.Millisecond, "largest deviation that passes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rctx, stopReceivers := context.WithCancel(ctx)
	defer stopReceivers()
	failing, waitFailing, err := serve(rctx, "127.0.0.1:0", statusHandler(500))
	if err != nil {
		return err
	}
	hanging, waitHanging, err := serve(rctx, "127.0.0.1:0", statusHandler(0))
	if err != nil {
		stopReceivers()
		waitFailing()
		return err
	}
	defer func() { // stop the receivers first, then wait for them
		stopReceivers()
		waitFailing()
		waitHanging()
	}()

	p := webhook.DefaultPolicy() // real time: nothing compressed
	s, err := webhook.NewSender(p, webhook.Options{Clock: clock.Precise{}})
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Printf("policy: timeout=%s wait=%s attempts=%d; receivers %s (500) and %s (hang)\n",
		p.Timeout, p.Wait(), p.MaxAttempts, failing, hanging)

	var wg sync.WaitGroup
	records := make([]*webhook.Delivery, 2)
	for i, target := range []string{failing, hanging} {
		wg.Go(func() {
			n, _ := webhook.TranscriptReady("", webhook.StatusCompleted)
			d, err := s.Deliver(ctx, target+"/hook", n, webhook.Observer{})
			if err != nil {
				panic(err) // targets are ours and valid
			}
			records[i] = d
		})
	}
	wg.Wait()

	worst := time.Duration(0)
	report := func(what string, i int, got, want time.Duration) {
		dev := got - want
		fmt.Printf("%-26s #%d  %12.6f s  deviation %+8.3f ms\n", what, i, got.Seconds(), float64(dev.Microseconds())/1000)
		worst = max(worst, dev.Abs())
	}
	for k, d := range records {
		name := []string{"always-500", "hanging"}[k]
		fmt.Printf("\n%s: outcome %s, %d attempts, total %.3f s\n", name, d.Outcome, len(d.Attempts), d.EndedAt.Sub(d.StartedAt).Seconds())
		for i := 1; i < len(d.Attempts); i++ {
			prev := d.Attempts[i-1]
			// P-2: from the end of one attempt to the start of the next.
			report(name+" wait", i, d.Attempts[i].StartedAt.Sub(prev.StartedAt.Add(prev.Duration)), p.Wait())
		}
		if k == 1 {
			for _, a := range d.Attempts {
				report(name+" timeout ("+string(a.Failure)+")", a.Number, a.Duration, p.Timeout)
			}
		}
	}
	verdict := "MET"
	if worst > *tolerance {
		verdict = "MISSED"
	}
	fmt.Printf("\nworst deviation %.3f ms; target every one within %s: %s\n", float64(worst.Microseconds())/1000, *tolerance, verdict)
	return nil
}
