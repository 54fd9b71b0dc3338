package suite_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/simulator/webhook"
	"github.com/hookcheck/hookcheck/steps"
)

// signedMatrix is the proof matrix of the Standard Webhooks suite: each
// reference receiver fails exactly the SIG requirements its flaw violates
// and passes every other; the compliant one passes everything. Each row
// runs the whole features/standard-webhooks suite in virtual time.
var signedMatrix = []providerRow{
	{"sw-compliant", nil},
	{"sw-no-check", ids([]string{"SIG-02", "SIG-03", "SIG-04", "SIG-06"})},
	{"sw-reserialized", ids([]string{"SIG-07"})},
	{"sw-no-tolerance", ids([]string{"SIG-04"})},
	{"sw-first-signature-only", ids([]string{"SIG-05", "SIG-06"})},
	{"sw-equals-compare", ids([]string{"SIG-08"})},
	{"sw-shed-429", ids([]string{"RC-11"})},
	{"sw-no-dedup", ids([]string{"SIG-09"})},
	{"sw-duplicate-409", ids([]string{"SIG-09"})},
	// Refuses every genuine event: one finding, SIG-01; the others that
	// send genuine events fail the same way, blocked by it
	// (TestSignedRootCause).
	{"sw-secret-as-text", ids([]string{"RC-11", "SIG-01", "SIG-05", "SIG-06", "SIG-07", "SIG-09"})},
}

// signedRequirements are the requirements a standard-webhooks run holds:
// SIG-01..SIG-07 and the shared ones its features check.
var signedRequirements = []string{"RC-08", "RC-11", "RC-12", "RC-13", "SIG-01", "SIG-02", "SIG-03", "SIG-04", "SIG-05", "SIG-06", "SIG-07", "SIG-08", "SIG-09"}

func TestSignedProofMatrix(t *testing.T) {
	proveProvider(t, "standard-webhooks", "SW-9", signedMatrix, signedRequirements)
}

// providerRow is one row of a provider's proof matrix: a reference
// receiver and the requirements it fails.
type providerRow = struct {
	behaviour string
	fails     []string
}

// proveProvider runs a provider's whole suite in virtual time against
// each receiver of its matrix: each fails exactly its row's requirements
// and passes every other; the run holds exactly the requirements listed,
// and its report names the provider and a source of its profile.
func proveProvider(t *testing.T, provider, source string, matrix []providerRow, requirements []string) {
	t.Helper()
	for _, row := range matrix {
		t.Run(row.behaviour, func(t *testing.T) {
			// The receivers count each event's processing where the
			// verify URL asks (SIG-09).
			res := fixture.Run(t, row.behaviour, fixture.Options{Provider: provider, Concurrency: 8, VerifyURL: fixture.EventVerifyURL})
			assert.Equal(t, row.fails, failedIDs(res), "failed requirements")
			var held []string
			for _, q := range res.Requirements {
				held = append(held, q.ID)
				if q.Status != reports.Failed {
					assert.Equal(t, reports.Passed, q.Status, "%s: %s", q.ID, q.Reason)
				}
			}
			assert.ElementsMatch(t, requirements, held, "the catalogue of a %s run", provider)
			require.NotNil(t, res.Environment.Provider, "the report names the provider")
			assert.Equal(t, provider, res.Environment.Provider.Name)
			assert.Contains(t, res.Environment.Provider.Sources, source)
			assertTrueWords(t, res)
		})
	}
}

// TestSignedFullScheduleInVirtualTime: with whole schedules, a genuine
// event the receiver refuses is retried on Standard Webhooks' schedule,
// 75 h 35 min of waits (SW-9), in milliseconds of wall time: a 400 is a
// failure like any other non-2xx (SW-8), not the end of the delivery.
func TestSignedFullScheduleInVirtualTime(t *testing.T) {
	start := time.Now()
	// The re-serializing receiver refuses a body no re-serialization
	// gives back (SIG-07) with a 400, on every attempt.
	res := fixture.Run(t, "sw-reserialized", fixture.Options{Provider: "standard-webhooks", Tags: "@SIG-07", FullSchedules: true})
	require.NotEmpty(t, res.Scenarios)
	var d *webhook.Delivery
	for _, s := range res.Scenarios {
		if s.Status == reports.Failed && len(s.Deliveries) > 0 && d == nil {
			d = s.Deliveries[0]
		}
	}
	require.NotNil(t, d, "a SIG-07 scenario failed")
	require.Len(t, d.Attempts, 10)
	assert.Equal(t, webhook.Exhausted, d.Outcome)
	last := d.Attempts[9].StartedAt.Sub(d.Attempts[0].StartedAt)
	assert.Equal(t, 75*time.Hour+35*time.Minute+5*time.Second, last.Truncate(time.Second))
	assert.Less(t, time.Since(start), 10*time.Second, "virtual time")
}

