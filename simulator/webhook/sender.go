package webhook

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookcheck/hookcheck/simulator/clock"
	"github.com/hookcheck/hookcheck/simulator/profiles"
	"github.com/hookcheck/hookcheck/simulator/signing"
)

// Options are the parts of a Sender that are not delivery policy.
type Options struct {
	// Clock is the time source; nil means the wall clock.
	Clock clock.Clock
	// Transport replaces the HTTP transport built from the policy (for
	// transport-level tests). Source-address binding, TLS settings and
	// keep-alive then come from it.
	Transport http.RoundTripper
	// DialContext replaces dialing in the transport built from the policy,
	// e.g. to reach an in-memory receiver.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Logger receives one debug line per attempt; nil means no logs.
	Logger *slog.Logger
	// Secrets are values, beyond the policy's auth value and the target's
	// user information (which the sender knows), that the records must
	// never hold, e.g. an API key: any answer that echoes one has it
	// masked before it is recorded, observed or logged.
	Secrets []string
	// BodyBudget, when set, bounds the answer body bytes read by every
	// sender that shares it (a run's memory guard); nil means none beyond
	// Policy.MaxBodyBytes per answer.
	BodyBudget *BodyBudget
}

// Observer is told about a delivery as it runs. Its functions are called
// from the goroutine running the delivery and must not block for long.
type Observer struct {
	// OnAttempt is called after each attempt with the record so far: d
	// is built for the call (the sender keeps its records in a compact
	// form), so the observer may keep it.
	OnAttempt func(d *Delivery, a Attempt)
	// OnDone is called once, when the delivery has ended, with a record
	// built for the call.
	OnDone func(d *Delivery)
}

// Sender sends notifications the way AssemblyAI does under its Policy.
type Sender struct {
	policy    Policy
	clock     clock.Clock
	client    *http.Client
	transport *http.Transport // nil when the caller gave one
	logger    *slog.Logger
	seq       atomic.Int64
	headers   headerInterner // shares equal header sets between records
	answers   answerInterner // shares equal answers between journals
	redact    *Redactor      // the policy's and the caller's secrets
	budget    *BodyBudget    // nil: no run-wide bound
	summary   PolicySummary  // the policy's summary, for every record

	mu         sync.Mutex
	targets    map[string]*target // parsed targets, shared between deliveries
	headerSets map[headerSetKey]headerSet
}

// NewSender returns a Sender for p.
func NewSender(p Policy, o Options) (*Sender, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("delivery policy: %w", err)
	}
	s := &Sender{policy: p, clock: o.Clock, logger: o.Logger, redact: NewRedactor(append(p.Secrets(), o.Secrets...)...),
		budget: o.BodyBudget}
	if s.clock == nil {
		s.clock = clock.Real{}
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	rt := o.Transport
	if rt == nil {
		s.transport = newTransport(p, o.DialContext)
		rt = s.transport
	}
	// Every attempt goes through this client (see attempt): it applies
	// P-3 through CheckRedirect (which keeps secrets on the receiver's
	// origin) and sends a URL's user information.
	s.client = &http.Client{Transport: rt, CheckRedirect: s.checkRedirect}
	s.summary = p.Summary()
	return s, nil
}

// Policy returns the sender's policy.
func (s *Sender) Policy() Policy { return s.policy }

// Close releases idle connections.
func (s *Sender) Close() {
	if s.transport != nil {
		s.transport.CloseIdleConnections()
	}
}

func newTransport(p Policy, dial func(ctx context.Context, network, addr string) (net.Conn, error)) *http.Transport {
	if dial == nil {
		d := &net.Dialer{Timeout: p.Timeout}
		if p.Source.Mode == SourceBind {
			// P-7: show the source address as the socket's peer address.
			d.LocalAddr = &net.TCPAddr{IP: p.Source.BindIP}
		}
		dial = d.DialContext
	}
	return &http.Transport{
		Proxy:                  nil, // a delivery goes straight to the receiver
		DialContext:            dial,
		TLSClientConfig:        &tls.Config{InsecureSkipVerify: p.InsecureSkipVerify, MinVersion: tls.VersionTLS12}, //nolint:gosec // opt-in
		DisableKeepAlives:      !p.KeepAlive,
		DisableCompression:     true, // Accept-Encoding is set by hand (D-12)
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
		MaxIdleConns:           4096,
		MaxIdleConnsPerHost:    4096,
	}
}

