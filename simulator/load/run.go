package load

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/hookcheck/hookcheck/simulator/clock"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Defaults of a Config.
const (
	// DefaultMaxInFlight bounds the attempts waiting for an answer at
	// once. A receiver that never answers holds rate × 10 s of them (D-3):
	// 20,000 at 200/s. Past the bound, attempts wait for a slot and the
	// generator's lag shows it.
	DefaultMaxInFlight = 1 << 16
	// DefaultMaxLost is how many lost notifications a result lists.
	DefaultMaxLost = 1000
	// generatorLagLimit is the p99 lag past which a window is said to be
	// limited by the generator rather than the receiver.
	generatorLagLimit = 50 * time.Millisecond
)

// Config is a load run.
type Config struct {
	// Target is the webhook URL.
	Target string
	// Policy is the delivery policy; start from webhook.DefaultPolicy,
	// AssemblyAI's: 10 s deadline (D-3), 10 attempts 10 s apart (D-4,
	// P-2), no retry after a 4xx (D-5).
	Policy webhook.Policy
	// Plan is how the offered rate moves.
	Plan Plan
	// FindLimit stops the run at the first window that does not hold
	// (with Plan.Steps, a climb that reports the last rate held).
	FindLimit bool
	// Drain is how long deliveries still pending when the plan ends may
	// run their schedules (at most about 190 s, P-2); past it they are
	// cancelled and counted as pending at the end, not as lost. Zero or
	// less cancels them at once.
	Drain time.Duration
	// Clock is the time source; nil means the wall clock. Inside a
	// testing/synctest bubble the wall clock is virtual.
	Clock clock.Clock
	// DialContext replaces dialing (an in-memory receiver in tests).
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Logger receives the sender's debug lines; nil discards them.
	Logger *slog.Logger
	// Secrets are values no record may hold, beyond the policy's own.
	Secrets []string
	// Notify makes the seq-th notification (from 0); nil makes a
	// transcript-ready notification with a new transcript id (D-2).
	Notify func(seq int64) (webhook.Notification, error)
	// MaxInFlight bounds attempts at once; zero means DefaultMaxInFlight.
	MaxInFlight int
	// MaxLost bounds the lost notifications listed; zero means
	// DefaultMaxLost.
	MaxLost int
	// OnSecond, when set, is called once a second with that second's
	// figures (the live line). It runs on the run's sampler and must not
	// block for long.
	OnSecond func(Second)
}

// Run offers notifications to c.Target as c.Plan says, each with the
// policy's whole schedule, until the plan ends (or, with FindLimit, a
// window fails to hold), then lets pending deliveries run for c.Drain.
// When ctx ends first the result so far comes back, Interrupted, with
// no error: the caller writes it as it would a finished one. Run fails
// only when it cannot start.
func Run(ctx context.Context, c Config) (*Result, error) {
	if err := c.Plan.Validate(); err != nil {
		return nil, fmt.Errorf("load plan: %w", err)
	}
	if _, err := webhook.ParseTarget(c.Target); err != nil {
		return nil, err
	}
	clk := c.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	notify := c.Notify
	if notify == nil {
		notify = func(int64) (webhook.Notification, error) {
			return webhook.TranscriptReady("", webhook.StatusCompleted)
		}
	}
	tr := newTransport(c.Policy, c.DialContext)
	defer tr.rt.CloseIdleConnections()
	sender, err := webhook.NewSender(c.Policy, webhook.Options{Clock: clk, Transport: tr, Logger: c.Logger, Secrets: c.Secrets})
	if err != nil {
		return nil, err
	}
	defer sender.Close()
	engine := webhook.NewEngine(sender, cmpOr(c.MaxInFlight, DefaultMaxInFlight))

	rec := newRecorder(c.Plan, clk, c.Policy.Timeout, tr, cmpOr(c.MaxLost, DefaultMaxLost))
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	engineDone := make(chan struct{})
	go func() {
		defer close(engineDone)
		_ = engine.Run(runCtx) // its error is runCtx's, which the result reports
	}()

	stop := make(chan struct{}) // closed by the sampler when find-limit stops
	samplerDone := make(chan struct{})
	samplerStop := make(chan struct{})
	go func() {
		defer close(samplerDone)
		rec.sample(samplerStop, stop, c.FindLimit, c.OnSecond)
	}()

	genErr := generate(ctx, c, clk, rec, engine, notify, stop)
	engine.Close()
	if genErr == nil && ctx.Err() == nil {
		if c.Drain <= 0 {
			cancelRun()
		} else {
			t := clk.AfterFunc(c.Drain, cancelRun)
			defer t.Stop()
		}
	}
	<-engineDone
	close(samplerStop)
	<-samplerDone
	if genErr != nil {
		return nil, genErr
	}
	res := rec.result(c)
	res.Interrupted = ctx.Err() != nil
	return res, nil
}

// generate submits the plan's notifications at their planned times: the
// open model. It never waits for the receiver; when it is behind it sends
// at once, and the lag is measured on every attempt.
func generate(ctx context.Context, c Config, clk clock.Clock, rec *recorder, e *webhook.Engine,
	notify func(int64) (webhook.Notification, error), stop <-chan struct{}) error {
	timer := clk.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var seq int64
	plan := schedule{p: c.Plan}
	for {
		t, more := plan.next()
		if !more {
			return nil
		}
		if wait := rec.start.Add(t).Sub(clk.Now()); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C():
			case <-stop:
				return nil
			case <-ctx.Done():
				return nil
			}
		} else {
			select {
			case <-stop:
				return nil
			case <-ctx.Done():
				return nil
			default:
			}
		}
		n, err := notify(seq)
		if err != nil {
			return fmt.Errorf("notification %d: %w", seq, err)
		}
		seq++
		nt := rec.offer(t)
		obs := webhook.Observer{
			OnAttempt: func(d *webhook.Delivery, a webhook.Attempt) { rec.attempt(nt, d, a) },
			OnDone:    func(d *webhook.Delivery) { rec.done(nt, d) },
		}
		if _, err := e.Submit(c.Target, n, webhook.DeliveryOptions{}, obs); err != nil {
			rec.withdraw(nt)
			if errors.Is(err, webhook.ErrEngineClosed) {
				return nil // the run was cancelled meanwhile
			}
			return fmt.Errorf("submit notification %d: %w", seq, err)
		}
	}
}

func cmpOr(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