// TestSignedRootCause: a receiver that refuses every genuine event has one
// bug: SIG-01 carries the finding and its fix, and each requirement that
// failed with the same answer to a genuine event is blocked by it, its own
// fix (a rate limit for RC-11, a raw-body check for SIG-07) not offered.
func TestSignedRootCause(t *testing.T) {
	res := fixture.Run(t, "sw-secret-as-text", fixture.Options{Provider: "standard-webhooks", Concurrency: 8})
	for _, q := range res.Requirements {
		if q.Status != reports.Failed {
			continue
		}
		if q.ID == "SIG-01" {
			assert.Empty(t, q.Blocker(), "SIG-01 is the finding")
			continue
		}
		assert.Equal(t, "SIG-01", q.Blocker(), "%s: %s", q.ID, q.Reason)
	}
	roots := res.RootCauses()
	require.Len(t, roots, 1)
	assert.Equal(t, "SIG-01", roots[0].ID)
}

// TestShed429ConsequencePerProvider: a receiver that sheds a burst with
// 429s fails RC-11 with what its provider's sender does with a 429:
// Standard Webhooks throttles and waits the Retry-After (SW-10), Stripe
// retries it on its back-off (ST-6, ST-7), GitHub never redelivers (GH-4).
func TestShed429ConsequencePerProvider(t *testing.T) {
	for _, c := range []struct{ provider, behaviour, says string }{
		{"standard-webhooks", "sw-shed-429", "A standard-webhooks sender throttles on a 429: it retries after the Retry-After it names (1 s), up to 10 attempts: the event arrives late, and if each gets the same answer, is lost"},
		{"stripe", "stripe-shed-429", "A stripe sender retries it, up to 7 attempts over 55 h 0 min: the event arrives late, and if each gets the same answer, is lost"},
		{"github", "github-shed-429", "A github sender never retries a 4xx: the event is lost"},
	} {
		t.Run(c.provider, func(t *testing.T) {
			res := fixture.Run(t, c.behaviour, fixture.Options{Provider: c.provider, Tags: "@RC-11"})
			var reason string
			for _, q := range res.Requirements {
				if q.ID == "RC-11" {
					require.Equal(t, reports.Failed, q.Status)
					reason = q.Reason
				}
			}
			assert.Contains(t, reason, "got 429 Too Many Requests")
			assert.True(t, strings.HasSuffix(reason, c.says), "%s", reason)
		})
	}
}

