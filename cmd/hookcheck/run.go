package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	hookcheckapi "github.com/hookcheck/hookcheck"
	"github.com/hookcheck/hookcheck/internal/termtext"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/reports/render"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
	"github.com/hookcheck/hookcheck/steps"
	"github.com/hookcheck/hookcheck/steps/suite"
)

type runFlags struct {
	policy        policyFlags
	target        string
	allowlist     string
	region        string
	tags          string
	features      string
	burst         int
	latencyBudget time.Duration
	concurrency   int
	out           string
	strict        bool
	seed          int64
	// The emulated AssemblyAI API served for the run (RC-15..RC-17, RC-19).
	api    string
	apiKey string
	// Issue 10/11: bounded and verified runs.
	maxDuration   time.Duration
	fullSchedules bool
	verifyURL     string
	verify        string // "api-fetch", "none" or empty
	verifyHeader  string
	verifyWithin  time.Duration
	// Which webhook to check (issue 12): the transcript notification,
	// the streaming session's webhook, or both.
	product    string
	maxSession time.Duration
	// Where session webhooks go, when not --target (issue 19).
	sessionTarget string
	// The earlier results.json whose failed scenarios to rerun.
	rerunFailed string
}

func newRunCmd(a *app) *cobra.Command { return runCommand(a, new(runFlags)) }

