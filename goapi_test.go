package hookcheck_test

// What a team sees in its own `go test` output when hookcheck.Test finds a
// problem: the failure at the team's call, with the fix. The failing run
// happens in a child process (this test binary, re-run with childEnv set)
// since a failure cannot be undone in the parent's own *testing.T.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck"
	"github.com/hookcheck/hookcheck/features"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/webhook"
	"github.com/hookcheck/hookcheck/steps"
)

// childEnv selects the failing run TestGoAPIChild makes.
const childEnv = "HOOKCHECK_GOAPI_CHILD"

// crashOnRedacted answers every notification but the redacted-audio one,
// which it answers 500 (RC-07).
func crashOnRedacted() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n map[string]any
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&n) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if n["transcript_id"] == nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// queue answers at once and hands each notification to a worker
// goroutine it starts as it is built, which ranges over the queue forever:
// nothing stops it.
type queue struct {
	jobs chan string
	done chan struct{}
}

func newQueue(hookcheck.API) http.Handler {
	q := &queue{jobs: make(chan string, 100), done: make(chan struct{})}
	go q.work()
	return q
}

func (q *queue) work() {
	defer close(q.done)
	for range q.jobs { // process it
	}
}

func (q *queue) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var n struct {
		TranscriptID string `json:"transcript_id"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&n) != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
	select {
	case q.jobs <- n.TranscriptID:
	default: // full: AssemblyAI's retry brings it back
	}
}

// closingQueue is queue with the io.Closer the failure asks for: Close
// ends the worker and waits for it.
type closingQueue struct{ *queue }

func (q closingQueue) Close() error {
	close(q.jobs)
	<-q.done
	return nil
}

// waitsOutside answers, then waits in a goroutine for a channel made
// before the test's bubble: virtual time cannot wake it.
type waitsOutside struct {
	never chan struct{}
	once  sync.Once
}

func (h *waitsOutside) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	h.once.Do(func() { go func() { <-h.never }() })
	w.WriteHeader(http.StatusOK)
}

// TestGoAPIChild is the team's test, failing on purpose: it runs only as
// the child of the tests below.
func TestGoAPIChild(t *testing.T) {
	switch os.Getenv(childEnv) {
	case "":
		t.Skip("the child of TestGoAPIFailureNamesTheCallersLineAndTheFix: it fails on purpose")
	case "broken":
		hookcheck.Test(t, hookcheck.Target{Handler: crashOnRedacted(), Tags: "@RC-07,@RC-10"}) // call:broken
	case "setup":
		hookcheck.Test(t, hookcheck.Target{Handler: crashOnRedacted(), Tags: "@RC-99"}) // call:setup
	case "leak":
		hookcheck.Test(t, hookcheck.Target{Tags: "@RC-01", NewHandler: newQueue}) // call:leak
	case "stuck":
		hookcheck.Test(t, hookcheck.Target{Tags: "@RC-01", Handler: &waitsOutside{never: make(chan struct{})}}) // call:stuck
	}
}

// runChild runs TestGoAPIChild with mode and returns its verbose output
// and the line of the hookcheck.Test call marked "call:"+mode.
func runChild(t *testing.T, mode string) (string, int) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestGoAPIChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+mode)
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "the child fails on purpose:\n%s", out)
	return string(out), markedLine(t, "call:"+mode)
}

// markedLine is the line of this file that holds mark.
func markedLine(t *testing.T, mark string) int {
	t.Helper()
	f, err := os.Open("goapi_test.go")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.HasSuffix(sc.Text(), "// "+mark) {
			return n
		}
	}
	t.Fatalf("no line marked %q", mark)
	return 0
}

func TestGoAPIFailureNamesTheCallersLineAndTheFix(t *testing.T) {
	out, line := runChild(t, "broken")
	at := fmt.Sprintf("goapi_test.go:%d: ", line)
	assert.Contains(t, out, at+"MUST requirement not met: ", "the failure is reported at the team's call")
	assert.Contains(t, out, "Fix RC-07: ", "the failure carries the fix")
	assert.Contains(t, out, at+"no allowlist declared (set Target.Allowlist)", "so is the skip, in Target's words")
	assert.NotContains(t, out, "hookcheck.go:", "no line of hookcheck's own")
	assert.NotContains(t, out, "synctest.go:")

	out, line = runChild(t, "setup")
	assert.Contains(t, out, fmt.Sprintf("goapi_test.go:%d: hookcheck: no scenario matches", line), "a setup error too")
}

func TestGoAPIFixOfABlockedRequirementIsTheRoots(t *testing.T) {
	catalogue, err := features.Requirements()
	require.NoError(t, err)
	fix := map[string]string{}
	for _, q := range catalogue {
		fix[q.ID] = q.Remediation
	}
	root := "RC-01"
	res := &reports.Result{Requirements: []reports.Requirement{
		{ID: "RC-01", Status: reports.Failed, Remediation: "fix the root"},
		{ID: "RC-04", Status: reports.Failed, BlockedBy: &root, Remediation: fix["RC-04"]},
		{ID: "RC-07", Status: reports.Failed}, // no remediation chosen: the catalogue's
		{ID: "RC-09", Status: reports.Passed, Remediation: fix["RC-09"]},
	}}
	got := hookcheck.Fixes(res, reports.Scenario{Requirements: []string{"RC-04", "RC-07", "RC-09"}})
	assert.Equal(t, "\nFix RC-01 first (RC-04 repeats its failure): fix the root\nFix RC-07: "+fix["RC-07"], got)
	assert.NotContains(t, got, fix["RC-04"], "a blocked requirement's own fix does not apply")

	got = hookcheck.Fixes(res, reports.Scenario{Requirements: []string{"RC-01", "RC-04"}})
	assert.Equal(t, "\nFix RC-01: fix the root\nRC-04 repeats RC-01's failure: fix RC-01 first", got)
}

// notApplicable collects the reasons of res's not-applicable scenarios.
func notApplicable(res *reports.Result) []string {
	var why []string
	for _, s := range res.Scenarios {
		if s.Status == reports.NotApplicable {
			why = append(why, s.Reason)
		}
	}
	return why
}

// TestGoAPISkipsNameTargetFields: a Go caller is told which Target field
// to set, the CLI's user which flag; each vocabulary is the only one used.
func TestGoAPISkipsNameTargetFields(t *testing.T) {
	tls := httptest.NewTLSServer(teamHandler())
	defer tls.Close()
	insecure := webhook.DefaultPolicy()
	insecure.InsecureSkipVerify = true
	cases := []struct {
		vocabulary steps.Vocabulary
		want       []string
		foreign    string // the other vocabulary's mark
	}{
		{steps.GoFields, []string{
			"no auth header configured (set Target.AuthHeaderName and Target.AuthHeaderValue)",
			"no allowlist declared (set Target.Allowlist)",
			"region eu not selected (add webhook.RegionEU to Target.Regions)",
			"(set Target.NewHandler and build the handler with the API it is given; for a URL target, Target.APIAddr and Target.APIKey",
			"no verify URL configured (set Target.VerifyURL, or Target.VerifyAPIFetch with the emulated API)",
			"Target.Policy.InsecureSkipVerify: certificates are not verified",
		}, "--"},
		{steps.CLIFlags, []string{
			"no auth header configured (set --auth-header-name and HOOKCHECK_AUTH_HEADER_VALUE)",
			"no allowlist declared (set --allowlist header or --allowlist socket:IP)",
			"region eu not selected (use --region eu or both)",
			"(set --api ADDR and HOOKCHECK_API_KEY",
			"no verify URL configured (set --verify-url, or --verify api-fetch with --api)",
			"--insecure: certificates are not verified",
		}, "Target."},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.vocabulary), func(t *testing.T) {
			var why []string
			for _, target := range []hookcheck.Target{
				{Tags: "@RC-09,@RC-10,@RC-15,@RC-18"},
				{Tags: "@RC-10", Allowlist: true},
			} {
				target.Handler, target.Path, target.Vocabulary = teamHandler(), "/hooks/aai", c.vocabulary
				why = append(why, notApplicable(hookcheck.RunHandler(t, target))...)
			}
			res, err := hookcheck.Check(t.Context(), hookcheck.Target{URL: tls.URL + "/hooks/aai", Policy: &insecure,
				Tags: "@RC-14", Fast: true, Vocabulary: c.vocabulary})
			require.NoError(t, err)
			why = append(why, notApplicable(res)...)
			all := strings.Join(why, "\n")
			for _, w := range c.want {
				assert.Contains(t, all, w)
			}
			assert.NotContains(t, all, c.foreign)
		})
	}
}

func TestGoAPISetupErrorsNameTargetFields(t *testing.T) {
	_, err := hookcheck.Prepare(hookcheck.Target{Handler: teamHandler(), Tags: "@RC-99", Product: reports.Streaming})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no scenario matches Target.Tags "@RC-99"`)
	assert.Contains(t, err.Error(), "for Target.Product streaming")
	_, err = hookcheck.Prepare(hookcheck.Target{Handler: teamHandler(), Tags: "@RC-99", Vocabulary: steps.CLIFlags})
	assert.ErrorContains(t, err, `no scenario matches --tags "@RC-99"`)
	_, err = hookcheck.Prepare(hookcheck.Target{Handler: teamHandler(), VerifyAPIFetch: true})
	assert.ErrorContains(t, err, "Target.VerifyAPIFetch needs the emulated AssemblyAI API: set Target.NewHandler")
	_, err = hookcheck.Prepare(hookcheck.Target{URL: "http://127.0.0.1:9/hook", APIAddr: "127.0.0.1:0"})
	assert.ErrorContains(t, err, "set Target.APIKey")
}