// TestRedeliveryIsProcessedOnce: SIG-09 fails for what each broken
// receiver does, in words true for its provider, with the fix for that:
// one that does the work again is told it did it twice (mode
// "reprocessed"); one that refuses the repeat is told what its sender does
// with the refusal, never that the event is lost (the receiver has it).
// Without a verify URL SIG-09 is not applicable and says what to set.
func TestRedeliveryIsProcessedOnce(t *testing.T) {
	for _, c := range []struct{ provider, prefix, refused string }{
		{"standard-webhooks", "sw", "A standard-webhooks sender takes the event as not delivered and sends it again, up to 10 attempts over 75 h 35 min, though the receiver already has it"},
		{"stripe", "stripe", "A stripe sender takes the event as not delivered and sends it again, up to 7 attempts over 55 h 0 min, though the receiver already has it"},
		{"github", "github", "A github sender records this delivery as failed, though the receiver has the event"},
	} {
		t.Run(c.provider, func(t *testing.T) {
			o := fixture.Options{Provider: c.provider, Tags: "@SIG-09", VerifyURL: fixture.EventVerifyURL}
			res := fixture.Run(t, c.prefix+"-no-dedup", o)
			q := sig09(t, res)
			require.Equal(t, reports.Failed, q.Status)
			// Nothing is lost: the impact says what was observed.
			assert.Equal(t, reports.DuplicatesWork, q.Impact)
			assert.Contains(t, res.Headline(), "failed: an event delivered again would be processed again (SIG-09)", "a run of @SIG-09 alone is partial")
			assertTrueWords(t, res)
			assert.Regexp(t, `processed event \S+ 2 times, as its verify URL says`, q.Reason)
			assert.Equal(t, []string{steps.ModeReprocessed}, q.FailureModes)
			assert.Contains(t, q.Remediation, "unique constraint")

			res = fixture.Run(t, c.prefix+"-duplicate-409", o)
			q = sig09(t, res)
			require.Equal(t, reports.Failed, q.Status)
			assert.Contains(t, res.Headline(), "failed: an event delivered again would be refused, and its sender would count it as not delivered (SIG-09)")
			assert.Contains(t, q.Reason, "got 409 Conflict")
			assert.Contains(t, q.Reason, c.refused)
			assert.NotContains(t, q.Reason, "lost")
			assert.Contains(t, q.Remediation, "answer 2xx (200 or 204)")

			q = sig09(t, fixture.Run(t, c.prefix+"-compliant", o))
			assert.Equal(t, reports.Passed, q.Status, q.Reason)

			o.VerifyURL = ""
			q = sig09(t, fixture.Run(t, c.prefix+"-no-dedup", o))
			assert.Equal(t, reports.NotApplicable, q.Status)
			assert.Contains(t, q.Reason, `no verify URL configured to count how many times the receiver processed an event (set --verify-url to a URL with {id} that answers {"processed": N})`)
		})
	}
}

// sig09 is SIG-09's result in res.
func sig09(t *testing.T, res *reports.Result) reports.Requirement {
	t.Helper()
	q, ok := res.Requirement("SIG-09")
	require.True(t, ok, "SIG-09 in the run")
	return q
}

// TestProcessedOnceAsks shows how SIG-09 reads a verify URL, with the
// compliant Standard Webhooks receiver behind views that answer otherwise
// than its own: a 2xx without a count makes SIG-09 not applicable, saying
// what to answer; a view that never confirms fails it as not processed; a
// receiver that does the repeat's work in the background, a second after
// it answered, fails it as reprocessed: SIG-09 keeps asking for 2 s after
// the count first reads 1.
func TestProcessedOnceAsks(t *testing.T) {
	b, err := receiver.Lookup("sw-compliant")
	require.NoError(t, err)
	withView := func(view func(w http.ResponseWriter, id string)) func(receiver.Config) http.Handler {
		return func(cfg receiver.Config) http.Handler {
			mux := http.NewServeMux()
			mux.Handle("/", b.New(cfg, receiver.Params{}))
			mux.HandleFunc("GET "+receiver.ProcessedPath+"{id}", func(w http.ResponseWriter, r *http.Request) { view(w, r.PathValue("id")) })
			return mux
		}
	}
	o := fixture.Options{Provider: "standard-webhooks", Tags: "@SIG-09", VerifyURL: fixture.EventVerifyURL}

	q := sig09(t, fixture.RunHandler(t, withView(func(w http.ResponseWriter, _ string) { _, _ = io.WriteString(w, "done") }), o))
	assert.Equal(t, reports.NotApplicable, q.Status)
	assert.Contains(t, q.Reason, `answered 2xx for event msg_`)
	assert.Contains(t, q.Reason, `without a count: SIG-09 needs {"processed": N} in the answer (got 200 "done")`)

	q = sig09(t, fixture.RunHandler(t, withView(func(w http.ResponseWriter, _ string) { http.NotFound(w, nil) }), o))
	require.Equal(t, reports.Failed, q.Status)
	assert.Regexp(t, `the verify URL never said event msg_\w+ was processed within 30 s \(its last answer: 404\), though the receiver acknowledged it`, q.Reason)
	assert.Equal(t, []string{steps.ModeNotProcessed}, q.FailureModes)

	// Counts every delivery, the repeat's a second after it came.
	late := func(cfg receiver.Config) http.Handler {
		var (
			mu    sync.Mutex
			count = map[string]int{}
		)
		mux := http.NewServeMux()
		inner := b.New(cfg, receiver.Params{})
		mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
			inner.ServeHTTP(w, r)
			id := r.Header.Get("Webhook-Id")
			mu.Lock()
			defer mu.Unlock()
			if count[id] == 0 {
				count[id] = 1
				return
			}
			time.AfterFunc(time.Second, func() { mu.Lock(); count[id]++; mu.Unlock() })
		})
		mux.HandleFunc("GET "+receiver.ProcessedPath+"{id}", func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			_, _ = fmt.Fprintf(w, `{"processed": %d}`, count[r.PathValue("id")])
		})
		return mux
	}
	q = sig09(t, fixture.RunHandler(t, late, o))
	require.Equal(t, reports.Failed, q.Status)
	assert.Regexp(t, `processed event msg_\w+ 2 times`, q.Reason)
	assert.Equal(t, []string{steps.ModeReprocessed}, q.FailureModes)
}

