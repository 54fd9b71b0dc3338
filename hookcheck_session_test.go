package hookcheck_test

import (
	"errors"
	"net/http"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/receiver"
)

// twoRoutes is an app with a transcript route and a session route on
// different paths (issue 19): /hooks/transcripts reads transcript_id and
// fails on anything else, as a handler written for transcript
// notifications does; /hooks/sessions is the compliant reference receiver.
type twoRoutes struct {
	*http.ServeMux
	closers []interface{ Close() error }
}

func newTwoRoutes(t *testing.T) *twoRoutes {
	t.Helper()
	transcripts, err := receiver.Lookup("requires-transcript-id")
	require.NoError(t, err)
	tr := transcripts.New(receiver.Config{Path: "/hooks/transcripts"}, receiver.Params{})
	se := receiver.NewCompliant(receiver.Config{Path: "/hooks/sessions"})
	a := &twoRoutes{ServeMux: http.NewServeMux()}
	a.Handle("/hooks/transcripts", tr)
	a.Handle("/hooks/sessions", se)
	for _, h := range []http.Handler{tr, se} {
		if c, ok := h.(interface{ Close() error }); ok {
			a.closers = append(a.closers, c)
		}
	}
	return a
}

// Close closes both receivers, as the run does with an io.Closer handler.
func (a *twoRoutes) Close() error {
	var errs []error
	for _, c := range a.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// TestSessionPathRoutesSessionWebhooks: with --product both and one route,
// the session webhooks reach the transcript route and fail RC-20; with
// Target.SessionPath they reach the session route and the run passes, and
// the report names the session route.
func TestSessionPathRoutesSessionWebhooks(t *testing.T) {
	const tags = "@RC-01,@RC-20"
	one := hookcheck.Target{Path: "/hooks/transcripts", Product: reports.BothProducts, Tags: tags}
	t.Run("one route", func(t *testing.T) {
		res := runQuiet(t, one)
		q, ok := res.Requirement("RC-20")
		require.True(t, ok)
		assert.Equal(t, reports.Failed, q.Status, "the session webhooks went to the transcript route")
		q, _ = res.Requirement("RC-01")
		assert.Equal(t, reports.Passed, q.Status)
		assert.Empty(t, res.Environment.SessionTarget)
	})
	two := one
	two.SessionPath = "/hooks/sessions"
	t.Run("session route", func(t *testing.T) {
		res := runQuiet(t, two)
		for _, id := range []string{"RC-01", "RC-20"} {
			q, ok := res.Requirement(id)
			require.True(t, ok)
			assert.Equal(t, reports.Passed, q.Status, id+": "+q.Reason)
		}
		assert.Contains(t, res.Environment.SessionTarget, "/hooks/sessions")
		assert.Contains(t, res.Environment.Target, "/hooks/transcripts")
		for _, sc := range res.Scenarios {
			for _, d := range sc.Deliveries {
				want := "/hooks/transcripts"
				if d.Notification.Session != nil {
					want = "/hooks/sessions"
				}
				assert.Contains(t, d.Target, want, sc.Name)
			}
		}
	})
}

// runQuiet runs target, served by a new twoRoutes, in a synctest bubble, as hookcheck.Test does, without
// failing the test for the receiver's failures.
func runQuiet(t *testing.T, target hookcheck.Target) *reports.Result {
	t.Helper()
	var res *reports.Result
	synctest.Test(t, func(t *testing.T) {
		target.Handler = newTwoRoutes(t) // in the bubble, as its goroutines
		prep, err := hookcheck.Prepare(target)
		require.NoError(t, err)
		res = prep.Run(t.Context())
	})
	return res
}

// TestSessionURLIsValidatedLikeURL: a bad SessionURL is refused by
// Prepare with webhook.ParseTarget's error, and SessionURL and
// SessionPath each belong to their kind of target.
func TestSessionURLIsValidatedLikeURL(t *testing.T) {
	_, err := hookcheck.Prepare(hookcheck.Target{URL: "http://127.0.0.1:1/t", SessionURL: "ftp://example.com/s", Product: reports.BothProducts})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Target.SessionURL")
	_, err = hookcheck.Prepare(hookcheck.Target{Handler: http.NotFoundHandler(), SessionURL: "http://127.0.0.1:1/s"})
	require.ErrorContains(t, err, "SessionPath")
	_, err = hookcheck.Prepare(hookcheck.Target{URL: "http://127.0.0.1:1/t", SessionPath: "/s"})
	require.ErrorContains(t, err, "SessionURL")
	_, err = hookcheck.Prepare(hookcheck.Target{Handler: http.NotFoundHandler(), SessionPath: "s"})
	require.ErrorContains(t, err, "must start with /")
}
