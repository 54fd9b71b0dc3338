package webhook

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seen records the requests a loopback receiver got.
type seen struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (s *seen) add(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r)
}

func (s *seen) all() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

// attemptOnce runs Sender.attempt, the one path by which a delivery reaches
// a receiver, once against h on loopback, and returns the record and the
// requests h got. The header a sender shares between its deliveries must
// come out of the attempt unchanged.
func attemptOnce(t *testing.T, p Policy, h http.HandlerFunc, path string) (Attempt, []*http.Request) {
	t.Helper()
	var got seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		got.add(r)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	s, err := NewSender(p, Options{})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	target := strings.Replace(srv.URL, "http://", "http://"+path, 1)
	n, err := TranscriptReady("", StatusCompleted)
	require.NoError(t, err)
	pd, err := s.prepare(new(journal), target, n, DeliveryOptions{}, Observer{})
	require.NoError(t, err)
	shared := pd.header.Clone()
	a := s.attempt(context.Background(), &pd, 1)
	require.Equal(t, shared, pd.header, "the shared request header is not modified")
	return a, got.all()
}

func TestAttemptRecordsTheAnswer(t *testing.T) {
	a, reqs := attemptOnce(t, DefaultPolicy(), func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Receiver", "r1")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "down")
	}, "")
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPost, reqs[0].Method) // D-1
	assert.Equal(t, 1, a.Number)
	assert.Equal(t, 500, a.StatusCode)
	assert.Equal(t, "r1", a.ResponseHeaders.Get("X-Receiver"))
	assert.Equal(t, "down", a.ResponseBody)
	assert.False(t, a.BodyTruncated)
	assert.Equal(t, NoError, a.Failure)
	assert.Empty(t, a.Detail)
	assert.False(t, a.StartedAt.IsZero())
}

// TestAttemptDoesNotFollowRedirects checks P-3 on the attempt path: the
// 3xx is the attempt's answer and the Location is never requested. The
// opposite setting shows the check would notice a followed redirect.
func TestAttemptDoesNotFollowRedirects(t *testing.T) { // P-3
	redirect := func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			w.WriteHeader(http.StatusOK)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}
	a, reqs := attemptOnce(t, DefaultPolicy(), redirect, "")
	require.Len(t, reqs, 1, "the Location is not requested")
	assert.Equal(t, 302, a.StatusCode)
	assert.Equal(t, "/elsewhere", a.ResponseHeaders.Get("Location"))
	assert.Equal(t, NoError, a.Failure)

	p := DefaultPolicy()
	p.FollowRedirects = true
	a, reqs = attemptOnce(t, p, redirect, "")
	require.Len(t, reqs, 2)
	assert.Equal(t, "/elsewhere", reqs[1].URL.Path)
	assert.Equal(t, 200, a.StatusCode)
	assert.Equal(t, DefaultUserAgent, reqs[1].Header.Get("User-Agent"), "the redirect carries the D-12 headers")
}

// TestAttemptGoesThroughTheClient checks that http.Client, not a bare
// transport, sends the attempt: only the client turns a URL's user
// information into basic auth.
func TestAttemptGoesThroughTheClient(t *testing.T) {
	a, reqs := attemptOnce(t, DefaultPolicy(), func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}, "user:pass@")
	require.Len(t, reqs, 1)
	user, pass, ok := reqs[0].BasicAuth()
	require.True(t, ok, "Authorization header: %q", reqs[0].Header.Get("Authorization"))
	assert.Equal(t, "user", user)
	assert.Equal(t, "pass", pass)
	assert.True(t, a.Succeeded())
}

func TestAttemptCapsTheBody(t *testing.T) { // P-1
	p := DefaultPolicy()
	p.MaxBodyBytes = 4
	a, _ := attemptOnce(t, p, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "0123456789")
	}, "")
	assert.Equal(t, "0123", a.ResponseBody)
	assert.True(t, a.BodyTruncated)
}

func TestAttemptRecordsAFailure(t *testing.T) { // P-4
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close()) // nothing listens there now
	s, err := NewSender(DefaultPolicy(), Options{})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	n, err := TranscriptReady("", StatusCompleted)
	require.NoError(t, err)
	pd, err := s.prepare(new(journal), "http://"+addr+"/hook", n, DeliveryOptions{}, Observer{})
	require.NoError(t, err)
	a := s.attempt(context.Background(), &pd, 2)
	assert.Equal(t, 2, a.Number)
	assert.Equal(t, ErrRefused, a.Failure)
	assert.NotEmpty(t, a.Detail)
	assert.False(t, a.Answered())
	assert.Nil(t, a.ResponseHeaders)
}