// TestSharedRulesSpeakTheProvider: a provider's run judges the shared
// rules (RC-08, RC-12, RC-13) with its sender's rules and words: a
// redirect cites the provider's rule and what its sender does, a GET
// answered 2xx a method it never uses, a 5xx to a malformed body what it
// does with a 5xx; no word of any rendering names AssemblyAI. Each is
// shown failing for every provider.
func TestSharedRulesSpeakTheProvider(t *testing.T) {
	for _, c := range []struct {
		provider, compliant, redirect, method, malformed string
	}{
		{"standard-webhooks", "sw-compliant",
			"a 301 redirect (to \"/v2/webhook\") is not followed: it counts as a failure (SW-10). A standard-webhooks sender retries it, up to 10 attempts over 75 h 35 min: the event arrives late, and if each gets the same answer, is lost",
			"acknowledges a method the standard-webhooks sender never uses (SW-8)",
			"expected no 5xx and no timeout. A standard-webhooks sender retries it, up to 10 attempts over 75 h 35 min"},
		{"stripe", "stripe-compliant",
			"a 301 redirect (to \"/v2/webhook\") is not followed: it counts as a failure (ST-7). A stripe sender retries it, up to 7 attempts over 55 h 0 min: the event arrives late, and if each gets the same answer, is lost",
			"acknowledges a method the stripe sender never uses (ST-8)",
			"expected no 5xx and no timeout. A stripe sender retries it, up to 7 attempts over 55 h 0 min"},
		{"github", "github-compliant",
			"a 301 redirect (to \"/v2/webhook\") is not followed: it counts as a failure (GH-4). A github sender makes no other attempt: the event is lost",
			"acknowledges a method the github sender never uses (GH-6)",
			"expected no 5xx and no timeout. A github sender makes no other attempt"},
	} {
		t.Run(c.provider, func(t *testing.T) {
			sloppy := func(receiver.Config) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					body, _ := io.ReadAll(r.Body)
					switch {
					case r.Method == http.MethodGet:
						_, _ = io.WriteString(w, "ok") // a health check on the webhook route
					case !json.Valid(body):
						http.Error(w, "parse error", http.StatusInternalServerError)
					default:
						http.Redirect(w, r, "/v2"+r.URL.Path, http.StatusMovedPermanently)
					}
				})
			}
			res := fixture.RunHandler(t, sloppy, fixture.Options{Provider: c.provider, Tags: "@RC-08,@RC-12,@RC-13"})
			reason := map[string]string{}
			for _, q := range res.Requirements {
				reason[q.ID] = q.Reason
			}
			assert.Contains(t, reason["RC-12"], c.redirect)
			assert.Contains(t, reason["RC-13"], c.method)
			assert.Contains(t, reason["RC-08"], c.malformed)
			assert.NotContains(t, reason["RC-08"], "the event arrives late", "a malformed probe announces no event")
			assertTrueWords(t, res)
			for _, id := range []string{"RC-08", "RC-12", "RC-13"} {
				q, _ := res.Requirement(id)
				assert.Equal(t, reports.Failed, q.Status, id)
				assert.NotContains(t, q.Why+q.Remediation, "AssemblyAI", id)
			}
			// The compliant receiver passes the same scenarios.
			res = fixture.Run(t, c.compliant, fixture.Options{Provider: c.provider, Tags: "@RC-08,@RC-12,@RC-13"})
			assert.Empty(t, failedIDs(res))
		})
	}
}
