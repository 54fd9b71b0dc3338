package suite_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/internal/fixture"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/receiver"
	"github.com/hookcheck/hookcheck/steps/suite"
)

// following is fixture.Conformant with redirects followed
// (--follow-redirects), scenarios 8 at a time as `hookcheck run` does.
func following() fixture.Options {
	o := fixture.Conformant
	o.Concurrency = suite.DefaultConcurrency
	o.FollowRedirects = true
	return o
}

// TestFollowedRedirectsFailRC12: with redirects followed, the `redirects`
// receiver (it only ever answers 307 to its own URL) fails RC-12 on its
// own answer, and the requirements that need an acknowledgement are
// blocked by RC-12, exactly as when the 307 is not followed (its row of
// the proof matrix): following changes nothing in the verdict.
func TestFollowedRedirectsFailRC12(t *testing.T) { // P-3
	res := fixture.Run(t, "redirects", following())
	q, ok := res.Requirement("RC-12")
	require.True(t, ok)
	assert.Equal(t, reports.Failed, q.Status)
	assert.Nil(t, q.BlockedBy)
	assert.Contains(t, q.Reason, `the receiver's own answer was a 307 redirect (to "/webhook")`)
	assert.Equal(t, ids(acknowledging, notFetching, []string{"RC-12"}), failedIDs(res))
	for _, id := range acknowledging {
		q, _ := res.Requirement(id)
		if assert.NotNil(t, q.BlockedBy, id) {
			assert.Equal(t, "RC-12", *q.BlockedBy, id)
		}
	}
	assert.Equal(t, reports.NotConformant, res.Verdict)
}

// TestRedirectToAnAcknowledgementFailsRC12: a receiver that answers 307
// to a URL where the compliant receiver acknowledges passed RC-12 when the
// redirect was followed, since only the chain's 200 was judged. Its own
// answer, the 307, fails RC-12 now, alone: everything else was
// acknowledged. The compliant receiver, never redirecting, still passes
// with redirects followed.
func TestRedirectToAnAcknowledgementFailsRC12(t *testing.T) { // P-3
	res := fixture.RunHandler(t, redirectingToCompliant, following())
	q, _ := res.Requirement("RC-12")
	assert.Equal(t, reports.Failed, q.Status)
	assert.Contains(t, q.Reason, `got 307 Temporary Redirect (to "/webhook?redirected=1"; followed, 1 redirect in all, it ended with 200 OK`)
	assert.Equal(t, []string{"RC-12"}, failedIDs(res))
	assert.Equal(t, reports.NotConformant, res.Verdict)

	res = fixture.Run(t, "compliant", following())
	assert.Empty(t, failedIDs(res))
	assert.Equal(t, reports.Conformant, res.Verdict)
}

// redirectingToCompliant answers 307 to its own URL with ?redirected=1,
// where the compliant receiver answers.
func redirectingToCompliant(cfg receiver.Config) http.Handler {
	b, err := receiver.Lookup("compliant")
	if err != nil {
		panic(err)
	}
	inner := b.New(cfg, receiver.Params{})
	return redirecting{inner: inner, HandlerFunc: func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("redirected") == "" {
			http.Redirect(w, r, r.URL.Path+"?redirected=1", http.StatusTemporaryRedirect)
			return
		}
		inner.ServeHTTP(w, r)
	}}
}

// redirecting closes the compliant receiver it wraps, whose background
// fetches must end with the run.
type redirecting struct {
	inner http.Handler
	http.HandlerFunc
}

func (h redirecting) Close() error {
	if c, ok := h.inner.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
