package steps

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"

	"github.com/hookcheck/hookcheck/simulator/clock"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// Defaults of a Conformance check.
const (
	// DefaultBurst is how many notifications RC-11 sends at once.
	DefaultBurst = 50
	// DefaultLatencyBudget is RC-03's bound on the p95 acknowledgement time.
	DefaultLatencyBudget = 2 * time.Second
)

// Addresses used for forged requests. They are documentation ranges (RFC
// 5737) written into X-Forwarded-For only: nothing is ever sent to them.
const forgedSourceAddress = "198.51.100.23"

// Conformance checks a team's receiver the way AssemblyAI would exercise
// it: real deliveries under the delivery policy, and probes (forged,
// malformed, other methods) that show how it refuses what it must refuse.
// Its fields are what the user configured; a scenario whose precondition is
// not configured (auth, allowlist, https) is not applicable.
type Conformance struct {
	// Target is the webhook URL under test.
	Target string
	// Policy is the delivery policy; its Auth is the configured auth
	// header (D-8), its Source the way the source address is shown (P-7).
	Policy webhook.Policy
	// Regions are the regions whose source address is checked (D-7);
	// empty means Policy.Region.
	Regions []webhook.Region
	// Allowlist says the receiver admits only AssemblyAI's source
	// addresses, as Policy.Source shows them.
	Allowlist bool
	// Burst is how many concurrent notifications RC-11 sends.
	Burst int
	// LatencyBudget bounds RC-03's p95.
	LatencyBudget time.Duration
	// Options reach the receiver (e.g. an in-memory dialer).
	Options webhook.Options
}

// Evidence is what a conformance scenario leaves for the report.
type Evidence struct {
	// Deliveries are the full records of every delivery and probe, in
	// the order they were made.
	Deliveries []*webhook.Delivery
	// NotApplicable says why the scenario's precondition does not hold.
	NotApplicable string
	// Chart asks for a response-time chart: "latency" or "burst".
	Chart string
}

// conformanceScenario is one scenario's state.
type conformanceScenario struct {
	cfg    *Conformance
	mu     sync.Mutex
	ev     Evidence
	last   []*webhook.Delivery // the deliveries of the latest When step
	lastN  webhook.Notification
	tlsErr error
	tlsVer uint16
}

