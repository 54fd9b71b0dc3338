package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	hookcheckapi "github.com/hookcheck/hookcheck"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/loadreport"
	"github.com/hookcheck/hookcheck/simulator/api"
	"github.com/hookcheck/hookcheck/simulator/clock"
	"github.com/hookcheck/hookcheck/simulator/load"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

type loadFlags struct {
	policy      policyFlags
	target      string
	rate        float64
	ramp        string
	duration    time.Duration
	step        time.Duration
	findLimit   bool
	objective   string
	out         string
	drain       time.Duration
	maxInFlight int
	product     string
	session     time.Duration
	api         string
	apiKey      string
	quiet       bool
}

// defaultDrain lets every delivery pending at the plan's end finish its
// schedule: about 190 s against a receiver that never answers (P-2).
const defaultDrain = 200 * time.Second

func newLoadCmd(a *app) *cobra.Command { return newLoadCmdWith(a, &loadFlags{}) }

// newLoadCmdWith is newLoadCmd parsing into f.
func newLoadCmdWith(a *app, f *loadFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "load --target URL --rate R --duration D",
		Short: "Flood a webhook receiver with completions, each with AssemblyAI's retries, and find the rate it holds",
		Long: `load sends notifications to a receiver on an open model: they arrive on the
clock, whatever the receiver does, at --rate a second (or climbing --ramp R1:R2
over --duration), and each gets AssemblyAI's full schedule: a 10 s deadline
(D-3), up to 10 attempts 10 s apart (D-4, P-2), no retry after a 4xx (D-5).
A receiver that slows past the deadline gets its slow notifications again 10 s
later on top of the new ones, and a 429 loses the notification for good: the
retry storm and the silent loss a generic load tool cannot show.

A live line every second: the rate planned, notifications offered, attempts
sent, attempts in flight, acknowledged at the first try, retries, lost (429,
another 4xx, every attempt failed), p50/p95/p99 answer time and the
generator's own lag.

The run is judged in windows of --step: a window holds when nothing was lost,
at least 99 % of its notifications were acknowledged at the first attempt,
their p95 stayed under the deadline and their median did not grow across the
window (a queue building up). held_rate is the highest rate that held before
the first window that did not. --find-limit climbs in steps from R1 to R2
within --duration and stops at the first step that does not hold.

Deliveries still pending when the plan ends run their schedules for up to
--drain (0: stop at once; they are then counted as pending, not lost). Ctrl-C
stops the run and writes every file.

Files in --out: load-results.json (schema: docs/load.md), report.html and
summary.md.

Exit code: 0 every --objective held (or none was stated), 1 one failed or the
run was interrupted, 2 usage or setup error.`,
		Example: `  hookcheck receiver --behaviour pool-queue --listen 127.0.0.1:8080 &
  hookcheck load --target http://127.0.0.1:8080/webhook --ramp 10:80 --duration 2m
  hookcheck load --target http://127.0.0.1:8080/webhook --find-limit --ramp 10:80 --duration 2m
  hookcheck load --target http://127.0.0.1:8080/webhook --rate 50 --duration 5m --objective 'lost=0,p95<2s'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runLoad(cmd.Context(), a, f) },
	}
	fs := cmd.Flags()
	fs.StringVar(&f.target, "target", "", "webhook URL to load (required)")
	fs.Float64Var(&f.rate, "rate", 10, "notifications a second, constant")
	fs.StringVar(&f.ramp, "ramp", "", "climb from R1 to R2 notifications a second over --duration, as R1:R2 (replaces --rate)")
	fs.DurationVar(&f.duration, "duration", time.Minute, "how long notifications are offered")
	fs.DurationVar(&f.step, "step", load.DefaultStep, "length of a --find-limit step and of the windows a run is judged on")
	fs.BoolVar(&f.findLimit, "find-limit", false, "climb --ramp in steps and stop at the first step that does not hold; reports the last rate that held")
	fs.StringVar(&f.objective, "objective", "", "fail (exit 1) unless these hold, e.g. 'lost=0,p95<2s'; metrics: "+load.MetricNames())
	fs.StringVar(&f.out, "out", "hookcheck-load", "directory to write load-results.json, report.html and summary.md into")
	fs.DurationVar(&f.drain, "drain", defaultDrain, "after the plan, how long pending deliveries may run their schedules (0: stop at once)")
	fs.IntVar(&f.maxInFlight, "max-in-flight", load.DefaultMaxInFlight, "attempts waiting for an answer at once; past it attempts wait, and the generator's lag shows it")
	fs.StringVar(&f.product, "product", string(reports.PreRecorded), "which webhook to send: pre-recorded (transcript notifications, D-2) or streaming (a streaming session's webhook, S-4)")
	fs.DurationVar(&f.session, "session-duration", time.Minute, "with --product streaming, the length of each session (its webhook carries every word, S-5)")
	fs.StringVar(&f.api, "api", "", "serve the emulated AssemblyAI API on this address, where every notified transcript exists, for a receiver that fetches it; key from env "+envAPIKey)
	fs.StringVar(&f.apiKey, "api-key", "", "API key the emulated API accepts (prefer env "+envAPIKey+"; required with --api)")
	fs.BoolVar(&f.quiet, "quiet", false, "no live line")
	f.policy.register(fs, policyFlagSet{auth: true, source: true})
	return cmd
}

// loadConfig checks the flags and builds the run's configuration.
func loadConfig(a *app, f *loadFlags) (load.Config, []load.Objective, error) {
	var c load.Config
	if f.target == "" {
		return c, nil, usagef("--target is required: the webhook URL to load")
	}
	if _, err := webhook.ParseTarget(f.target); err != nil {
		return c, nil, usagef("--target: %v", err)
	}
	p, err := f.policy.policy(a.getenv)
	if err != nil {
		return c, nil, err
	}
	plan := load.Plan{From: f.rate, To: f.rate, Duration: f.duration, Step: f.step, Steps: f.findLimit}
	if f.ramp != "" {
		if a.flagChanged("rate") {
			return c, nil, usagef("--rate and --ramp: give one (--ramp R1:R2 climbs from R1 to R2)")
		}
		if plan.From, plan.To, err = parseRamp(f.ramp); err != nil {
			return c, nil, err
		}
	} else if f.findLimit {
		return c, nil, usagef("--find-limit needs --ramp R1:R2: the rates it climbs between")
	}
	if err := plan.Validate(); err != nil {
		return c, nil, usagef("--rate, --ramp, --duration, --step: %v", err)
	}
	if f.drain < 0 || f.drain > time.Hour {
		return c, nil, usagef("--drain must be between 0 and 1h, got %s", f.drain)
	}
	if f.maxInFlight < 1 {
		return c, nil, usagef("--max-in-flight must be at least 1, got %d", f.maxInFlight)
	}
	var objectives []load.Objective
	if f.objective != "" {
		if objectives, err = load.ParseObjectives(f.objective); err != nil {
			return c, nil, usagef("--objective: %v", err)
		}
	}
	product, err := reports.ParseProduct(f.product)
	if err != nil || product == reports.BothProducts {
		return c, nil, usagef("--product %q: want pre-recorded or streaming", f.product)
	}
	if product == reports.Streaming {
		if f.session <= 0 || f.session > webhook.MaxSessionDuration {
			return c, nil, usagef("--session-duration must be positive and at most %s, got %s", webhook.MaxSessionDuration, f.session)
		}
		session := f.session
		c.Notify = func(seq int64) (webhook.Notification, error) {
			return webhook.StreamingSession(webhook.NewUUID(), webhook.Session{Duration: session, Seed: uint64(seq)}) //nolint:gosec // seq counts from 0
		}
	}
	if f.api != "" {
		if f.apiKey == "" && a.getenv(envAPIKey) == "" {
			return c, nil, usagef("--api needs the key the receiver will send: set %s (or --api-key)", envAPIKey)
		}
		if product != reports.PreRecorded {
			return c, nil, usagef("--api serves transcripts: it goes with --product pre-recorded")
		}
	}
	var secrets []string
	if f.apiKey != "" {
		secrets = append(secrets, f.apiKey)
	}
	if k := a.getenv(envAPIKey); k != "" {
		secrets = append(secrets, k)
	}
	c = load.Config{Target: f.target, Policy: p, Plan: plan, FindLimit: f.findLimit, Drain: f.drain,
		Clock: clock.Real{}, Logger: a.logger(), Secrets: secrets, Notify: c.Notify, MaxInFlight: f.maxInFlight}
	return c, objectives, nil
}

// parseRamp reads R1:R2.
func parseRamp(s string) (from, to float64, err error) {
	a, b, ok := strings.Cut(s, ":")
	if ok {
		from, err = strconv.ParseFloat(strings.TrimSpace(a), 64)
		if err == nil {
			to, err = strconv.ParseFloat(strings.TrimSpace(b), 64)
		}
	}
	if !ok || err != nil {
		return 0, 0, usagef("--ramp %q: want R1:R2, two rates a second, e.g. 10:80", s)
	}
	return from, to, nil
}

func runLoad(ctx context.Context, a *app, f *loadFlags) error {
	c, objectives, err := loadConfig(a, f)
	if err != nil {
		return err
	}
	if err := checkWritable(f.out); err != nil {
		return usagef("--out %s: %v", f.out, err)
	}
	if f.api != "" {
		stop, err := serveLoadAPI(a, f, &c)
		if err != nil {
			return err
		}
		defer stop()
	}
	if err := reachable(ctx, c.Target, c.Policy); err != nil {
		return usageError{err}
	}
	return loadAndReport(ctx, a, f, c, objectives)
}

// loadAndReport runs the load, prints what it found and writes every file,
// also when ctx ends first (Ctrl-C).
func loadAndReport(ctx context.Context, a *app, f *loadFlags, c load.Config, objectives []load.Objective) error {
	shape := fmt.Sprintf("%s/s", fmtRate(c.Plan.From))
	if c.Plan.From != c.Plan.To {
		shape = fmt.Sprintf("%s→%s/s", fmtRate(c.Plan.From), fmtRate(c.Plan.To))
	}
	mode := "open model"
	if c.FindLimit {
		mode = fmt.Sprintf("finding the limit in steps of %s", f.step)
	}
	fmt.Fprintf(a.out, "Loading %s: %s for %s (%s); deadline %s, up to %d attempts, %s (%s); drain up to %s. Ctrl-C stops and writes the report.\n",
		webhook.RedactTarget(c.Target), shape, c.Plan.Duration, mode, c.Policy.Timeout, c.Policy.MaxAttempts, c.Policy.Waits(), c.Policy.Pace, f.drain)
	if !f.quiet {
		c.OnSecond = func(s load.Second) { printLoadLine(a.out, s) }
	}
	res, err := load.Run(ctx, c)
	if err != nil {
		return usageError{err}
	}
	res.Objectives = load.Check(objectives, res)
	if err := loadreport.Diagnose(res); err != nil {
		return err
	}
	printLoadSummary(a.out, res)
	paths, err := loadreport.WriteAll(f.out, hookcheckapi.Version(), res)
	if err != nil {
		return fmt.Errorf("write load report: %w", err)
	}
	fmt.Fprintf(a.out, "Report: %s\n", strings.Join(paths, ", "))
	if !res.Pass() || res.Interrupted {
		return exitError{exitFailed}
	}
	return nil
}

// printLoadLine is the live line of one second.
func printLoadLine(w io.Writer, s load.Second) {
	fmt.Fprintf(w, "%5ds rate %s/s  offered %d  sent %d  in-flight %d  ack1 %d  retries %d  lost %d (429 %d, 4xx %d, exhausted %d)  p50 %s p95 %s p99 %s  lag p99 %s\n",
		s.T, fmtRate(s.PlannedRate), s.Offered, s.Sent, s.InFlight, s.AckFirst, s.Retries, s.Lost.Total(),
		s.Lost.TooMany, s.Lost.Other4xx, s.Lost.Exhausted, fmtMS(s.P50MS), fmtMS(s.P95MS), fmtMS(s.P99MS), fmtMS(s.LagP99MS))
}

// printLoadSummary is what the run found, before the files.
func printLoadSummary(w io.Writer, r *load.Result) {
	fmt.Fprintf(w, "\n%s\n", loadreport.Headline(r))
	fmt.Fprintf(w, "Offered %d, attempts %d (%.2f each), acknowledged %d at the first try and %d after a retry, lost %d (429 %d, other 4xx %d, exhausted %d), pending at the end %d.\n",
		r.Offered, r.AttemptsSent, r.Amplification.Overall, r.AckFirst, r.AckRetry, r.Lost, r.LostBy.TooMany, r.LostBy.Other4xx,
		r.LostBy.Exhausted, r.PendingAtEnd)
	fmt.Fprintf(w, "Answer time p50 %s, p95 %s, p99 %s; generator lag p99 %s.\n",
		fmtMS(r.Answer.P50MS), fmtMS(r.Answer.P95MS), fmtMS(r.Answer.P99MS), fmtMS(r.Lag.P99MS))
	for _, fd := range r.Findings {
		fmt.Fprintf(w, "- %s\n", fd.Text)
		if fd.Fix != "" {
			fmt.Fprintf(w, "  Fix %s: %s\n", fd.Requirement, fd.Fix)
		}
	}
	for _, v := range r.Objectives {
		mark := "PASS"
		if !v.Pass {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%s  objective %s: got %s\n", mark, v.Text, v.Shown())
	}
	if r.Interrupted {
		fmt.Fprintln(w, "Interrupted: the figures cover the run until Ctrl-C.")
	}
}

func fmtRate(v float64) string { return strconv.FormatFloat(float64(int64(v*10+0.5))/10, 'f', -1, 64) }

func fmtMS(v float64) string {
	return reports.FormatDuration(time.Duration(v * float64(time.Millisecond)))
}

// serveLoadAPI serves the emulated AssemblyAI API on --api and makes every
// notified transcript exist there before it is notified, so a receiver that
// fetches the transcript it is told about finds it.
func serveLoadAPI(a *app, f *loadFlags, c *load.Config) (func(), error) {
	key := f.apiKey
	if key == "" {
		key = a.getenv(envAPIKey)
	}
	if webhook.SameAddress(f.api, c.Target) {
		return nil, usagef("--api %s is the --target's own address: serve the API on another port", f.api)
	}
	l, err := net.Listen("tcp", f.api)
	if err != nil {
		return nil, usagef("--api: %v", err)
	}
	base := "http://" + l.Addr().String()
	srv, err := api.New(api.Config{APIKey: webhook.Secret(key), BaseURL: base, Logger: a.logger(), MaxTranscripts: loadAPITranscripts})
	if err != nil {
		_ = l.Close()
		return nil, fmt.Errorf("emulated API: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ctx, l, time.Second)
	}()
	c.Notify = func(int64) (webhook.Notification, error) {
		n, err := webhook.TranscriptReady("", webhook.StatusCompleted)
		if err != nil {
			return n, err
		}
		if err := srv.Seed(api.SeedTranscript{ID: n.TranscriptID, WebhookURL: c.Target}); err != nil && !errors.Is(err, api.ErrTranscriptExists) {
			return n, err
		}
		return n, nil
	}
	fmt.Fprintf(a.out, "Emulated AssemblyAI API at %s (key from --api-key or %s); every notified transcript exists there.\n", base, envAPIKey)
	return func() { cancel(); <-done }, nil
}

// loadAPITranscripts bounds the transcripts the emulated API keeps for a
// load run: the oldest are forgotten first, long after their notification.
const loadAPITranscripts = 200_000