// checkRedirect applies P-3: a 3xx is an answer, not an instruction, unless
// following is switched on.
func (p Policy) checkRedirect(_ *http.Request, via []*http.Request) error {
	if !p.FollowRedirects {
		return http.ErrUseLastResponse
	}
	if len(via) >= p.MaxRedirects {
		return fmt.Errorf("stopped after %d redirects", len(via))
	}
	return nil
}

// ParseTarget checks that raw is an absolute http or https URL that Go's
// HTTP client sends: its host is an IP address or a name the resolver looks
// up, its port is in 1–65535, and its text parses back to the same URL
// (see checkSendable). The URL is kept as given: its query string is sent
// byte for byte (D-9).
func ParseTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("target %q is not a URL: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("target %q: scheme must be http or https", raw)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("target %q has no host", raw)
	}
	if err := checkSendable(raw, u); err != nil {
		return nil, err
	}
	return u, nil
}

// RedactTarget masks the password in a raw URL's user information and
// leaves any other text, parseable or not, exactly as it is.
func RedactTarget(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if p, has := u.User.Password(); !has || p == Mask {
		return raw
	}
	return redactURL(u)
}

// redactURL masks the password of a URL's user information.
func redactURL(u *url.URL) string {
	if _, has := u.User.Password(); has {
		c := *u
		c.User = url.UserPassword(u.User.Username(), Mask)
		return c.String()
	}
	return u.String()
}

// prepared is a delivery ready to send: what every attempt repeats, and
// the journal its attempts go to. The target and the header are shared,
// read-only, between the deliveries of a sender; the body is the record's
// Request.Body.
type prepared struct {
	target  *target
	header  http.Header
	j       *journal
	observe Observer
	decided func(Attempt) bool
	redact  *Redactor // every secret this delivery knows
	// messageID is the id a signed delivery carries on every attempt.
	messageID string
}

// target is a parsed webhook URL, shared between the deliveries of a
// sender that go to it; read-only.
type target struct {
	url    *url.URL
	host   string    // the Host header, as http.NewRequest computes it
	shown  string    // redactURL(url)
	redact *Redactor // the sender's secrets and the URL's user information
}

// maxTargets bounds the parsed targets a Sender keeps for sharing; when it
// is full the cache starts again.
const maxTargets = 1024

// target returns the parsed, shared form of raw.
func (s *Sender) target(raw string) (*target, error) {
	s.mu.Lock()
	t, ok := s.targets[raw]
	s.mu.Unlock()
	if ok {
		return t, nil
	}
	u, err := ParseTarget(raw)
	if err != nil {
		return nil, err
	}
	// The Host is u.Host without an empty port, as http.NewRequest has it.
	t = &target{url: u, host: strings.TrimSuffix(u.Host, ":"), shown: redactURL(u), redact: s.redact.With(TargetSecrets(raw)...)}
	s.mu.Lock()
	if s.targets == nil || len(s.targets) >= maxTargets {
		s.targets = make(map[string]*target, 16)
	}
	s.targets[raw] = t
	s.mu.Unlock()
	return t, nil
}

// headerSet is the header a delivery sends and its masked evidence.
type headerSet struct{ send, evidence http.Header }

// headerSetKey names the header sets that depend only on the body: those of
// deliveries without their own auth header.
type headerSetKey struct {
	contentType string
	length      int
}