// EvidenceFrom returns the evidence of the scenario running in ctx.
func EvidenceFrom(ctx context.Context) (Evidence, bool) {
	st, err := stateFrom[conformanceScenario](ctx)
	if err != nil {
		return Evidence{}, false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	ev := st.ev
	ev.Deliveries = slices.Clone(ev.Deliveries)
	return ev, true
}

// RegisterSteps adds the conformance steps to sc.
func (c *Conformance) RegisterSteps(sc *godog.ScenarioContext) {
	sc.Before(func(ctx context.Context, _ *godog.Scenario) (context.Context, error) {
		return withState(ctx, &conformanceScenario{cfg: c}), nil
	})
	register(sc, c.Definitions())
}

func conf[F any](f F) any { return bind[conformanceScenario](f) }

// Definitions lists the conformance steps.
func (c *Conformance) Definitions() []Definition {
	return []Definition{
		// Preconditions.
		{Kind: "Given", Pattern: `^an auth header is configured$`, Example: `an auth header is configured`,
			Doc: "Not applicable unless --auth-header-name is set (RC-09).",
			Func: conf(func(st *conformanceScenario) error {
				if st.cfg.Policy.Auth == nil {
					return st.notApplicable("no auth header configured (set --auth-header-name and HOOKCHECK_AUTH_HEADER_VALUE)")
				}
				return nil
			})},
		{Kind: "Given", Pattern: `^a source-address allowlist is declared$`, Example: `a source-address allowlist is declared`,
			Doc: "Not applicable unless --allowlist is set (RC-10).",
			Func: conf(func(st *conformanceScenario) error {
				if !st.cfg.Allowlist {
					return st.notApplicable("no allowlist declared (set --allowlist header or --allowlist bind:IP)")
				}
				return nil
			})},
		{Kind: "Given", Pattern: `^the allowlist reads X-Forwarded-For$`, Example: `the allowlist reads X-Forwarded-For`,
			Doc: "Not applicable when the allowlist reads the socket address (--allowlist bind:IP).",
			Func: conf(func(st *conformanceScenario) error {
				if st.cfg.Policy.Source.Mode != webhook.SourceHeader {
					return st.notApplicable("the allowlist reads the socket peer address, not X-Forwarded-For")
				}
				return nil
			})},
		{Kind: "Given", Pattern: `^the "(us|eu)" region is selected$`, Example: `the "eu" region is selected`,
			Doc: "Not applicable unless --region names the region (or both).",
			Func: conf(func(st *conformanceScenario, region string) error {
				if !slices.Contains(st.cfg.regions(), webhook.Region(region)) {
					return st.notApplicable(fmt.Sprintf("region %s not selected (use --region %s or both)", region, region))
				}
				return nil
			})},
		{Kind: "Given", Pattern: `^the webhook URL uses https$`, Example: `the webhook URL uses https`,
			Doc: "Not applicable for an http target, or with --insecure (RC-14).",
			Func: conf(func(st *conformanceScenario) error {
				u, err := url.Parse(st.cfg.Target)
				switch {
				case err != nil || u.Scheme != "https":
					return st.notApplicable("the target is not an https URL")
				case st.cfg.Policy.InsecureSkipVerify:
					return st.notApplicable("--insecure: certificates are not verified")
				}
				return nil
			})},

		// Deliveries, exactly as AssemblyAI sends them.
		{Kind: "When", Pattern: `^AssemblyAI delivers an? "(completed|error)" transcript notification$`,
			Example: `AssemblyAI delivers a "completed" transcript notification`,
			Doc:     "One transcript-ready delivery (D-2) with the full retry schedule.",
			Func: conf(func(ctx context.Context, st *conformanceScenario, status string) error {
				n, err := webhook.TranscriptReady("", status)
				if err != nil {
					return err
				}
				return st.deliver(ctx, n, "", nil)
			})},
		{Kind: "When", Pattern: `^AssemblyAI delivers the same notification again after the retry interval$`,
			Example: `AssemblyAI delivers the same notification again after the retry interval`,
			Doc:     "Waits one retry interval (10 s; 100 ms with --fast), then delivers the previous notification again, same transcript_id (D-4).",
			Func: conf(func(ctx context.Context, st *conformanceScenario) error {
				if st.lastN.Kind == "" {
					return errors.New("no earlier notification in this scenario to deliver again")
				}
				t := st.cfg.clock().NewTimer(st.cfg.Policy.Wait())
				defer t.Stop()
				select {
				case <-t.C():
				case <-ctx.Done():
					return ctx.Err()
				}
				return st.deliver(ctx, st.lastN, "", nil)
			})},
		{Kind: "When", Pattern: `^AssemblyAI delivers a "(completed|error)" transcript notification to the webhook URL with the query "([^"]*)"$`,
			Example: `AssemblyAI delivers a "completed" transcript notification to the webhook URL with the query "customer_id=1234"`,
			Doc:     "Adds the query parameters to the webhook URL, as a team's metadata (D-9).",
			Func: conf(func(ctx context.Context, st *conformanceScenario, status, query string) error {
				n, err := webhook.TranscriptReady("", status)
				if err != nil {
					return err
				}
				return st.deliver(ctx, n, query, nil)
			})},
		{Kind: "When", Pattern: `^AssemblyAI delivers a "(completed|error)" transcript notification from the "(us|eu)" address$`,
			Example: `AssemblyAI delivers a "completed" transcript notification from the "eu" address`,
			Doc:     "Shows the region's documented source address (D-7) the way --allowlist says.",
			Func: conf(func(ctx context.Context, st *conformanceScenario, status, region string) error {
				n, err := webhook.TranscriptReady("", status)
				if err != nil {
					return err
				}
				return st.deliver(ctx, n, "", func(p *webhook.Policy) { p.Region = webhook.Region(region) })
			})},
		{Kind: "When", Pattern: `^AssemblyAI delivers a transcript notification with extra fields$`,
			Example: `AssemblyAI delivers a transcript notification with extra fields`,
			Doc:     "A transcript-ready body with fields beyond transcript_id and status.",
			Func: conf(func(ctx context.Context, st *conformanceScenario) error {
				body := fmt.Sprintf(`{"transcript_id":%q,"status":"completed","language_code":"en_us","audio_duration":281.5,"webhook_version":"2"}`, webhook.NewUUID())
				return st.deliver(ctx, webhook.RawBody([]byte(body), "application/json"), "", nil)
			})},
		{Kind: "When", Pattern: `^AssemblyAI delivers a redacted-audio notification$`,
			Example: `AssemblyAI delivers a redacted-audio notification`,
			Doc:     "The D-11 notification, without transcript_id.",
			Func: conf(func(ctx context.Context, st *conformanceScenario) error {
				n := webhook.RedactedAudioReady("https://cdn.assemblyai.example/redacted/" + webhook.NewUUID() + ".wav")
				return st.deliver(ctx, n, "", nil)
			})},
		{Kind: "When", Pattern: `^AssemblyAI delivers (\d+) "(completed|error)" transcript notifications one after another$`,
			Example: `AssemblyAI delivers 20 "completed" transcript notifications one after another`,
			Doc:     "Sequential deliveries, each after the previous one ended; the scenario gets a latency chart.",
			Func: conf(func(ctx context.Context, st *conformanceScenario, count int, status string) error {
				st.setChart("latency")
				var all []*webhook.Delivery
				for range count {
					n, err := webhook.TranscriptReady("", status)
					if err != nil {
						return err
					}
					if err := st.deliver(ctx, n, "", nil); err != nil {
						return err
					}
					all = append(all, st.last...)
				}
				st.last = all
				return nil
			})},
		{Kind: "When", Pattern: `^AssemblyAI delivers a burst of concurrent "(completed|error)" transcript notifications$`,
			Example: `AssemblyAI delivers a burst of concurrent "completed" transcript notifications`,
			Doc:     "--burst notifications (default 50) at once, each with its own schedule; the scenario gets a burst chart.",
			Func:    conf(func(ctx context.Context, st *conformanceScenario, status string) error { return st.burst(ctx, status) })},

		// Probes: one attempt each, not part of AssemblyAI's traffic.
		{Kind: "When", Pattern: `^a delivery with (invalid JSON|an empty body|no transcript_id) arrives$`,
			Example: `a delivery with invalid JSON arrives`,
			Doc:     "A malformed body, sent once (RC-08).",
			Func: conf(func(ctx context.Context, st *conformanceScenario, kind string) error {
				body := map[string]string{
					"invalid JSON":     `{"transcript_id": "` + webhook.NewUUID() + `", "status": `,
					"an empty body":    ``,
					"no transcript_id": `{"status":"completed"}`,
				}[kind]
				return st.deliver(ctx, webhook.RawBody([]byte(body), "application/json"), "", probe)
			})},
		{Kind: "When", Pattern: `^a forged request arrives without the auth header$`,
			Example: `a forged request arrives without the auth header`,
			Doc:     "A well-formed notification without the configured auth header, sent once.",
			Func: conf(func(ctx context.Context, st *conformanceScenario) error {
				return st.deliverProbe(ctx, func(p *webhook.Policy) { p.Auth = nil })
			})},
		{Kind: "When", Pattern: `^a forged request arrives with a wrong auth header value$`,
			Example: `a forged request arrives with a wrong auth header value`,
			Doc:     "The configured auth header with a random wrong value, sent once.",
			Func: conf(func(ctx context.Context, st *conformanceScenario) error {
				return st.deliverProbe(ctx, func(p *webhook.Policy) {
					if p.Auth != nil {
						p.Auth = &webhook.AuthHeader{Name: p.Auth.Name, Value: webhook.Secret(randomToken())}
					}
				})
			})},
		{Kind: "When", Pattern: `^a forged request arrives from an address that is not AssemblyAI's$`,
			Example: `a forged request arrives from an address that is not AssemblyAI's`,
			Doc:     "X-Forwarded-For " + forgedSourceAddress + " (header mode), or another loopback address (bind mode), sent once.",
			Func: conf(func(ctx context.Context, st *conformanceScenario) error {
				return st.deliverProbe(ctx, func(p *webhook.Policy) {
					if p.Source.Mode == webhook.SourceBind {
						p.Source.BindIP = otherLoopback(p.Source.BindIP)
						return
					}
					p.Source = webhook.SourceAddress{Mode: webhook.SourceNone}
					p.ExtraHeaders = map[string][]string{"X-Forwarded-For": {forgedSourceAddress}}
				})
			})},
		{Kind: "When", Pattern: `^a forged request arrives without X-Forwarded-For$`,
			Example: `a forged request arrives without X-Forwarded-For`,
			Doc:     "A notification with no source address header, sent once.",
			Func: conf(func(ctx context.Context, st *conformanceScenario) error {
				return st.deliverProbe(ctx, func(p *webhook.Policy) { p.Source = webhook.SourceAddress{Mode: webhook.SourceNone} })
			})},
		{Kind: "When", Pattern: `^a (GET|PUT|DELETE|PATCH|HEAD|OPTIONS) request arrives at the webhook URL$`,
			Example: `a GET request arrives at the webhook URL`,
			Doc:     "The notification sent once with another method (RC-13).",
			Func: conf(func(ctx context.Context, st *conformanceScenario, method string) error {
				return st.deliverProbe(ctx, func(p *webhook.Policy) { p.Method = method })
			})},
		{Kind: "When", Pattern: `^AssemblyAI connects to the webhook URL over TLS$`,
			Example: `AssemblyAI connects to the webhook URL over TLS`,
			Doc:     "A TLS handshake with certificate verification, accepting TLS 1.0 and up so an old version is seen and reported.",
			Func:    conf(func(ctx context.Context, st *conformanceScenario) error { st.handshake(ctx); return nil })},

		// Expectations.
		{Kind: "Then", Pattern: `^the receiver acknowledges it with a 2xx within the deadline$`,
			Example: `the receiver acknowledges it with a 2xx within the deadline`,
			Doc:     "The first attempt of the latest delivery got a 2xx within the deadline (D-3).",
			Func:    conf(func(st *conformanceScenario) error { return st.eachLast(acknowledged) })},
		{Kind: "Then", Pattern: `^every delivery is acknowledged with a 2xx within the deadline$`,
			Example: `every delivery is acknowledged with a 2xx within the deadline`,
			Doc:     "The first attempt of every delivery in the scenario got a 2xx within the deadline.",
			Func:    conf(func(st *conformanceScenario) error { return st.eachDelivery(acknowledged) })},
		{Kind: "Then", Pattern: `^the p95 acknowledgement time is within the latency budget$`,
			Example: `the p95 acknowledgement time is within the latency budget`,
			Doc:     "The 95th percentile of first-attempt times is at most --latency-budget (default 2 s; RC-03).",
			Func:    conf(func(st *conformanceScenario) error { return st.p95WithinBudget() })},
		{Kind: "Then", Pattern: `^the receiver (?:refuses|rejects) it with a 4xx$`,
			Example: `the receiver refuses it with a 4xx`,
			Doc:     "The latest request got a 4xx: refused, and not retried (D-5). \"rejects\" reads better for malformed input.",
			Func:    conf(func(st *conformanceScenario) error { return st.eachLast(refused) })},
		{Kind: "Then", Pattern: `^the receiver neither fails with a 5xx nor times out$`,
			Example: `the receiver neither fails with a 5xx nor times out`,
			Doc:     "The latest request got an HTTP answer below 500: no 5xx, no timeout, no broken connection (a 3xx is RC-12's concern).",
			Func:    conf(func(st *conformanceScenario) error { return st.eachLast(noServerFailure) })},
		{Kind: "Then", Pattern: `^the receiver does not answer with a 3xx$`,
			Example: `the receiver does not answer with a 3xx`,
			Doc:     "No attempt of the latest delivery got a redirect (P-3).",
			Func:    conf(func(st *conformanceScenario) error { return st.eachLast(noRedirect) })},
		{Kind: "Then", Pattern: `^the certificate verifies and the TLS version is 1\.2 or later$`,
			Example: `the certificate verifies and the TLS version is 1.2 or later`,
			Doc:     "The TLS handshake verified the certificate and negotiated TLS 1.2 or 1.3 (RC-14).",
			Func:    conf(func(st *conformanceScenario) error { return st.tlsVerdict() })},
	}
}

// clock is the time source of the deliveries and the waits between them.
func (c *Conformance) clock() clock.Clock {
	if c.Options.Clock != nil {
		return c.Options.Clock
	}
	return clock.Real{}
}

func (c *Conformance) regions() []webhook.Region {
	if len(c.Regions) == 0 {
		return []webhook.Region{c.Policy.Region}
	}
	return c.Regions
}

// notApplicable records why and skips the rest of the scenario.
func (st *conformanceScenario) notApplicable(why string) error {
	st.mu.Lock()
	st.ev.NotApplicable = why
	st.mu.Unlock()
	return godog.ErrSkip
}

func (st *conformanceScenario) setChart(kind string) {
	st.mu.Lock()
	st.ev.Chart = kind
	st.mu.Unlock()
}

func (st *conformanceScenario) record(ds ...*webhook.Delivery) {
	st.mu.Lock()
	st.ev.Deliveries = append(st.ev.Deliveries, ds...)
	st.mu.Unlock()
	st.last = ds
}

// probe sends a request once: probes check one answer, they are not
// AssemblyAI traffic to be retried.
func probe(p *webhook.Policy) { p.MaxAttempts = 1 }

func (st *conformanceScenario) deliverProbe(ctx context.Context, change func(*webhook.Policy)) error {
	n, err := webhook.TranscriptReady("", webhook.StatusCompleted)
	if err != nil {
		return err
	}
	return st.deliver(ctx, n, "", func(p *webhook.Policy) { change(p); probe(p) })
}

// deliver sends n under the configured policy, changed by change, to the
// target with query appended, and records the delivery.
func (st *conformanceScenario) deliver(ctx context.Context, n webhook.Notification, query string, change func(*webhook.Policy)) error {
	p := st.cfg.Policy
	if change != nil {
		change(&p)
	}
	sender, err := webhook.NewSender(p, st.cfg.Options)
	if err != nil {
		return fmt.Errorf("delivery policy: %w", err)
	}
	defer sender.Close()
	d, err := sender.Deliver(ctx, withQuery(st.cfg.Target, query), n, webhook.Observer{})
	if err != nil {
		return err
	}
	st.lastN = n
	st.record(d)
	if d.Outcome == webhook.Cancelled {
		return fmt.Errorf("the run was stopped during the delivery: %w", context.Cause(ctx))
	}
	return nil
}

func (st *conformanceScenario) burst(ctx context.Context, status string) error {
	st.setChart("burst")
	n := st.cfg.Burst
	if n <= 0 {
		n = DefaultBurst
	}
	sender, err := webhook.NewSender(st.cfg.Policy, st.cfg.Options)
	if err != nil {
		return fmt.Errorf("delivery policy: %w", err)
	}
	defer sender.Close()
	engine := webhook.NewEngine(sender, n)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- engine.Run(runCtx) }()
	tickets := make([]*webhook.Ticket, 0, n)
	for range n {
		note, err := webhook.TranscriptReady("", status)
		if err != nil {
			return err
		}
		t, err := engine.Submit(st.cfg.Target, note, webhook.DeliveryOptions{}, webhook.Observer{})
		if err != nil {
			return fmt.Errorf("submit burst delivery: %w", err)
		}
		tickets = append(tickets, t)
	}
	engine.Close()
	if err := <-done; err != nil {
		return fmt.Errorf("the run was stopped during the burst: %w", err)
	}
	ds := make([]*webhook.Delivery, len(tickets))
	for i, t := range tickets {
		<-t.Done()
		ds[i] = t.Delivery()
	}
	st.record(ds...)
	return nil
}