// runCommand is run's command, its flags parsed into f.
func runCommand(a *app, f *runFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run [--target URL]",
		Short: "Check a webhook receiver against every requirement and write a report",
		Long: `run checks a webhook receiver against hookcheck's requirements (RC-01..RC-23):
real deliveries with AssemblyAI's schedule, plus probes (forged, malformed,
other methods) that show how it refuses what it must refuse. It writes
results.json, junit.xml, cucumber.json, report.html and summary.md into --out.

With --api ADDR it also serves the emulated AssemblyAI API on ADDR for the run:
every notified transcript exists there, the API is made slow or failing on
purpose per scenario, and every call the receiver makes is evidence (RC-15..RC-17, RC-19).
Point the receiver's AssemblyAI base URL at http://ADDR; the key it must send
comes from HOOKCHECK_API_KEY (or --api-key).

RC-18 (what it acknowledged, it processed) needs evidence beyond the 2xx:
--verify-url TEMPLATE asks the receiver's own application about each
acknowledged transcript_id; --verify api-fetch (with --api) accepts that the
receiver fetched the transcript from the emulated API (the built-in run's
default; --verify none turns it off). For another --provider, --verify-url
with {id} (the event's id) answers {"processed": N}: SIG-09 delivers an event
twice and asks that it was processed once.

With --product streaming it checks the webhook of a streaming session instead
(RC-20..RC-23 and the shared rules), up to a session of --max-session-duration
(3h, about 2.5 MiB); --product both runs both in one report. An app that
serves session webhooks on another route than transcript notifications gives
it with --session-target: session webhooks go there, transcript
notifications to --target (with --product streaming alone, --session-target
may replace --target).

Without --target it starts hookcheck's built-in compliant receiver on loopback
and checks that, with a generated auth secret, an X-Forwarded-For allowlist,
both regions and the emulated API (RC-18 by --verify api-fetch), so that
every check runs: a quick way to see a passing run.

A delivery stops after its first failed attempt, which decides every check
(the retries AssemblyAI would make are recorded as not made; --full-schedules
makes them), and the whole run stops after --max-duration (default 10m).

Verdicts: conformant, not_conformant, incomplete (interrupted or past
--max-duration), partial (--tags or --features left out an applicable
requirement, or --rerun-failed ran only what failed before: not a
conformance verdict).

Exit code: 0 no MUST requirement failed (with --strict: no SHOULD either;
a partial run whose selection all passed is 0 too), 1 one did (or the run
was interrupted or reached --max-duration), 2 usage or setup error.`,
		Example: `  hookcheck run
  HOOKCHECK_AUTH_HEADER_VALUE=$SECRET hookcheck run --target https://staging.example.com/aai/webhook \
      --auth-header-name X-Webhook-Secret --allowlist header --region both --fast
  HOOKCHECK_API_KEY=test hookcheck run --target http://127.0.0.1:8080/webhook --api 127.0.0.1:8090 --fast
  hookcheck run --target http://127.0.0.1:8080/webhook --tags '@must' --features ./my-features
  hookcheck run --target http://127.0.0.1:8080/webhook --product streaming --fast
  hookcheck run --product both --target http://127.0.0.1:8080/webhooks/transcript \
      --session-target http://127.0.0.1:8080/webhooks/session --fast
  hookcheck run --target http://127.0.0.1:8080/webhook --fast --rerun-failed   # only what failed last time`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runRun(cmd.Context(), a, f) },
	}
	fs := cmd.Flags()
	fs.StringVar(&f.target, "target", "", "webhook URL to check (default: start the built-in compliant receiver)")
	fs.StringVar(&f.sessionTarget, "session-target", "", "webhook URL of the session route, where session webhooks go with --product both (transcript notifications go to --target); with --product streaming, the target")
	fs.StringVar(&f.allowlist, "allowlist", "", "the receiver admits only AssemblyAI's addresses, read from: header (X-Forwarded-For) or socket:IP (the socket address; deliveries dial from IP, which the receiver admits, e.g. receiver --allowlist socket:IP)")
	fs.StringVar(&f.region, "region", "us", "region(s) whose source address is checked: us, eu or both (D-7)")
	fs.StringVar(&f.tags, "tags", "", `run only scenarios matching this tag expression, e.g. "@must" or "@RC-01,@RC-04" or "~@serial"`)
	fs.StringVar(&f.features, "features", "", "directory of .feature files to run with hookcheck's steps (default: the built-in suite)")
	fs.IntVar(&f.burst, "burst", steps.DefaultBurst, "concurrent notifications in the burst check (RC-11)")
	fs.DurationVar(&f.latencyBudget, "latency-budget", steps.DefaultLatencyBudget, "bound on the p95 acknowledgement time (RC-03)")
	fs.IntVar(&f.concurrency, "concurrency", suite.DefaultConcurrency, "scenarios run at once (burst and latency always run alone)")
	fs.StringVar(&f.out, "out", "hookcheck-report", "directory to write the report files into")
	fs.BoolVar(&f.strict, "strict", false, "SHOULD failures fail the run too")
	fs.Int64Var(&f.seed, "seed", 0, "shuffle the order scenarios start in with this seed, to replay a run's order; 0 keeps file order; scenarios tagged @long start first either way (default: a new seed each run, recorded in the report)")
	// Bounded runs (issue 10, issue 11 item 4).
	fs.DurationVar(&f.maxDuration, "max-duration", hookcheckapi.DefaultMaxDuration, "stop the run after this long: it then writes every report with verdict incomplete and names the scenarios cut (0: no limit)")
	registerProvider(fs, &f.policy.provider)
	fs.BoolVar(&f.fullSchedules, "full-schedules", false, "make every retry AssemblyAI would make even after a delivery's first attempt decided its check (slower; by default those retries are recorded as not made)")
	fs.StringVar(&f.verifyURL, "verify-url", "", "RC-18: after the suite, GET this URL with {transcript_id} replaced for every notification the receiver acknowledged; a 2xx means processed. Another --provider's run (SIG-09): GET it with {id} replaced by a redelivered event's id; the answer gives {\"processed\": N}")
	fs.StringVar(&f.verify, "verify", "", "RC-18 evidence besides --verify-url: api-fetch accepts the receiver's successful fetch of each acknowledged transcript from the emulated API (needs --api); none turns off the built-in run's default of api-fetch")
	fs.StringVar(&f.verifyHeader, "verify-header", "", "header to authenticate --verify-url requests with; its value from $HOOKCHECK_VERIFY_HEADER_VALUE")
	fs.DurationVar(&f.verifyWithin, "verify-within", steps.DefaultVerifyWithin, "how long RC-18 polls --verify-url for each acknowledged notification")
	f.policy.register(fs, policyFlagSet{auth: true})
	// The emulated AssemblyAI API the receiver fetches transcripts from.
	fs.StringVar(&f.api, "api", "", "serve the emulated AssemblyAI API on this address for the run (e.g. 127.0.0.1:8090) and check the receiver's transcript fetches (RC-15..RC-17, RC-19); key from env "+envAPIKey)
	fs.StringVar(&f.apiKey, "api-key", "", "API key the emulated API accepts (prefer env "+envAPIKey+"; required with --api)")
	// The product: which of AssemblyAI's webhooks the run checks.
	fs.StringVar(&f.product, "product", string(reports.PreRecorded), "which webhook to check: pre-recorded (transcript notifications), streaming (the webhook of a streaming session, RC-20..RC-23) or both")
	fs.DurationVar(&f.maxSession, "max-session-duration", webhook.MaxSessionDuration, "longest streaming session whose webhook is checked (RC-21, RC-23); AssemblyAI closes sessions after 3h (S-6)")
	fs.StringVar(&f.rerunFailed, "rerun-failed", "", "run only the scenarios that failed (or were blocked) in this results.json; without a value, --out's results.json from the previous run (give a path as --rerun-failed=PATH); the verdict is partial")
	fs.Lookup("rerun-failed").NoOptDefVal = rerunDefault
	return cmd
}

