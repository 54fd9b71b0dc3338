package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// headerLog keeps the headers of every request a loopback server got.
type headerLog struct {
	mu   sync.Mutex
	seen []http.Header
}

func (l *headerLog) handler(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		l.mu.Lock()
		l.seen = append(l.seen, r.Header.Clone())
		l.mu.Unlock()
		next(w, r)
	}
}

func (l *headerLog) all() []http.Header {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]http.Header(nil), l.seen...)
}

// carrying counts the requests whose headers hold value anywhere.
func carrying(hs []http.Header, value string) int {
	n := 0
	for _, h := range hs {
		for name, vs := range h {
			if strings.Contains(name+": "+strings.Join(vs, ","), value) {
				n++
				break
			}
		}
	}
	return n
}

const (
	redirectAuthSecret  = "auth-secret-value"
	redirectExtraSecret = "extra-secret-value"
)

// redirectPolicy follows redirects and sends the auth header (D-8), an
// Authorization header and a custom header carrying a known secret.
func redirectPolicy() webhook.Policy {
	p := shortPolicy()
	p.MaxAttempts = 1
	p.FollowRedirects = true
	p.Auth = &webhook.AuthHeader{Name: "X-Webhook-Secret", Value: redirectAuthSecret}
	p.ExtraHeaders = http.Header{"Authorization": {"Bearer bearer-value"}, "X-Team-Token": {"t=" + redirectExtraSecret}}
	return p
}

func deliverWith(t *testing.T, p webhook.Policy, target string, secrets ...string) *webhook.Delivery {
	t.Helper()
	s, err := webhook.NewSender(p, webhook.Options{Secrets: secrets})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	d, err := s.Deliver(context.Background(), target, completed(t), webhook.Observer{})
	require.NoError(t, err)
	return d
}

// TestFollowedRedirectKeepsSecretsHome: a receiver answering 307 to
// another origin (same host, another port) gets its secrets; the other
// origin gets the notification and none of them: not the auth header, not
// Authorization, not a custom header carrying a known secret, no Referer.
// The attempt records the receiver's own 307 beside the chain's 200.
func TestFollowedRedirectKeepsSecretsHome(t *testing.T) { // P-3, D-8
	var home, other headerLog
	elsewhere := httptest.NewServer(other.handler(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(elsewhere.Close)
	receiver := httptest.NewServer(home.handler(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Location", elsewhere.URL+"/collect")
		w.WriteHeader(http.StatusTemporaryRedirect)
	}))
	t.Cleanup(receiver.Close)

	d := deliverWith(t, redirectPolicy(), receiver.URL+"/hook?token=query-secret", redirectExtraSecret)
	require.Len(t, home.all(), 1)
	assert.Equal(t, 1, carrying(home.all(), redirectAuthSecret), "the receiver's own origin gets the auth header")
	assert.Equal(t, 1, carrying(home.all(), redirectExtraSecret))
	require.Len(t, other.all(), 1, "the redirect is followed")
	for _, secret := range []string{redirectAuthSecret, redirectExtraSecret, "bearer-value", "query-secret"} {
		assert.Zero(t, carrying(other.all(), secret), "%s reached another origin", secret)
	}
	assert.Equal(t, webhook.DefaultUserAgent, other.all()[0].Get("User-Agent"), "the D-12 headers still go")

	a := d.Attempts[0]
	assert.Equal(t, http.StatusOK, a.StatusCode, "the chain's end")
	require.NotNil(t, a.Redirect)
	assert.Equal(t, webhook.Redirect{StatusCode: http.StatusTemporaryRedirect, Location: elsewhere.URL + "/collect", Count: 1}, *a.Redirect)
	assert.Equal(t, http.StatusTemporaryRedirect, a.OwnStatus())
}

// TestFollowedRedirectOnTheSameOrigin: a hop that stays on the receiver's
// origin keeps every header, so stripping is not a blanket removal.
func TestFollowedRedirectOnTheSameOrigin(t *testing.T) { // P-3, D-8
	var log headerLog
	srv := httptest.NewServer(log.handler(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hook" {
			http.Redirect(w, r, "/final", http.StatusPermanentRedirect)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	d := deliverWith(t, redirectPolicy(), srv.URL+"/hook", redirectExtraSecret)
	require.Len(t, log.all(), 2)
	assert.Equal(t, 2, carrying(log.all(), redirectAuthSecret))
	assert.Equal(t, 2, carrying(log.all(), redirectExtraSecret))
	assert.Equal(t, 2, carrying(log.all(), "bearer-value"))
	require.NotNil(t, d.Attempts[0].Redirect)
	assert.Equal(t, http.StatusPermanentRedirect, d.Attempts[0].Redirect.StatusCode)
}

// TestSecretsStayGoneAfterLeaving: once a chain left the receiver's
// origin, a hop back to it carries no secret either (as Go's client does
// for Authorization): the other origin chose that hop.
func TestSecretsStayGoneAfterLeaving(t *testing.T) { // P-3, D-8
	var home, other headerLog
	var receiver *httptest.Server
	elsewhere := httptest.NewServer(other.handler(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Location", receiver.URL+"/back")
		w.WriteHeader(http.StatusFound)
	}))
	t.Cleanup(elsewhere.Close)
	receiver = httptest.NewServer(home.handler(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/back" {
			w.WriteHeader(http.StatusOK)
			return
		}
		w.Header().Set("Location", elsewhere.URL)
		w.WriteHeader(http.StatusTemporaryRedirect)
	}))
	t.Cleanup(receiver.Close)
	d := deliverWith(t, redirectPolicy(), receiver.URL+"/hook", redirectExtraSecret)
	require.Len(t, home.all(), 2)
	assert.Equal(t, 1, carrying(home.all(), redirectAuthSecret), "only the first request")
	assert.Zero(t, carrying(other.all(), redirectAuthSecret))
	require.NotNil(t, d.Attempts[0].Redirect)
	assert.Equal(t, 2, d.Attempts[0].Redirect.Count)
	assert.Equal(t, http.StatusTemporaryRedirect, d.Attempts[0].OwnStatus())
}

