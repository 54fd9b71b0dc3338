package webhook_test

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/memnet"
	"github.com/hookcheck/hookcheck/simulator/webhook"
)

// received is what an in-memory receiver saw of one request.
type received struct {
	At     time.Time
	Method string
	URI    string
	Header http.Header
	Body   string
	Remote string
}

// recorder wraps a handler and records every request it gets.
type recorder struct {
	mu   sync.Mutex
	reqs []received
	next http.Handler
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.reqs = append(r.reqs, received{At: time.Now(), Method: req.Method, URI: req.RequestURI,
		Header: req.Header.Clone(), Body: string(body), Remote: req.RemoteAddr})
	r.mu.Unlock()
	r.next.ServeHTTP(w, req)
}

func (r *recorder) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.reqs...)
}

// rig is a sender wired to an in-memory network, for use inside a
// synctest bubble where time is virtual.
type rig struct {
	net    *memnet.Network
	sender *webhook.Sender
}

func newRig(t *testing.T, p webhook.Policy) *rig {
	t.Helper()
	n := memnet.New()
	s, err := webhook.NewSender(p, webhook.Options{DialContext: n.DialContext})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return &rig{net: n, sender: s}
}

// serve starts h on the rig's network and returns its URL and recorder.
func (r *rig) serve(t *testing.T, h http.Handler) (string, *recorder) {
	t.Helper()
	rec := &recorder{next: h}
	srv, err := r.net.Serve("", rec)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv.URL, rec
}

func (r *rig) deliver(t *testing.T, target string, n webhook.Notification) *webhook.Delivery {
	t.Helper()
	d, err := r.sender.Deliver(context.Background(), target, n, webhook.Observer{})
	require.NoError(t, err)
	return d
}

func completed(t *testing.T) webhook.Notification {
	t.Helper()
	n, err := webhook.TranscriptReady("", webhook.StatusCompleted)
	require.NoError(t, err)
	return n
}

// status answers code after delay; code 0 hangs until the client leaves.
func status(code int, delay time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if code == 0 {
			<-r.Context().Done()
			return
		}
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.WriteHeader(code)
	})
}

// failFirst answers 500 to the first k requests, then 200.
func failFirst(k int) http.Handler {
	var mu sync.Mutex
	n := 0
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		fail := n <= k
		mu.Unlock()
		if fail {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// starts returns each attempt's start as an offset from the first.
func starts(d *webhook.Delivery) []time.Duration {
	var out []time.Duration
	for _, a := range d.Attempts {
		out = append(out, a.StartedAt.Sub(d.Attempts[0].StartedAt))
	}
	return out
}

func seconds(ss ...float64) []time.Duration {
	var out []time.Duration
	for _, s := range ss {
		out = append(out, time.Duration(s*float64(time.Second)))
	}
	return out
}
