package suite_test

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/features"
	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// A fix text is advice a reader follows word for word. The tests below
// follow each one: they express the flaws a text addresses as receiver
// flaws (receiver.NewFlawed), tie each change the text prescribes to the
// words that prescribe it, run the broken receiver through the suite,
// apply the changes, run it again, and require that the requirement now
// passes and that no requirement failed that did not fail before. Change a
// text and drop the words, and its case fails; forget a change the
// receiver needs (the retry of RC-15's background fetch), and the rerun
// fails RC-16.

// Pseudo-flaws the test builds itself: settings of the run, not of the
// receiver's code.
const (
	// wrongSecret: the receiver compares the auth header with another
	// value than the one registered with AssemblyAI.
	wrongSecret = "compares-another-secret"
	// rewritesOneFile: the receiver acknowledges everything and keeps the
	// state of only some, as one JSON file that every request rewrites
	// (fixture.NewForgetful); RC-18 with --verify-url sees it.
	rewritesOneFile = "rewrites-one-file"
)

// fixChange is one change a fix text prescribes: the flaw it removes and
// the words of the text that prescribe it.
type fixChange struct {
	flaw    string
	phrases []string
}

// fixCase is a fix text (the requirement's remediation for mode, or its
// default one when mode has none) and the broken receiver it is for.
type fixCase struct {
	req, mode string
	flaws     []string // the broken receiver: receiver.NewFlawed's names, or one blunt behaviour
	changes   []fixChange
	params    receiver.Params
	apiFetch  bool // RC-18 by --verify api-fetch
	verifyURL bool // RC-18 by --verify-url (the receiver's processed view)
	product   reports.Product
}

// retryChange is the change every "fetch in the background" fix needs
// with it: a background fetch made once is never made again.
func retryChange(phrases ...string) fixChange {
	if len(phrases) == 0 {
		phrases = []string{"retr", "backoff", "Retry-After", "until it succeeds"}
	}
	return fixChange{"fetch-no-retry", phrases}
}

