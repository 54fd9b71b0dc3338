package hookcheck_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck"
	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// elsewhere is a server on another origin (another port of 127.0.0.1)
// that answers 200 to everything and counts the requests that carried
// secret in any header.
type elsewhere struct {
	*httptest.Server
	mu               sync.Mutex
	requests, secret int
}

func newElsewhere(t *testing.T, secret string) *elsewhere {
	t.Helper()
	e := &elsewhere{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		e.mu.Lock()
		e.requests++
		for name, vs := range r.Header {
			if strings.Contains(name+strings.Join(vs, ","), secret) {
				e.secret++
				break
			}
		}
		e.mu.Unlock()
		_, _ = io.WriteString(w, "login page")
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *elsewhere) counts() (requests, secret int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.requests, e.secret
}

// TestFollowRedirectsKeepsTheAuthHeaderHome reproduces issue 18's probe:
// with --follow-redirects, a receiver answering 307 to another origin
// sent the auth header there, and RC-12 passed on the other origin's 200.
// Now the other origin gets the notification without the secret, and
// RC-12 fails on the receiver's own 307.
func TestFollowRedirectsKeepsTheAuthHeaderHome(t *testing.T) { // P-3, D-8
	const secret = "follow-auth-secret"
	other := newElsewhere(t, secret)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Location", other.URL+"/collect")
		w.WriteHeader(http.StatusTemporaryRedirect)
	}))
	t.Cleanup(receiver.Close)
	p := webhook.DefaultPolicy()
	p.FollowRedirects = true
	res, err := hookcheck.Check(t.Context(), hookcheck.Target{URL: receiver.URL + "/webhook", Policy: &p, Fast: true,
		AuthHeaderName: "X-Webhook-Secret", AuthHeaderValue: secret, Tags: "@RC-12"})
	require.NoError(t, err)
	requests, withSecret := other.counts()
	assert.Positive(t, requests, "the redirect was followed")
	assert.Zero(t, withSecret, "requests carrying the auth header reached another origin")
	q, _ := res.Requirement("RC-12")
	assert.Equal(t, reports.Failed, q.Status)
	assert.Contains(t, q.Reason, "the receiver's own answer was a 307 redirect (to \""+other.URL+"/collect\")")
}

// verifyingReceiver acknowledges every POST and answers verify requests
// under /verify/ with verify.
func verifyingReceiver(t *testing.T, verify http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.Method == http.MethodGet {
			verify(w, r)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv
}

const verifySecret = "verify-header-secret"

func checkProcessed(t *testing.T, srv *httptest.Server) reports.Requirement {
	t.Helper()
	res, err := hookcheck.Check(t.Context(), hookcheck.Target{URL: srv.URL + "/webhook", Fast: true, Tags: "@RC-01,@RC-18",
		VerifyURL: srv.URL + "/verify/{transcript_id}", VerifyHeaderName: "X-Verify", VerifyHeaderValue: verifySecret})
	require.NoError(t, err)
	q, ok := res.Requirement("RC-18")
	require.True(t, ok)
	return q
}

// TestVerifyFollowsNoRedirectElsewhere reproduces issue 18's probe: a
// verify URL answering 302 to another host (a login page answering 200)
// got the verify header, and RC-18 passed on the login page. Now the
// redirect is a failed verification naming where it pointed, found at
// once (not polled for 30 s), and the other origin gets nothing.
func TestVerifyFollowsNoRedirectElsewhere(t *testing.T) { // RC-18
	login := newElsewhere(t, verifySecret)
	srv := verifyingReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, login.URL+"/login", http.StatusFound)
	})
	q := checkProcessed(t, srv)
	assert.Equal(t, reports.Failed, q.Status)
	assert.Contains(t, q.Reason, "(302 redirect to "+login.URL+"/login, another origin: not followed, the verify header not sent there)")
	requests, withSecret := login.counts()
	assert.Zero(t, withSecret, "verify headers sent to another origin")
	assert.Zero(t, requests)
}

// TestVerifyFollowsARedirectHome: a redirect within the verify URL's
// origin is followed, the verify header with it, and its 2xx is proof.
func TestVerifyFollowsARedirectHome(t *testing.T) { // RC-18
	srv := verifyingReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/verify/"):
			http.Redirect(w, r, "/processed/"+strings.TrimPrefix(r.URL.Path, "/verify/"), http.StatusFound)
		case r.Header.Get("X-Verify") == verifySecret:
			w.WriteHeader(http.StatusOK)
		default:
			w.WriteHeader(http.StatusUnauthorized)
		}
	})
	q := checkProcessed(t, srv)
	assert.Equal(t, reports.Passed, q.Status, q.Reason)
}
