package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hookcheck/hookcheck/internal/stats"
	"github.com/hookcheck/hookcheck/internal/termtext"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// An acknowledgement is not proof of processing: receivers have answered
// 200 and then lost the work (a crash in the background, a JSON file
// rewritten by every request at once). RC-18 asks the receiver's own
// application, after the suite, whether each notification it acknowledged
// was processed.

// DefaultVerifyWithin is how long RC-18 polls for proof of processing.
const DefaultVerifyWithin = 30 * time.Second

// verifyPoll is the wait between two rounds of RC-18's polling.
const verifyPoll = 250 * time.Millisecond

// TranscriptIDPlaceholder is what a verify URL template contains for
// AssemblyAI's notifications: RC-18 asks about each transcript id.
const TranscriptIDPlaceholder = "{transcript_id}"

// EventIDPlaceholder is the same for another provider's events: SIG-09
// asks about the event's id (signing.EventID). Either placeholder is
// replaced by the id asked about.
const EventIDPlaceholder = "{id}"

// VerifyAPIFetch is the --verify value that takes the receiver's fetch of
// the transcript from the emulated API as proof of processing.
const VerifyAPIFetch = "api-fetch"

// Verify is how RC-18 learns whether a transcript was processed: GET URL
// with {transcript_id} replaced, a 2xx within Within meaning yes; or, with
// APIFetch, the receiver's own successful fetch of the transcript from the
// run's emulated API. Either evidence is enough when both are set.
type Verify struct {
	// URL is the template, e.g.
	// http://127.0.0.1:3000/internal/transcripts/{transcript_id}; empty
	// with APIFetch alone.
	URL string
	// APIFetch accepts as proof that the receiver fetched the transcript
	// (a 2xx GET /v2/transcript/{id} with the right key) from the emulated
	// API (Conformance.API), which the run must serve.
	APIFetch bool
	// HeaderName and HeaderValue authenticate the request, when set.
	HeaderName  string
	HeaderValue webhook.Secret
	// Within bounds the polling; zero means DefaultVerifyWithin.
	Within time.Duration
}

// within is how long to poll: Within, or DefaultVerifyWithin.
func (v *Verify) within() time.Duration {
	if v.Within <= 0 {
		return DefaultVerifyWithin
	}
	return v.Within
}

// ParseVerifyURL checks a verify URL template: an absolute http or https
// URL that contains {transcript_id}.
func ParseVerifyURL(template string) error {
	if !strings.Contains(template, TranscriptIDPlaceholder) && !strings.Contains(template, EventIDPlaceholder) {
		return fmt.Errorf("verify URL %q has no %s (or %s) placeholder", template, TranscriptIDPlaceholder, EventIDPlaceholder)
	}
	_, err := webhook.ParseTarget(strings.ReplaceAll(strings.ReplaceAll(template, TranscriptIDPlaceholder, "id"), EventIDPlaceholder, "id"))
	if err != nil {
		return fmt.Errorf("verify URL: %w", err)
	}
	return nil
}

// Ledger collects the transcript ids a run's receiver acknowledged, from
// every scenario, for RC-18. It is safe for concurrent use.
type Ledger struct {
	mu     sync.Mutex
	ids    []string
	status map[string]string // each id's notification status
	server string            // the first Server (or X-Powered-By) an answer named
	first  time.Time         // when the run's first delivery ended
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger { return &Ledger{status: map[string]string{}} }

// add records the transcript id of each delivery some attempt of which
// got a 2xx.
func (l *Ledger) add(ds ...*webhook.Delivery) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range ds {
		id := d.Notification.TranscriptID
		if _, seen := l.status[id]; d.Notification.Kind != webhook.KindTranscript || id == "" || seen || d.Outcome != webhook.Delivered {
			continue
		}
		l.status[id] = d.Notification.Status
		l.ids = append(l.ids, id)
	}
}

// noteServer keeps the first server name an answer of ds gave (Server,
// else X-Powered-By), so that a finding can give the fix for that kind of
// server (RC-19). It is the receiver's own text: only printable ASCII is
// kept, and at most maxServerName bytes of it.
func (l *Ledger) noteServer(ds ...*webhook.Delivery) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range ds {
		for _, a := range d.Attempts {
			if l.server != "" {
				return
			}
			l.server = printable(serverOf(a.ResponseHeaders), maxServerName)
		}
	}
}

// noteDelivery keeps when the run's first delivery ended (at).
func (l *Ledger) noteDelivery(at time.Time) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.first.IsZero() {
		l.first = at
	}
}

// since is how long ago (at now) the run's first delivery ended; 0 when
// none has (or the ledger is nil).
func (l *Ledger) since(now time.Time) time.Duration {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.first.IsZero() {
		return 0
	}
	return now.Sub(l.first)
}