var fixCases = []fixCase{
	// RC-01. slow-ack at 15 s stands for any work before the answer; the
	// fix moves it to a background worker, whose fetch must then retry.
	{req: "RC-01", mode: "timeout", flaws: []string{"slow-ack", "fetch-no-retry"}, params: receiver.Params{Delay: 15 * time.Second},
		changes: []fixChange{{"slow-ack", []string{"Answer first", "record the notification durably", "answer 200"}}, retryChange()}},
	{req: "RC-01", mode: "5xx", flaws: []string{"status"},
		changes: []fixChange{{"status", []string{"catch it", "always gets its 2xx"}}}},
	{req: "RC-01", mode: "no-answer", flaws: []string{"reset-mid-answer"},
		changes: []fixChange{{"reset-mid-answer", []string{"crashed", "answer first"}}}},
	{req: "RC-01", mode: "404", flaws: []string{"wrong-path"},
		changes: []fixChange{{"wrong-path", []string{"serve POST on the registered path"}}}},
	{req: "RC-01", mode: "401-403", flaws: []string{wrongSecret},
		changes: []fixChange{{wrongSecret, []string{"compares it with exactly the registered value"}}}},
	{req: "RC-01", mode: "3xx", flaws: []string{"redirects"},
		changes: []fixChange{{"redirects", []string{"instead of redirecting"}}}},
	{req: "RC-02", mode: "5xx", flaws: []string{"error-500-on-error-status"},
		changes: []fixChange{{"error-500-on-error-status", []string{"as a normal notification", "answer 2xx"}}}},
	{req: "RC-03", flaws: []string{"slow-ack"},
		changes: []fixChange{{"slow-ack", []string{"Acknowledge first", "background worker"}}}},
	{req: "RC-04", mode: "4xx", flaws: []string{"conflict-on-redelivery"},
		changes: []fixChange{{"conflict-on-redelivery", []string{"answer 200 to a transcript_id you have already recorded"}}}},
	{req: "RC-05", mode: "4xx", flaws: []string{"rejects-query-params"},
		changes: []fixChange{{"rejects-query-params", []string{"do not reject unknown query parameters"}}}},
	{req: "RC-06", mode: "4xx", flaws: []string{"strict-fields"},
		changes: []fixChange{{"strict-fields", []string{"ignore any other"}}}},
	{req: "RC-07", mode: "5xx", flaws: []string{"crash-on-redacted-audio"},
		changes: []fixChange{{"crash-on-redacted-audio", []string{`accept {"status":"redacted_audio_ready"`, "with a 2xx"}}}},
	{req: "RC-07", mode: "5xx", flaws: []string{"requires-transcript-id"},
		changes: []fixChange{{"requires-transcript-id", []string{"Look at status before reading transcript_id", "never dereference a missing transcript_id"}}}},
	{req: "RC-08", mode: "5xx", flaws: []string{"crash-on-malformed"},
		changes: []fixChange{{"crash-on-malformed", []string{"Catch parse errors", "answer 400"}}}},
	{req: "RC-08", mode: "2xx", flaws: []string{"accepts-malformed"},
		changes: []fixChange{{"accepts-malformed", []string{"Answer 400, not 2xx", "Keep accepting those with a 2xx"}}}},
	{req: "RC-09", mode: "2xx", flaws: []string{"accepts-forged-auth"},
		changes: []fixChange{{"accepts-forged-auth", []string{"check the header on every request"}}}},
	{req: "RC-09", mode: "5xx", flaws: []string{"auth-500"},
		changes: []fixChange{{"auth-500", []string{"answer 401 when it is missing and 403 when it is wrong"}}}},
	{req: "RC-09", mode: "401-403", flaws: []string{wrongSecret},
		changes: []fixChange{{wrongSecret, []string{"compare with exactly the registered value"}}}},
	{req: "RC-10", mode: "2xx", flaws: []string{"no-allowlist"},
		changes: []fixChange{{"no-allowlist", []string{"answer 403 to any address but"}}}},
	{req: "RC-10", mode: "5xx", flaws: []string{"crash-without-xff"},
		changes: []fixChange{{"crash-without-xff", []string{"treat a missing or unparsable address as not allowed"}}}},
	{req: "RC-10", mode: "401-403", flaws: []string{"us-only-allowlist"},
		changes: []fixChange{{"us-only-allowlist", []string{"allow both 44.238.19.20 (US) and 54.220.25.36 (EU)"}}}},
	{req: "RC-11", mode: "429", flaws: []string{"rate-limited"},
		changes: []fixChange{{"rate-limited", []string{"exempt the webhook route from rate limiting"}}}},
	{req: "RC-11", mode: "timeout", flaws: []string{"slow-ack", "fetch-no-retry"}, params: receiver.Params{Delay: 15 * time.Second},
		changes: []fixChange{{"slow-ack", []string{"acknowledge before doing work", "answer 200"}}, retryChange()}},
	{req: "RC-12", mode: "3xx", flaws: []string{"redirects"},
		changes: []fixChange{{"redirects", []string{"instead of redirecting"}}}},
	{req: "RC-13", mode: "2xx", flaws: []string{"accepts-any-method"},
		changes: []fixChange{{"accepts-any-method", []string{"POST only", "405"}}}},
	// RC-15 → RC-16: acknowledging first without the retry fails RC-16
	// (TestEveryPrescribedChangeIsNeeded).
	{req: "RC-15", mode: "timeout", flaws: []string{"fetch-before-ack", "fetch-no-retry"},
		changes: []fixChange{{"fetch-before-ack", []string{"Acknowledge first", "background job"}}, retryChange()}},
	// RC-19: a receiver that serves one request at a time and fetches
	// before answering; following the fix gives the compliant receiver.
	{req: "RC-19", mode: "timeout", flaws: []string{"single-thread-fetch"},
		changes: []fixChange{{"single-thread-fetch", []string{"acknowledge each notification first", "background job", "more than one worker or thread", "until it succeeds"}}}},
	{req: "RC-16", mode: "api-error-as-4xx", flaws: []string{"passes-api-status", "fetch-no-retry"},
		changes: []fixChange{{"passes-api-status", []string{"acknowledge with a 2xx instead"}}, retryChange()}},
	{req: "RC-16", mode: "fetch-not-retried", flaws: []string{"fetch-no-retry"},
		changes: []fixChange{retryChange("retry a failed fetch with backoff", "honour Retry-After", "until it succeeds")}},
	{req: "RC-17", mode: "wrong-key", flaws: []string{"fetch-wrong-key"},
		changes: []fixChange{{"fetch-wrong-key", []string{"check the key the receiver is configured with"}}}},
	{req: "RC-17", mode: "no-api-call", flaws: []string{"never-fetches"},
		changes: []fixChange{{"never-fetches", []string{"fetch GET /v2/transcript/{id} after acknowledging"}}}},
	{req: "RC-18", mode: "never-fetched", flaws: []string{"never-fetches"}, apiFetch: true,
		changes: []fixChange{{"never-fetches", []string{"fetch GET /v2/transcript/{id} for each one"}}}},
	{req: "RC-18", mode: "wrong-key", flaws: []string{"fetch-wrong-key"}, apiFetch: true,
		changes: []fixChange{{"fetch-wrong-key", []string{"fetch with the configured API key"}}}},
	{req: "RC-18", mode: "lost", flaws: []string{rewritesOneFile}, verifyURL: true,
		changes: []fixChange{{rewritesOneFile, []string{"Persist each notification before answering 2xx", "process it from there"}}}},
	{req: "RC-20", mode: "5xx", flaws: []string{"requires-transcript-id"}, product: reports.Streaming,
		changes: []fixChange{{"requires-transcript-id", []string{"tell the two webhooks apart by their fields"}}}},
	{req: "RC-20", mode: "404", flaws: []string{"wrong-path"}, product: reports.Streaming,
		changes: []fixChange{{"wrong-path", []string{"serve POST on the path of the webhook URL your streaming sessions are given"}}}},
}