// prepare makes a delivery of n to raw ready to send, with the settings of
// o overriding the policy's; its record starts in j, which the caller
// provides so that it can live where the caller keeps the delivery.
func (s *Sender) prepare(j *journal, raw string, n Notification, o DeliveryOptions, observe Observer) (prepared, error) {
	t, err := s.target(raw)
	if err != nil {
		return prepared{}, err
	}
	body, contentType, err := n.Encode()
	if err != nil {
		return prepared{}, fmt.Errorf("encode notification: %w", err)
	}
	p := s.policy
	if o.Auth != nil {
		if err := ValidateHeaderName(o.Auth.Name); err != nil {
			return prepared{}, fmt.Errorf("auth header: %w", err)
		}
		if err := ValidateHeaderValue(o.Auth.Value.Reveal()); err != nil {
			return prepared{}, fmt.Errorf("auth header %s: %w", o.Auth.Name, err)
		}
		a := *o.Auth
		p.Auth = &a
	}
	var hs headerSet
	key := headerSetKey{contentType, len(body)}
	if o.Auth == nil {
		s.mu.Lock()
		hs = s.headerSets[key]
		s.mu.Unlock()
	}
	if hs.send == nil {
		hs = s.headerSet(p, contentType, len(body))
		if o.Auth == nil {
			s.mu.Lock()
			if s.headerSets == nil || len(s.headerSets) >= maxTargets {
				s.headerSets = make(map[headerSetKey]headerSet, 4)
			}
			s.headerSets[key] = hs
			s.mu.Unlock()
		}
	}
	bodyText := string(body)
	// The ids the body carries share its bytes rather than keep a copy.
	n.TranscriptID = within(bodyText, n.TranscriptID)
	n.RedactedAudioURL = within(bodyText, n.RedactedAudioURL)
	summary := s.summary
	if o.Auth != nil {
		summary = p.Summary()
	}
	j.head = Delivery{
		ID: s.newID(), Target: t.shown, Notification: n, Policy: summary,
		// Every delivery of a sender sends the same headers, so the
		// evidence and the header sent are shared (read-only) between them.
		Request: Request{Method: p.Method, URL: t.shown, Headers: hs.evidence, Body: bodyText},
	}
	// One allocation for the whole schedule (D-4).
	j.attempts = make([]attemptRec, 0, min(p.MaxAttempts, 64))
	redact := t.redact
	if o.Auth != nil {
		redact = redact.With(o.Auth.Value.Reveal())
	}
	pd := prepared{target: t, header: hs.send, j: j, observe: observe, decided: o.Decided, redact: redact}
	if p.Signing != nil {
		pd.messageID = o.MessageID
		if pd.messageID == "" {
			pd.messageID = "msg_" + strings.TrimPrefix(j.head.ID, "d-")
		}
	}
	return pd, nil
}

// headerSet builds the D-12 header set of a delivery under p, and its
// evidence with the secret masked, both interned.
func (s *Sender) headerSet(p Policy, contentType string, length int) headerSet {
	// D-12: the historic header set, in this order.
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	h.Set("Accept", "*/*")
	h.Set("Accept-Encoding", "gzip, deflate")
	h.Set("User-Agent", p.UserAgent)
	for k, vs := range p.ExtraHeaders {
		h[k] = append([]string(nil), vs...)
	}
	if p.Source.Mode == SourceHeader {
		h.Set("X-Forwarded-For", p.Region.Address()) // D-7, P-7
	}
	// An extra header may carry a secret the caller named (an API key).
	evidence := s.redact.Header(h.Clone())
	evidence.Set("Content-Length", strconv.Itoa(length))
	if p.Auth != nil {
		// D-8: the header exactly as the user named it, value verbatim.
		h[p.Auth.Name] = []string{p.Auth.Value.Reveal()}
		evidence[p.Auth.Name] = []string{Mask}
	}
	return headerSet{send: s.headers.intern(h), evidence: s.headers.intern(evidence)}
}

// within returns sub as a substring of text when text contains it, so that
// the two share memory; otherwise sub itself.
func within(text, sub string) string {
	if sub == "" {
		return sub
	}
	if i := strings.Index(text, sub); i >= 0 {
		return text[i : i+len(sub)]
	}
	return sub
}

// newID returns a delivery id unique within the run: "d-<seq>-<8 hex>".
func (s *Sender) newID() string {
	var b [32]byte
	id := append(b[:0], "d-"...)
	id = strconv.AppendInt(id, s.seq.Add(1), 10)
	id = append(id, '-')
	r := rand.Uint32()
	for shift := 28; shift >= 0; shift -= 4 {
		id = append(id, "0123456789abcdef"[r>>uint(shift)&0xf])
	}
	return string(id)
}