// verifyNone is the --verify value that asks for no evidence beyond
// --verify-url: it turns off the built-in run's api-fetch, whose wait for
// the slow-API scenario's fetch (RC-15, 15 s) lengthens a quick run.
const verifyNone = "none"

// builtInAPIAddr is where a built-in run serves the API without --api.
const builtInAPIAddr = "127.0.0.1:0"

// printAPI is the header line that says where the API is and how to point
// AssemblyAI's SDKs at it. The key is never printed.
func printAPI(w io.Writer, api hookcheckapi.API, builtIn bool) {
	keyNote := "key from --api-key or " + envAPIKey
	if builtIn {
		keyNote = "a generated key given to the built-in receiver"
	}
	fmt.Fprintf(w, "Emulated AssemblyAI API at %s (%s); every notified transcript exists there.\n"+
		"  Point the receiver's SDK at it: Go assemblyai.WithBaseURL(%q), Node new AssemblyAI({apiKey, baseUrl: %q}),\n"+
		"  Python aai.settings.base_url = %q, plain HTTP: GET %s/v2/transcript/{id} (docs/serve-api.md)\n",
		api.BaseURL, keyNote, api.BaseURL, api.BaseURL, api.BaseURL, api.BaseURL)
}

func runRun(ctx context.Context, a *app, f *runFlags) error {
	t, builtIn, err := f.build(a)
	if err != nil {
		return err
	}
	if err := checkWritable(f.out); err != nil {
		return usagef("--out %s: %v", f.out, err)
	}
	if err := applyRerun(a, f, &t); errors.Is(err, errNothingToRerun) {
		return nil
	} else if err != nil {
		return err
	}
	var startBuiltIn func(*receiver.API) func()
	if builtIn {
		// The built-in receiver starts once the API it fetches from is up.
		if t.URL, startBuiltIn, err = listenBuiltIn(*t.Policy, t.Provider, webhook.Secret(t.SigningSecret)); err != nil {
			return fmt.Errorf("start the built-in receiver: %w", err)
		}
		t.BuiltInReceiver = true
		if _, ok := otherProvider(t.Provider); ok && f.verifyURL == "" && f.verify != verifyNone {
			// It counts each event's processing where SIG-09 asks.
			t.VerifyURL = strings.TrimSuffix(t.URL, "/webhook") + receiver.ProcessedPath + steps.EventIDPlaceholder
		}
		fmt.Fprint(a.out, describeBuiltIn(t))
	}
	prep, err := hookcheckapi.Prepare(t)
	if se := (*suite.SetupError)(nil); errors.As(err, &se) {
		return usageError{err}
	} else if err != nil {
		return err
	}
	defer prep.Close()
	if startBuiltIn != nil {
		var rapi *receiver.API // the API the built-in receiver fetches from
		if api, ok := prep.API(); ok {
			rapi = &receiver.API{BaseURL: api.BaseURL, Key: webhook.Secret(api.Key)}
		}
		defer startBuiltIn(rapi)()
	}
	if err := printHeader(ctx, a.out, t, prep, builtIn); err != nil {
		return err
	}
	res := prep.Run(ctx)
	printSummary(a.out, res)
	printFailures(a.out, res, f.out)
	paths, err := writeOutputs(f.out, res)
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	fmt.Fprintf(a.out, "Report: %s\n", strings.Join(paths, ", "))
	if !res.Pass() {
		return exitError{exitFailed}
	}
	return nil
}

func joinRegions(rs []webhook.Region) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = string(r)
	}
	return strings.Join(parts, " and ")
}

func parseRegions(s string) ([]webhook.Region, error) {
	if strings.EqualFold(s, "both") {
		return []webhook.Region{webhook.RegionUS, webhook.RegionEU}, nil
	}
	r, err := webhook.ParseRegion(s)
	if err != nil {
		return nil, usagef("--region: %v (or both)", err)
	}
	return []webhook.Region{r}, nil
}