// untestedFixes are the mode fixes no reference receiver can show, with
// why; every other one has a case above.
var untestedFixes = map[string]string{
	"RC-01/429":               "a rate limiter that refuses a single delivery refuses everything; rate-limited shows RC-11's",
	"RC-01/4xx":               "no reference receiver answers a plain completed notification with another 4xx",
	"RC-04/5xx":               "no reference receiver fails on a redelivery with a 5xx",
	"RC-11/4xx":               "rate-limited answers 429, RC-11's own mode",
	"RC-17/never-fetched":     "needs a receiver that calls the API for some transcripts only",
	"RC-18/fetch-not-retried": "the suite keeps the transcripts whose fetch it fails on purpose (RC-15, RC-16) out of RC-18; steps' TestVerifyMode shows the choice",
	"RC-19/stall-asgi":        "no reference receiver names its server; steps' TestStallModeFollowsTheServer shows the choice",
	"RC-19/stall-wsgi":        "no reference receiver names its server; steps' TestStallModeFollowsTheServer shows the choice",
	"RC-19/stall-node":        "no reference receiver names its server; steps' TestStallModeFollowsTheServer shows the choice",
	"RC-18/not-processed":     "fixture.NewForgetful keeps the first notification; steps' TestVerifyMode shows the choice",
	// A provider's receivers are not built from receiver.NewFlawed's
	// flaws: each broken one differs from its compliant one by exactly
	// the flaw the fix removes, and TestRedeliveryIsProcessedOnce shows
	// the broken one failing with this mode and fix, the compliant one
	// (the fix applied) passing, for every provider.
	"SIG-09/4xx":           "shown by TestRedeliveryIsProcessedOnce (*-duplicate-409 against *-compliant)",
	"SIG-09/reprocessed":   "shown by TestRedeliveryIsProcessedOnce (*-no-dedup against *-compliant)",
	"SIG-09/5xx":           "no reference receiver fails on a repeat with a 5xx",
	"SIG-09/not-processed": "the reference receivers count every event they acknowledge; TestProcessedOnceAsks shows the mode",
}

// fixHandler builds the receiver with flaws: receiver.NewFlawed's names,
// the pseudo-flaws above, or a single blunt behaviour (fixture.Handler).
func fixHandler(t *testing.T, c fixCase, flaws []string) func(receiver.Config) http.Handler {
	t.Helper()
	if c.verifyURL {
		if slices.Contains(flaws, rewritesOneFile) {
			return fixture.NewForgetful(3)
		}
		return fixture.NewWithProcessedView
	}
	var own []string
	wrong := false
	for _, f := range flaws {
		if f == wrongSecret {
			wrong = true
			continue
		}
		own = append(own, f)
	}
	rc, err := receiver.NewFlawed(receiver.Config{}, c.params, own...)
	if errors.Is(err, receiver.ErrUnknownFlaw) && len(own) == 1 {
		h, herr := fixture.Handler(own[0], c.params)
		require.NoError(t, herr)
		return h
	}
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	return func(cfg receiver.Config) http.Handler {
		if wrong {
			cfg.AuthHeaderValue = "not-" + cfg.AuthHeaderValue
		}
		rc, err := receiver.NewFlawed(cfg, c.params, own...)
		if err != nil {
			panic(err) // checked above with the same names
		}
		return rc
	}
}

// fixRuns caches the runs of one test by receiver and options: a run is
// deterministic (one scenario at a time, virtual time), and most fixed
// receivers are the same compliant one.
type fixRuns map[string]*reports.Result

func (runs fixRuns) run(t *testing.T, c fixCase, flaws []string) *reports.Result {
	t.Helper()
	key := fmt.Sprintf("%q %+v %v %v %s", flaws, c.params, c.apiFetch, c.verifyURL, c.product)
	if res, ok := runs[key]; ok {
		return res
	}
	res := runFix(t, c, flaws)
	runs[key] = res
	return res
}

