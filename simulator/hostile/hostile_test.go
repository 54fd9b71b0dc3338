package hostile_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/hookcheck/hookcheck/simulator/hostile"
	"github.com/hookcheck/hookcheck/simulator/memnet"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestParseKind(t *testing.T) {
	for _, k := range hostile.Kinds() {
		got, err := hostile.ParseKind(" " + string(k) + " ")
		require.NoError(t, err)
		assert.Equal(t, k, got)
		assert.NotEmpty(t, k.Description(), k)
		assert.NotEmpty(t, k.Violates(), k)
	}
	_, err := hostile.ParseKind("polite")
	assert.ErrorIs(t, err, hostile.ErrUnknownKind)
}

const request = "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"

// Every kind, served on an in-memory listener in virtual time, starts its
// behaviour with a client holding the connection open and closes cleanly,
// by Close or by its context: the bubble ends only when every goroutine
// the server started has returned.
func TestServeOnMemnetClosesWithOpenConnections(t *testing.T) {
	for _, k := range hostile.Kinds() {
		t.Run(string(k), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n := memnet.New()
				ln, err := n.Listen("")
				require.NoError(t, err)
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				srv, err := hostile.Serve(ctx, ln, k, hostile.Options{Interval: time.Millisecond})
				require.NoError(t, err)
				c, err := n.DialContext(t.Context(), "tcp", ln.Addr().String())
				require.NoError(t, err)
				defer c.Close()
				go func() { _, _ = io.WriteString(c, request) }() // a pipe write waits for its reader
				time.Sleep(10 * time.Millisecond)                 // virtual: the trickles write several bytes
				synctest.Wait()

				if k == hostile.Blackhole {
					cancel() // the context stops it too
					synctest.Wait()
				}
				assert.NoError(t, srv.Close())
				assert.NoError(t, srv.Close(), "Close twice")
				_, err = n.DialContext(t.Context(), "tcp", ln.Addr().String())
				assert.ErrorIs(t, err, syscall.ECONNREFUSED, "closed: no more connections")
			})
		})
	}
}

// Start serves on real loopback; Close returns while a client still holds
// a connection open.
func TestStartOnLoopback(t *testing.T) {
	for _, k := range hostile.Kinds() {
		t.Run(string(k), func(t *testing.T) {
			defer goleak.VerifyNone(t)
			srv, err := hostile.Start(t.Context(), k, hostile.Options{Interval: time.Millisecond})
			require.NoError(t, err)
			assert.Contains(t, srv.URL, "://127.0.0.1:")
			c, err := net.DialTimeout("tcp", srv.Addr().String(), time.Second)
			require.NoError(t, err)
			defer c.Close()
			_, err = io.WriteString(c, request)
			require.NoError(t, err)
			assert.NoError(t, srv.Close())
			_, err = net.DialTimeout("tcp", srv.Addr().String(), 100*time.Millisecond)
			assert.Error(t, err, "closed: no more connections")
		})
	}
}

func TestServeRejectsAnUnknownKindAndClosesTheListener(t *testing.T) {
	n := memnet.New()
	ln, err := n.Listen("")
	require.NoError(t, err)
	_, err = hostile.Serve(t.Context(), ln, "polite", hostile.Options{})
	require.ErrorIs(t, err, hostile.ErrUnknownKind)
	_, err = n.DialContext(t.Context(), "tcp", ln.Addr().String())
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
}

// Handler gives the same behaviour to a handler-only harness: here
// reset-mid-answer and not-http behind net/http on memnet.
func TestHandler(t *testing.T) {
	for k, check := range map[hostile.Kind]func(t *testing.T, err error){
		hostile.ResetMidAnswer: func(t *testing.T, err error) { assert.ErrorIs(t, err, io.ErrUnexpectedEOF) },
		hostile.NotHTTP:        func(t *testing.T, err error) { assert.ErrorContains(t, err, "malformed HTTP") },
	} {
		t.Run(string(k), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h, err := hostile.Handler(k, hostile.Options{})
				require.NoError(t, err)
				n := memnet.New()
				srv, err := n.Serve("", h)
				require.NoError(t, err)
				defer srv.Close()
				client := &http.Client{Transport: &http.Transport{DialContext: n.DialContext}}
				defer client.CloseIdleConnections()
				resp, err := client.Post(srv.URL+"/hook", "application/json", nil)
				if err == nil {
					_ = resp.Body.Close()
				}
				require.Error(t, err)
				check(t, err)
			})
		})
	}
	_, err := hostile.Handler(hostile.BadCertificate, hostile.Options{})
	assert.Error(t, err, "a TLS failure comes before any handler")
	_, err = hostile.Handler("polite", hostile.Options{})
	assert.True(t, errors.Is(err, hostile.ErrUnknownKind))
}