func TestGoAPILeftGoroutinesFailNamingIOCloser(t *testing.T) {
	out, line := runChild(t, "leak")
	assert.Contains(t, out, fmt.Sprintf("goapi_test.go:%d: hookcheck: the handler left 1 goroutine running after the run ended", line))
	assert.Contains(t, out, "started by github.com/hookcheck/hookcheck_test.newQueue, chan receive in github.com/hookcheck/hookcheck_test.(*queue).work")
	assert.Contains(t, out, "implement io.Closer on the handler to stop its background work and wait for it to end; hookcheck calls Close as the run ends")
	assert.NotContains(t, out, "panic", "a test failure, not synctest's deadlock panic")
	assert.Contains(t, out, "--- PASS: TestGoAPIChild/RC-01", "the scenarios are still reported")

	// Blocked on a channel from outside the bubble, the goroutine would
	// hang the bubble: the test binary fails with the reason instead.
	out, _ = runChild(t, "stuck")
	assert.Contains(t, out, "hookcheck: the handler left 1 goroutine running after the run ended, blocked on something made outside the test's synctest bubble")
	assert.Contains(t, out, "chan receive in github.com/hookcheck/hookcheck_test.(*waitsOutside).ServeHTTP.func1.1")
	assert.Contains(t, out, "implement io.Closer")
}

func TestGoAPIHandlerThatClosesPasses(t *testing.T) {
	res := hookcheck.Test(t, hookcheck.Target{Tags: "@RC-01,@RC-04", NewHandler: func(a hookcheck.API) http.Handler {
		return closingQueue{newQueue(a).(*queue)}
	}})
	assert.True(t, res.Pass())
	// A Handler (not built by NewHandler) is closed as the run ends too.
	q := &lazyQueue{closingQueue: closingQueue{&queue{jobs: make(chan string, 100), done: make(chan struct{})}}}
	res = hookcheck.Test(t, hookcheck.Target{Tags: "@RC-01", Handler: q})
	assert.True(t, res.Pass())
}

// lazyQueue starts its worker at its first request, in the test's
// bubble.
type lazyQueue struct {
	closingQueue
	once sync.Once
}

func (q *lazyQueue) start() { q.once.Do(func() { go q.work() }) }

func (q *lazyQueue) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q.start()
	q.queue.ServeHTTP(w, r)
}

func (q *lazyQueue) Close() error {
	q.start()
	return q.closingQueue.Close()
}