func (st *conformanceScenario) handshake(ctx context.Context) {
	u, err := url.Parse(st.cfg.Target)
	if err != nil {
		st.tlsErr = err
		return
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "443")
	}
	dialer := &tls.Dialer{
		NetDialer: &net.Dialer{Timeout: st.cfg.Policy.Timeout},
		Config:    &tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS10}, //nolint:gosec // to see and report old versions
	}
	dctx, cancel := context.WithTimeout(ctx, st.cfg.Policy.Timeout)
	defer cancel()
	conn, err := dialer.DialContext(dctx, "tcp", host)
	if err != nil {
		st.tlsErr = err
		return
	}
	defer conn.Close()
	st.tlsVer = conn.(*tls.Conn).ConnectionState().Version
}

func (st *conformanceScenario) tlsVerdict() error {
	switch {
	case st.tlsErr != nil:
		return fmt.Errorf("the TLS handshake with %s failed: %v. AssemblyAI's deliveries would fail on every attempt (P-4) and the notification would be lost", st.cfg.Target, st.tlsErr)
	case st.tlsVer == 0:
		return errors.New("no TLS handshake was made in this scenario")
	case st.tlsVer < tls.VersionTLS12:
		return fmt.Errorf("the server negotiated %s; TLS 1.2 or later is required", tls.VersionName(st.tlsVer))
	}
	return nil
}