// Deliver sends n to target under the sender's policy, running the whole
// schedule: attempts until a 2xx, a 4xx, MaxAttempts, or ctx ends. It
// returns an error only when the delivery cannot start (a bad target); how
// the delivery went is in the record.
func (s *Sender) Deliver(ctx context.Context, target string, n Notification, observe Observer) (*Delivery, error) {
	return s.DeliverWith(ctx, target, n, DeliveryOptions{}, observe)
}

// DeliverWith is Deliver with the settings of o overriding the policy's.
func (s *Sender) DeliverWith(ctx context.Context, target string, n Notification, o DeliveryOptions, observe Observer) (*Delivery, error) {
	var j journal
	pd, err := s.prepare(&j, target, n, o, observe)
	if err != nil {
		return nil, err
	}
	j.head.StartedAt = s.clock.Now()
	for {
		wait, done := s.step(ctx, &pd)
		if done {
			return j.delivery(), nil
		}
		if err := s.sleep(ctx, wait); err != nil {
			s.finish(&pd, Cancelled)
			return j.delivery(), nil
		}
	}
}

// step runs the next attempt of pd and applies the policy to its result. It
// returns the wait before the following attempt, or done when the delivery
// has ended (and then has recorded the outcome).
func (s *Sender) step(ctx context.Context, pd *prepared) (wait time.Duration, done bool) {
	a := s.attempt(ctx, pd, pd.j.count()+1)
	outcome, retry := s.policy.decide(a)
	// A retry the caller has no use for (its check read this attempt) is
	// not made: the delivery stops, its remaining attempts counted.
	stop := retry && pd.decided != nil && pd.decided(a)
	if retry && !stop {
		wait = s.policy.waitAfter(a)
		a.WaitAfter = wait
	}
	pd.j.add(&a, s.answers.intern(&a))
	if pd.observe.OnAttempt != nil {
		pd.observe.OnAttempt(pd.j.delivery(), a)
	}
	switch {
	case !retry:
		s.finish(pd, outcome)
		return 0, true
	case stop:
		pd.j.notMade(s.policy.MaxAttempts - a.Number)
		s.finish(pd, Stopped)
		return 0, true
	}
	return wait, false
}

// finish records how the delivery of pd ended.
func (s *Sender) finish(pd *prepared, o Outcome) {
	pd.j.end(o, s.clock.Now())
	if pd.observe.OnDone != nil {
		pd.observe.OnDone(pd.j.delivery())
	}
}

// decide applies D-3..D-6, P-3, P-4 and P-6 to an attempt: how the delivery
// ends, or whether it is retried.
func (p Policy) decide(a Attempt) (Outcome, bool) {
	switch {
	case a.Failure == ErrAttemptStopped:
		return Cancelled, false
	case a.Succeeded():
		return Delivered, false // D-3
	case a.StatusCode >= 400 && a.StatusCode < 500 && !p.RetryOn4xx:
		return Rejected, false // D-5, P-6: any 4xx, 408 and 429 included
	case a.StatusCode != 0 && slices.Contains(p.StopOn, a.StatusCode):
		return Rejected, false // SW-10: 410 disables the endpoint
	case a.Number >= p.MaxAttempts:
		return Exhausted, false // D-4, D-6
	}
	return "", true // 3xx (P-3), 5xx, other codes and P-4 errors
}

// waitAfter is the wait after attempt a: the schedule's, or the answer's
// Retry-After when the policy honours it for a's status (SW-10).
func (p Policy) waitAfter(a Attempt) time.Duration {
	wait := p.WaitAfter(a.Number)
	if a.StatusCode == 0 || !slices.Contains(p.RetryAfterOn, a.StatusCode) {
		return wait
	}
	v := a.ResponseHeaders.Get("Retry-After")
	secs, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || secs < 0 {
		return wait
	}
	return p.paced(min(time.Duration(secs)*time.Second, profiles.MaxRetryInterval))
}