func runFix(t *testing.T, c fixCase, flaws []string) *reports.Result {
	t.Helper()
	o := fixture.Conformant
	o.VerifyAPIFetch, o.Product = c.apiFetch, c.product
	if c.verifyURL {
		o.VerifyURL = fixture.VerifyURL
	}
	return fixture.RunHandler(t, fixHandler(t, c, flaws), o)
}

// without returns flaws minus the ones the changes remove.
func without(flaws []string, changes []fixChange) []string {
	var out []string
	for _, f := range flaws {
		if !slices.ContainsFunc(changes, func(c fixChange) bool { return c.flaw == f }) {
			out = append(out, f)
		}
	}
	return out
}

// catalogueFix is the catalogue's fix of req for mode: its own, or the
// default one.
func catalogueFix(t *testing.T, req, mode string) string {
	t.Helper()
	fixes, err := features.Remediations()
	require.NoError(t, err)
	if text, ok := fixes[req][mode]; ok {
		return text
	}
	reqs, err := features.Requirements()
	require.NoError(t, err)
	for _, q := range reqs {
		if q.ID == req {
			return q.Remediation
		}
	}
	t.Fatalf("no requirement %s in the catalogue", req)
	return ""
}

// TestFollowingEachFixPassesAndBreaksNothing is the test of every fix
// text: the broken receiver fails the requirement with the mode, the
// report gives the mode's fix, the fix's words prescribe every change, and
// the receiver with the changes made passes the requirement and fails
// nothing new.
func TestFollowingEachFixPassesAndBreaksNothing(t *testing.T) {
	t.Parallel() // virtual time, CPU-bound: it may use the core another test leaves idle
	runs := fixRuns{}
	for _, c := range fixCases {
		t.Run(c.req+"/"+c.mode+"/"+strings.Join(c.flaws, "+"), func(t *testing.T) {
			text := catalogueFix(t, c.req, c.mode)
			for _, ch := range c.changes {
				for _, p := range ch.phrases {
					assert.Contains(t, strings.ToLower(text), strings.ToLower(p), "the fix must prescribe removing %s", ch.flaw)
				}
			}

			before := runs.run(t, c, c.flaws)
			q, ok := before.Requirement(c.req)
			require.True(t, ok)
			require.Equal(t, reports.Failed, q.Status, "the broken receiver must fail %s", c.req)
			if c.mode != "" {
				assert.Contains(t, q.FailureModes, c.mode)
			}
			assert.Contains(t, q.Remediation, text, "the report gives the fix of what was observed")

			after := runs.run(t, c, without(c.flaws, c.changes))
			q, _ = after.Requirement(c.req)
			assert.Equal(t, reports.Passed, q.Status, "following the fix passes %s: %s", c.req, q.Reason)
			assert.Subset(t, failedIDs(before), failedIDs(after), "following the fix fails no requirement that passed before")
		})
	}
}

// TestEveryPrescribedChangeIsNeeded: where a fix prescribes several
// changes, leaving out any one leaves the receiver failing; for RC-15
// (acknowledge first, fetch in the background) the one left out is the
// retry, and the rerun fails RC-16, the failure the issue saw.
func TestEveryPrescribedChangeIsNeeded(t *testing.T) {
	for _, c := range fixCases {
		if len(c.changes) < 2 {
			continue
		}
		for i, skip := range c.changes {
			t.Run(c.req+"/"+c.mode+"/keeps-"+skip.flaw, func(t *testing.T) {
				res := runFix(t, c, without(c.flaws, slices.Delete(slices.Clone(c.changes), i, i+1)))
				assert.NotEmpty(t, failedIDs(res), "the change %s is needed", skip.flaw)
				if c.req == "RC-15" && skip.flaw == "fetch-no-retry" {
					assert.Equal(t, []string{"RC-16"}, failedIDs(res), "a background fetch without retry fails RC-16")
				}
			})
		}
	}
}

// TestEveryModeFixIsFollowed: every fix the catalogue keys by a failure
// mode has a case in fixCases, or says in untestedFixes why none can.
func TestEveryModeFixIsFollowed(t *testing.T) {
	fixes, err := features.Remediations()
	require.NoError(t, err)
	for req, modes := range fixes {
		for mode := range modes {
			key := req + "/" + mode
			_, untested := untestedFixes[key]
			tested := slices.ContainsFunc(fixCases, func(c fixCase) bool { return c.req == req && c.mode == mode })
			assert.True(t, tested != untested, "%s: a case in fixCases or a reason in untestedFixes, not both", key)
		}
	}
	for key := range untestedFixes {
		req, mode, _ := strings.Cut(key, "/")
		_, ok := fixes[req][mode]
		assert.True(t, ok, "untestedFixes names %s, which the catalogue does not have", key)
	}
}
