package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookcheck/hookcheck/internal/termtext"
	"github.com/hookcheck/hookcheck/simulator/capture"
	"github.com/hookcheck/hookcheck/simulator/inspect"
	"github.com/hookcheck/hookcheck/simulator/provider"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

type captureFlags struct {
	listen      string
	out         string
	answer      string
	answerAfter time.Duration
	mask        []string
	maxBody     int64
	maxInFlight int
	timeout     time.Duration
	sync        bool
	forwardTo   string
	profile     string
	provider    string
	ui          uiFlags
}

func newCaptureCmd(a *app) *cobra.Command {
	var f captureFlags
	cmd := &cobra.Command{
		Use:   "capture --listen ADDR [--out FILE]",
		Short: "Record the deliveries a real sender makes, to diff or replay them",
		Long: `capture serves a receiver that records every request it gets (time, method,
URL with query, headers, body, peer address) to a JSON Lines file, one request
a line, and answers a status you choose. Expose it with your own tunnel and
submit a real transcript with its URL as webhook_url: the file is then what
AssemblyAI really sent. Answer 500,500,200 to make it retry on purpose (D-4).

Requests are grouped into deliveries by transcript_id / session_id; one line
per attempt shows the wait since the previous one. The values of the
Authorization header and of every --mask-header never reach the file (D-8).
A request is written and flushed before it is answered: an acknowledged
request is in the file.

--forward-to URL sends every request on to your receiver (the app under
development) instead of answering a chosen status: method, headers but the
hop-by-hop ones, body and query byte for byte; the URL's path replaces the
request's (as 'stripe listen --forward-to' does), a URL without a path keeps
it. The receiver's answer (status, headers, body up to the profile's limit) is
returned to the sender and recorded beside the request ("forwarded"), and each
line says what AssemblyAI does next: "500 in 42ms: AssemblyAI retries in 10s,
attempt 2 of 10", "200 in 5ms: acknowledged", "404 ...: a 4xx ends the
schedule, the notification is lost" (D-4, D-5). A receiver that does not answer
within the deadline (--timeout, D-3) gets the sender no answer either: the
sender times out, as AssemblyAI would; one that cannot be reached gets it a 502.

--provider standard-webhooks|stripe|github captures that provider's
deliveries instead: its ids group the attempts (webhook-id, Stripe's event id,
X-GitHub-Delivery), its profile's deadline applies, and each line says what it
does next by its own rules: "standard-webhooks retries in 5m0s, attempt 3 of
10", a stop-on 410, a 4xx retried or not, Retry-After honoured. Its signature
headers are recorded as sent (they are no secret); capture needs no signing
secret and reads none.`,
		Example: `  hookcheck capture --listen 127.0.0.1:8080 --out capture.jsonl --answer 500,500,200
  hookcheck capture --listen :8080 --mask-header X-Webhook-Secret --answer-after 11s
  hookcheck capture --listen :8080 --forward-to localhost:3000/webhooks --mask-header X-Webhook-Secret`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCapture(cmd, a, &f) },
	}
	fs := cmd.Flags()
	fs.StringVar(&f.listen, "listen", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&f.out, "out", "capture.jsonl", "capture file (JSON Lines); appended to")
	fs.StringVar(&f.answer, "answer", "200", "status answered to each delivery's attempts in turn, the last repeating (e.g. 500,500,200)")
	fs.DurationVar(&f.answerAfter, "answer-after", 0, "delay before each answer (over 10s lets the sender's deadline pass, D-3)")
	fs.StringSliceVar(&f.mask, "mask-header", nil, "header whose value is masked in the file (repeatable; Authorization always is)")
	fs.Int64Var(&f.maxBody, "max-body-bytes", capture.DefaultMaxBodyBytes, "body bytes kept per request (the rest is counted, not kept)")
	fs.IntVar(&f.maxInFlight, "max-in-flight", capture.DefaultMaxInFlight, fmt.Sprintf("bodies over %d KiB in memory at once (shorter ones never wait)", capture.FastBodyBytes>>10))
	fs.DurationVar(&f.timeout, "timeout", webhook.DefaultTimeout, "the sender's deadline (D-3): a request's header, then its body, must arrive within it")
	fs.StringVar(&f.forwardTo, "forward-to", "", "forward every request to this receiver URL and answer what it answers (its path replaces the request's; the query is kept)")
	fs.StringVar(&f.profile, "profile", "", "delivery profile file: its deadline, attempts, retry interval and answer body limit (default: the built-in AssemblyAI profile); --timeout set explicitly overrides it")
	registerProvider(fs, &f.provider)
	fs.BoolVar(&f.sync, "sync", false, "fsync the file after every request (survives a machine crash; slower)")
	f.ui.register(fs)
	return cmd
}