// TestRedirectLoopRecordsTheFirstAnswer: a chain that never ends still
// records the receiver's own 3xx, and how many came.
func TestRedirectLoopRecordsTheFirstAnswer(t *testing.T) { // P-3
	p := shortPolicy()
	p.MaxAttempts = 1
	p.FollowRedirects = true
	t.Run("followed", func(t *testing.T) {
		a := deliverRedirect(t, p).Attempts[0]
		assert.Equal(t, webhook.ErrProtocol, a.Failure)
		require.NotNil(t, a.Redirect)
		assert.Equal(t, webhook.Redirect{StatusCode: http.StatusFound, Location: "/hook?customer_id=1", Count: p.MaxRedirects}, *a.Redirect)
		assert.Equal(t, http.StatusFound, a.OwnStatus())
	})
	t.Run("not followed", func(t *testing.T) {
		// The 3xx is the answer itself, and there is no Redirect.
		p := p
		p.FollowRedirects = false
		a := deliverRedirect(t, p).Attempts[0]
		assert.Nil(t, a.Redirect)
		assert.Equal(t, http.StatusFound, a.OwnStatus())
	})
}

// TestRedirectJSON: the record keeps the first answer as "redirect", and
// an attempt without one has no such key.
func TestRedirectJSON(t *testing.T) {
	a := webhook.Attempt{Number: 1, StatusCode: 200, Redirect: &webhook.Redirect{StatusCode: 307, Location: "https://elsewhere/", Count: 2}}
	b, err := json.Marshal(a)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"redirect":{"status_code":307,"location":"https://elsewhere/","count":2}`)
	var back webhook.Attempt
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, a.Redirect, back.Redirect)

	b, err = json.Marshal(webhook.Attempt{Number: 1, StatusCode: 200})
	require.NoError(t, err)
	assert.NotContains(t, string(b), "redirect")
}

// TestRedirectLocationIsMasked: a Location that echoes a secret is kept
// masked, by the sender and by a Redactor given the record later.
func TestRedirectLocationIsMasked(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/final" {
			w.WriteHeader(http.StatusOK)
			return
		}
		http.Redirect(w, r, "/final?echo="+url.QueryEscape(r.Header.Get("X-Webhook-Secret")), http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	d := deliverWith(t, redirectPolicy(), srv.URL+"/hook")
	require.NotNil(t, d.Attempts[0].Redirect)
	assert.NotContains(t, d.Attempts[0].Redirect.Location, redirectAuthSecret)
	assert.Contains(t, d.Attempts[0].Redirect.Location, webhook.Mask)

	a := webhook.Attempt{Redirect: &webhook.Redirect{StatusCode: 302, Location: "/x?k=later-secret"}}
	m := webhook.NewRedactor("later-secret").Attempt(a)
	assert.Equal(t, "/x?k="+webhook.Mask, m.Redirect.Location)
	assert.Equal(t, "/x?k=later-secret", a.Redirect.Location, "the record given is not changed")
}

func TestOrigin(t *testing.T) {
	for raw, want := range map[string]string{
		"http://Example.COM/x":        "http://example.com:80",
		"http://example.com:80/x":     "http://example.com:80",
		"https://example.com/x":       "https://example.com:443",
		"HTTPS://example.com:8443":    "https://example.com:8443",
		"http://[::1]:9000/hook?a=b":  "http://[::1]:9000",
		"http://user:pw@127.0.0.1:81": "http://127.0.0.1:81",
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		assert.Equal(t, want, webhook.Origin(u), raw)
	}
}
