package hostile_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/hookcheck/hookcheck/simulator/hostile"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestParseKind(t *testing.T) {
	for _, k := range hostile.Kinds() {
		got, err := hostile.ParseKind(" " + string(k) + " ")
		require.NoError(t, err)
		assert.Equal(t, k, got)
	}
	_, err := hostile.ParseKind("polite")
	assert.Error(t, err)
}

// Every kind closes cleanly while a client still holds a connection open,
// and when its context ends.
func TestCloseWithOpenConnections(t *testing.T) {
	for _, k := range hostile.Kinds() {
		t.Run(string(k), func(t *testing.T) {
			defer goleak.VerifyNone(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			srv, err := hostile.Start(ctx, k, hostile.Options{Interval: time.Millisecond})
			require.NoError(t, err)
			c, err := net.DialTimeout("tcp", srv.Addr().String(), time.Second)
			require.NoError(t, err)
			defer c.Close()
			_, err = c.Write([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"))
			require.NoError(t, err)
			time.Sleep(5 * time.Millisecond) // let the behaviour start writing

			done := make(chan struct{})
			go func() {
				defer close(done)
				if k == hostile.Blackhole {
					cancel() // the context stops it too
					_ = srv.Close()
					return
				}
				assert.NoError(t, srv.Close())
			}()
			select {
			case <-done:
			case <-time.After(2 * time.Second):
				t.Fatal("Close did not return")
			}
			assert.NoError(t, srv.Close(), "Close twice")
			_, err = net.DialTimeout("tcp", srv.Addr().String(), 100*time.Millisecond)
			assert.Error(t, err, "closed: no more connections")
		})
	}
}