// parseAnswers reads a status sequence such as "500,500,200".
func parseAnswers(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 100 || n > 599 {
			return nil, fmt.Errorf("%q is not an HTTP status", part)
		}
		out = append(out, n)
	}
	return out, nil
}

func runCapture(cmd *cobra.Command, a *app, f *captureFlags) error {
	ctx := cmd.Context()
	answers, err := parseAnswers(f.answer)
	if err != nil {
		return usagef("--answer: %v", err)
	}
	for _, h := range f.mask {
		if err := webhook.ValidateHeaderName(h); err != nil {
			return usagef("--mask-header: %v", err)
		}
	}
	if f.answerAfter < 0 || f.maxBody <= 0 || f.maxInFlight <= 0 || f.timeout <= 0 {
		return usagef("--answer-after, --max-body-bytes, --max-in-flight and --timeout must be positive")
	}
	sender, err := f.sender()
	if err != nil {
		return err
	}
	fwd, err := f.forwardConfig(cmd)
	if err != nil {
		return err
	}
	file, err := os.OpenFile(f.out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return usagef("--out: %v", err)
	}
	defer file.Close()
	cfg := capture.Config{Out: file, Live: console{a.out}, Errors: console{a.err}, Answers: answers, AnswerAfter: f.answerAfter,
		MaskHeaders: f.mask, MaxBodyBytes: f.maxBody, MaxInFlight: f.maxInFlight, BodyTimeout: f.timeout}
	if f.sync {
		cfg.Sync = file.Sync
	}
	if sender != nil {
		cfg.Sender = sender
		if !cmd.Flags().Changed("timeout") {
			cfg.BodyTimeout = sender.Policy.Timeout
		}
		if fwd.to != nil {
			fwd.policy = sender.Policy
			fwd.policy.Timeout = cfg.BodyTimeout
		}
	}
	if fwd.to != nil {
		cfg.Answers, cfg.ForwardTo, cfg.BodyTimeout = nil, fwd.to, fwd.policy.Timeout
		cfg.MaxAttempts, cfg.RetryInterval, cfg.MaxAnswerBytes = fwd.policy.MaxAttempts, fwd.policy.RetryInterval, fwd.policy.MaxBodyBytes
	}
	uiOpts := inspect.Options{Mode: inspect.ModeCapture, ForwardTo: cfg.ForwardTo, Timeout: cfg.BodyTimeout,
		MaxAttempts: cfg.MaxAttempts, RetryInterval: cfg.RetryInterval}
	ins, err := f.ui.inspector(a, uiOpts)
	if err != nil {
		return err
	}
	if ins != nil {
		cfg.OnRecord = ins.ObserveRecord
	}
	rc, err := capture.NewRecorder(cfg)
	if err != nil {
		return usageError{err}
	}
	if ins != nil {
		stop, err := f.ui.serveInspector(ctx, a, ins)
		if err != nil {
			return err
		}
		defer stop()
	}
	l, err := net.Listen("tcp", f.listen)
	if err != nil {
		return usagef("--listen: %v", err)
	}
	// A header, then a body (the Recorder's read deadline), must each
	// arrive within the sender's deadline: a slow client holds its
	// connection no longer than a real delivery could take.
	srv := &http.Server{Handler: rc, ReadHeaderTimeout: cfg.BodyTimeout, IdleTimeout: 2 * cfg.BodyTimeout}
	answering := "answering " + f.answer
	if fwd.to != nil {
		answering = "forwarding to " + webhook.RedactTarget(fwd.to.String())
	}
	if f.sync {
		answering += ", fsync after every request"
	}
	if sender != nil {
		answering += ", telling what " + sender.Name + " does next"
	}
	fmt.Fprintf(a.out, "hookcheck: capturing on http://%s to %s, %s; Ctrl-C to stop\n", l.Addr(), f.out, answering)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("capture: %w", err)
	case <-ctx.Done():
	}
	// Let requests in progress finish, so each one that is answered is
	// also written.
	grace := f.answerAfter + 5*time.Second
	if fwd.to != nil {
		grace = 2*cfg.BodyTimeout + 5*time.Second
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("capture shutdown: %w", err)
	}
	_ = srv.Close()
	fmt.Fprintf(a.out, "hookcheck: %d request(s) captured in %s\n", rc.Count(), f.out)
	if err := rc.Err(); err != nil {
		return err
	}
	return file.Sync()
}