// listenBuiltIn listens for the compliant reference receiver on loopback
// and returns its webhook URL and how to start it, configured like the run
// (auth header, allowlist) so it passes, with the API it fetches from.
func listenBuiltIn(p webhook.Policy, providerName string, signingSecret webhook.Secret) (string, func(*receiver.API) func(), error) {
	rc := receiver.Config{Path: "/webhook", SigningSecret: signingSecret}
	if p.Auth != nil {
		rc.AuthHeaderName, rc.AuthHeaderValue = p.Auth.Name, p.Auth.Value
	}
	rc.Allowlist = &receiver.Allowlist{Mode: receiver.AllowlistHeader, Allowed: receiver.AssemblyAIAddresses()}
	if p.Source.Mode == webhook.SourceBind {
		ip, _ := netipFrom(p.Source.BindIP)
		rc.Allowlist = &receiver.Allowlist{Mode: receiver.AllowlistSocket, Allowed: ip}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	if _, ok := otherProvider(providerName); ok {
		// The provider's compliant receiver: the first of its catalogue.
		bs := receiver.ProviderBehaviours(providerName)
		if len(bs) == 0 {
			_ = l.Close()
			return "", nil, fmt.Errorf("no built-in receiver for %s: give --target", providerName)
		}
		h := bs[0].New(rc, receiver.Params{})
		return "http://" + l.Addr().String() + "/webhook", func(*receiver.API) func() {
			srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
			go func() { _ = srv.Serve(l) }()
			return func() { _ = srv.Close() }
		}, nil
	}
	start := func(api *receiver.API) func() {
		rc.API = api
		h := receiver.NewCompliant(rc)
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(l) }()
		return func() { _ = srv.Close(); _ = h.Close() }
	}
	return "http://" + l.Addr().String() + "/webhook", start, nil
}

// printHeader says what the run checks and how (the API, the routes,
// AssemblyAI's schedule), once every route answers a connection.
func printHeader(ctx context.Context, w io.Writer, t hookcheckapi.Target, prep *hookcheckapi.Prepared, builtIn bool) error {
	if api, ok := prep.API(); ok {
		printAPI(w, api, builtIn)
	}
	transcript, session := routes(t)
	if err := reachableAll(ctx, *t.Policy, transcript, session); err != nil {
		return err
	}
	p := t.Policy
	if len(p.Schedule) > 0 { // a provider's growing waits
		fmt.Fprintf(w, "Checking %s as %s: %d scenarios, deadline %s, up to %d attempts over %s (%s)\n",
			webhook.RedactTarget(transcript), t.Provider, prep.Selected(), p.Timeout, p.MaxAttempts, p.ScheduleLength(), p.Pace)
	} else {
		fmt.Fprintf(w, "Checking %s: %d scenarios, deadline %s, up to %d attempts, %s (%s)\n",
			webhook.RedactTarget(transcript), prep.Selected(), p.Timeout, p.MaxAttempts, p.Waits(), p.Pace)
	}
	if !builtIn {
		printRoutes(w, t.Product, transcript, session)
	}
	return nil
}

// reachableAll checks each route a run delivers to (empty ones aside).
func reachableAll(ctx context.Context, p webhook.Policy, urls ...string) error {
	for _, u := range urls {
		if u == "" {
			continue
		}
		if err := reachable(ctx, u, p); err != nil {
			return usageError{err}
		}
	}
	return nil
}

// reachable fails fast, before any scenario, when nothing listens at the
// target: every scenario would fail for the same reason.
func reachable(ctx context.Context, target string, p webhook.Policy) error {
	u, _ := url.Parse(target)
	host := webhook.HostPort(u)
	d := net.Dialer{Timeout: min(p.Timeout, 10*time.Second)}
	if p.Source.Mode == webhook.SourceBind {
		d.LocalAddr = &net.TCPAddr{IP: p.Source.BindIP}
	}
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		var opErr *net.OpError
		if errors.As(err, &opErr) {
			err = opErr.Err
		}
		return fmt.Errorf("target %s is unreachable: %w", webhook.RedactTarget(target), err)
	}
	return conn.Close()
}

// checkWritable creates dir and proves a file can be written there.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	probe, err := os.CreateTemp(dir, ".hookcheck-write-check-*")
	if err != nil {
		return errors.New("not writable")
	}
	name := probe.Name()
	if err := probe.Close(); err != nil {
		return errors.New("not writable")
	}
	return os.Remove(name)
}

var statusMark = map[reports.Status]string{
	reports.Passed: "PASS", reports.Failed: "FAIL", reports.NotApplicable: "N/A ", reports.Skipped: "SKIP",
}