func (s *Sender) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := s.clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// attempt sends one request through the sender's http.Client and records
// what came back: it is the only path by which a delivery reaches a
// receiver. The client's CheckRedirect applies P-3 (a 3xx is the answer
// unless following is on) and the client sends any user information in
// the URL as basic auth. The deadline (D-3, P-1) covers dialing, sending
// and the status line and headers; the body is then read, up to
// MaxBodyBytes, only until the same deadline.
func (s *Sender) attempt(ctx context.Context, pd *prepared, number int) Attempt {
	a := Attempt{Number: number, StartedAt: s.clock.Now()}
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	var timedOut atomic.Bool
	deadline := s.clock.AfterFunc(s.policy.Timeout, func() {
		timedOut.Store(true)
		cancel()
	})
	defer deadline.Stop()

	// The URL is parsed once per target and kept as the caller encoded its
	// path and query (D-9); the header is shared, as neither the client
	// nor the transport modifies a request's header.
	redirects := &chain{redact: pd.redact}
	if s.policy.Auth != nil {
		redirects.authName = s.policy.Auth.Name
	}
	req, err := http.NewRequestWithContext(withChain(actx, redirects), s.policy.Method, "", strings.NewReader(pd.j.head.Request.Body))
	if err != nil {
		a.Failure, a.Detail = ErrProtocol, err.Error()
		return a
	}
	req.URL, req.Host, req.Header = pd.target.url, pd.target.host, pd.header
	if sg := s.policy.Signing; sg != nil {
		// Each attempt is signed at its own time, with the delivery's
		// message id (SW-1).
		signed, err := sg.Signer.Sign(signing.Message{ID: pd.messageID, Timestamp: a.StartedAt, Body: []byte(pd.j.head.Request.Body)})
		if err != nil {
			a.Failure, a.Detail = ErrProtocol, "sign: "+err.Error()
			return a
		}
		req.Header = pd.header.Clone()
		signed.Apply(req.Header)
		if number == 1 {
			// The record shows the first attempt's signature headers.
			ev := pd.j.head.Request.Headers.Clone()
			signed.Apply(ev)
			pd.j.head.Request.Headers = ev
		}
	}
	resp, err := s.client.Do(req)
	a.Duration = s.clock.Now().Sub(a.StartedAt)
	a.Redirect = redirects.record()
	if err != nil {
		a.Failure = classify(err, timedOut.Load(), ctx.Err() != nil)
		// Equal details repeat across thousands of attempts: share them.
		a.Detail = intern(pd.redact.String(errorDetail(err, a.Failure, s.policy)))
		if s.logger.Enabled(ctx, slog.LevelDebug) {
			s.logger.DebugContext(ctx, "attempt failed", "delivery", pd.j.head.ID, "attempt", number,
				"error", a.Failure, "duration", a.Duration)
		}
		return a
	}
	defer resp.Body.Close()
	a.StatusCode = resp.StatusCode
	// Equal header sets and bodies repeat across thousands of attempts:
	// the record holds shared, read-only copies.
	// An answer may echo a secret (a debug endpoint that returns its
	// request): it is masked by value before anything keeps it.
	a.ResponseHeaders = s.headers.intern(pd.redact.Header(resp.Header))
	var body []byte
	if resp.Body != http.NoBody {
		r := io.LimitReader(resp.Body, s.policy.MaxBodyBytes+1)
		if s.budget != nil {
			r = budgetReader{r: r, b: s.budget}
		}
		body, err = io.ReadAll(r)
	}
	if int64(len(body)) > s.policy.MaxBodyBytes {
		body, a.BodyTruncated = body[:s.policy.MaxBodyBytes], true
	}
	if err != nil {
		// The body did not end before the deadline, or the run's memory
		// guard stopped reading it.
		a.BodyTruncated = true
	}
	if pd.redact.Empty() {
		a.ResponseBody = internBytes(body)
	} else {
		a.ResponseBody = intern(pd.redact.String(string(body)))
	}
	if s.logger.Enabled(ctx, slog.LevelDebug) {
		s.logger.DebugContext(ctx, "attempt answered", "delivery", pd.j.head.ID, "attempt", number,
			"status", a.StatusCode, "duration", a.Duration)
	}
	return a
}

func errorDetail(err error, class ErrorClass, p Policy) string {
	switch class {
	case ErrTimeout:
		return fmt.Sprintf("no status line and headers within %s (D-3)", p.Timeout)
	case ErrAttemptStopped:
		return "the run was cancelled"
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return err.Error()
}
