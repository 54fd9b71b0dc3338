package capture_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookcheck/hookcheck/simulator/capture"
)

// serveRecorder serves rc on a loopback listener and returns its address
// and how many requests reached the handler.
func serveRecorder(t *testing.T, rc *capture.Recorder) (string, *atomic.Int64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var entered atomic.Int64
	srv := &http.Server{ReadHeaderTimeout: time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered.Add(1)
		rc.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l.Addr().String(), &entered
}

// slowClient announces a body of announced bytes, sends the first sent
// of them and then nothing: a client sending at (much less than) 1 byte/s.
func slowClient(t *testing.T, addr string, announced, sent int) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	_, err = fmt.Fprintf(c, "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		announced, strings.Repeat("x", sent))
	require.NoError(t, err)
	return c
}

// TestSlowBodiesDoNotStarveDeliveries: 16 clients trickling a small body
// and 16 more holding every slot with a long body that stalls, then a
// real delivery is answered at once; each slow client is let go when the
// body deadline passes.
func TestSlowBodiesDoNotStarveDeliveries(t *testing.T) {
	var file bytes.Buffer
	rc, err := capture.NewRecorder(capture.Config{Out: &file, BodyTimeout: 300 * time.Millisecond})
	require.NoError(t, err)
	addr, entered := serveRecorder(t, rc)
	var slow []net.Conn
	for range capture.DefaultMaxInFlight {
		slow = append(slow, slowClient(t, addr, 1000, 1))
		slow = append(slow, slowClient(t, addr, 2*capture.FastBodyBytes, capture.FastBodyBytes+1))
	}
	require.Eventually(t, func() bool { return entered.Load() == int64(len(slow)) }, 2*time.Second, time.Millisecond,
		"every slow client is reading its body")

	client := &http.Client{Timeout: time.Second}
	start := time.Now()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, "http://"+addr+"/hook",
		strings.NewReader(`{"transcript_id":"t","status":"completed"}`))
	require.NoError(t, err)
	resp, err := client.Do(req)
	require.NoError(t, err, "a real delivery is answered while slow bodies arrive")
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Less(t, time.Since(start), 250*time.Millisecond, "answered before any slow body's deadline")

	// Every slow client is let go within the deadline (plus slack).
	for _, c := range slow {
		require.NoError(t, c.SetReadDeadline(time.Now().Add(2*time.Second)))
		_, err := io.Copy(io.Discard, bufio.NewReader(c))
		require.NoError(t, err, "the server ends a body that misses the deadline")
	}
}

// TestCutBodyIsIncomplete: a client that sends 498 of 1,000 announced
// bytes and leaves gets a 400 record marked incomplete, counted as no
// attempt; Read skips it unless asked, with a warning.
func TestCutBodyIsIncomplete(t *testing.T) {
	var file, live bytes.Buffer
	rc, err := capture.NewRecorder(capture.Config{Out: &file, Live: &live})
	require.NoError(t, err)
	addr, _ := serveRecorder(t, rc)
	c := slowClient(t, addr, 1000, 498)
	require.NoError(t, c.(*net.TCPConn).CloseWrite())
	_, _ = io.Copy(io.Discard, c) // the answer, then the server closes
	require.Eventually(t, func() bool { return rc.Count() == 1 }, 2*time.Second, time.Millisecond)

	var recs []capture.Record
	require.NoError(t, capture.Scan(bytes.NewReader(file.Bytes()), capture.ReadOptions{IncludeIncomplete: true},
		func(_ int, r capture.Record) error { recs = append(recs, r); return nil }))
	require.Len(t, recs, 1)
	assert.True(t, recs[0].Incomplete)
	assert.Equal(t, http.StatusBadRequest, recs[0].Status)
	assert.EqualValues(t, 498, recs[0].BodyBytes)
	assert.Zero(t, recs[0].Attempt, "not an attempt of the delivery")
	assert.Contains(t, live.String(), "incomplete")

	var warnings []string
	ds, err := capture.ReadWith(bytes.NewReader(file.Bytes()), capture.ReadOptions{Warn: func(line int, why string) {
		warnings = append(warnings, fmt.Sprintf("%d: %s", line, why))
	}})
	require.NoError(t, err)
	assert.Empty(t, ds, "an incomplete request is no delivery")
	require.Len(t, warnings, 1)
	assert.Contains(t, warnings[0], "1: request #1's body was cut short (498 bytes, incomplete)")

	// A complete body on the same recorder is a first attempt answered 200.
	resp, err := http.Post("http://"+addr+"/hook", "application/json", strings.NewReader(`{"transcript_id":"t","status":"completed"}`)) //nolint:noctx // a test
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}