// maxServerName bounds the server name a message repeats.
const maxServerName = 64

// printable is s without control characters, cut to n bytes.
func printable(s string, n int) string { return strings.TrimSpace(termtext.Printable(s, n)) }

// Server returns the first server name the receiver's answers gave in
// this run; "" when none did (or the ledger is nil).
func (l *Ledger) Server() string {
	if l == nil {
		return ""
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.server
}

// IDs returns the acknowledged ids in the order they were recorded.
func (l *Ledger) IDs() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.ids)
}

// completedIDs returns the acknowledged ids whose notification said
// "completed", in the order they were recorded.
func (l *Ledger) completedIDs() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, id := range l.ids {
		if l.status[id] == webhook.StatusCompleted {
			out = append(out, id)
		}
	}
	return out
}

// requireVerify: RC-18 applies only with a verify URL or api-fetch.
func (st *conformanceScenario) requireVerify() error {
	if st.cfg.Verify == nil {
		return st.notApplicable("no verify URL configured (set " + st.cfg.Vocabulary.Say("--verify-url, or --verify api-fetch with --api",
			"Target.VerifyURL, or Target.VerifyAPIFetch with the emulated API") + ")")
	}
	return nil
}

// expectProcessed polls the verify URL for every acknowledged transcript
// id until each got a 2xx or the time is up (RC-18).
func (st *conformanceScenario) expectProcessed(ctx context.Context) error {
	v := st.cfg.Verify
	if v == nil || st.cfg.Ledger == nil {
		return errors.New("no verify URL configured")
	}
	if v.APIFetch && st.cfg.API == nil {
		return errors.New(st.cfg.Vocabulary.Say("--verify api-fetch needs the emulated AssemblyAI API (--api)",
			"Target.VerifyAPIFetch needs the emulated AssemblyAI API (Target.NewHandler or Target.APIAddr)") + ", and this run serves none")
	}
	ids := st.cfg.Ledger.IDs()
	if len(ids) == 0 {
		return errors.New("the receiver acknowledged no notification in this run, so there is nothing to verify")
	}
	if v.APIFetch && v.URL == "" {
		// A fetch proves the processing of a completed transcript; not
		// fetching an error transcript (to read its error) is RC-17's
		// SHOULD, not a lost notification.
		if ids = st.cfg.Ledger.completedIDs(); len(ids) == 0 {
			return st.notApplicable(`the receiver acknowledged only "error" notifications in this run; with --verify api-fetch only a completed transcript's fetch proves processing (RC-17 checks the fetch of an error transcript)`)
		}
	}
	within := v.within()
	client := st.verifyClient()
	clk := st.cfg.clock()
	deadline := clk.Now().Add(within)
	pending := ids
	last := map[string]string{}
	var settled []string // not processed, and asking again cannot change it
	for {
		var still []string
		for _, id := range pending {
			ok, got, final := st.processed(ctx, client, v, id)
			switch {
			case ok:
			case final:
				settled = append(settled, id)
				last[id] = got
			default:
				still = append(still, id)
				last[id] = got
			}
		}
		pending = still
		if len(pending) == 0 && len(settled) == 0 {
			return nil
		}
		if len(pending) == 0 {
			break
		}
		if !clk.Now().Before(deadline) || ctx.Err() != nil {
			break
		}
		st.pollPause(ctx)
	}
	pending = append(settled, pending...)
	shown := pending
	if len(shown) > 10 {
		shown = shown[:10]
	}
	var which []string
	for _, id := range shown {
		which = append(which, fmt.Sprintf("%s (%s)", id, last[id]))
	}
	more := ""
	if len(pending) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(pending)-len(shown))
	}
	if v.APIFetch && v.URL == "" {
		return withMode(verifyMode(len(ids), pending, last), fmt.Errorf("%d of %d acknowledged notifications were processed within %s; never fetched from the API: %s%s. The receiver answered 2xx and never read the transcript: AssemblyAI will not send these again, so they are lost",
			len(ids)-len(pending), len(ids), stats.FormatDuration(within), strings.Join(which, ", "), more))
	}
	return withMode(verifyMode(len(ids), pending, last), fmt.Errorf("%d of %d acknowledged notifications were processed within %s; not processed: %s%s. The receiver answered 2xx and then lost the work: AssemblyAI will not send these again, so they are lost",
		len(ids)-len(pending), len(ids), stats.FormatDuration(within), strings.Join(which, ", "), more))
}

// pollPause waits one verifyPoll of the run's clock, or until ctx ends.
func (st *conformanceScenario) pollPause(ctx context.Context) {
	t := st.cfg.clock().NewTimer(verifyPoll)
	defer t.Stop()
	select {
	case <-t.C():
	case <-ctx.Done():
	}
}