// printScenario is the live progress line of one finished scenario: one
// line, so that a run's console stays readable (issue 17); why it failed
// or did not apply, and how to reproduce it, follow the summary table
// (printFailures). A skipped scenario's reason (interrupted, cut) stays.
// A scenario that did not apply gets no line: nothing happened, and its
// reason is said once per requirement after the table.
func printScenario(w io.Writer, s reports.Scenario) {
	if s.Status == reports.NotApplicable {
		return
	}
	ids := strings.Join(s.Requirements, ",")
	if ids == "" {
		ids = s.Feature
	}
	line := fmt.Sprintf("%s  %-6s %s (%s)", statusMark[s.Status], ids, s.Name, time.Duration(s.DurationMS*float64(time.Millisecond)).Round(time.Millisecond))
	if s.Status == reports.Skipped && s.Reason != "" {
		line += ": " + clip(s.Reason, maxConsoleReason)
	}
	fmt.Fprintln(w, line)
}

// printSummary is the table after the run.
func printSummary(w io.Writer, r *reports.Result) {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REQUIREMENT\tLEVEL\tSTATUS\tTITLE")
	for _, q := range r.Requirements {
		level := string(q.Level)
		if q.Status == reports.Failed && q.FailedLevel != "" {
			level = string(q.FailedLevel)
		}
		status := strings.ToUpper(string(q.Status))
		if b := q.Blocker(); b != "" {
			status += " (" + q.Reason + ")"
		} else if c := q.SameCause(); c != "" && q.Status == reports.Failed {
			status += " (possibly the same cause as " + c + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s%s\n", q.ID, level, status, q.Title, productMark(r, q))
	}
	_ = tw.Flush()
	c := r.Counts
	fmt.Fprintf(w, "\n%s\nMUST: %d passed, %d failed. SHOULD: %d passed, %d failed. Blocked by another failure: %d. Not applicable: %d. Skipped: %d.\n",
		r.Headline(), c.MustPassed, c.MustFailed, c.ShouldPassed, c.ShouldFailed, c.Blocked, c.NotApplicable, c.Skipped)
	for _, q := range r.RootCauses() {
		if c := q.SameCause(); c != "" {
			fmt.Fprintf(w, "Fix %s (possibly the same cause as %s: if it still fails once %s is fixed): %s\n", q.ID, c, c, q.Remediation)
			continue
		}
		fmt.Fprintf(w, "Fix %s: %s\n", q.ID, q.Remediation)
	}
	if h := r.SessionRouteHint(); h != "" {
		fmt.Fprintln(w, h)
	}
	for _, name := range r.Cut {
		fmt.Fprintf(w, "Cut: %s\n", name)
	}
	var marks []string
	if c.Blocked > 0 {
		marks = append(marks, `"blocked by" failed the same way as the one they name: fix that one first`)
	}
	if c.PossiblySame > 0 {
		marks = append(marks, `"possibly the same cause" got the same answer as the one they name, to another kind of request: fix that one first, then theirs if they still fail`)
	}
	if len(marks) > 0 {
		fmt.Fprintf(w, "Requirements marked %s.\n", strings.Join(marks, "; those marked "))
	}
}

// productMark names the products that checked q, in a run of both.
func productMark(r *reports.Result, q reports.Requirement) string {
	if r.Environment.Product != reports.BothProducts || len(q.Products) == 0 {
		return ""
	}
	ps := make([]string, len(q.Products))
	for i, p := range q.Products {
		ps[i] = string(p)
		if path := routePath(r.Environment, p); path != "" {
			ps[i] += " at " + path
		}
	}
	return " [" + strings.Join(ps, ", ") + "]"
}

// routePath is the path product p's webhooks went to, when the run had a
// route for each (--session-target); empty otherwise.
func routePath(e reports.Environment, p reports.Product) string {
	if e.SessionTarget == "" {
		return ""
	}
	raw := e.Target
	if p == reports.Streaming {
		raw = e.SessionTarget
	}
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" {
		return termtext.Printable(raw, 0)
	}
	return termtext.Printable(u.Path, 0)
}

// writeOutputs writes the run's files into dir and returns their paths.
func writeOutputs(dir string, r *reports.Result) ([]string, error) {
	return render.WriteAll(dir, r)
}

func netipFrom(ip net.IP) ([]netip.Addr, bool) {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return nil, false
	}
	return []netip.Addr{a.Unmap()}, true
}