// sender reads --provider: nil for AssemblyAI, whose rules the capture
// has always told; else the provider's rules, from its profile. A
// capture never signs nor verifies: it takes no signing secret.
func (f *captureFlags) sender() (*capture.Sender, error) {
	pr, err := provider.Lookup(f.provider)
	if err != nil {
		return nil, usagef("--provider: %v", err)
	}
	if pr.IsDefault() {
		return nil, nil
	}
	if f.profile != "" {
		return nil, usagef("--profile and --provider %s: give one (the provider's profile holds its rules)", pr.Name)
	}
	pol, err := webhook.PolicyFromProfile(pr.Profile)
	if err != nil {
		return nil, fmt.Errorf("--provider %s: %w", pr.Name, err)
	}
	return &capture.Sender{Name: pr.Name, Policy: pol, Signing: pr.Signing}, nil
}

// forwarding is what --forward-to and --profile make of capture.
type forwarding struct {
	to     *url.URL
	policy webhook.Policy
}

// forwardConfig reads --forward-to and --profile. A URL without a scheme,
// as 'stripe listen --forward-to localhost:3000/webhooks' takes it, is
// http.
func (f *captureFlags) forwardConfig(cmd *cobra.Command) (forwarding, error) {
	var fw forwarding
	if f.forwardTo == "" {
		if f.profile != "" {
			return fw, usagef("--profile acts only with --forward-to")
		}
		return fw, nil
	}
	if cmd.Flags().Changed("answer") || f.answerAfter > 0 {
		return fw, usagef("--forward-to: the receiver answers; --answer and --answer-after cannot be used with it")
	}
	raw := f.forwardTo
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	to, err := webhook.ParseTarget(raw)
	if err != nil {
		return fw, usagef("--forward-to: %v", err)
	}
	fw.to, fw.policy = to, webhook.DefaultPolicy()
	if f.profile != "" {
		if fw.policy, err = loadProfile(f.profile); err != nil {
			return fw, err
		}
	}
	if cmd.Flags().Changed("timeout") || f.profile == "" {
		fw.policy.Timeout = f.timeout
	}
	return fw, nil
}

// console writes what it is given without control characters but each
// Write's final newline: a line that repeats what a request, a capture or
// a receiver carried (a transcript_id with ESC[2J, an OSC-8 link, CR/LF)
// cannot act on the terminal or forge a line. Each Write is one line, as
// fmt.Fprintf and fmt.Fprintln make it.
type console struct{ w io.Writer }

func (c console) Write(p []byte) (int, error) {
	line, nl := strings.CutSuffix(string(p), "\n")
	line = termtext.Printable(line, 0)
	if nl {
		line += "\n"
	}
	if _, err := io.WriteString(c.w, line); err != nil {
		return 0, err
	}
	return len(p), nil
}