// verifyMode says how RC-18 failed, which chooses its fix: a fetch that
// failed and was never retried, a wrong API key, no fetch at all, some
// notifications processed and others lost, or none confirmed. last holds
// what the still-pending ids got ("no fetch", "fetch got 500", "404").
func verifyMode(acknowledged int, pending []string, last map[string]string) string {
	fetchFailed, wrongKey, unfetched := false, false, 0
	for _, id := range pending {
		got, _, _ := strings.Cut(last[id], ";")
		switch {
		case got == "fetch got 401":
			wrongKey = true
		case strings.HasPrefix(got, "fetch got "):
			fetchFailed = true
		case got == "no fetch":
			unfetched++
		}
	}
	switch {
	case fetchFailed:
		return ModeNotRetried
	case wrongKey:
		return ModeWrongKey
	case unfetched == acknowledged:
		return ModeNeverFetched
	case len(pending) < acknowledged:
		return ModeLost
	}
	return ModeNotProcessed
}

// fetched reports whether the receiver fetched transcript id from the
// emulated API: a GET /v2/transcript/{id} with the right key answered 2xx.
// Otherwise it says what the receiver's calls got ("no fetch", "401").
func (st *conformanceScenario) fetched(id string) (bool, string) {
	got := "no fetch"
	for _, c := range st.cfg.API.Calls(id) {
		if c.Method != http.MethodGet || c.Path != "/v2/transcript/"+id {
			continue
		}
		if c.Authorized && c.Status >= 200 && c.Status < 300 {
			return true, ""
		}
		switch {
		case c.InFlight:
			got = "fetch still waiting for the API's answer"
		case c.Status == 0:
			got = "fetch got no answer"
		default:
			got = fmt.Sprintf("fetch got %d", c.Status)
		}
	}
	return false, got
}

// processed asks the API's call log and the verify URL, as configured,
// about one transcript id; it returns what came back when neither proves
// processing, and whether asking again cannot change that (final).
func (st *conformanceScenario) processed(ctx context.Context, client *http.Client, v *Verify, id string) (ok bool, got string, final bool) {
	if v.APIFetch {
		if ok, got = st.fetched(id); ok || v.URL == "" {
			return ok, got, false
		}
	}
	ok, asked, final := st.askVerifyURL(ctx, client, v, id)
	if got != "" && !ok {
		asked = got + "; verify URL: " + asked
	}
	return ok, asked, final
}

// askVerifyURL asks the verify URL about one transcript id; it returns
// what came back when that was no 2xx, and whether that is final: a
// redirect to another origin is, as the answer is the application's own
// configuration (a login page, say), not the state of the processing.
func (st *conformanceScenario) askVerifyURL(ctx context.Context, client *http.Client, v *Verify, id string) (ok bool, got string, final bool) {
	req, err := verifyRequest(ctx, v, id)
	if err != nil {
		return false, err.Error(), false
	}
	resp, err := client.Do(req)
	if resp != nil {
		_ = resp.Body.Close() // the status is the answer
	}
	var elsewhere *otherOrigin
	switch {
	case errors.As(err, &elsewhere):
		return false, elsewhere.Error(), true
	case err != nil:
		return false, "no answer", false
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return true, "", false
	}
	return false, fmt.Sprintf("%d", resp.StatusCode), false
}

// maxVerifyRedirects bounds the same-origin redirects a verify request
// follows, as Go's client does by default.
const maxVerifyRedirects = 10

// verifyRedirect is the verify client's CheckRedirect. A verify request
// carries the --verify-header secret, and a 2xx must come from the
// receiver's own application: a redirect to another origin (scheme, host,
// port; a login page, a CDN) is not followed, so the secret never goes
// there and the other origin's 200 is never taken as proof. A redirect
// within the origin is followed, the header with it (it stays on the
// origin it was configured for).
func verifyRedirect(req *http.Request, via []*http.Request) error {
	if webhook.Origin(req.URL) != webhook.Origin(via[0].URL) {
		status := 0
		if req.Response != nil {
			status = req.Response.StatusCode
		}
		return &otherOrigin{status: status, to: webhook.RedactTarget(req.URL.String())}
	}
	if len(via) >= maxVerifyRedirects {
		return fmt.Errorf("stopped after %d redirects", len(via))
	}
	return nil
}

// otherOrigin is a verify request redirected to another origin.
type otherOrigin struct {
	status int
	to     string
}

// Error says where the redirect pointed, cut to a readable length.
func (e *otherOrigin) Error() string {
	return fmt.Sprintf("%d redirect to %s, another origin: not followed, the verify header not sent there", e.status, printable(e.to, maxRedirectShown))
}

// maxRedirectShown bounds the redirect target a message repeats.
const maxRedirectShown = 200