// eachLast applies check to every delivery of the latest When step.
func (st *conformanceScenario) eachLast(check func(*webhook.Delivery) error) error {
	if len(st.last) == 0 {
		return errors.New("no delivery in this scenario yet: add a When step")
	}
	return checkAll(st.last, check)
}

// eachDelivery applies check to every delivery of the scenario.
func (st *conformanceScenario) eachDelivery(check func(*webhook.Delivery) error) error {
	st.mu.Lock()
	ds := slices.Clone(st.ev.Deliveries)
	st.mu.Unlock()
	if len(ds) == 0 {
		return errors.New("no delivery in this scenario yet: add a When step")
	}
	return checkAll(ds, check)
}

func checkAll(ds []*webhook.Delivery, check func(*webhook.Delivery) error) error {
	var failed []error
	for _, d := range ds {
		if err := check(d); err != nil {
			failed = append(failed, err)
		}
	}
	switch {
	case len(failed) == 0:
		return nil
	case len(ds) == 1:
		return failed[0]
	}
	return fmt.Errorf("%d of %d deliveries failed; the first: %w", len(failed), len(ds), failed[0])
}

func (st *conformanceScenario) p95WithinBudget() error {
	st.mu.Lock()
	ds := slices.Clone(st.ev.Deliveries)
	st.mu.Unlock()
	if len(ds) == 0 {
		return errors.New("no delivery in this scenario yet")
	}
	times := make([]time.Duration, len(ds))
	for i, d := range ds {
		times[i] = d.Attempts[0].Duration
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	p95 := Percentile(times, 95)
	budget := st.cfg.LatencyBudget
	if budget <= 0 {
		budget = DefaultLatencyBudget
	}
	if p95 > budget {
		return fmt.Errorf("p95 acknowledgement time %s exceeds the %s budget (p50 %s, max %s over %d deliveries). At this speed a slow moment in production reaches AssemblyAI's 10 s deadline (D-3), and each miss costs a retry",
			p95.Round(time.Millisecond), budget, Percentile(times, 50).Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond), len(times))
	}
	return nil
}

// Percentile returns the nearest-rank p-th percentile of sorted times.
func Percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

func withQuery(target, query string) string {
	if query == "" {
		return target
	}
	if strings.Contains(target, "?") {
		return target + "&" + query
	}
	return target + "?" + query
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "forged-" + hex.EncodeToString(b)
}

// otherLoopback returns a loopback address other than ip.
func otherLoopback(ip net.IP) net.IP {
	if ip.Equal(net.IPv4(127, 0, 0, 3)) {
		return net.IPv4(127, 0, 0, 4)
	}
	return net.IPv4(127, 0, 0, 3)
}
